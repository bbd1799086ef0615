"""Row validation and staging of one source extract.

Every row of every file is checked against sources.yaml. A good row is written to
the staged copy the mapping reads (identity code replaced by the pseudonym, dates
ISO 8601, booleans true/false, decimals with a point); a bad row goes to the
rejects file with its file, line and a reason a steward understands. Nothing is
dropped: rows_read == rows_loaded + rows_rejected for every file.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from core.errors import TyodataError
from core.hetu import problem as hetu_problem
from core.pseudonyms import Pseudonymizer
from mappings.codes import code_lists
from mappings.sources import CSV_DELIMITER, Column, FileSpec, SourceSpec

_DECIMAL = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_INTEGER = re.compile(r"^-?\d+$")
_TRUE, _FALSE = "K", "E"


class ExtractError(TyodataError):
    """An extract file cannot be read at all (missing, wrong header, not JSON)."""


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
                if not pattern.match(value):
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
        return out


# -- readers: (line number, raw fields, raw text for the rejects file) --------------


def _csv_records(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str] | None, str]]]:
    """Header and records of a ';'-separated UTF-8 file; a row that is not UTF-8 yields None."""
    handle = path.open("rb")
    header_bytes = handle.readline()
    try:
        header = next(csv.reader([header_bytes.decode("utf-8-sig")], delimiter=CSV_DELIMITER))
    except (UnicodeDecodeError, StopIteration) as err:
        handle.close()
        raise ExtractError(f"{path}: cannot read the header row as UTF-8 CSV") from err
    header = [h.strip() for h in header]

    def records() -> Iterator[tuple[int, list[str] | None, str]]:
        line_no = 1
        pending: list[str] = []
        start = 0
        with handle:
            for raw in handle:
                line_no += 1
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    if pending:  # an open quoted field cannot continue into bad bytes
                        yield start, None, "".join(pending)
                        pending = []
                    yield line_no, None, raw.decode("latin-1")
                    continue
                if not pending:
                    start = line_no
                pending.append(text)
                joined = "".join(pending)
                if joined.count('"') % 2:  # a quoted field spans lines
                    continue
                pending = []
                if not joined.strip():
                    continue
                fields = next(csv.reader([joined], delimiter=CSV_DELIMITER))
                yield start, fields, joined
            if pending:
                yield start, None, "".join(pending)

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


def _json_list_items(path: Path, chunk_size: int = 1 << 20) -> Iterator[object]:
    """The items of a top-level JSON list, parsed one at a time (a 1M-person Koski extract
    is hundreds of MB: never hold it all)."""
    decoder = json.JSONDecoder()
    with path.open("rb") as handle:
        raw = handle.read(chunk_size)
        buffer = raw.decode("utf-8-sig", errors="strict") if raw else ""
        pending = b""
        pos = len(buffer) - len(buffer.lstrip())
        if not buffer[pos:pos + 1] == "[":
            raise ExtractError(f"{path}: expected a JSON list of {{henkilö, opiskeluoikeudet}}")
        pos += 1
        eof = not raw
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n,":
                pos += 1
            if pos < len(buffer) and buffer[pos] == "]":
                return
            try:
                item, end = decoder.raw_decode(buffer, pos)
            except json.JSONDecodeError as err:
                if eof:
                    raise ExtractError(f"{path}: not valid JSON: {err}") from err
                more = pending + handle.read(chunk_size)
                eof = len(more) == len(pending)
                try:
                    text, pending = more.decode("utf-8"), b""
                except UnicodeDecodeError as bad:
                    if bad.start < len(more) - 4:  # not just a character cut at the chunk end
                        raise ExtractError(f"{path}: not valid UTF-8") from bad
                    text, pending = more[: bad.start].decode("utf-8"), more[bad.start:]
                buffer = buffer[pos:] + text
                pos = 0
                continue
            yield item
            pos = end


def _koski_records(
    path: Path, spec: FileSpec
) -> tuple[list[str], Iterator[tuple[int, list[str] | None, str]]]:
    """Koski's {henkilö, opiskeluoikeudet[]} list flattened to one row per study right."""
    people = _json_list_items(path)
    header = spec.column_names

    def records() -> Iterator[tuple[int, list[str] | None, str]]:
        number = 0
        for person in people:
            rights = person.get("opiskeluoikeudet") if isinstance(person, dict) else None
            if not isinstance(rights, list) or not rights:
                number += 1
                yield number, None, json.dumps(person, ensure_ascii=False)
                continue
            for right in rights:
                number += 1
                merged = {"henkilö": person.get("henkilö", {}), **right}
                fields = [
                    _json_path(merged, col.path or col.name) for col in spec.columns
                ]
                yield number, fields, json.dumps(right, ensure_ascii=False)

    return header, records()


# -- staging --------------------------------------------------------------------


class RejectsWriter:
    """rejects.csv: source, file, line, reason, the raw row. Kept private (mode 0600)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._writer = csv.writer(self._handle)
        self._writer.writerow(["source", "file", "line", "reason", "raw"])

    def write(self, source: str, file: str, line: int, reason: str, raw: str) -> None:
        self._writer.writerow([source, file, line, reason, raw.rstrip("\r\n")])

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
) -> StagedSource:
    """Validate every file of one source extract and write the staged copies."""
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
            header, records = _koski_records(path, spec)
        else:
            header, records = _csv_records(path)
        parent_keys = accepted_keys.get(spec.parent[0]) if spec.parent else None
        validator = RowValidator(
            spec, source, header, pseudonymize, esco_iris, parent_keys
        )
        file_counts = counts[spec.name] = FileCounts()
        keys: set[str] = set()
        key_pos = spec.column_names.index(spec.key)
        with _StagedWriter(staging_dir / spec.name, spec) as out:
            for line, fields, raw in records:
                file_counts.rows_read += 1
                if fields is None:
                    reason = (
                        "wrong encoding: the row is not valid UTF-8 (re-export the file as UTF-8)"
                        if spec.format == "csv"
                        else "malformed record: no study rights (opiskeluoikeudet) in the record"
                    )
                    file_counts.reject(reason)
                    rejects.write(source.id, spec.name, line, reason, raw)
                    continue
                try:
                    staged = validator.stage(fields, line)
                except RowRejected as why:
                    file_counts.reject(str(why))
                    rejects.write(source.id, spec.name, line, str(why), raw)
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
