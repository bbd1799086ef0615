"""Row validation and staging of one source extract.

Every row of every file is checked against sources.yaml. A good row is written to
the staged copy the mapping reads (identity code replaced by the pseudonym, dates
ISO 8601, booleans true/false, decimals with a point); a bad row goes to the
rejects file with its file, line and a reason a steward understands. Nothing is
dropped: rows_read == rows_loaded + rows_rejected for every file.

The readers take any bytes: a file either gives rows (a row they cannot make sense of,
such as one that is not UTF-8, too large or cut off by the end of the file, is rejected
with its reason) or raises ExtractError. In the rejects file an identity code is replaced
by its pseudonym, anything else shaped like one by a marker.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.errors import TyodataError
from core.hetu import REDACTED, birth_date, contains_code, redact
from core.hetu import problem as hetu_problem
from core.private import private_open
from core.pseudonyms import Pseudonymizer
from mappings.codes import code_lists
from mappings.sources import CSV_DELIMITER, Column, FileSpec, SourceSpec

_DECIMAL = re.compile(r"-?\d+(?:[.,]\d+)?", re.ASCII)  # used with fullmatch
_INTEGER = re.compile(r"-?\d+", re.ASCII)
_TRUE, _FALSE = "K", "E"


class ExtractError(TyodataError):
    """An extract file cannot be read at all (missing, empty, wrong header, not UTF-8 JSON,
    not a JSON list, a manifest that is not a JSON object...). The message names the file
    and what is wrong; ingest reports it and the source's previous graph stays current."""


class RowRejected(Exception):
    """Internal: the row fails a rule; the message is the reason."""


@dataclass
class FileCounts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def reject(self, reason: str) -> None:
        self.rows_rejected += 1
        kind = reason.split(":", 1)[0]
        self.reasons[kind] = self.reasons.get(kind, 0) + 1


@dataclass
class StagedSource:
    source: SourceSpec
    staging_dir: Path
    files: dict[str, FileCounts]
    identities: dict[str, str]  # pseudonym -> identity code, for the identity graph only

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files.values())

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files.values())

    @property
    def rows_rejected(self) -> int:
        return sum(f.rows_rejected for f in self.files.values())


def sex_code(code: str) -> str:
    """The population register's sex code of a valid identity code: ``"1"`` (male) when
    the individual number (the three digits after the century sign) is odd, ``"2"``
    (female) when it is even.

    >>> sex_code("131052-308T"), sex_code("010101A025H")
    ('2', '1')
    """
    return "1" if int(code[7:10]) % 2 else "2"


# -- value parsers: each returns the staged text or raises RowRejected ------------


def _date_parser(fmt: str) -> Callable[[str], date]:
    if fmt == "%Y-%m-%d":
        return date.fromisoformat
    if fmt == "%d.%m.%Y":
        def finnish(value: str) -> date:
            d, m, y = value.split(".")
            if len(y) != 4:
                raise ValueError(value)
            return date(int(y), int(m), int(d))
        return finnish
    if fmt == "%Y%m%d":
        def compact(value: str) -> date:
            if len(value) != 8 or not value.isdigit():
                raise ValueError(value)
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        return compact
    return lambda value: datetime.strptime(value, fmt).date()


