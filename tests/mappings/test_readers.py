"""The extract readers cannot crash: for any bytes they give rows or raise ExtractError.

Property tests (hypothesis) put every character across a chunk boundary (chunks of 1-7
bytes), add byte-order marks, CRLF and lone CR line ends, cut files anywhere and corrupt
bytes; full staging must then still account for every row read, with a reason for every
reject and no identity code in the rejects file.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import shutil
import stat
import tempfile
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from core.hetu import REDACTED, make
from core.pseudonyms import Pseudonymizer
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import current_graphs
from mappings.sources import Column, FileSpec, SourceSpec, load_sources
from mappings.staging import (
    ExtractError,
    RejectsWriter,
    TruncatedJSON,
    _csv_records,
    _json_list_items,
    _koski_records,
    _split_fields,
    read_manifest,
    stage_source,
)
from synthetic import generate
from tests.conftest import Loaded, run_ingest
from tests.leaks import identity_codes

BOM = codecs.BOM_UTF8
PSEUDONYMIZE = Pseudonymizer(bytes(32))
CHUNKS = st.integers(min_value=1, max_value=7)
# Finnish and other multi-byte text: 2-, 3- and 4-byte characters, combining marks, a flag.
LETTERS = list("aäöÅé€😀") + ["e\u0301", "a\u0308", "🇫🇮", "\u200b", "ß"]
TEXT = st.lists(st.sampled_from([*LETTERS, " ", ";", '"', "\n", "\r", "\r\n"]), max_size=8).map(
    "".join
)
CODES = [make(date(1950 + i, 1 + i % 12, 1 + i % 28), 2 + i) for i in range(40)]
# Bytes that break things: NUL, invalid UTF-8, halves of characters, a BOM's, the framing.
BAD_BYTES = st.sampled_from([0x00, 0xFF, 0xC3, 0xA4, 0xE2, 0x82, 0xF0, 0x80, 0xEF, 0xBB, 0xBF,
                             0x22, 0x3B, 0x0A, 0x0D, 0xE4])
PROPERTY = settings(max_examples=150, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@contextmanager
def _tmp() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        yield Path(tmp)


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def _quote(value: str, always: bool) -> str:
    if always or any(c in value for c in ';"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv_text(rows: list[list[str]], eol: str, always_quote: bool, final_eol: bool) -> list[str]:
    """The text of each row with its line end (the last one without, if not final_eol)."""
    out = [";".join(_quote(v, always_quote) for v in row) + eol for row in rows]
    if out and not final_eol:
        out[-1] = out[-1][: -len(eol)]
    return out


def _mutate(data: bytes, draw) -> bytes:
    """``data`` cut somewhere and/or with bytes overwritten or inserted."""
    data = bytearray(data)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        byte = draw(BAD_BYTES)
        if draw(st.booleans()) and at < len(data):
            data[at] = byte
        else:
            data.insert(at, byte)
    if draw(st.booleans()):
        del data[draw(st.integers(0, len(data))):]
    return bytes(data)


def _read_csv(path: Path, chunk_size: int) -> tuple[list[str], list[tuple]] | None:
    """Header and records, checked for shape; None when the file is refused (ExtractError)."""
    try:
        header, records = _csv_records(path, chunk_size)
        out = list(records)
    except ExtractError as err:
        assert str(err)
        return None
    assert all(isinstance(h, str) for h in header)
    last = 1
    for line, fields, raw, reason in out:
        assert line > last, "records come in line order, after the header"
        last = line
        assert isinstance(raw, str)
        if fields is None:
            assert reason and ":" in reason
        else:
            assert reason is None and all(isinstance(f, str) for f in fields)
    return header, out


# -- CSV ---------------------------------------------------------------------------


@PROPERTY
@given(
    width=st.integers(2, 4),
    data=st.data(),
    eol=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    always_quote=st.booleans(),
    final_eol=st.booleans(),
    chunk=CHUNKS,
)
def test_csv_rows_come_back_whole_whatever_the_chunks(width, data, eol, bom, always_quote,
                                                       final_eol, chunk):
    header = [f"sarake_{i}" for i in range(width)]
    rows = data.draw(st.lists(st.lists(TEXT, min_size=width, max_size=width), max_size=6))
    texts = _csv_text([header, *rows], eol, always_quote, final_eol or not rows)
    with _tmp() as tmp:
        path = _write(tmp, "f.csv", (BOM if bom else b"") + "".join(texts).encode())
        got_header, records = _csv_records(path, chunk_size=chunk)
        records = list(records)
    assert got_header == header
    assert [fields for _, fields, _, _ in records] == rows
    assert [raw for _, _, raw, _ in records] == texts[1:]
    lines = [1 + sum(len(t.encode().splitlines()) for t in texts[:i]) for i in range(1, len(texts))]
    assert [line for line, _, _, _ in records] == lines


@PROPERTY
@given(text=st.text(alphabet=';"aä\n\r', max_size=40), chunk=CHUNKS)
@example(text='a"b;"c"d;"e""f"\r"g\rh";i\n', chunk=1)
def test_csv_reader_splits_as_the_csv_module_does(text, chunk):
    text = "h;h\n" + text
    expected = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=";") if row]
    with _tmp() as tmp:
        header, records = _csv_records(_write(tmp, "f.csv", text.encode()), chunk_size=chunk)
        records = list(records)
    if records and records[-1][1] is None:  # the file ends inside a quoted field
        assert records[-1][3].startswith("truncated record:")
        records, expected = records[:-1], expected[:-1]
    assert [header, *(fields for _, fields, _, _ in records)] == expected


@PROPERTY
@given(data=st.data(), chunk=CHUNKS)
def test_csv_reader_gives_rows_or_extract_error_for_any_bytes(data, chunk):
    rows = data.draw(st.lists(st.lists(TEXT, min_size=3, max_size=3), max_size=5))
    eol = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
    base = "".join(_csv_text([["a", "b", "c"], *rows], eol, False, True)).encode()
    any_bytes = data.draw(st.booleans())
    raw = data.draw(st.binary(max_size=60)) if any_bytes else _mutate(base, data.draw)
    with _tmp() as tmp:
        _read_csv(_write(tmp, "f.csv", raw), chunk)


def test_csv_edge_cases(tmp_path: Path):
    def read(data: bytes) -> tuple[list[str], list[tuple]] | None:
        return _read_csv(_write(tmp_path, "f.csv", data), 3)

    for empty in (b"", BOM):
        with pytest.raises(ExtractError, match="the file is empty"):
            _csv_records(_write(tmp_path, "f.csv", empty))
    assert read(BOM + b"a;b\r\n") == (["a", "b"], [])  # a header only: no rows
    assert read(b"a;b") == (["a", "b"], [])
    _, records = read("a;b\n1;ä\n2;".encode() + "ä\n".encode("latin-1") + b"3;x\n")
    assert [(line, reason) for line, _, _, reason in records] == [
        (2, None),
        (3, "wrong encoding: the row is not valid UTF-8 (re-export the file as UTF-8)"),
        (4, None),
    ]
    assert records[1][2] == "2;ä\n"  # the raw row, as latin-1 shows it
    _, records = read(b"a;b\n1;x\x00y\n2;z")
    assert records[0][3].startswith("invalid character: the row holds a NUL")
    assert records[1][1] == ["2", "z"]
    _, records = read(b'a;b\n1;"never closed\n2;x\n')
    assert len(records) == 1 and records[0][3].startswith("truncated record: the file ends inside")
    _, records = read("a;b\n1;x\n2;ä".encode()[:-1])  # cut inside the last character
    assert records[1][3] == "truncated record: the file ends inside a character"
    with pytest.raises(ExtractError, match="header row as UTF-8"):
        _csv_records(_write(tmp_path, "f.csv", "a;ä\n".encode("latin-1")))
    with pytest.raises(ExtractError, match="cannot read the header row: the file ends inside"):
        _csv_records(_write(tmp_path, "f.csv", b'a;"b\n1;2\n'))
    with pytest.raises(ExtractError, match="cannot be opened"):
        _csv_records(tmp_path)  # a folder


def test_a_field_over_the_limit_is_a_rejected_row(tmp_path: Path):
    big = b"x" * (1 << 20)
    data = b'a;b\n1;"' + big + b'"\n2;ok\n3;' + big + b"\n4;ok"
    _, records = _read_csv(_write(tmp_path, "f.csv", data), 1 << 16)
    assert [(line, reason and reason.split(":")[0]) for line, _, _, reason in records] == [
        (2, "row too large"), (3, None), (4, "row too large"), (5, None)]
    assert len(records[0][2]) <= 4096  # only the start of an oversized row is kept
    assert records[1][1] == ["2", "ok"] and records[3][1] == ["4", "ok"]


def test_an_unclosed_quote_is_never_buffered_whole(tmp_path: Path):
    path = tmp_path / "f.csv"
    with path.open("wb") as out:
        out.write(b'a;b\n1;"opened, never closed')
        for _ in range(24):
            out.write(b"y" * (1 << 20) + b"\n")
    tracemalloc.start()
    try:
        _, records = _read_csv(path, 1 << 16)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(records) == 1 and records[0][3].startswith("truncated record:")
    assert peak < 6 << 20, f"read a 24 MiB open quoted field holding {peak} bytes"


def test_split_fields_matches_the_csv_module():
    for text in ['a;"b;""c"""', '"";;"x"y', 'a"b";c', '"a\r\nb";"', ";", "a"]:
        assert _split_fields(text) == next(csv.reader([text], delimiter=";"))


