"""Fault injection: a share of each file's rows gets exactly one realistic fault.

Kinds cycle deterministically per file; each chunk continues the cycle where
the chunk number puts it (chunks are independent, so they cannot share a counter).
A kind that cannot apply to the chosen row (no date to invert, no non-ASCII
character to mis-encode...) passes the turn to the next kind. Clean rows are
never touched and faults never break the CSV framing: every row still goes
through csv.writer, so quotes stay balanced.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from core.hetu import CHECK_CHARS

from .spec import FileSpec
from .writers import BAD_ENCODING, ChunkOut, FileKey

BAD_CHECKSUM = "bad_hetu_checksum"
UNKNOWN_CODE = "unknown_code"
END_BEFORE_START = "end_before_start"
MISSING_REQUIRED = "missing_required"
DUPLICATE_ROW = "duplicate_row"
MALFORMED_ROW = "malformed_row"
WRONG_ENCODING = "wrong_encoding"
# The cycle order puts the kind that applies to fewest rows (a non-ASCII character is
# needed) first, so even a small extract gets one of each where the rows allow it.
CSV_KINDS = (
    WRONG_ENCODING,
    BAD_CHECKSUM,
    UNKNOWN_CODE,
    END_BEFORE_START,
    MISSING_REQUIRED,
    DUPLICATE_ROW,
    MALFORMED_ROW,
)
JSON_KINDS = (BAD_CHECKSUM, UNKNOWN_CODE, END_BEFORE_START, MISSING_REQUIRED)
# Koski fields a fault may touch: (column name in sources.yaml, path in the record)
JSON_CODE_FIELDS = (
    ("tyyppi", ("tyyppi", "koodiarvo")),
    ("tutkinto", ("suoritukset", 0, "koulutusmoduuli", "tunniste", "koodiarvo")),
)
JSON_REQUIRED_FIELDS = (
    ("alkamispaiva", ("alkamispäivä",)),
    ("oppilaitos", ("oppilaitos", "oid")),
    ("tyyppi", ("tyyppi", "koodiarvo")),
)


class Injector:
    """Faults for one chunk's rows, drawn from a generator of their own."""

    def __init__(
        self, rate: float, rng: random.Random, chunk: int, codes: dict[str, tuple[str, ...]]
    ) -> None:
        self.rate = rate
        self.rng = rng
        self.chunk = chunk
        self.codes = {k: frozenset(v) for k, v in codes.items()}

    def _count(self, n: int) -> int:
        # unbiased: the expected number of faults is rate * n in every chunk, however small
        return min(n, int(self.rate * n + self.rng.random()))

    # ------------------------------------------------------------------ CSV
    def inject(self, out: ChunkOut) -> tuple[dict[FileKey, set[int]], dict[FileKey, Counter]]:
        """Corrupt ``out`` in place; returns the rows to mis-encode and the counts by kind."""
        encodings: dict[FileKey, set[int]] = {}
        faults: dict[FileKey, Counter] = {}
        for key, rows in out.rows.items():
            spec = out.specs[key]
            counts: Counter = Counter()
            bad_rows = self._csv_file(spec, rows, counts)
            if bad_rows:
                encodings[key] = bad_rows
            if counts:
                faults[key] = counts
        if out.koski_key and out.koski:
            counts = Counter()
            self._koski(out.specs[out.koski_key], out.koski, counts)
            if counts:
                faults[out.koski_key] = counts
        return encodings, faults

    def _csv_file(self, spec: FileSpec, rows: list[list[str]], counts: Counter) -> set[int]:
        n = len(rows)
        picks = sorted(self.rng.sample(range(n), self._count(n))) if n else []
        if not picks:
            return set()
        kinds = CSV_KINDS
        # Few rows can be mis-encoded: give the wrong-encoding turn a row that can.
        turn = (kinds.index(WRONG_ENCODING) - (self.chunk - 1)) % len(kinds)
        if turn < len(picks) and not _mis_encodable(rows[picks[turn]]):
            for j, i in enumerate(picks):
                if _mis_encodable(rows[i]):
                    picks[turn], picks[j] = i, picks[turn]
                    break
        duplicates: set[int] = set()
        mis_encoded: set[int] = set()
        for turn, i in enumerate(picks):
            for step in range(len(kinds)):
                kind = kinds[(self.chunk - 1 + turn + step) % len(kinds)]
                if kind == DUPLICATE_ROW:
                    duplicates.add(i)
                elif kind == WRONG_ENCODING:
                    if not _mis_encodable(rows[i]):
                        continue
                    mis_encoded.add(i)
                elif not self._apply_csv(kind, spec, rows, i):
                    continue
                counts[kind] += 1
                break
        if duplicates:  # the copy follows its original; shift the mis-encoded row numbers
            shifted, new_rows, moved = set(), [], 0
            for i, row in enumerate(rows):
                if i in mis_encoded:
                    shifted.add(i + moved)
                new_rows.append(row)
                if i in duplicates:
                    new_rows.append(list(row))
                    moved += 1
            rows[:] = new_rows
            mis_encoded = shifted
        return mis_encoded

    def _apply_csv(self, kind: str, spec: FileSpec, rows: list[list[str]], i: int) -> bool:
        row = rows[i]
        names = spec.column_names
        if kind == BAD_CHECKSUM:
            cols = [n for n, c in enumerate(spec.columns) if c.type == "hetu" and row[n]]
            if not cols:
                return False
            row[cols[0]] = _break_checksum(row[cols[0]], self.rng)
            return True
        if kind == UNKNOWN_CODE:
            cols = [n for n, c in enumerate(spec.columns) if c.type == "code" and row[n]]
            if not cols:
                return False
            n = self.rng.choice(cols)
            row[n] = self._unknown(spec.columns[n].codelist or "", row[n])
            return True
        if kind == END_BEFORE_START:
            checks = [
                (names.index(a), names.index(b)) for a, b in spec.not_before if row[names.index(a)]
            ]
            if not checks:
                return False
            start, end = self.rng.choice(checks)
            fmt = spec.date_format
            day = datetime.strptime(row[start], fmt) - timedelta(days=self.rng.randint(1, 90))
            row[end] = day.strftime(fmt)
            return True
        if kind == MISSING_REQUIRED:
            cols = [n for n, c in enumerate(spec.columns) if c.required and row[n]]
            if not cols:
                return False
            row[self.rng.choice(cols)] = ""
            return True
        if kind == MALFORMED_ROW:
            if self.rng.random() < 0.5:
                row.pop()
            else:
                row.append(row[-1])
            return True
        raise ValueError(kind)

    def _unknown(self, codelist: str, value: str) -> str:
        known = self.codes.get(codelist, frozenset())
        for candidate in (value.swapcase(), f"{value}9", f"X{value}9"):
            if candidate not in known:
                return candidate
        return "XXX-UNKNOWN"

    # ------------------------------------------------------------------ Koski JSON
    def _koski(self, spec: FileSpec, entries: list[dict[str, Any]], counts: Counter) -> None:
        flat = [(e, rec) for e in entries for rec in e["opiskeluoikeudet"]]
        n = len(flat)
        picks = sorted(self.rng.sample(range(n), self._count(n))) if n else []
        kinds = JSON_KINDS
        for turn, i in enumerate(picks):
            entry, record = flat[i]
            for step in range(len(kinds)):
                kind = kinds[(self.chunk - 1 + turn + step) % len(kinds)]
                if self._apply_json(kind, spec, entry, record):
                    counts[kind] += 1
                    break

    def _apply_json(self, kind: str, spec: FileSpec, entry: dict, record: dict) -> bool:
        if kind == BAD_CHECKSUM:
            # the code sits on the person; with one study right one record carries the fault
            if len(entry["opiskeluoikeudet"]) != 1:
                return False
            person = entry["henkilö"]
            person["hetu"] = _break_checksum(person["hetu"], self.rng)
            return True
        if kind == UNKNOWN_CODE:
            column, path = self.rng.choice(JSON_CODE_FIELDS)
            parent = _walk(record, path[:-1])
            codelist = spec.column(column).codelist or ""
            parent[path[-1]] = self._unknown(codelist, parent[path[-1]])
            return True
        if kind == END_BEFORE_START:
            fmt = spec.date_format
            start = datetime.strptime(record["alkamispäivä"], fmt)
            record["päättymispäivä"] = (start - timedelta(days=self.rng.randint(1, 90))).strftime(
                fmt
            )
            return True
        if kind == MISSING_REQUIRED:
            _, path = self.rng.choice(JSON_REQUIRED_FIELDS)
            del _walk(record, path[:-1])[path[-1]]
            return True
        raise ValueError(kind)


def _walk(node: Any, path: tuple) -> Any:
    for step in path:
        node = node[step]
    return node


def _break_checksum(code: str, rng: random.Random) -> str:
    at = CHECK_CHARS.index(code[-1]) if code[-1] in CHECK_CHARS else 0
    return code[:-1] + CHECK_CHARS[(at + rng.randint(1, len(CHECK_CHARS) - 1)) % len(CHECK_CHARS)]


def _mis_encodable(row: list[str]) -> bool:
    """True when the row, written in cp1252, is no longer valid UTF-8."""
    text = ";".join(row)
    if text.isascii():
        return False
    try:
        text.encode(BAD_ENCODING, errors="replace").decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False