class RowValidator:
    """Compiled checks of one file: a list of (column index, converter) plus row checks."""

    def __init__(
        self,
        spec: FileSpec,
        source: SourceSpec,
        header: list[str],
        pseudonymize: Pseudonymizer,
        esco_iris: Callable[[str], frozenset[str]],
        parent_keys: set[str] | None,
    ) -> None:
        missing = [c for c in spec.column_names if c not in header]
        if missing:
            raise ExtractError(
                f"{source.id}/{spec.name}: header lacks column(s) {', '.join(missing)}; "
                f"expected {CSV_DELIMITER.join(spec.column_names)}"
            )
        self.spec = spec
        self.width = len(header)
        self.index = {name: header.index(name) for name in spec.column_names}
        self._parse_date = _date_parser(source.date_format)
        self._pseudonymize = pseudonymize
        self._esco = esco_iris
        self._parent_keys = parent_keys
        self.keys_seen: dict[str, int] = {}
        self._converters = [(self.index[c.name], c, self._converter(c)) for c in spec.columns]
        hetu = [i for i, c in enumerate(spec.columns) if c.type == "hetu"]
        # Where the identity code sits in the raw row and in the staged row.
        self.hetu_at = (self.index[spec.columns[hetu[0]].name], hetu[0]) if hetu else None

    def _converter(self, col: Column) -> Callable[[str], str]:
        name = col.name
        if col.type == "hetu":
            def hetu(value: str) -> str:
                why = hetu_problem(value)
                if why:
                    raise RowRejected(f"invalid identity code: {why} (column {name})")
                return self._pseudonymize(value)
            return hetu
        if col.type == "date":
            parse = self._parse_date
            def as_date(value: str) -> str:
                try:
                    return parse(value).isoformat()
                except ValueError:
                    raise RowRejected(
                        f"invalid date: column {name} = {value!r} is not a date"
                    ) from None
            return as_date
        if col.type in ("int", "decimal"):
            pattern = _INTEGER if col.type == "int" else _DECIMAL
            low, high = col.min, col.max
            def number(value: str) -> str:
                if not pattern.fullmatch(value):
                    raise RowRejected(
                        f"invalid number: column {name} = {value!r} is not a {col.type}"
                    )
                value = value.replace(",", ".")
                if (low is not None and float(value) < low) or (
                    high is not None and float(value) > high
                ):
                    raise RowRejected(
                        f"out of range: column {name} = {value} is outside {low}..{high}"
                    )
                return value
            return number
        if col.type == "bool":
            def boolean(value: str) -> str:
                if value == _TRUE:
                    return "true"
                if value == _FALSE:
                    return "false"
                raise RowRejected(f"invalid yes/no: column {name} = {value!r}; use K or E")
            return boolean
        if col.type == "code":
            allowed = code_lists().get(col.codelist or "")
            if allowed is None:
                raise ExtractError(f"sources.yaml names an unknown code list {col.codelist!r}")
            def code(value: str) -> str:
                if value not in allowed:
                    raise RowRejected(
                        f"unknown code: column {name} = {value!r} is not in code list "
                        f"{col.codelist}"
                    )
                return value
            return code
        if col.type in ("esco_occupation", "esco_skill"):
            kind = col.type.removeprefix("esco_")
            def esco(value: str) -> str:
                if value not in self._esco(kind):
                    raise RowRejected(
                        f"unknown ESCO {kind}: column {name} = {value!r} is not in ESCO"
                    )
                return value
            return esco
        if col.type == "ref":
            def ref(value: str) -> str:
                if self._parent_keys is not None and value not in self._parent_keys:
                    parent = self.spec.parent[0] if self.spec.parent else "?"
                    raise RowRejected(
                        f"unknown parent: column {name} = {value!r} has no accepted row in "
                        f"{parent}"
                    )
                return value
            return ref
        return lambda value: value  # id, text

    def stage(self, row: list[str], line: int) -> list[str]:
        """The staged values of a raw row, in spec column order; raises RowRejected."""
        if len(row) != self.width:
            raise RowRejected(
                f"malformed row: {len(row)} fields where the header has {self.width}"
            )
        out: list[str] = []
        values: dict[str, str] = {}
        for i, col, convert in self._converters:
            value = row[i].strip()
            if not value:
                if col.required:
                    raise RowRejected(f"missing required field: column {col.name} is empty")
                out.append("")
                continue
            staged = convert(value)
            out.append(staged)
            values[col.name] = staged
        for kind, args in self.spec.checks:
            if kind == "not_before":
                start, end = values.get(args[0]), values.get(args[1])
                # ISO dates compare correctly as text.
                if start and end and end < start:
                    raise RowRejected(
                        f"end before start: {args[1]} {end} is before {args[0]} {start}"
                    )
            elif kind == "required_if":
                column, other, expected = args
                if values.get(other) == expected and not values.get(column):
                    raise RowRejected(
                        f"missing required field: column {column} is required when "
                        f"{other} = {expected}"
                    )
        key = values.get(self.spec.key, "")
        if key in self.keys_seen:
            raise RowRejected(
                f"duplicate key: {self.spec.key} repeats the row at line {self.keys_seen[key]}"
            )
        self.keys_seen[key] = line
        if self.hetu_at:  # the year of birth and sex the identity code holds (validated)
            code = row[self.hetu_at[0]].strip()
            out.append(str(birth_date(code).year) if code else "")
            out.append(sex_code(code) if code else "")
        return out


# -- readers -----------------------------------------------------------------------
#
# Every reader turns any bytes into records or raises ExtractError (the file cannot be
# read at all; ingest reports it and the source's previous graph stays current). A
# record is (line, fields, raw, reason): ``fields`` is None exactly when the record
# is rejected before validation, and ``reason`` says why. ``raw`` is the record's text
# for the rejects file (for JSON a function that serialises it, called only then).