# -- full staging: every row read is loaded or rejected with a reason --------------

TINY = SourceSpec(
    id="testi", organisation="Testi", organisation_id="testi", legal_basis=(), law="",
    date_format="%Y-%m-%d",
    files={
        "rivit.csv": FileSpec(name="rivit.csv", key="id", columns=(
            Column("id", "id", required=True), Column("hetu", "hetu", required=True),
            Column("nimi", "text"), Column("alkupvm", "date"))),
        "oikeudet.json": FileSpec(name="oikeudet.json", key="oid", format="json", columns=(
            Column("oid", "id", required=True, path="oid"),
            Column("hetu", "hetu", required=True, path="henkilö.hetu"),
            Column("nimi", "text", path="nimi.fi"))),
    },
)


def _stage(folder: Path, source: SourceSpec, chunk: int, work: Path | None = None
           ) -> dict | None:
    """Stage ``source`` from ``folder``; check the accounting and the rejects file."""
    work = work or folder
    rejects_path = work / "rejects.csv"
    rejects = RejectsWriter(rejects_path)
    try:
        staged = stage_source(source, folder, work / "staged", rejects, PSEUDONYMIZE,
                              lambda kind: frozenset(), chunk_size=chunk)
    except ExtractError as err:
        assert str(err) and not identity_codes(str(err))
        return None
    finally:
        rejects.close()
    text = rejects_path.read_text(encoding="utf-8")
    rejected = list(csv.DictReader(io.StringIO(text, newline="")))
    for name, counts in staged.files.items():
        assert counts.rows_read == counts.rows_loaded + counts.rows_rejected, name
        assert sum(counts.reasons.values()) == counts.rows_rejected
    assert len(rejected) == staged.rows_rejected
    assert all(r["reason"] and r["line"].isdigit() for r in rejected)
    assert identity_codes(text) == [], "an identity code in the rejects file"
    assert stat.S_IMODE(rejects_path.stat().st_mode) == 0o600
    for path in (work / "staged").iterdir():
        assert identity_codes(path.read_text(encoding="utf-8")) == [], path.name
    return {name: counts.__dict__ for name, counts in staged.files.items()}


