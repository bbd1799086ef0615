"""Append-only, hash-chained audit log of every access to personal data.

One JSON record per line. Each record carries the HMAC-SHA256 of its content
chained to the previous record's MAC, and a head file remembers the last one, so
`verify` finds the first record that was altered, removed, reordered or cut off.
Records hold pseudonyms only: an identity code is refused before it is written.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from core.hetu import contains_code
from graph_service.policy.errors import AuditChainError, PolicyError

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """What one access was: who, for what purpose, on whom, what was read, and the decision."""

    subject: str
    organisation: str
    roles: list[str]
    purpose: str | None
    person: str | None  # the person's pseudonymous IRI, never an identity code
    action: str
    resource: str
    decision: str  # permit | deny
    reason: str = ""


class AuditLog:
    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.head_path = path.with_suffix(".head")
        self._key = key
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)

    def _mac(self, prev: str, body: dict) -> str:
        canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hmac.new(self._key, (prev + canonical).encode(), hashlib.sha256).hexdigest()

    def _head(self) -> tuple[int, str]:
        if not self.head_path.exists():
            return 0, GENESIS
        seq, mac = self.head_path.read_text().split()
        return int(seq), mac

    def append(self, entry: AuditEntry, *, at: datetime | None = None) -> dict:
        body = asdict(entry)
        text = json.dumps(body, ensure_ascii=False)
        if contains_code(text):
            raise PolicyError("refusing to write an identity code into the audit log")
        with self._lock, self.path.open("a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                seq, prev = self._head()
                record = {"seq": seq + 1, "time": (at or datetime.now(UTC)).isoformat(),
                          **body, "prev": prev}
                record["mac"] = self._mac(prev, record)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                tmp = self.head_path.with_suffix(".head.tmp")
                tmp.write_text(f"{record['seq']} {record['mac']}\n")
                tmp.replace(self.head_path)
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return record

    def records(self) -> Iterator[dict]:
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def verify(self) -> int:
        """Check the whole chain; returns the number of records or raises AuditChainError."""
        prev, expected_seq = GENESIS, 1
        count = 0
        with self.path.open(encoding="utf-8") if self.path.exists() else _empty() as handle:
            for line_no, line in enumerate(handle, start=1):
                try:
                    record = json.loads(line)
                    mac = record.pop("mac")
                except (json.JSONDecodeError, KeyError, AttributeError):
                    raise AuditChainError(
                        f"record at line {line_no} is not a valid record"
                    ) from None
                seq = record.get("seq")
                if seq != expected_seq:
                    raise AuditChainError(
                        f"record at line {line_no} has seq {seq}, expected {expected_seq}: "
                        "a record was removed or reordered"
                    )
                if record.get("prev") != prev or not hmac.compare_digest(
                    mac, self._mac(prev, record)
                ):
                    raise AuditChainError(
                        f"record {seq} (line {line_no}) was altered or is out of order"
                    )
                prev, expected_seq, count = mac, expected_seq + 1, count + 1
        head_seq, head_mac = self._head()
        if (head_seq, head_mac) != (count, prev):
            raise AuditChainError(
                f"the log ends at record {count} but the head says {head_seq}: "
                "records were cut off the end"
            )
        return count

    def search(self, *, person: str | None = None, since: datetime | None = None,
               until: datetime | None = None, limit: int = 1000) -> list[dict]:
        since, until = (None if t is None else t if t.tzinfo else t.replace(tzinfo=UTC)
                        for t in (since, until))
        found = []
        for record in self.records():
            when = datetime.fromisoformat(record["time"])
            if person and record.get("person") != person:
                continue
            if (since and when < since) or (until and when > until):
                continue
            found.append(record)
            if len(found) >= limit:
                break
        return found


class _empty:
    def __enter__(self) -> list[str]:
        return []

    def __exit__(self, *exc: object) -> None:
        return None