READ_CHUNK = 1 << 20
"""Bytes read at a time. A parameter of every reader, so tests can put every character
of a file across a chunk boundary."""
MAX_ROW_BYTES = 1 << 20
"""A CSV row (all of its lines, when a quoted field holds line breaks) longer than this
(1 MiB) is rejected as too large, and so is therefore every field over 1 MiB. The reader
holds at most this much of a row (plus one chunk): the rest of a longer row, or of a
quoted field that is never closed, is scanned for the row's end and dropped."""
MAX_JSON_RECORD_CHARS = 16 << 20
"""A Koski person record (one item of the top-level list) longer than this (16 Mi
characters) fails the file: no record of that format is so long, and the reader will not
hold more of one."""
MAX_REJECT_RAW_CHARS = 64 << 10
"""The rejects file keeps at most this much (64 Ki characters) of a rejected row."""

Raw = str | Callable[[], str]
Record = tuple[int, list[str] | None, Raw, str | None]

_WRONG_ENCODING = "wrong encoding: the row is not valid UTF-8 (re-export the file as UTF-8)"
_NUL = (
    "invalid character: the row holds a NUL character (U+0000); is the file UTF-16 or "
    "binary? Re-export it as UTF-8 text"
)
_BAD_JSON_TEXT = re.compile("[\x00\ud800-\udfff]")
_KEPT_OF_LARGE_ROW = 4096  # bytes of a row over MAX_ROW_BYTES kept for the rejects file


def _chunks(path: Path, chunk_size: int) -> Iterator[bytes]:
    """The bytes of ``path``, ``chunk_size`` at a time (never empty); OSError -> ExtractError."""
    if chunk_size < 1:
        raise ValueError("chunk_size must be at least 1")
    try:
        handle = path.open("rb")
    except OSError as err:
        raise ExtractError(f"{path}: cannot be opened: {err.strerror or err}") from None
    with handle:
        while True:
            try:
                chunk = handle.read(chunk_size)
            except OSError as err:
                raise ExtractError(f"{path}: cannot be read: {err.strerror or err}") from None
            if not chunk:
                return
            yield chunk


def _without_bom(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """``chunks`` without a leading UTF-8 byte-order mark (which may itself be split)."""
    head = b""
    for chunk in chunks:
        head += chunk
        if len(head) >= len(codecs.BOM_UTF8):
            break
    head = head.removeprefix(codecs.BOM_UTF8)
    if head:
        yield head
    yield from chunks


def _lines(chunks: Iterator[bytes], max_piece: int) -> Iterator[tuple[bytes, bool]]:
    """Physical lines with their line end (LF, CRLF or a lone CR), as (bytes, True); the
    last line may lack one. A line longer than ``max_piece`` comes in pieces, all but the
    last as (bytes, False), so that no line is ever held whole."""
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).splitlines(keepends=True)  # bytes: only \n, \r\n and \r
        rest = lines.pop()  # unfinished, or ends in a CR that may be half of a CRLF
        if rest.endswith(b"\n"):
            lines.append(rest)
            rest = b""
        for line in lines:
            yield line, True
        if len(rest) > max_piece:
            piece, rest = (rest[:-1], b"\r") if rest.endswith(b"\r") else (rest, b"")
            yield piece, False
    if rest:
        yield rest, True


# States of the CSV scanner: the csv module's own grammar (doubled quotes, non-strict).
_START, _FIELD, _QUOTED, _QUOTE = range(4)  # field start, unquoted, quoted, quote in quoted
_DELIMITER = CSV_DELIMITER.encode("ascii")


def _scan(data: bytes, state: int) -> int:
    """The scanner state after ``data`` (which holds no line end) when it starts in ``state``.

    >>> _scan(b'a;"b', _START) == _QUOTED, _scan(b'c";d', _QUOTED) == _FIELD
    (True, True)
    """
    if b'"' not in data:  # nearly every line
        if state == _QUOTED or not data:
            return state
        return _START if data.endswith(_DELIMITER) else _FIELD
    pos, end = 0, len(data)
    while pos < end:
        if state == _QUOTED:
            found = data.find(b'"', pos)
            if found < 0:
                return _QUOTED
            state, pos = _QUOTE, found + 1
        elif state == _QUOTE:  # "" is a quote in the field; anything else ends the quoting
            byte = data[pos]
            state = _QUOTED if byte == 0x22 else _START if byte == _DELIMITER[0] else _FIELD
            pos += 1
        elif state == _START and data[pos] == 0x22:
            state, pos = _QUOTED, pos + 1
        else:
            found = data.find(_DELIMITER, pos)
            if found < 0:
                return _FIELD
            state, pos = _START, found + 1
    return state