def _tiny_rows(draw) -> list[list[str]]:
    n = draw(st.integers(0, 6))
    return [[f"R{i}", draw(st.sampled_from([*CODES[:5], "131052-308U", ""])), draw(TEXT),
             draw(st.sampled_from(["2024-01-31", "31.1.2024", ""]))] for i in range(n)]


def _tiny_items(draw) -> list[dict]:
    return [{"henkilö": {"hetu": draw(st.sampled_from([*CODES[:5], "131052-308U"]))},
             "opiskeluoikeudet": [{"oid": f"O{i}.{j}", "nimi": {"fi": draw(TEXT)}}
                                  for j in range(draw(st.integers(0, 2)))]}
            for i in range(draw(st.integers(0, 4)))]


@PROPERTY
@given(data=st.data(), chunk=CHUNKS, bom=st.booleans(), eol=st.sampled_from(["\n", "\r\n", "\r"]))
def test_staging_accounts_for_every_row_of_any_file(data, chunk, bom, eol):
    rows = _tiny_rows(data.draw)
    csv_bytes = "".join(_csv_text([["id", "hetu", "nimi", "alkupvm"], *rows], eol, False, True))
    items = json.dumps(_tiny_items(data.draw), ensure_ascii=data.draw(st.booleans()),
                       indent=data.draw(st.sampled_from([None, 1])))
    files = {"rivit.csv": csv_bytes.encode(), "oikeudet.json": items.encode()}
    with _tmp() as tmp:
        for name, raw in files.items():
            if data.draw(st.booleans()):
                raw = _mutate(raw, data.draw)
            _write(tmp, name, (BOM if bom else b"") + raw)
        _stage(tmp, TINY, chunk)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> Path:
    root = tmp_path_factory.mktemp("extracts")
    generate(root, persons=12, jobs=4, seed=3, esco_dir=esco_dir, dirty_rate=0.2)
    return root


