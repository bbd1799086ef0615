"""Append-only, HMAC-chained audit log of every access to personal data.

Three files side by side in one owner-only folder (0700, files 0600):

``audit.jsonl``
    One JSON record per line: ``seq``, ``time``, the entry's fields, ``prev`` (the
    previous record's MAC) and ``mac`` = HMAC-SHA256(key, prev + canonical JSON of the
    record without ``mac``). Altering, removing or reordering a record breaks the chain.
``audit.head``
    A fixed-size record of the last seq, the log's byte size and the last MAC, itself
    under an HMAC with the key (domain ``head\\0``). Cutting records off the end needs a
    new head, which needs the key. Rewritten in place with ``pwrite`` on every append.
``audit.index.sqlite``
    Derived data: seq -> (time, person, subject, organisation, decision, byte offset,
    length), so a search reads only the matching lines. Rebuilt or caught up from the
    log whenever it is missing, behind, stale or corrupt.

Deleting the log and its head together, or putting back an old head after cutting the
log, leaves nothing in the folder to notice it: :meth:`AuditLog.anchor` vouches for the
current head with a signature, and ``audit_anchors`` keeps anchors in the store, outside
the folder. ``verify(anchor)`` then fails when the log no longer holds the anchored record.

Every free-text field is passed through ``core.hetu.redact`` before it is written, so a
record is always written (a denial is never lost) and never holds an identity code.
MACs are written in modhex (hex spelled with 16 letters), not hex: a hex digest holds a
code-shaped string one time in four, one with a valid check character one time in 3,000,
which leak scanners rightly flag; a digest without digits cannot look like a code.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from core.hetu import contains_code, redact
from core.private import private_dir, private_open
from core.pseudonyms import PERSON_IRI
from graph_service.policy.errors import AuditChainError, PolicyError

GENESIS = "c" * 64  # modhex of 32 zero bytes: the `prev` of record 1
_PERSON_IRI = PERSON_IRI
_HEAD_MAGIC = b"tyodata-audit-head/1"
_HEAD_SIZE = len(_HEAD_MAGIC) + 1 + 20 + 1 + 20 + 1 + 64 + 1 + 64 + 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CHUNK = 1 << 20
_INDEX_VERSION = 2
_BATCH = 32  # index rows per commit: a commit costs as much as the rest of an append


_MODHEX = str.maketrans("0123456789abcdef", "cbdefghijklnrtuv")


def _modhex(digest: bytes) -> str:
    """Hex spelled with 16 letters (Yubico's modhex): a digest with no digits in it.

    >>> _modhex(bytes([0, 1, 254, 255]))
    'cccbvuvv'
    """
    return digest.hex().translate(_MODHEX)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def time_text(when: datetime) -> str:
    """The one textual form of a time in records and signatures (UTC, microseconds).

    >>> time_text(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC))
    '2025-01-02T03:04:05.000000+00:00'
    """
    return _utc(when).isoformat(timespec="microseconds")


def _micros(when: datetime) -> int:
    return (_utc(when) - _EPOCH) // timedelta(microseconds=1)


def _text(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if not text.isascii():  # lone surrogates would make the record unwritable
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


_DIGITS_AS_ZERO = bytes(0x30 if 0x30 <= b <= 0x39 else 0x2E for b in range(256))


def _may_hold_code(text: str) -> bool:
    """False only when ``text`` cannot hold a code: it is ASCII with no run of six digits.
    Many times faster than the code-shape regex on a long query; that regex still decides.

    >>> _may_hold_code("SELECT * { ?s ?p 12345 }"), _may_hold_code("x131052-308tz")
    (False, True)
    """
    # Not ASCII: the regex's \d also matches other scripts' digits, so let it look.
    return not text.isascii() or b"000000" in text.encode("ascii").translate(_DIGITS_AS_ZERO)


def _redact_all(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` with every identity-code-shaped substring of every text replaced."""
    texts = [v for v in fields.values() if isinstance(v, str)] + fields["roles"]
    joined = "\0".join(texts)  # no code spans a NUL, so one scan answers for all
    if not (_may_hold_code(joined) and contains_code(joined)):
        return fields
    return {k: redact(v) if isinstance(v, str) else [redact(r) for r in v]
            if isinstance(v, list) else v for k, v in fields.items()}