def _split_fields(text: str) -> list[str]:
    """The fields of one whole record (without its line end), as the csv module reads them.

    >>> _split_fields('a;"b;""c""\\nd";e"f;"g"h')
    ['a', 'b;"c"\\nd', 'e"f', 'gh']
    """
    if '"' not in text:
        return text.split(CSV_DELIMITER)
    fields: list[str] = []
    current: list[str] = []
    pos, state = 0, _START
    while True:
        if state == _START and text.startswith('"', pos):
            state, pos = _QUOTED, pos + 1
        if state == _QUOTED:
            found = text.find('"', pos)
            if found < 0:  # never in a whole record: the rest is the field
                current.append(text[pos:])
                fields.append("".join(current))
                return fields
            current.append(text[pos:found])
            pos = found + 1
            if text.startswith('"', pos):
                current.append('"')
                pos += 1
                continue
        found = text.find(CSV_DELIMITER, pos)  # unquoted, or after a closing quote
        if found < 0:
            current.append(text[pos:])
            fields.append("".join(current))
            return fields
        current.append(text[pos:found])
        fields.append("".join(current))
        current, pos, state = [], found + 1, _START


def _csv_rows(
    chunks: Iterator[bytes], max_row_bytes: int
) -> Iterator[tuple[int, bytes, str | None]]:
    """(first line, bytes, problem) of each row: one or more physical lines, as many as a
    quoted field with line breaks spans. Of a row over ``max_row_bytes`` only the start is
    kept, with a problem; so is a row whose quoted field is still open at the end of file."""
    line = 0
    start = 1
    parts: list[bytes] = []
    size = 0
    state = _START
    for piece, ends in _lines(chunks, max_row_bytes):
        if not size:
            start = line + 1
        state = _scan(piece.rstrip(b"\r\n") if ends else piece, state)
        size += len(piece)
        if size <= max_row_bytes:
            parts.append(piece)
        elif size - len(piece) <= max_row_bytes:  # just went over: keep the start only
            parts = [(b"".join(parts) + piece)[:_KEPT_OF_LARGE_ROW]]
        if not ends:
            continue
        line += 1
        if state != _QUOTED:
            problem = None
            if size > max_row_bytes:
                problem = (
                    f"row too large: the row is longer than {max_row_bytes} bytes, the limit "
                    "for one row (only its start is kept here)"
                )
            yield start, b"".join(parts), problem
            parts, size, state = [], 0, _START
    if size:  # the file ends inside a quoted field
        yield start, b"".join(parts), (
            "truncated record: the file ends inside a quoted field: a quote opened in this "
            "row is never closed"
        )


def _csv_records(
    path: Path, chunk_size: int = READ_CHUNK, max_row_bytes: int = MAX_ROW_BYTES
) -> tuple[list[str], Iterator[Record]]:
    """Header and records of a ';'-separated UTF-8 file (a byte-order mark is dropped; line
    ends LF, CRLF or CR). A row that is not UTF-8, holds a NUL, is over ``max_row_bytes``
    or is cut off by the end of the file is a rejected record with its reason."""
    rows = _csv_rows(_without_bom(_chunks(path, chunk_size)), max_row_bytes)
    try:
        first = next(rows, None)
        if first is None:
            raise ExtractError(f"{path}: the file is empty; expected a header row of column names")
        _, data, problem = first
        if problem:
            raise ExtractError(f"{path}: cannot read the header row: {problem.split(': ', 1)[1]}")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ExtractError(f"{path}: cannot read the header row as UTF-8 CSV") from None
    except BaseException:
        rows.close()
        raise
    header = [h.strip() for h in _split_fields(text.rstrip("\r\n"))]

    def records() -> Iterator[Record]:
        with closing(rows):
            for line, data, problem in rows:
                if problem:
                    yield line, None, data.decode("utf-8", "replace"), problem
                    continue
                if not data.strip():
                    continue  # a blank line is no row
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError as err:
                    reason = _WRONG_ENCODING
                    if err.end == len(data) and err.reason == "unexpected end of data":
                        reason = "truncated record: the file ends inside a character"
                    yield line, None, data.decode("latin-1"), reason
                    continue
                if "\x00" in text:
                    yield line, None, text, _NUL
                    continue
                yield line, _split_fields(text.rstrip("\r\n")), text, None

    return header, records()


def _json_path(record: object, path: str) -> str:
    node = record
    for part in re.findall(r"[^.\[\]]+|\[-?\d+\]", path):
        if part.startswith("["):
            idx = int(part[1:-1])
            if not isinstance(node, list) or not -len(node) <= idx < len(node):
                return ""
            node = node[idx]
        else:
            if not isinstance(node, dict):
                return ""
            node = node.get(part)
        if node is None:
            return ""
    return "" if isinstance(node, (dict, list)) else str(node)