@settings(PROPERTY, max_examples=40)
@given(data=st.data(), chunk=st.sampled_from([1, 3, 7, 4096]))
def test_staging_real_sources_from_cut_and_corrupted_extracts(generated: Path, data, chunk):
    sources = load_sources()
    source = sources[data.draw(st.sampled_from(["koski", "vtj", "tyollisyyspalvelut"]))]
    with _tmp() as tmp:
        for spec in source.files.values():
            raw = (generated / source.id / spec.name).read_bytes()
            if data.draw(st.booleans()):
                raw = _mutate(raw, data.draw)
            _write(tmp, spec.name, raw)
        _stage(tmp, source, chunk)


def test_staging_a_clean_generated_extract_in_tiny_chunks(generated: Path, tmp_path: Path):
    source = load_sources()["koski"]
    counts = _stage(generated / "koski", source, 5, tmp_path / "a")
    assert counts is not None
    again = _stage(generated / "koski", source, 1 << 20, tmp_path / "b")
    assert counts == again  # the chunk size changes nothing


# -- Koski JSON --------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT
    | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
JSON_ITEMS = st.lists(st.dictionaries(TEXT, JSON_VALUES, max_size=3), max_size=5)


def _json_doc(items: list, ensure_ascii: bool, indent: int | None, bom: bool
              ) -> tuple[bytes, list[int], int, int]:
    """The bytes of a JSON list, where each item ends, where [ is and where ] ends."""
    out = bytearray(BOM if bom else b"")
    out += b" \n"
    opening = len(out)
    out += b"["
    ends = []
    for i, item in enumerate(items):
        out += (b"," if i else b"") + b"\n"
        out += json.dumps(item, ensure_ascii=ensure_ascii, indent=indent).encode()
        ends.append(len(out))
    out += b"\n]"
    closed = len(out)
    out += b"\n"
    return bytes(out), ends, opening, closed


@PROPERTY
@given(items=JSON_ITEMS, ensure_ascii=st.booleans(), indent=st.sampled_from([None, 0, 2]),
       bom=st.booleans(), chunk=CHUNKS)
def test_json_items_come_back_whole_whatever_the_chunks(items, ensure_ascii, indent, bom, chunk):
    data, _, _, _ = _json_doc(items, ensure_ascii, indent, bom)
    with _tmp() as tmp:
        assert list(_json_list_items(_write(tmp, "f.json", data), chunk)) == items


