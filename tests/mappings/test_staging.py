"""Row validation and staging: every row is either staged or rejected with a reason."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from core.pseudonyms import Pseudonymizer
from mappings.sources import load_sources
from mappings.staging import (
    ExtractError,
    RejectsWriter,
    TruncatedJSON,
    _json_list_items,
    stage_source,
)

HEADER = "asia_id;hetu;asiatyyppi;alkupvm;loppupvm;tila\n"


def _stage(tmp_path: Path, text: bytes) -> tuple[dict, list[dict]]:
    folder = tmp_path / "ulosotto"
    folder.mkdir()
    (folder / "asiat.csv").write_bytes(text)
    rejects = RejectsWriter(tmp_path / "rejects.csv")
    staged = stage_source(load_sources()["ulosotto"], folder, tmp_path / "staged", rejects,
                          Pseudonymizer(bytes(32)), lambda kind: frozenset())
    rejects.close()
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        return staged.files["asiat.csv"].__dict__, list(csv.DictReader(handle))


def test_each_fault_is_rejected_with_its_line_and_reason(tmp_path: Path):
    rows = [
        "U1;131052-308T;ULOSOTTO;2024-01-01;;VIREILLA",          # good
        "U2;131052-308U;ULOSOTTO;2024-01-01;;VIREILLA",          # checksum
        "U3;131052-308T;PANTTI;2024-01-01;;VIREILLA",            # unknown code
        "U4;131052-308T;ULOSOTTO;2024-02-01;2024-01-01;PAATTYNYT",  # end before start
        "U5;131052-308T;ULOSOTTO;;;VIREILLA",                    # missing required
        "U1;131052-308T;ULOSOTTO;2024-01-01;;VIREILLA",          # duplicate key
        "U6;131052-308T;ULOSOTTO;2024-01-01;VIREILLA",           # malformed
        'U7;131052-308T;ULOSOTTO;2024-01-01;;"VIREILLA"',        # good, quoted
        "U8;131052-308T;ULOSOTTO;2024-31-01;;VIREILLA",          # bad date
    ]
    body = (HEADER + "\n".join(rows) + "\n").encode()
    body += "U9;131052-308T;ULOSOTTO;2024-01-01;;VIREILLÄ\n".encode("cp1252")  # wrong encoding
    counts, rejects = _stage(tmp_path, body)
    assert counts["rows_read"] == 10
    assert counts["rows_loaded"] == 2
    assert counts["rows_rejected"] == 8
    by_line = {int(r["line"]): r["reason"].split(":")[0] for r in rejects}
    assert by_line == {3: "invalid identity code", 4: "unknown code", 5: "end before start",
                       6: "missing required field", 7: "duplicate key", 8: "malformed row",
                       10: "invalid date", 11: "wrong encoding"}
    assert all("131052-308" not in r["reason"] for r in rejects)
    staged = (tmp_path / "staged" / "asiat.csv").read_text().splitlines()
    # The identity code becomes the pseudonym, plus the year of birth and the sex it holds
    # (131052-308T: born 1952, individual number 308 even: female, code 2); never itself.
    assert staged[0] == (
        "asia_id,henkilo,asiatyyppi,alkupvm,loppupvm,tila,henkilo_syntymavuosi,henkilo_sukupuoli"
    )
    assert all(line.endswith(",1952,2") for line in staged[1:])
    assert "131052" not in "\n".join(staged)


def test_a_missing_column_fails_the_file_clearly(tmp_path: Path):
    with pytest.raises(ExtractError, match="header lacks column.*tila"):
        _stage(tmp_path, b"asia_id;hetu;asiatyyppi;alkupvm;loppupvm\n")


def test_json_list_streams_across_chunk_boundaries(tmp_path: Path):
    items = [{"nimi": "ä" * i, "lista": [1, {"x": "ö"}]} for i in range(300)]
    path = tmp_path / "list.json"
    path.write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    assert list(_json_list_items(path, chunk_size=5)) == items
    # Cut inside a record: the records before the cut, then the cut tail.
    path.write_text('[{"a": 1}, {"b": ', encoding="utf-8")
    assert list(_json_list_items(path, chunk_size=4)) == [{"a": 1}, TruncatedJSON('{"b": ', 11)]
    # Wrong before the end of the file: the file cannot be read.
    path.write_text('[{"a": 1}, {"b": x}, {"c": 3}]', encoding="utf-8")
    with pytest.raises(ExtractError, match="not valid JSON at byte offset 17: Expecting value"):
        list(_json_list_items(path, chunk_size=4))


def test_monthly_amount_of_a_disability_benefit(tmp_path: Path):
    """kuukausimaara_eur is optional, but a disability pension (TKE) or a rehabilitation
    subsidy (KT) without it is rejected with a reason that names the column and the type."""
    source = load_sources()["kela"]
    folder = tmp_path / "kela"
    folder.mkdir()
    for spec in source.files.values():
        (folder / spec.name).write_text(";".join(spec.column_names) + "\n", encoding="utf-8")
    decisions = source.files["etuuspaatokset.csv"]
    rows = [
        "P1;131052-308T;TKE;2024-01-10;2024-03-01;;MYON;;2024-02-01;K;1234,56",  # good
        "P2;131052-308T;KT;2024-01-10;2024-03-01;2024-09-30;MYON;;2024-02-01;E;310.00",  # good
        "P3;131052-308T;TMT;2024-01-10;2024-03-01;;MYON;;2024-02-01;K;",  # not needed
        "P4;131052-308T;TKE;2024-01-10;2024-03-01;;MYON;;2024-02-01;K;",  # missing
        "P5;131052-308T;KT;2024-01-10;;;HYL;TYOKYKY;2024-02-01;E;",  # missing
        "P6;131052-308T;KT;2024-01-10;2024-03-01;;MYON;;2024-02-01;K;-5",  # negative
        "P7;131052-308T;KT;2024-01-10;2024-03-01;;MYON;;2024-02-01;K;noin 900",  # no number
    ]
    header = ";".join(decisions.column_names)
    assert header.endswith(";maksussa;kuukausimaara_eur")
    (folder / decisions.name).write_text(header + "\n" + "\n".join(rows) + "\n", "utf-8")
    rejects = RejectsWriter(tmp_path / "rejects.csv")
    staged = stage_source(source, folder, tmp_path / "staged", rejects,
                          Pseudonymizer(bytes(32)), lambda kind: frozenset())
    rejects.close()
    assert staged.files[decisions.name].rows_loaded == 3
    with (tmp_path / "rejects.csv").open(encoding="utf-8") as handle:
        reasons = {int(r["line"]): r["reason"] for r in csv.DictReader(handle)}
    assert reasons == {
        5: "missing required field: column kuukausimaara_eur is required when etuuslaji = TKE",
        6: "missing required field: column kuukausimaara_eur is required when etuuslaji = KT",
        7: "out of range: column kuukausimaara_eur = -5 is outside 0..None",
        8: "invalid number: column kuukausimaara_eur = 'noin 900' is not a decimal",
    }
    with (tmp_path / "staged" / decisions.name).open(encoding="utf-8") as handle:
        amounts = {r["paatos_id"]: r["kuukausimaara_eur"] for r in csv.DictReader(handle)}
    assert amounts == {"P1": "1234.56", "P2": "310.00", "P3": ""}