@dataclass(frozen=True)
class TruncatedJSON:
    """What follows the last whole item of a JSON list that the end of the file cuts off
    (yielded as its last item): the file ends inside a record, or before the closing ]."""

    text: str
    offset: int  # byte offset in the file where the cut record starts

    @property
    def reason(self) -> str:
        if self.text.strip():
            return "truncated record: the file ends inside a record"
        return "truncated record: the file ends before the list is closed with ]"


def _int_or_text(digits: str) -> int | str:
    """An integer, or its digits when Python refuses to convert that many (over 4300)."""
    try:
        return int(digits)
    except ValueError:
        return digits


_JSON = json.JSONDecoder()
_JSON_BIG_INTS = json.JSONDecoder(parse_int=_int_or_text)
_JSON_NOT_SPACE = re.compile(r"[^ \t\n\r]")
_JSON_KIND = {"{": "an object", "[": "a list", '"': "a string", "t": "true", "f": "false",
              "n": "null", "N": "NaN", "I": "Infinity", "-": "a number"}
_KOSKI_ITEM = "{henkilö, opiskeluoikeudet}"


def _json_kind(value: object) -> str:
    """What a JSON value is, in words (never the value itself: it may be personal data)."""
    return {dict: "an object", list: "a list", str: "a string", bool: "true or false",
            int: "a number", float: "a number", type(None): "null"}.get(type(value), "a value")


_WORD_PREFIXES = frozenset(
    word[:n] for word in ("true", "false", "null", "NaN", "Infinity", "-Infinity")
    for n in range(len(word))
)
_CUT_TAIL = {  # error of the JSON scanner -> what may follow its position if the text is cut
    "Expecting value": _WORD_PREFIXES.__contains__,
    "Expecting ',' delimiter": re.compile(r"(?:\.|[eE][+-]?)?").fullmatch,  # 1.  1e  1e+
    "Expecting ':' delimiter": "".__eq__,
    "Expecting property name enclosed in double quotes": "".__eq__,
    "Invalid \\uXXXX escape": re.compile(r"u[0-9a-fA-F]{0,4}").fullmatch,
}


def _cut_short(err: json.JSONDecodeError) -> bool:
    """Is this error only that the text ends too soon, so that more text may mend it?
    (Say ``{"a": tr`` or ``{"a": 1.``, but not ``{"a": x``.)"""
    if err.msg.startswith("Unterminated string"):
        return True
    fits = _CUT_TAIL.get(err.msg)
    return bool(fits and fits(err.doc[err.pos :]))


class _Utf8Text:
    """A file's text, decoded incrementally chunk by chunk (a character may straddle
    chunks), a leading byte-order mark dropped; undecodable bytes fail with their offset."""

    def __init__(self, path: Path, chunk_size: int) -> None:
        self.path = path
        self._chunks = _chunks(path, chunk_size)
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self.bytes_read = 0
        self.bom = 0  # bytes of the byte-order mark, when there was one
        self.eof = False
        self.cut_character = False  # the file ends inside a multi-byte character
        self._first = True

    def read(self) -> str:
        """The next piece of text; '' only at the end of the file."""
        while not self.eof:
            chunk = next(self._chunks, b"")
            pending = len(self._decoder.getstate()[0])
            try:
                text = self._decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                if not chunk and err.reason == "unexpected end of data":
                    self.eof = self.cut_character = True
                    return ""
                offset = self.bytes_read - pending + err.start
                raise ExtractError(
                    f"{self.path}: not valid UTF-8: byte 0x{err.object[err.start]:02x} at byte "
                    f"offset {offset} (re-export the file as UTF-8)"
                ) from None
            self.bytes_read += len(chunk)
            self.eof = not chunk
            if self._first and text:
                self._first = False
                if text.startswith("\ufeff"):
                    text, self.bom = text[1:], len(codecs.BOM_UTF8)
            if text:
                return text
        return ""

    def close(self) -> None:
        self._chunks.close()