@PROPERTY
@given(items=JSON_ITEMS, bom=st.booleans(), chunk=CHUNKS, data=st.data())
def test_a_cut_json_keeps_the_records_before_the_cut(items, bom, chunk, data):
    doc, ends, opening, closed = _json_doc(items, False, None, bom)
    cut = data.draw(st.integers(0, len(doc)))
    with _tmp() as tmp:
        path = _write(tmp, "f.json", doc[:cut])
        if cut <= opening:
            with pytest.raises(ExtractError, match="the file is empty"):
                list(_json_list_items(path, chunk))
            return
        got = list(_json_list_items(path, chunk))
    if cut >= closed:
        assert got == items
    else:
        whole = [item for item, end in zip(items, ends, strict=True) if end <= cut]
        assert got[:-1] == whole
        assert isinstance(got[-1], TruncatedJSON)
        assert got[-1].reason.startswith("truncated record: the file ends")


@PROPERTY
@given(items=JSON_ITEMS, data=st.data(), chunk=CHUNKS)
def test_json_reader_gives_items_or_extract_error_for_any_bytes(items, data, chunk):
    doc, _, _, _ = _json_doc(items, False, None, data.draw(st.booleans()))
    raw = data.draw(st.binary(max_size=40)) if data.draw(st.booleans()) else _mutate(doc, data.draw)
    spec = TINY.files["oikeudet.json"]
    with _tmp() as tmp:
        path = _write(tmp, "f.json", raw)
        try:
            got = list(_json_list_items(path, chunk))
            header, records = _koski_records(path, spec, chunk)
            records = list(records)
        except ExtractError as err:
            assert str(err)
            return
    assert not any(isinstance(item, TruncatedJSON) for item in got[:-1])
    for number, (line, fields, raw_text, reason) in enumerate(records, 1):
        assert line == number
        assert (fields is None) == bool(reason)
        assert isinstance(raw_text if isinstance(raw_text, str) else raw_text(), str)


def test_regression_a_chunk_ending_inside_a_character(tmp_path: Path):
    # `tyodata generate --persons 20000 ...` then `tyodata ingest` crashed: the first 1 MB
    # chunk of opiskeluoikeudet.json ended inside "ö" and was decoded strictly on its own.
    item = {"henkilö": {"hetu": CODES[0]}, "opiskeluoikeudet": [{"oid": "1", "nimi": {"fi": "ö"}}]}
    data = json.dumps([item], ensure_ascii=False).encode()
    boundary = data.index("ö".encode()) + 1  # the first chunk ends after the first byte of ö
    path = _write(tmp_path, "oikeudet.json", data)
    assert list(_json_list_items(path, chunk_size=boundary)) == [item]
    header, records = _koski_records(path, TINY.files["oikeudet.json"], chunk_size=boundary)
    assert [fields for _, fields, _, _ in records] == [["1", CODES[0], "ö"]]


def test_json_edge_cases(tmp_path: Path):
    def items(data: bytes, limit: int = 1000) -> list:
        return list(_json_list_items(_write(tmp_path, "f.json", data), 3, limit))

    assert items(BOM + b"[]") == [] and items(b" [ ] \n") == []
    # An integer Python will not convert (over 4300 digits) is kept as its digits.
    assert items(b'[{"n": ' + b"9" * 5000 + b"}]", 1 << 20) == [{"n": "9" * 5000}]
    for data, message in [
        (b"", "the file is empty"),
        (BOM + b" \n", "the file is empty"),
        (b'{"a": 1}', "expected a JSON list .* but the file holds an object"),
        (b'"x"', "but the file holds a string"),
        (b"<html>", r"is not JSON \(byte offset 0\)"),
        ('[{"nimi": "Mäkinen"}]'.encode("latin-1"), "not valid UTF-8: byte 0xe4 at byte offset 12"),
        (b'[{"a": 1}] [', "more data after the end of the list"),
        (b'[{"a": 1},]', "a comma before the closing"),
        (b'[{"a": 1} {"b": 2}]', "expected , or ] after a list item"),
        (b'[{"a": "' + b"x" * 5000, "over 1000 characters"),
    ]:
        with pytest.raises(ExtractError, match=message):
            items(data)
    with pytest.raises(ExtractError, match="nested too deeply"):
        items(b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]", limit=1 << 20)