@dataclass(frozen=True)
class AuditEntry:
    """What one access was: who, for what purpose, on whom, what was read, and the decision."""

    subject: str
    organisation: str
    roles: list[str]
    purpose: str | None
    person: str | None  # the person's pseudonymous IRI; anything else goes to `reason`
    action: str
    resource: str
    decision: str  # permit | deny
    reason: str = ""
    statement: str | None = None  # the whole SPARQL query or update
    legal_basis: str | None = None  # the DPV / GDPR IRI a permit rests on
    sections: list[str] | None = None
    """Per section read in this access: "<section> permit|deny <basis or consent id>"."""
    persons: list[str] | None = None
    """Other persons whose data this one access read (e.g. the candidates listed for a
    posting), as pseudonymous IRIs: each person's own access log finds the record."""
    model_version: str | None = None
    """The version of the model whose output this access formed (e.g. a forecast)."""

    def redacted_fields(self) -> dict[str, Any]:
        """The record's fields, redacted: this is all that reaches the disk."""
        reason = self.reason or ""
        person = self.person
        if person is not None and not (isinstance(person, str)
                                       and _PERSON_IRI.fullmatch(person)):
            # Not one of our pseudonyms (perhaps an identity code): keep it, redacted, as text.
            note = f"person field was not a pseudonymous person IRI: {person}"
            reason, person = (f"{reason}; {note}" if reason else note), None
        return _redact_all({
            "subject": _text(self.subject),
            "organisation": _text(self.organisation),
            "roles": [_text(role) for role in self.roles],
            "purpose": None if self.purpose is None else _text(self.purpose),
            "person": person,
            "action": _text(self.action),
            "resource": _text(self.resource),
            "decision": _text(self.decision),
            "reason": _text(reason),
            "statement": None if self.statement is None else _text(self.statement),
            "legal_basis": None if self.legal_basis is None else _text(self.legal_basis),
            **({} if self.sections is None else {"sections": [_text(s) for s in self.sections]}),
            **({} if self.persons is None else {"persons": [
                p for p in self.persons if isinstance(p, str) and _PERSON_IRI.fullmatch(p)]}),
            **({} if self.model_version is None else {
                "model_version": _text(self.model_version)}),
        })


@dataclass(frozen=True)
class Anchor:
    """A signed statement "record ``seq`` of the log has MAC ``mac``", made at ``time``.

    Kept outside the log's folder (see ``audit_anchors``), it survives the log's deletion.
    """

    seq: int
    mac: str
    time: datetime
    signature: str


class _Head(NamedTuple):
    seq: int
    size: int  # byte size of the log up to and including record `seq`
    mac: str


_EMPTY = _Head(0, 0, GENESIS)

_SCHEMA = (
    """CREATE TABLE records (
        off INTEGER PRIMARY KEY, len INTEGER NOT NULL, seq INTEGER NOT NULL, time INTEGER,
        person TEXT, subject TEXT, organisation TEXT, decision TEXT, mac TEXT NOT NULL)""",
    "CREATE INDEX records_person ON records(person)",
    "CREATE INDEX records_subject ON records(subject)",
    "CREATE INDEX records_time ON records(time)",
    # The other persons one record names (its `persons` field): one row each.
    """CREATE TABLE record_persons (off INTEGER NOT NULL, person TEXT NOT NULL,
        UNIQUE (off, person))""",
    "CREATE INDEX record_persons_person ON record_persons(person)",
)
_INSERT = "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
_INSERT_PERSON = "INSERT OR IGNORE INTO record_persons VALUES (?, ?)"
_LAST = "SELECT off, len, seq, mac FROM records ORDER BY off DESC LIMIT 1"