class _JsonList:
    """The items of a top-level JSON list, parsed one at a time from a bounded buffer."""

    def __init__(self, text: _Utf8Text, max_record_chars: int) -> None:
        self.src = text
        self.path = text.path
        self.limit = max_record_chars
        self.buf = ""
        self.pos = 0
        self.base = 0  # bytes of text before buf[0]

    def offset(self, index: int) -> int:
        """The byte offset in the file of buf[index]."""
        return self.src.bom + self.base + len(self.buf[:index].encode("utf-8"))

    def more(self, at_least: int = 1) -> bool:
        """Drop what is parsed, append at least ``at_least`` characters; False at the end."""
        if self.pos:
            self.base += len(self.buf[: self.pos].encode("utf-8"))
            self.buf, self.pos = self.buf[self.pos :], 0
        pieces, got = [self.buf], 0
        while got < at_least and (piece := self.src.read()):
            pieces.append(piece)
            got += len(piece)
        self.buf = "".join(pieces)
        return got > 0

    def peek(self) -> str:
        """The next character that is not JSON white space ('' at the end of the file)."""
        while True:
            found = _JSON_NOT_SPACE.search(self.buf, self.pos)
            if found:
                self.pos = found.start()
                return self.buf[self.pos]
            self.pos = len(self.buf)
            if not self.more():
                return ""

    def fail(self, index: int, what: str) -> ExtractError:
        return ExtractError(
            f"{self.path}: not valid JSON at byte offset {self.offset(index)}: {what}"
        )

    def item(self) -> object:
        """The value at pos (moved past it), or a TruncatedJSON when the file ends in it."""
        decoder = _JSON
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as err:
                if not _cut_short(err):  # wrong before the end of what is read
                    raise self.fail(err.pos, err.msg) from None
                pending = len(self.buf) - self.pos
                if pending > self.limit:
                    raise ExtractError(
                        f"{self.path}: the record at byte offset {self.offset(self.pos)} is over "
                        f"{self.limit} characters long: not a record of this extract, or the "
                        "file is corrupt"
                    ) from None
                if not self.more(at_least=pending):
                    return TruncatedJSON(self.buf[self.pos :], self.offset(self.pos))
                continue
            except RecursionError:
                raise self.fail(self.pos, "values nested too deeply") from None
            except ValueError as err:  # an integer of more than 4300 digits
                if decoder is _JSON:
                    decoder = _JSON_BIG_INTS
                    continue
                raise self.fail(self.pos, str(err)) from None
            if end == len(self.buf) and self.more():
                continue  # a number may go on in the next chunk: parse it again whole
            self.pos = end
            return value

    def items(self) -> Iterator[object]:
        first = self.peek()
        if not first:
            raise ExtractError(
                f"{self.path}: the file is empty; expected a JSON list of {_KOSKI_ITEM}"
            )
        if first != "[":
            kind = _JSON_KIND.get(first, "a number" if first in "0123456789" else "")
            where = self.offset(self.pos)
            what = f"holds {kind}" if kind else f"is not JSON (byte offset {where})"
            raise ExtractError(
                f"{self.path}: expected a JSON list of {_KOSKI_ITEM}, but the file {what}"
            )
        self.pos += 1
        if self.peek() == "]":
            self.pos += 1
        else:
            while True:
                if not self.peek():
                    yield TruncatedJSON(self.buf[self.pos :], self.offset(self.pos))
                    return
                value = self.item()
                yield value
                if isinstance(value, TruncatedJSON):
                    return
                after = self.peek()
                if after == "]":
                    self.pos += 1
                    break
                if after != ",":
                    if not after:
                        yield TruncatedJSON("", self.offset(self.pos))
                        return
                    raise self.fail(self.pos, "expected , or ] after a list item")
                self.pos += 1
                if self.peek() == "]":
                    raise self.fail(self.pos, "a comma before the closing ]")
        if self.peek() or self.src.cut_character:
            raise self.fail(self.pos, "more data after the end of the list")


def _json_list_items(
    path: Path, chunk_size: int = READ_CHUNK, max_record_chars: int = MAX_JSON_RECORD_CHARS
) -> Iterator[object]:
    """The items of a top-level JSON list, parsed one at a time (a 1M-person Koski extract
    is hundreds of MB: never hold it all). When the file ends inside the list, the last
    item is a TruncatedJSON; anything else that is not such a list is an ExtractError."""
    text = _Utf8Text(path, chunk_size)
    try:
        yield from _JsonList(text, max_record_chars).items()
    finally:
        text.close()


def _dumps(value: object) -> Callable[[], str]:
    def raw() -> str:
        try:
            return json.dumps(value, ensure_ascii=False)
        except (ValueError, RecursionError):
            return f"({_json_kind(value)} too deeply nested to show)"
    return raw