def test_koski_items_that_are_not_records_are_rejected_rows(tmp_path: Path):
    data = json.dumps([
        [1, 2],
        {"henkilö": {"hetu": CODES[0]}, "opiskeluoikeudet": []},
        {"henkilö": {"hetu": CODES[1]}, "opiskeluoikeudet": ["x", {"oid": "O1"}]},
        {"henkilö": {"hetu": CODES[2]},
         "opiskeluoikeudet": [{"oid": "O2", "nimi": {"fi": "\ud800"}}]},
    ]).encode()[:-1]  # and the file is cut before its ]
    path = _write(tmp_path, "oikeudet.json", data)
    _, records = _koski_records(path, TINY.files["oikeudet.json"], chunk_size=4)
    reasons = [(line, reason) for line, _, _, reason in records]
    assert reasons == [
        (1, "malformed record: a list where the list holds {henkilö, opiskeluoikeudet} objects"),
        (2, "malformed record: no study rights (opiskeluoikeudet) in the record"),
        (3, "malformed record: a study right is a string, not an object"),
        (4, None),
        (5, "invalid character: a value holds a NUL character or a lone surrogate escape "
            "(\\ud800-\\udfff), which is no character"),
        (6, "truncated record: the file ends before the list is closed with ]"),
    ]


# -- rejects: no identity code, owner-only -----------------------------------------


