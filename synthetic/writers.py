"""Rows of one chunk, their bytes, and the files, manifests and fault log on disk.

Workers turn their rows into bytes (CSV or Koski JSON elements); the main
process appends the chunks' bytes in chunk order, hashing as it goes, so memory
stays bounded and the output is the same however many processes ran.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ContractError
from .spec import Contract, FileSpec

FileKey = tuple[str, str]  # (source, file)
CSV_DIALECT = {"delimiter": ";", "lineterminator": "\n", "quoting": csv.QUOTE_MINIMAL}
BAD_ENCODING = "cp1252"


class ChunkOut:
    """The rows a chunk produced, per file, in sources.yaml column order."""

    def __init__(self, contract: Contract) -> None:
        self.specs: dict[FileKey, FileSpec] = {(f.source, f.name): f for f in contract.files()}
        self.rows: dict[FileKey, list[list[str]]] = {
            k: [] for k, f in self.specs.items() if f.format == "csv"
        }
        self._order = {k: itemgetter(*f.column_names) for k, f in self.specs.items()}
        self.koski: list[dict[str, Any]] = []  # henkilö entries with their study rights
        self.koski_key = next((k for k, f in self.specs.items() if f.format == "json"), None)

    def add(self, source: str, name: str, row: dict[str, str]) -> None:
        key = (source, name)
        if key not in self.rows:
            raise ContractError(f"sources.yaml has no CSV file {source}/{name}")
        try:
            self.rows[key].append(list(self._order[key](row)))
        except KeyError as exc:
            raise ContractError(
                f"{source}/{name}: sources.yaml asks for column {exc.args[0]!r} "
                "that the generator does not produce"
            ) from None

    def row_counts(self) -> dict[FileKey, int]:
        counts = {k: len(v) for k, v in self.rows.items()}
        if self.koski_key:
            counts[self.koski_key] = sum(len(p["opiskeluoikeudet"]) for p in self.koski)
        return counts


def csv_bytes(rows: list[list[str]], bad_encoding: Iterable[int] = ()) -> bytes:
    """The rows as UTF-8 CSV; rows whose index is in ``bad_encoding`` are cp1252 instead."""
    bad = sorted(set(bad_encoding))
    out = io.BytesIO()
    start = 0
    for i in [*bad, len(rows)]:
        if i > start:
            buf = io.StringIO()
            csv.writer(buf, **CSV_DIALECT).writerows(rows[start:i])
            out.write(buf.getvalue().encode("utf-8"))
        if i < len(rows):
            buf = io.StringIO()
            csv.writer(buf, **CSV_DIALECT).writerow(rows[i])
            out.write(buf.getvalue().encode(BAD_ENCODING, errors="replace"))
        start = i + 1
    return out.getvalue()


def header_bytes(spec: FileSpec) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, **CSV_DIALECT).writerow(spec.column_names)
    return buf.getvalue().encode("utf-8")


def koski_bytes(entries: list[dict[str, Any]]) -> bytes:
    """Koski list elements, one per line, without the enclosing brackets."""
    return ",\n".join(
        json.dumps(e, ensure_ascii=False, separators=(",", ":")) for e in entries
    ).encode("utf-8")


class OutputFiles:
    """The extract files of one run, appended chunk by chunk and hashed on the way."""

    def __init__(self, out_dir: Path, contract: Contract) -> None:
        self.out_dir = out_dir
        self.contract = contract
        self._fh: dict[FileKey, BinaryIO] = {}
        self._hash: dict[FileKey, Any] = {}
        self.rows: dict[FileKey, int] = {}
        self._json_started: dict[FileKey, bool] = {}
        for spec in contract.files():
            key = (spec.source, spec.name)
            folder = out_dir / spec.source
            folder.mkdir(parents=True, exist_ok=True)
            self._fh[key] = (folder / spec.name).open("wb")
            self._hash[key] = hashlib.sha256()
            self.rows[key] = 0
            if spec.format == "json":
                self._json_started[key] = False
                self._write(key, b"[\n")
            else:
                self._write(key, header_bytes(spec))

    def _write(self, key: FileKey, data: bytes) -> None:
        self._fh[key].write(data)
        self._hash[key].update(data)

    def append(self, key: FileKey, data: bytes, rows: int) -> None:
        self.rows[key] += rows
        if not data:
            return
        if key in self._json_started:
            if self._json_started[key]:
                data = b",\n" + data
            self._json_started[key] = True
        self._write(key, data)

    def close(self, as_of: date) -> None:
        for key in self._json_started:
            self._write(key, b"\n]\n")
        for fh in self._fh.values():
            fh.close()
        extracted_at = f"{as_of.isoformat()}T02:00:00+02:00"
        for source in self.contract.sources.values():
            manifest = {
                "source": source.name,
                "organisation": source.organisation,
                "extracted_at": extracted_at,
                "files": {
                    name: {
                        "rows": self.rows[(source.name, name)],
                        "sha256": self._hash[(source.name, name)].hexdigest(),
                    }
                    for name in source.files
                },
            }
            write_json(self.out_dir / source.name / "manifest.json", manifest)

    def abort(self) -> None:
        for fh in self._fh.values():
            fh.close()


def write_json(path: Path, data: object) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