class _StaleIndex(Exception):
    """The index points at bytes that are not the record it names."""


class AuditLog:
    """The audit log at ``path`` under ``key``; safe for threads and for several processes.

    ``key_path`` (optional) is where the caller keeps the key: it must not lie in the log's
    folder, or whoever can rewrite the log could also forge it.
    """

    def __init__(self, path: Path, key: bytes, *, key_path: Path | None = None) -> None:
        if len(key) < 16:
            raise PolicyError("the audit key is too short: it needs at least 16 bytes")
        path = Path(path)
        if key_path is not None:
            folder = path.parent.resolve()
            if Path(key_path).resolve().is_relative_to(folder):
                raise PolicyError(f"the audit key {key_path} lies in the audit log's folder "
                                  f"{folder}: keep it elsewhere (e.g. $TYODATA_HOME/keys)")
        self.path = path
        self.head_path = path.with_suffix(".head")
        self.index_path = path.with_suffix(".index.sqlite")
        self._key = key
        self._mac_base = hmac.new(key, digestmod=hashlib.sha256)
        self._lock = threading.RLock()
        self._pid: int | None = None  # the process the files below were opened in
        self._log_fd = self._head_fd = -1
        self._file_ids: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._head_raw: bytes | None = None  # the head as last read or written, authenticated
        self._head = _EMPTY
        self._db: sqlite3.Connection | None = None
        self._db_id: tuple[int, int] | None = None
        self._indexed_to = -1  # the index and _pending hold every record before this byte
        self._pending: list[tuple] = []
        self._pending_persons: list[tuple[int, str]] = []

    # -- keyed digests ------------------------------------------------------------------

    def _hmac(self, message: bytes) -> str:
        mac = self._mac_base.copy()
        mac.update(message)
        return _modhex(mac.digest())

    def _mac(self, prev: str, record: dict[str, Any]) -> str:
        canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return self._hmac((prev + canonical).encode())

    def _head_tag(self, seq: int, size: int, mac: str) -> str:
        return self._hmac(b"head\0%d\0%d\0%s" % (seq, size, mac.encode()))

    def _signature(self, seq: int, mac: str, when: datetime) -> str:
        return self._hmac(b"anchor\0%d\0%s\0%s" % (seq, mac.encode(), time_text(when).encode()))

    def anchor_is_authentic(self, anchor: Anchor) -> bool:
        """Was ``anchor`` made by :meth:`anchor` under this log's key?"""
        expected = self._signature(anchor.seq, anchor.mac, anchor.time)
        return hmac.compare_digest(expected, str(anchor.signature))

    # -- files --------------------------------------------------------------------------

    def _ensure_open(self) -> None:
        """Open log and head (lazily; again after a fork, whose shared file descriptions
        would defeat flock, or when the log file was deleted or replaced under us)."""
        if self._pid == os.getpid():
            try:
                log, head = os.stat(self.path), os.stat(self.head_path)
                if ((log.st_dev, log.st_ino), (head.st_dev, head.st_ino)) == self._file_ids:
                    return
            except FileNotFoundError:
                pass
        self._close_files(inherited=self._pid != os.getpid())
        private_dir(self.path.parent)
        log = private_open(self.path, "ab+", buffering=0)
        self._log_fd = os.dup(log.fileno())
        log.close()
        self._head_fd = os.open(self.head_path, os.O_RDWR | os.O_CREAT, 0o600)
        os.fchmod(self._head_fd, 0o600)
        log, head = os.fstat(self._log_fd), os.fstat(self._head_fd)
        self._file_ids = ((log.st_dev, log.st_ino), (head.st_dev, head.st_ino))
        self._pid = os.getpid()
        self._head_raw, self._indexed_to, self._pending = None, -1, []
        self._pending_persons = []

    def _close_files(self, *, inherited: bool = False) -> None:
        for fd in (self._log_fd, self._head_fd):
            if fd >= 0:
                os.close(fd)
        self._log_fd = self._head_fd = -1
        self._file_ids = None
        if self._db is not None and not inherited:
            self._db.close()
        self._db = None  # a connection inherited over fork is abandoned, never used

    def _flush_pending(self) -> None:
        """Write the queued index rows now (best effort: they are derived data)."""
        if self._pid != os.getpid() or not self._pending:
            return
        fcntl.flock(self._log_fd, fcntl.LOCK_EX)
        try:
            with contextlib.suppress(sqlite3.Error, OSError):
                self._flush_index()
        finally:
            fcntl.flock(self._log_fd, fcntl.LOCK_UN)

    def close(self) -> None:
        with self._lock:
            self._flush_pending()
            self._close_files(inherited=self._pid != os.getpid())
            self._pid, self._pending = None, []

    def __enter__(self) -> AuditLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def sync(self) -> None:
        """Make log, head and index durable (fsync). Appends do not fsync: the kernel keeps
        what was written if the process dies; this is for power loss, before anchoring."""
        with self._lock:
            self._flush_pending()
            if self._pid == os.getpid():
                os.fsync(self._log_fd)
                os.fsync(self._head_fd)
            for path in (self.index_path, Path(f"{self.index_path}-wal"), self.path.parent):
                try:
                    fd = os.open(path, os.O_RDONLY)
                except FileNotFoundError:
                    continue
                try:
                    os.fsync(fd)
                finally:
                    os.close(fd)

    # -- head ---------------------------------------------------------------------------

    def _parse_head(self, raw: bytes) -> _Head | None:
        """The authenticated head in ``raw``; None for no head; AuditChainError if forged."""
        if not raw:
            return None
        parts = raw.split()
        if len(raw) != _HEAD_SIZE or len(parts) != 5 or parts[0] != _HEAD_MAGIC:
            raise AuditChainError(f"the head file {self.head_path.name} is not a valid head: "
                                  "it was rewritten without the audit key")
        try:
            seq, size, mac, tag = int(parts[1]), int(parts[2]), parts[3].decode(), parts[4]
        except (ValueError, UnicodeDecodeError):
            raise AuditChainError(f"the head file {self.head_path.name} is not a valid head"
                                  ) from None
        if not hmac.compare_digest(self._head_tag(seq, size, mac).encode(), tag):
            raise AuditChainError(f"the head file {self.head_path.name} has a wrong HMAC: it "
                                  "was rewritten without the audit key")
        return _Head(seq, size, mac)

    def _head_bytes(self, head: _Head) -> bytes:
        return b"%s %020d %020d %s %s\n" % (_HEAD_MAGIC, head.seq, head.size, head.mac.encode(),
                                            self._head_tag(*head).encode())

    def _write_head(self, head: _Head) -> None:
        raw = self._head_bytes(head)
        os.pwrite(self._head_fd, raw, 0)  # fixed size: overwrites the old head whole
        self._head_raw, self._head = raw, head

    def _current_head(self) -> _Head:
        """The head, checked against the log. Call with the lock held."""
        raw = os.pread(self._head_fd, _HEAD_SIZE + 1, 0)
        if raw != self._head_raw:  # another process appended (or first use)
            self._head = self._parse_head(raw) or _EMPTY
            self._head_raw = raw
        head = self._head
        size = os.fstat(self._log_fd).st_size
        if size == head.size:
            return head
        if not raw:  # never adopt a whole headless log: it may have been cut
            raise AuditChainError(f"the audit log {self.path} holds records but its head "
                                  "file is missing; run `tyodata audit verify`")
        if size < head.size:
            raise AuditChainError(f"the audit log {self.path} has {size} bytes but its head "
                                  f"vouches for {head.size} (record {head.seq}): records were "
                                  "cut off; run `tyodata audit verify`")
        return self._adopt_tail(head, size)

    def _adopt_tail(self, head: _Head, size: int) -> _Head:
        """Records past the head: a writer died between a record and its head. Only whole
        records chained to the head under our key are taken in; anything else fails."""
        for off, line in _lines(self._log_fd, head.size, size):
            record = self._check_line(line, head.seq + 1, head.mac)
            if record is None:
                raise AuditChainError(f"the audit log {self.path} has bytes after record "
                                      f"{head.seq} that are no record of this log; run "
                                      "`tyodata audit verify`")
            head = _Head(record["seq"], off + len(line), record["mac"])
        self._write_head(head)
        return head

    def _check_line(self, line: bytes, seq: int, prev: str) -> dict | None:
        """The record in ``line`` if it is record ``seq`` chained to ``prev``, else None."""
        if not line.endswith(b"\n"):
            return None
        try:
            record = json.loads(line)
            mac = record.pop("mac")
        except (ValueError, KeyError, AttributeError, TypeError):
            return None
        if (record.get("seq") != seq or record.get("prev") != prev
                or not hmac.compare_digest(str(mac), self._mac(prev, record))):
            return None
        record["mac"] = mac
        return record

    # -- appending ----------------------------------------------------------------------

    def append(self, entry: AuditEntry, *, at: datetime | None = None) -> dict:
        """Write one record (redacted) and return it; raises AuditChainError when the log on
        disk no longer matches its head, since appending would hide that."""
        body = entry.redacted_fields()
        with self._lock:
            self._ensure_open()
            fd = self._log_fd
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                head = self._current_head()
                when = _utc(at) if at is not None else datetime.now(UTC)
                record = {"seq": head.seq + 1, "time": time_text(when), **body,
                          "prev": head.mac}
                record["mac"] = self._mac(head.mac, record)
                # Default separators: the line format readers (and tests) already know.
                line = (json.dumps(record, ensure_ascii=False) + "\n").encode()
                _write_all(fd, line)
                self._write_head(_Head(record["seq"], head.size + len(line), record["mac"]))
                self._index_append(head.size, line, record, when)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        return record

    def anchor(self) -> Anchor:
        """Sign the current head (after fsync): store the result outside the log's folder."""
        with self._lock:
            self._ensure_open()
            fcntl.flock(self._log_fd, fcntl.LOCK_EX)
            try:
                head = self._current_head()
            finally:
                fcntl.flock(self._log_fd, fcntl.LOCK_UN)
            self.sync()
        now = datetime.now(UTC)
        return Anchor(head.seq, head.mac, now, self._signature(head.seq, head.mac, now))

    # -- reading and verifying ----------------------------------------------------------

    def records(self) -> Iterator[dict]:
        """Every record, oldest first (unverified)."""
        if not self.path.exists():
            return
        with self.path.open("rb") as handle:
            for line in handle:
                if line.strip():
                    yield json.loads(line)

    def verify(self, anchor: Anchor | None = None) -> int:
        """Check the whole chain, the authenticated head and, given one, that the log still
        holds the record ``anchor`` vouches for. Returns the number of records or raises
        AuditChainError naming the first thing wrong."""
        if anchor is not None and not self.anchor_is_authentic(anchor):
            raise AuditChainError(f"the anchor of {time_text(anchor.time)} (record "
                                  f"{anchor.seq}) has a wrong signature: it is forged or was "
                                  "made with another audit key")
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            fd = -1
        try:
            if fd >= 0:  # a consistent snapshot: head and size read while no one appends
                fcntl.flock(fd, fcntl.LOCK_SH)
                try:
                    head_raw = _read_if_exists(self.head_path)
                    size = os.fstat(fd).st_size
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            else:
                head_raw, size = _read_if_exists(self.head_path), 0
            count, last, anchored = self._verify_chain(fd, size, anchor)
        finally:
            if fd >= 0:
                os.close(fd)
        head = self._parse_head(head_raw)
        if head is None:
            if count:
                raise AuditChainError(f"the log holds {count} record(s) but its head file "
                                      f"{self.head_path.name} is missing: it was deleted")
        elif head.seq > count:
            raise AuditChainError(f"the log ends at record {count} but its head vouches for "
                                  f"record {head.seq}: records were cut off the end")
        elif head.seq < count:
            raise AuditChainError(f"the log goes on to record {count} but its head vouches "
                                  f"for record {head.seq} only: records were added after the "
                                  "head (or a writer died between a record and its head)")
        elif head.mac != last:
            raise AuditChainError(f"record {count} is not the record the head vouches for: "
                                  "the last record was replaced")
        elif head.size != size:
            raise AuditChainError(f"the log has {size} bytes but its head vouches for "
                                  f"{head.size}: bytes were added after record {count}")
        if anchor is not None and anchor.seq > 0:
            when = time_text(anchor.time)
            if anchor.seq > count:
                raise AuditChainError(
                    f"the log ends at record {count} but the anchor of {when} vouches for "
                    f"record {anchor.seq}: records were cut off or the log was replaced")
            if anchored != anchor.mac:
                raise AuditChainError(
                    f"record {anchor.seq} is not the record the anchor of {when} vouches "
                    "for: the log was replaced or rewritten")
        return count

    def _verify_chain(self, fd: int, size: int, anchor: Anchor | None
                      ) -> tuple[int, str, str | None]:
        """(record count, last MAC, MAC of the anchored record) of the first ``size`` bytes."""
        prev, count, anchored = GENESIS, 0, None
        if fd < 0:
            return count, prev, anchored
        for line_no, (_, line) in enumerate(_lines(fd, 0, size), start=1):
            try:
                record = json.loads(line) if line.endswith(b"\n") else None
                mac = record.pop("mac")
            except (ValueError, KeyError, AttributeError, TypeError):
                record = None
            if record is None:
                raise AuditChainError(f"record at line {line_no} is not a valid record")
            seq = record.get("seq")
            if seq != count + 1:
                raise AuditChainError(f"record at line {line_no} has seq {seq}, expected "
                                      f"{count + 1}: a record was removed or reordered")
            if record.get("prev") != prev or not hmac.compare_digest(
                    str(mac), self._mac(prev, record)):
                raise AuditChainError(f"record {seq} (line {line_no}) was altered or is out "
                                      "of order")
            prev, count = mac, count + 1
            if anchor is not None and seq == anchor.seq:
                anchored = mac
        return count, prev, anchored

    # -- the index ----------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        """The index connection; a missing, foreign or corrupt index file is started anew."""
        if self._db is not None:
            try:
                st = os.stat(self.index_path)
                if (st.st_dev, st.st_ino) == self._db_id:
                    return self._db
            except FileNotFoundError:
                pass
            self._db.close()
            self._db, self._indexed_to = None, -1
        for attempt in range(2):
            private_open(self.index_path, "ab").close()  # created 0600; sqlite's -wal follow
            db = sqlite3.connect(self.index_path, isolation_level=None, timeout=30,
                                 check_same_thread=False)
            try:
                # Derived data: no fsync per record (sync() does it); rebuilt if damaged.
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=OFF")
                if db.execute("PRAGMA user_version").fetchone()[0] != _INDEX_VERSION:
                    db.execute("BEGIN IMMEDIATE")
                    if db.execute("PRAGMA user_version").fetchone()[0] != _INDEX_VERSION:
                        db.execute("DROP TABLE IF EXISTS records")
                        db.execute("DROP TABLE IF EXISTS record_persons")
                        for statement in _SCHEMA:
                            db.execute(statement)
                        db.execute(f"PRAGMA user_version = {_INDEX_VERSION}")
                    db.execute("COMMIT")
            except sqlite3.DatabaseError:
                db.close()
                if attempt:
                    raise
                self._remove_index()
                continue
            st = os.stat(self.index_path)
            self._db, self._db_id = db, (st.st_dev, st.st_ino)
            return db
        raise AssertionError("unreachable")

    def _remove_index(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.index_path}{suffix}").unlink(missing_ok=True)

    def _index_append(self, off: int, line: bytes, record: dict, when: datetime) -> None:
        """Queue one new record's index row; rows are written _BATCH at a time. Call under
        the log lock. Rows lost with the process are caught up from the log later."""
        row = (off, len(line), record["seq"], _micros(when), record["person"],
               record["subject"], record["organisation"], record["decision"], record["mac"])
        try:
            if self._indexed_to != off:  # another process appended, or first use
                self._flush_index(off)
            self._pending.append(row)
            self._pending_persons.extend((off, p) for p in _persons_of(record))
            self._indexed_to = off + len(line)
            if len(self._pending) >= _BATCH:
                self._flush_index()
        except (sqlite3.Error, OSError):
            # The record is written; the index is derived and the next search repairs it.
            self._pending.clear()
            self._pending_persons.clear()
            self._indexed_to = -1

    def _flush_index(self, end: int | None = None) -> sqlite3.Connection:
        """Write the queued rows, then index the log up to byte ``end``. Call under the log
        lock. Catching up starts after the index's last row, so the index must hold every
        record before its last row: rows are added only once the log is indexed up to them.
        """
        db = self._db or self._connect()
        pending, self._pending = self._pending, []
        pending_persons, self._pending_persons = self._pending_persons, []
        db.execute("BEGIN IMMEDIATE")
        try:
            if pending:
                self._catch_up(db, pending[0][0])
                db.executemany(_INSERT, pending)
                db.executemany(_INSERT_PERSON, pending_persons)
            if end is not None:
                self._catch_up(db, end)
            db.execute("COMMIT")
        except BaseException:
            self._indexed_to = -1
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise
        if end is not None:
            self._indexed_to = end
        return db

    def _catch_up(self, db: sqlite3.Connection, end: int) -> None:
        """Index the log's whole lines before byte ``end`` that the index lacks, reading only
        those; start over when the index's last row is not that record in the log."""
        start = 0
        last = db.execute(_LAST).fetchone()
        if last is not None:
            if self._is_record_at(*last):
                start = last[0] + last[1]
            else:  # the log was replaced or rewritten: the index describes another log
                db.execute("DELETE FROM records")
                db.execute("DELETE FROM record_persons")
        if start < end:
            persons: list[tuple[int, str]] = []
            rows = []
            for off, line in _lines(self._log_fd, start, end):
                row = _index_row(off, line)
                if row is not None:
                    rows.append(row)
                    if b'"persons"' in line:  # parse again only the few that name others
                        persons.extend((off, p) for p in _persons_of(json.loads(line)))
                if len(rows) >= 10_000:
                    db.executemany(_INSERT, rows)
                    rows.clear()
            db.executemany(_INSERT, rows)
            db.executemany(_INSERT_PERSON, persons)

    def _is_record_at(self, off: int, length: int, seq: int, mac: str) -> bool:
        line = os.pread(self._log_fd, length, off)
        try:
            record = json.loads(line)
            return (line.endswith(b"\n") and record.get("seq") == seq
                    and record.get("mac") == mac)
        except (ValueError, AttributeError):
            return False

    def _refresh_index(self) -> sqlite3.Connection:
        """The index, holding the whole log. Call with the thread lock held."""
        self._ensure_open()
        fcntl.flock(self._log_fd, fcntl.LOCK_EX)
        try:
            try:
                self._connect()  # notices an index file deleted or replaced meanwhile
                return self._flush_index(os.fstat(self._log_fd).st_size)
            except sqlite3.DatabaseError:  # corrupt: derived data, so start it anew
                self._close_index_and_remove()
                return self._flush_index(os.fstat(self._log_fd).st_size)
        finally:
            fcntl.flock(self._log_fd, fcntl.LOCK_UN)

    def _rebuild_index(self) -> None:
        fcntl.flock(self._log_fd, fcntl.LOCK_EX)
        try:
            self._close_index_and_remove()
        finally:
            fcntl.flock(self._log_fd, fcntl.LOCK_UN)

    def _close_index_and_remove(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db, self._indexed_to = None, -1
        self._remove_index()

    def search(self, *, person: str | None = None, since: datetime | None = None,
               until: datetime | None = None, subject: str | None = None,
               organisation: str | None = None, decision: str | None = None,
               limit: int = 1000) -> list[dict]:
        """Records matching every given filter (times inclusive; naive times are UTC),
        oldest first, at most ``limit``. Reads only the matching lines of the log.

        Raises AuditChainError when a matching record fails its MAC."""
        if limit < 1 or not self.path.exists():
            return []
        where, params = [], []
        if person is not None:
            where.append("(person = ? OR off IN (SELECT off FROM record_persons "
                         "WHERE person = ?))")
            params += [person, person]
        for column, value in (("subject", subject),
                              ("organisation", organisation), ("decision", decision)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("time >= ?")
            params.append(_micros(since))
        if until is not None:
            where.append("time <= ?")
            params.append(_micros(until))
        sql = ("SELECT off, len, seq, mac FROM records"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY off LIMIT ?")
        for attempt in range(2):
            with self._lock:
                db = self._refresh_index()
                rows = db.execute(sql, (*params, limit)).fetchall()
                fd = os.dup(self._log_fd)  # read without the lock: appends go on meanwhile
            try:
                return [self._read_indexed(fd, *row) for row in rows]
            except _StaleIndex:
                if attempt:
                    raise AuditChainError("the audit index does not match the log even after "
                                          "a rebuild; run `tyodata audit verify`") from None
                with self._lock:
                    self._rebuild_index()  # e.g. the log was replaced
            finally:
                os.close(fd)
        raise AssertionError("unreachable")

    def _read_indexed(self, fd: int, off: int, length: int, seq: int, mac: str) -> dict:
        line = os.pread(fd, length, off)
        try:
            record = json.loads(line)
            ok = line.endswith(b"\n") and record.get("seq") == seq and record.get("mac") == mac
        except (ValueError, AttributeError):
            ok = False
        if not ok:
            raise _StaleIndex
        body = {k: v for k, v in record.items() if k != "mac"}
        if not hmac.compare_digest(str(mac), self._mac(str(body.get("prev")), body)):
            raise AuditChainError(f"record {seq} (byte {off} of the log) was altered; run "
                                  "`tyodata audit verify`")
        return record


def _persons_of(record: dict) -> list[str]:
    persons = record.get("persons")
    if not isinstance(persons, list):
        return []
    return [p for p in persons if isinstance(p, str)]


def _index_row(off: int, line: bytes) -> tuple | None:
    if not line.endswith(b"\n"):
        return None
    try:
        record = json.loads(line)
        seq, mac = int(record["seq"]), str(record["mac"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None  # not a record: the index skips it, `verify` reports it
    try:
        when: int | None = _micros(datetime.fromisoformat(record["time"]))
    except (ValueError, KeyError, TypeError):
        when = None

    def text(name: str) -> str | None:
        value = record.get(name)
        return value if isinstance(value, str) else None

    return (off, len(line), seq, when, text("person"), text("subject"), text("organisation"),
            text("decision"), mac)


def _lines(fd: int, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(offset, line) of every line in bytes [start, end) of ``fd``; the last one lacks its
    newline when the bytes end mid-line."""
    pos = rest_at = start
    rest = b""
    while pos < end:
        chunk = os.pread(fd, min(_CHUNK, end - pos), pos)
        if not chunk:
            break
        pos += len(chunk)
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            yield rest_at, line + b"\n"
            rest_at += len(line) + 1
    if rest:
        yield rest_at, rest


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_if_exists(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""