def test_rejects_keep_the_row_with_pseudonyms_not_codes(tmp_path: Path):
    valid, invalid = next(c for c in CODES if c[-1].isalpha()), "131052-308U"
    rows = [
        f"R1;{valid};Mäkinen;2024-13-01",        # bad date: rejected, the code is valid
        f"R2;{invalid};Virtanen;2024-01-01",     # bad checksum
        f"R3;{valid};Laine;{valid}",             # the reason would repeat the value
        f"R4;{valid.lower()};x{valid}y;",         # glued and lower-case
    ]
    folder = tmp_path / "extract"
    folder.mkdir()
    _write(folder, "rivit.csv", ("id;hetu;nimi;alkupvm\n" + "\n".join(rows) + "\n").encode())
    _write(folder, "oikeudet.json", b"[]")
    (folder / "rejects.csv").write_text("old\n")
    (folder / "rejects.csv").chmod(0o644)  # an old file is made owner-only again
    counts = _stage(folder, TINY, 1 << 20)
    assert counts is not None and counts["rivit.csv"]["rows_rejected"] == 4
    with (folder / "rejects.csv").open(encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    pseudonym = PSEUDONYMIZE(valid)
    assert rejects[0]["raw"] == f"R1;{pseudonym};Mäkinen;2024-13-01"
    assert rejects[1]["raw"] == f"R2;{REDACTED};Virtanen;2024-01-01"
    assert rejects[1]["reason"].startswith("invalid identity code")
    assert rejects[2]["raw"] == f"R3;{pseudonym};Laine;{pseudonym}"
    assert rejects[2]["reason"] == f"invalid date: column alkupvm = '{pseudonym}' is not a date"
    assert rejects[3]["raw"] == f"R4;{REDACTED};x{pseudonym}y;"
    text = (folder / "rejects.csv").read_text(encoding="utf-8")
    assert identity_codes(text) == [] and valid not in text and invalid not in text


def test_a_cut_off_raw_row_is_shortened_after_redaction(tmp_path: Path):
    writer = RejectsWriter(tmp_path / "r.csv")
    writer.write("s", "f", 1, "row too large: x", CODES[0] + "x" * (1 << 17), PSEUDONYMIZE)
    writer.close()
    raw = next(csv.DictReader((tmp_path / "r.csv").open(encoding="utf-8", newline="")))["raw"]
    assert raw.startswith(PSEUDONYMIZE(CODES[0])) and raw.endswith("more characters not kept]")
    assert len(raw) < 70_000


# -- ingest: a file that cannot be read fails its source only, with a clear error ------


def test_ingest_reports_unreadable_files_and_loads_cut_ones(loaded: Loaded, esco_dir: Path,
                                                            tmp_path: Path):
    store_path = tmp_path / "store"
    shutil.copytree(loaded.store_path, store_path)
    extracts = tmp_path / "extracts"
    for source in ("koski", "migri", "ulosotto"):
        shutil.copytree(loaded.extracts / source, extracts / source)
    koski = extracts / "koski" / "opiskeluoikeudet.json"
    koski.write_bytes(koski.read_bytes()[: koski.stat().st_size * 2 // 3])  # cut in a record
    (extracts / "migri" / "oleskeluluvat.csv").write_bytes(b"")
    asiat = extracts / "ulosotto" / "asiat.csv"  # a new extract (the manifest is not hashed)...
    asiat.write_text("".join(asiat.read_text(encoding="utf-8").splitlines(True)[:-1]))
    (extracts / "ulosotto" / "manifest.json").write_text('{"extracted_at": "eilen"}')  # ...bad
    store = OxigraphStore(store_path)
    before = current_graphs(store)
    log: list[str] = []
    report = run_ingest(extracts, store, tmp_path, log, esco_dir=esco_dir)
    by_source = {s.source: s for s in report.sources}
    assert by_source["migri"].status == "failed"
    assert "oleskeluluvat.csv: the file is empty" in (by_source["migri"].error or "")
    assert by_source["ulosotto"].status == "failed"
    assert "manifest.json: extracted_at is not an ISO 8601" in (by_source["ulosotto"].error or "")
    koski_report = by_source["koski"]
    assert koski_report.status == "loaded", koski_report.error
    counts = koski_report.files["opiskeluoikeudet.json"]
    assert counts.rows_read == counts.rows_loaded + counts.rows_rejected
    assert counts.reasons.get("truncated record") == 1
    after = current_graphs(store)
    store.close()
    for source in ("migri", "ulosotto"):
        iri = f"https://tyodata.fi/id/source/{source}"
        assert after[iri] == before[iri]  # the previous extract stays current
    rejects = (tmp_path / "rejects.csv").read_text(encoding="utf-8")
    assert "truncated record: the file ends inside a record" in rejects
    assert identity_codes(rejects) == [] and not any(identity_codes(line) for line in log)


# -- manifests ---------------------------------------------------------------------


@PROPERTY
@given(raw=st.one_of(
    st.binary(max_size=60),
    st.dictionaries(TEXT, JSON_VALUES, max_size=3).map(lambda d: json.dumps(d).encode()),
    st.builds(lambda value: json.dumps({"extracted_at": value}).encode(), JSON_VALUES),
))
def test_a_manifest_is_a_dict_or_an_extract_error(raw):
    with _tmp() as tmp:
        path = _write(tmp, "manifest.json", raw)
        try:
            manifest = read_manifest(path)
        except ExtractError as err:
            assert "manifest.json" in str(err)
            return
    assert isinstance(manifest, dict)
    if manifest.get("extracted_at") is not None:
        assert "T" in manifest["extracted_at"]


@pytest.mark.parametrize(("data", "message"), [
    (b"{", "not valid JSON: Expecting property name .* at line 1 column 2"),
    (b"", "not valid JSON"),
    ('{"organisation": "Työ"}'.encode("latin-1"), "not valid UTF-8: byte 0xf6 at byte offset 20"),
    (b"[1, 2]", "must be a JSON object, but it holds a list"),
    (b'{"extracted_at": "yesterday"}', "extracted_at is not an ISO 8601 date-time"),
    (b'{"extracted_at": "2024-05-01"}', "extracted_at is a date without a time of day"),
    (b'{"extracted_at": "2024-05-01x02:00"}', "extracted_at is not an ISO 8601 date-time"),
    (b'{"extracted_at": 20240501}', "extracted_at must be an ISO 8601 date-time .* not a number"),
    (b"[" * 100_000, "not valid JSON"),
])
def test_a_bad_manifest_is_an_extract_error_naming_the_file(tmp_path: Path, data, message):
    with pytest.raises(ExtractError, match="manifest.json: " + message):
        read_manifest(_write(tmp_path, "manifest.json", data))


def test_a_good_manifest_is_read(tmp_path: Path):
    assert read_manifest(tmp_path / "manifest.json") == {}
    path = _write(tmp_path, "manifest.json",
                  BOM + b'{"source": "x", "extracted_at": "2024-05-01T02:00:00Z"}')
    assert read_manifest(path) == {"source": "x", "extracted_at": "2024-05-01T02:00:00+00:00"}