def _koski_records(
    path: Path, spec: FileSpec, chunk_size: int = READ_CHUNK
) -> tuple[list[str], Iterator[Record]]:
    """Koski's {henkilö, opiskeluoikeudet[]} list flattened to one row per study right. An
    item that is not such an object is one rejected row, and so is a record the end of the
    file cuts off."""
    people = _json_list_items(path, chunk_size)
    header = spec.column_names

    def records() -> Iterator[Record]:
        number = 0
        with closing(people):
            for person in people:
                if isinstance(person, TruncatedJSON):
                    number += 1
                    yield number, None, person.text, person.reason
                    continue
                if not isinstance(person, dict):
                    number += 1
                    yield number, None, _dumps(person), (
                        f"malformed record: {_json_kind(person)} where the list holds "
                        f"{_KOSKI_ITEM} objects"
                    )
                    continue
                rights = person.get("opiskeluoikeudet")
                if not isinstance(rights, list) or not rights:
                    number += 1
                    yield number, None, _dumps(person), (
                        "malformed record: no study rights (opiskeluoikeudet) in the record"
                    )
                    continue
                henkilo = person.get("henkilö", {})
                for right in rights:
                    number += 1
                    if not isinstance(right, dict):
                        yield number, None, _dumps(right), (
                            f"malformed record: a study right is {_json_kind(right)}, not an "
                            "object"
                        )
                        continue
                    merged = {"henkilö": henkilo, **right}
                    fields = [_json_path(merged, col.path or col.name) for col in spec.columns]
                    if _BAD_JSON_TEXT.search("".join(fields)):
                        yield number, None, _dumps(right), (
                            "invalid character: a value holds a NUL character or a lone "
                            "surrogate escape (\\ud800-\\udfff), which is no character"
                        )
                        continue
                    yield number, fields, _dumps(right), None

    return header, records()


MAX_MANIFEST_BYTES = 1 << 20
"""A manifest.json is a small object; one over 1 MiB is refused rather than read."""


def read_manifest(path: Path) -> dict:
    """A source's manifest.json as a dict ({} when there is none), ``extracted_at``
    normalised to an xsd:dateTime; ExtractError naming the file and what is wrong when it
    is not UTF-8, not JSON, not an object, or its ``extracted_at`` is not an ISO 8601
    date-time. Messages never repeat a value (it may be personal data)."""
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_MANIFEST_BYTES + 1)
    except OSError as err:
        raise ExtractError(f"{path}: cannot be read: {err.strerror or err}") from None
    if len(data) > MAX_MANIFEST_BYTES:
        raise ExtractError(f"{path}: over {MAX_MANIFEST_BYTES} bytes; a manifest is small")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ExtractError(
            f"{path}: not valid UTF-8: byte 0x{data[err.start]:02x} at byte offset {err.start}"
        ) from None
    try:
        manifest = _JSON_BIG_INTS.decode(text)
    except json.JSONDecodeError as err:
        raise ExtractError(
            f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}"
        ) from None
    except (ValueError, RecursionError):
        raise ExtractError(f"{path}: not valid JSON (values nested too deeply)") from None
    if not isinstance(manifest, dict):
        raise ExtractError(f"{path}: must be a JSON object, but it holds {_json_kind(manifest)}")
    if manifest.get("extracted_at") is not None:
        manifest["extracted_at"] = _date_time(path, manifest["extracted_at"])
    return manifest


def _date_time(path: Path, value: object) -> str:
    """``value`` as an xsd:dateTime, when it is an ISO 8601 date and time of day.

    >>> _date_time(Path("m.json"), "2024-05-01T02:00:00Z")
    '2024-05-01T02:00:00+00:00'
    """
    wanted = "an ISO 8601 date-time such as 2024-05-01T02:00:00+03:00"
    if not isinstance(value, str):
        raise ExtractError(f"{path}: extracted_at must be {wanted}, not {_json_kind(value)}")
    try:
        date.fromisoformat(value)
    except ValueError:
        pass
    else:
        raise ExtractError(f"{path}: extracted_at is a date without a time of day: use {wanted}")
    try:
        if not re.search(r"[Tt ]", value):
            raise ValueError("no T between date and time")
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ExtractError(f"{path}: extracted_at is not {wanted}") from None
    return moment.isoformat()


# -- staging --------------------------------------------------------------------


def _scrub(text: str, pseudonymize: Callable[[str], str] | None) -> str:
    """``text`` with every identity-code-shaped substring replaced: a valid code by its
    pseudonym (when ``pseudonymize`` is given), anything else by the redaction marker.

    >>> _scrub("U2;131052-308T;x;131052-308U", lambda code: "p" * 26)
    'U2;pppppppppppppppppppppppppp;x;[identity code removed]'
    """
    def replace(candidate: str) -> str:
        if pseudonymize is not None and hetu_problem(candidate) is None:
            return pseudonymize(candidate)
        return REDACTED

    out = redact(text, replace)
    if out is not text and contains_code(out):
        # A pseudonym glued to the digits around it might look like a code: remove that too.
        out = redact(out)
    return out


