"""An independent reading of an extract against sources.yaml, for the generator's tests.

Each row gets the list of rules it breaks, named like the generator's fault kinds
(``bad_hetu_checksum``, ``unknown_code``...) so tests can compare them with
faults.json. Rules the generator must never break get names of their own.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from core.hetu import problem as hetu_problem
from mappings.codes import code_lists
from mappings.sources import FileSpec, SourceSpec, load_sources

INT = re.compile(r"^-?\d+$")
DECIMAL = re.compile(r"^-?\d+(,\d+)?$")


@dataclass
class Row:
    line: int
    values: dict[str, str] | None  # None: the row could not be read (encoding, width)
    problems: list[str]


@lru_cache(maxsize=2)
def esco_iris(esco_dir: Path) -> dict[str, frozenset[str]]:
    def uris(name: str) -> frozenset[str]:
        with (esco_dir / "en" / name).open(encoding="utf-8", newline="") as fh:
            return frozenset(r["conceptUri"] for r in csv.DictReader(fh))

    return {"esco_occupation": uris("occupations_en.csv"), "esco_skill": uris("skills_en.csv")}


def parse_date(value: str, fmt: str) -> date:
    parsed = datetime.strptime(value, fmt)
    if parsed.strftime(fmt) != value:  # strptime accepts "1.2.2024" for %d.%m.%Y
        raise ValueError(value)
    return parsed.date()


def _problems(
    values: dict[str, str], spec: FileSpec, source: SourceSpec, esco: dict[str, frozenset[str]]
) -> list[str]:
    codes = code_lists()
    found: list[str] = []
    dates: dict[str, date] = {}
    for col in spec.columns:
        value = values.get(col.name, "")
        if not value:
            if col.required:
                found.append("missing_required")
            continue
        if col.type == "hetu":
            if hetu_problem(value):
                found.append("bad_hetu_checksum")
        elif col.type == "code":
            if value not in codes[col.codelist or ""]:
                found.append("unknown_code")
        elif col.type == "date":
            try:
                dates[col.name] = parse_date(value, source.date_format)
            except ValueError:
                found.append("bad_date")
        elif col.type in ("int", "decimal"):
            if not (INT if col.type == "int" else DECIMAL).match(value):
                found.append("bad_number")
                continue
            number = float(value.replace(",", "."))
            if (col.min is not None and number < col.min) or (
                col.max is not None and number > col.max
            ):
                found.append("out_of_range")
        elif col.type == "bool":
            if value not in ("K", "E"):
                found.append("bad_bool")
        elif col.type in esco and value not in esco[col.type]:
            found.append("unknown_esco")
    for kind, args in spec.checks:
        if kind == "not_before":
            start, end = dates.get(args[0]), dates.get(args[1])
            if start and end and end < start:
                found.append("end_before_start")
        elif kind == "required_if":
            column, other, expected = args
            if values.get(other) == expected and not values.get(column):
                found.append("required_if")
    return found


def read_csv(path: Path, spec: FileSpec, source: SourceSpec, esco_dir: Path) -> Iterator[Row]:
    """Rows of a generated CSV, decoded line by line so one bad row spoils nothing else."""
    esco = esco_iris(esco_dir)
    keys: set[str] = set()
    with path.open("rb") as fh:
        header = fh.readline().decode("utf-8").rstrip("\n").split(";")
        assert header == list(spec.column_names), (path, header)
        for n, raw in enumerate(fh, start=2):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                yield Row(n, None, ["wrong_encoding"])
                continue
            assert text.endswith("\n") and not text.endswith("\r\n"), (path, n)
            fields = next(csv.reader([text], delimiter=";"))
            if len(fields) != len(header):
                yield Row(n, None, ["malformed_row"])
                continue
            values = dict(zip(header, fields, strict=True))
            problems = _problems(values, spec, source, esco)
            key = values[spec.key]
            if key and key in keys:
                problems.append("duplicate_row")
            keys.add(key)
            yield Row(n, values, problems)


def json_path(node: object, path: str) -> str:
    for part in re.findall(r"[^.\[\]]+|\[-?\d+\]", path):
        if part.startswith("["):
            i = int(part[1:-1])
            if not isinstance(node, list) or not -len(node) <= i < len(node):
                return ""
            node = node[i]
        else:
            if not isinstance(node, dict) or part not in node:
                return ""
            node = node[part]
    return "" if isinstance(node, (dict, list)) else str(node)


def read_koski(path: Path, spec: FileSpec, source: SourceSpec, esco_dir: Path) -> Iterator[Row]:
    """One row per study right, the person's fields merged in (as staging flattens it)."""
    people = json.loads(path.read_bytes().decode("utf-8"))
    assert isinstance(people, list)
    n = 0
    for person in people:
        for right in person["opiskeluoikeudet"]:
            n += 1
            merged = {"henkilö": person["henkilö"], **right}
            values = {c.name: json_path(merged, c.path or c.name) for c in spec.columns}
            yield Row(n, values, _problems(values, spec, source, esco_iris(esco_dir)))


def read_file(out_dir: Path, source_id: str, name: str, esco_dir: Path) -> list[Row]:
    source = load_sources()[source_id]
    spec = source.files[name]
    reader = read_koski if spec.format == "json" else read_csv
    return list(reader(out_dir / source_id / name, spec, source, esco_dir))


def all_files() -> list[tuple[str, str]]:
    return [(s, f) for s, src in load_sources().items() for f in src.files]