class RejectsWriter:
    """rejects.csv: source, file, line, reason, the raw row. Kept private (mode 0600).

    Nothing shaped like an identity code is written: in the raw row a valid code becomes
    its pseudonym (the person stays traceable), anything else code-shaped the marker of
    ``core.hetu.redact``; reasons are scrubbed the same way. The original row stays at its
    line of the extract. A raw row is kept up to MAX_REJECT_RAW_CHARS characters."""

    def __init__(self, path: Path) -> None:
        # Characters UTF-8 cannot hold (lone surrogates from JSON escapes) are escaped.
        self._handle = private_open(
            path, "w", encoding="utf-8", errors="backslashreplace", newline=""
        )
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["source", "file", "line", "reason", "raw"])

    def write(
        self, source: str, file: str, line: int, reason: str, raw: Raw,
        pseudonymize: Callable[[str], str] | None = None,
    ) -> None:
        text = (raw if isinstance(raw, str) else raw()).rstrip("\r\n")
        text = _scrub(text, pseudonymize)
        if len(text) > MAX_REJECT_RAW_CHARS:
            cut = len(text) - MAX_REJECT_RAW_CHARS
            text = f"{text[:MAX_REJECT_RAW_CHARS]}[... {cut} more characters not kept]"
        self._writer.writerow([source, file, line, _scrub(reason, pseudonymize), text])

    def close(self) -> None:
        self._handle.close()


def stage_source(
    source: SourceSpec,
    extract_dir: Path,
    staging_dir: Path,
    rejects: RejectsWriter,
    pseudonymize: Pseudonymizer,
    esco_iris: Callable[[str], frozenset[str]],
    progress: Callable[[int], None] | None = None,
    chunk_size: int = READ_CHUNK,
) -> StagedSource:
    """Validate every file of one source extract and write the staged copies.

    A file that cannot be read at all raises ExtractError; otherwise every row read is
    either staged or written to ``rejects`` with its reason."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    identities: dict[str, str] = {}
    counts: dict[str, FileCounts] = {}
    accepted_keys: dict[str, set[str]] = {}
    for spec in source.files_in_load_order():
        path = extract_dir / spec.name
        if not path.exists():
            raise ExtractError(
                f"{source.id}: the extract lacks {spec.name} (expected in {extract_dir})"
            )
        if spec.format == "json":
            header, records = _koski_records(path, spec, chunk_size)
        else:
            header, records = _csv_records(path, chunk_size)
        parent_keys = accepted_keys.get(spec.parent[0]) if spec.parent else None
        validator = RowValidator(
            spec, source, header, pseudonymize, esco_iris, parent_keys
        )
        file_counts = counts[spec.name] = FileCounts()
        keys: set[str] = set()
        key_pos = spec.column_names.index(spec.key)
        with _StagedWriter(staging_dir / spec.name, spec) as out:
            for line, fields, raw, problem in records:
                file_counts.rows_read += 1
                if fields is None:
                    reason = problem or "malformed row"
                else:
                    try:
                        staged = validator.stage(fields, line)
                    except RowRejected as why:
                        reason = str(why)
                    else:
                        reason = None
                if reason is not None:
                    file_counts.reject(reason)
                    rejects.write(source.id, spec.name, line, reason, raw, pseudonymize)
                    continue
                out.write(staged)
                if validator.hetu_at:
                    raw_i, staged_i = validator.hetu_at
                    identities[staged[staged_i]] = fields[raw_i].strip()
                keys.add(staged[key_pos])
                file_counts.rows_loaded += 1
                if progress and file_counts.rows_read % 50_000 == 0:
                    progress(50_000)
        if progress:
            progress(file_counts.rows_read % 50_000)
        accepted_keys[spec.name] = keys
    return StagedSource(source, staging_dir, counts, identities)


class _StagedWriter:
    """The mapping's input: comma CSV, or a JSON list of flat records for JSON sources."""

    def __init__(self, path: Path, spec: FileSpec) -> None:
        self.columns = spec.staged_columns
        self.json = spec.format == "json"
        self._handle = path.open("w", encoding="utf-8", newline="")
        self._first = True
        if self.json:
            self._handle.write("[")
        else:
            self._writer = csv.writer(self._handle, lineterminator="\n")
            self._writer.writerow(self.columns)

    def write(self, values: list[str]) -> None:
        if self.json:
            record = {k: v for k, v in zip(self.columns, values, strict=True) if v}
            self._handle.write(("\n" if self._first else ",\n") + json.dumps(record))
            self._first = False
        else:
            self._writer.writerow(values)

    def __enter__(self) -> _StagedWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.json:
            self._handle.write("\n]\n")
        self._handle.close()
