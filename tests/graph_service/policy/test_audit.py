"""The audit log under attack: every test is a way to hide, forge or leak a record."""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import sqlite3
import stat
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from core.hetu import REDACTED
from core.pseudonyms import PERSON_NS
from graph_service.policy.audit import Anchor, AuditEntry, AuditLog
from graph_service.policy.audit_anchors import (
    ANCHOR_CLASS,
    anchor_log,
    latest_anchor,
    record_anchor,
)
from graph_service.policy.errors import AuditChainError, PolicyError
from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import META_GRAPH
from tests.leaks import assert_no_identity_code, identity_codes

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
PUBLIC_TASK = "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"
CODE = "131052-308T"  # valid; check character a letter
CODE_2000 = "290204A0587"  # valid, born 2000s


def person(letter: str) -> str:
    return PERSON_NS + letter * 26


def entry(**fields: object) -> AuditEntry:
    values: dict = dict(subject="anna", organisation="kela", roles=["steward"],
                        purpose="data-quality", person=None, action="sparql",
                        resource="/sparql", decision="permit", reason="ok")
    values.update(fields)
    return AuditEntry(**values)


def filled(path: Path, n: int, *, key: bytes = KEY, **fields: object) -> AuditLog:
    log = AuditLog(path, key)
    for i in range(n):
        log.append(entry(**{"reason": f"read {i}", **fields}), at=T0 + timedelta(minutes=i))
    return log


def lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def head_bytes(key: bytes, seq: int, size: int, mac: str) -> bytes:
    """A head in the documented format, HMACed with ``key`` (what a forger would write)."""
    tag = hmac.new(key, b"head\0%d\0%d\0%s" % (seq, size, mac.encode()), hashlib.sha256)
    modhex = tag.hexdigest().translate(str.maketrans("0123456789abcdef", "cbdefghijklnrtuv"))
    return b"tyodata-audit-head/1 %020d %020d %s %s\n" % (seq, size, mac.encode(),
                                                         modhex.encode())


def index_files(log_path: Path) -> list[Path]:
    index = log_path.with_suffix(".index.sqlite")
    return [index, Path(f"{index}-wal"), Path(f"{index}-shm")]


def index_rows(log_path: Path) -> int:
    with sqlite3.connect(log_path.with_suffix(".index.sqlite")) as db:
        return db.execute("SELECT count(*) FROM records").fetchone()[0]


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "audit" / "audit.jsonl"


# -- the chain and its head ----------------------------------------------------------------


def test_an_intact_log_verifies_and_counts_its_records(log_path: Path):
    log = AuditLog(log_path, KEY)
    assert log.verify() == 0
    for i in range(5):
        log.append(entry(reason=f"read {i}"))
    assert log.verify() == 5
    assert AuditLog(log_path, KEY).verify(log.anchor()) == 5
    assert [r["seq"] for r in log.records()] == [1, 2, 3, 4, 5]


def test_cutting_records_and_rewriting_the_head_without_the_key_fails(log_path: Path):
    log = filled(log_path, 5)
    log.close()
    third = json.loads(lines(log_path)[2])["mac"]
    log_path.write_bytes(b"".join(lines(log_path)[:3]))
    size = log_path.stat().st_size
    head = log_path.with_suffix(".head")
    genuine = head.read_bytes().split()
    forgeries = {
        "head copied from the last record": f"3 {third}\n".encode(),
        "old tag on the new state": b"%s %020d %020d %s %s\n" % (
            genuine[0], 3, size, third.encode(), genuine[4]),
        "tag made with another key": head_bytes(OTHER_KEY, 3, size, third),
    }
    for name, forged in forgeries.items():
        head.write_bytes(forged)
        with pytest.raises(AuditChainError, match="head"):
            AuditLog(log_path, KEY).verify()
        with pytest.raises(AuditChainError):  # and no writer chains onto it
            AuditLog(log_path, KEY).append(entry(reason=name))


def test_a_head_with_a_wrong_hmac_fails(log_path: Path):
    filled(log_path, 3).close()
    head = log_path.with_suffix(".head")
    raw = head.read_bytes()
    flipped = raw[:-2] + (b"c" if raw[-2:-1] != b"c" else b"b") + b"\n"
    head.write_bytes(flipped)
    with pytest.raises(AuditChainError, match="wrong HMAC"):
        AuditLog(log_path, KEY).verify()
    with pytest.raises(AuditChainError, match="wrong HMAC"):
        AuditLog(log_path, KEY).append(entry())


def test_a_missing_head_fails_when_the_log_has_records(log_path: Path):
    filled(log_path, 3).close()
    log_path.with_suffix(".head").unlink()
    with pytest.raises(AuditChainError, match="head file audit.head is missing"):
        AuditLog(log_path, KEY).verify()
    with pytest.raises(AuditChainError, match="head file is missing"):
        AuditLog(log_path, KEY).append(entry())  # never adopt a headless log: it may be cut


def test_an_old_head_put_back_over_a_longer_log_fails(log_path: Path):
    log = filled(log_path, 3)
    old = log_path.with_suffix(".head").read_bytes()
    log.append(entry())
    log.append(entry())
    log.close()
    log_path.with_suffix(".head").write_bytes(old)
    with pytest.raises(AuditChainError, match="goes on to record 5 but its head vouches for "
                                              "record 3"):
        AuditLog(log_path, KEY).verify()


def test_bytes_after_the_last_record_fail(log_path: Path):
    filled(log_path, 3).close()
    with log_path.open("ab") as f:
        f.write(b'{"seq": 4}\n')
    with pytest.raises(AuditChainError, match="line 4 is not a valid record"):
        AuditLog(log_path, KEY).verify()
    with pytest.raises(AuditChainError, match="no record of this log"):
        AuditLog(log_path, KEY).append(entry())


def _alter(rows: list[bytes]) -> list[bytes]:
    record = json.loads(rows[1])
    record["subject"] = "someone-else"
    return [rows[0], (json.dumps(record, ensure_ascii=False) + "\n").encode(), *rows[2:]]


def _remac(rows: list[bytes]) -> list[bytes]:
    # Altered and given a fresh MAC, with a key that is not the log's.
    record = json.loads(rows[1])
    record.pop("mac")
    record["subject"] = "someone-else"
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    record["mac"] = hmac.new(OTHER_KEY, (record["prev"] + canonical).encode(),
                             hashlib.sha256).hexdigest()
    return [rows[0], (json.dumps(record) + "\n").encode(), *rows[2:]]


@pytest.mark.parametrize(("mutate", "message"), [
    (_alter, r"record 2 \(line 2\) was altered"),
    (_remac, r"record 2 \(line 2\) was altered"),
    (lambda rows: [rows[0], *rows[2:]], r"line 2 has seq 3, expected 2: a record was removed"),
    (lambda rows: [rows[0], rows[2], rows[1], *rows[3:]], r"line 2 has seq 3, expected 2"),
    (lambda rows: [rows[0], rows[1], rows[1], *rows[2:]], r"line 3 has seq 2, expected 3"),
    (lambda rows: [rows[0], b"{}\n", *rows[2:]], r"record at line 2 is not a valid record"),
    (lambda rows: [*rows[:-1], rows[-1][:-9]], r"record at line 5 is not a valid record"),
], ids=["altered", "altered-and-remaced", "removed", "reordered", "duplicated", "emptied",
        "torn"])
def test_altered_removed_or_reordered_records_fail_naming_the_record(log_path: Path, mutate,
                                                                     message: str):
    filled(log_path, 5).close()
    log_path.write_bytes(b"".join(mutate(lines(log_path))))
    with pytest.raises(AuditChainError, match=message):
        AuditLog(log_path, KEY).verify()


def test_a_record_whose_head_was_not_written_is_taken_in_by_the_next_append(log_path: Path):
    log = filled(log_path, 3)
    before = log_path.with_suffix(".head").read_bytes()
    log.append(entry(reason="the writer died before its head"))
    log.close()
    log_path.with_suffix(".head").write_bytes(before)
    with pytest.raises(AuditChainError, match="goes on to record 4"):
        AuditLog(log_path, KEY).verify()
    survivor = AuditLog(log_path, KEY)
    assert survivor.append(entry())["seq"] == 5
    assert survivor.verify() == 5


# -- anchors ---------------------------------------------------------------------------------


def test_a_cut_log_with_its_old_head_put_back_fails_against_a_newer_anchor(log_path: Path):
    log = filled(log_path, 3)
    old_head, old_size = log_path.with_suffix(".head").read_bytes(), log_path.stat().st_size
    for _ in range(4):
        log.append(entry())
    anchor = log.anchor()
    log.close()
    with log_path.open("r+b") as f:
        f.truncate(old_size)
    log_path.with_suffix(".head").write_bytes(old_head)
    reader = AuditLog(log_path, KEY)
    assert reader.verify() == 3  # an authentic old head: the folder alone cannot tell
    with pytest.raises(AuditChainError, match=r"the log ends at record 3 but the anchor of "
                                              r"\S+ vouches for record 7: records were cut "
                                              r"off or the log was replaced"):
        reader.verify(anchor)


def test_deleting_log_and_head_fails_against_the_stores_anchor(log_path: Path):
    store = OxigraphStore()
    service = filled(log_path, 5)
    anchor_log(store, service)
    for path in (log_path, log_path.with_suffix(".head"), *index_files(log_path)):
        path.unlink(missing_ok=True)
    assert AuditLog(log_path, KEY).verify() == 0  # nothing left in the folder can tell
    with pytest.raises(AuditChainError, match="ends at record 0 but the anchor of .* vouches "
                                              "for record 5"):
        AuditLog(log_path, KEY).verify(latest_anchor(store))
    # The running service starts a new log in their place: it has a record 5, not that one.
    for _ in range(6):
        service.append(entry())
    assert service.verify() == 6
    with pytest.raises(AuditChainError, match="record 5 is not the record the anchor"):
        service.verify(latest_anchor(store))


def test_a_forged_anchor_is_an_error(log_path: Path, tmp_path: Path):
    log = filled(log_path, 4)
    anchor = log.anchor()
    assert log.verify(anchor) == 4
    other = filled(tmp_path / "other" / "audit.jsonl", 4, key=OTHER_KEY)
    forgeries = [
        replace(anchor, seq=9),
        replace(anchor, mac=json.loads(lines(log_path)[0])["mac"]),
        replace(anchor, time=anchor.time + timedelta(seconds=1)),
        replace(anchor, signature="c" * 64),
        other.anchor(),  # a genuine anchor, of another log with another key
        replace(other.anchor(), mac=anchor.mac),
    ]
    for forged in forgeries:
        with pytest.raises(AuditChainError, match="wrong signature"):
            log.verify(forged)


def test_anchors_are_kept_in_and_read_from_the_meta_graph(log_path: Path):
    store = OxigraphStore()
    assert latest_anchor(store) is None
    log = filled(log_path, 3)
    first = anchor_log(store, log)
    log.append(entry())
    second = log.anchor()
    iri = record_anchor(store, second)
    assert (first.seq, second.seq) == (3, 4)
    assert latest_anchor(store) == second  # the signed instant survives the store's rewriting
    table = store.select(f"SELECT ?a WHERE {{ GRAPH <{META_GRAPH}> {{ ?a a <{ANCHOR_CLASS}> }} }}",
                         dataset=Dataset(named=(META_GRAPH,)))
    assert {str(a) for (a,) in table.rows} >= {iri}
    assert len(table.rows) == 2
    assert log.verify(latest_anchor(store)) == 4
    with pytest.raises(PolicyError):  # nothing but digests reaches the update
        record_anchor(store, Anchor(1, '" } } DROP ALL ; #', T0, "c" * 64))


# -- what a record holds -----------------------------------------------------------------


def test_a_denial_holding_identity_codes_is_recorded_with_them_redacted(log_path: Path):
    denial = AuditEntry(
        subject=f"user{CODE}", organisation=f"kela {CODE_2000}",
        roles=["case_worker", f"x{CODE.lower()}"], purpose=f"case-management {CODE}",
        person=CODE, action="lookup", resource=f"/api/persons/{CODE}x",
        decision="deny", reason=f"code x{CODE.lower()}z is not in the register (äiti)",
        statement=f'SELECT ?p WHERE {{ ?p tyo:identityCode "{CODE}", "a{CODE_2000}b" }}',
        legal_basis=f"https://w3id.org/dpv/legal/eu/gdpr#A6-1-e/{CODE}",
    )
    assert len(identity_codes(repr(denial))) >= 10  # the entry is full of codes
    log = AuditLog(log_path, KEY)
    record = log.append(denial)
    assert record["decision"] == "deny" and record["person"] is None
    assert record["subject"] == f"user{REDACTED}"
    assert record["reason"].startswith(f"code x{REDACTED}z is not in the register (äiti)")
    assert "person field" in record["reason"] and record["reason"].endswith(REDACTED)
    assert record["statement"].startswith("SELECT ?p WHERE") and REDACTED in record["statement"]
    assert log.search(decision="deny") == [record]
    assert log.search(subject=f"user{REDACTED}") == [record]
    log.sync()
    index = b"".join(p.read_bytes() for p in index_files(log_path) if p.exists())
    assert f"user{REDACTED}".encode() in index  # the index holds the fields, redacted
    for path in log_path.parent.iterdir():
        assert_no_identity_code(path.read_bytes().decode("latin-1"), f"in {path.name}")
    assert log.verify() == 1


def test_the_person_field_holds_only_a_pseudonymous_iri(log_path: Path):
    log = AuditLog(log_path, KEY)
    assert log.append(entry(person=person("a")))["person"] == person("a")
    assert log.append(entry(person=None))["person"] is None
    for wrong in (PERSON_NS + "A" * 26, PERSON_NS + "a" * 25, "someone", person("a") + "/x"):
        record = log.append(entry(person=wrong, reason="looked up"))
        assert record["person"] is None
        assert record["reason"] == f"looked up; person field was not a pseudonymous person " \
                                   f"IRI: {wrong}"  # moved, not dropped


def test_whole_statements_and_the_legal_basis_are_kept(log_path: Path):
    statement = "SELECT ?s WHERE {\n" + "".join(
        f'  ?s <https://tyodata.fi/ontology#p{i}> "value {i}" .\n' for i in range(400)) + "}"
    assert len(statement) > 20_000
    log = AuditLog(log_path, KEY)
    record = log.append(entry(subject="bea", statement=statement, legal_basis=PUBLIC_TASK))
    assert record["statement"] == statement and record["legal_basis"] == PUBLIC_TASK
    [found] = AuditLog(log_path, KEY).search(subject="bea")
    assert found["statement"] == statement and found["legal_basis"] == PUBLIC_TASK
    assert log.verify() == 1


# -- the index ---------------------------------------------------------------------------------


def test_search_by_person_time_subject_and_decision(log_path: Path):
    log = AuditLog(log_path, KEY)
    persons = [person(c) for c in "abc"]
    for i in range(60):
        log.append(entry(subject=f"user{i % 4}", person=persons[i % 3] if i % 5 else None,
                         decision="deny" if i % 7 == 0 else "permit"),
                   at=T0 + timedelta(minutes=i))
    everything = list(log.records())

    def expect(keep, limit: int = 1000) -> list[dict]:
        return [r for r in everything if keep(r)][:limit]

    assert log.search(person=persons[0]) == expect(lambda r: r["person"] == persons[0])
    assert log.search(subject="user1") == expect(lambda r: r["subject"] == "user1")
    assert log.search(decision="deny") == expect(lambda r: r["decision"] == "deny")
    assert log.search(person=persons[1], subject="user2", decision="permit") == expect(
        lambda r: (r["person"], r["subject"], r["decision"]) == (persons[1], "user2", "permit"))
    since, until = T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)
    assert [r["seq"] for r in log.search(since=since, until=until)] == list(range(11, 22))
    helsinki = timezone(timedelta(hours=2))
    assert log.search(since=since.astimezone(helsinki), until=until.replace(tzinfo=None)
                      ) == log.search(since=since, until=until)  # naive times are UTC
    assert log.search(person=persons[2], since=since) == expect(
        lambda r: r["person"] == persons[2] and r["seq"] > 10)
    assert log.search(limit=7) == everything[:7]
    assert log.search(person=person("z")) == []


def test_the_index_is_rebuilt_when_deleted_or_corrupt(log_path: Path):
    log = filled(log_path, 30, person=person("a"))
    expected = log.search(person=person("a"))
    assert len(expected) == 30
    for path in index_files(log_path):  # under a running instance
        path.unlink(missing_ok=True)
    assert log.search(person=person("a")) == expected
    log.close()
    for path in index_files(log_path):
        path.unlink(missing_ok=True)
    assert AuditLog(log_path, KEY).search(person=person("a")) == expected
    assert index_rows(log_path) == 30
    for path in index_files(log_path):
        path.unlink(missing_ok=True)
    index_files(log_path)[0].write_bytes(b"this is not a database" * 300)
    assert AuditLog(log_path, KEY).search(person=person("a")) == expected


def test_search_catches_up_with_another_writer_reading_only_what_is_new(log_path: Path):
    first = filled(log_path, 20, person=person("a"))
    assert len(first.search(person=person("a"))) == 20
    second = AuditLog(log_path, KEY)  # as another process would
    for _ in range(5):
        second.append(entry(person=person("b")))
    second.close()
    assert len(first.search(person=person("b"))) == 5
    # As if the second writer had died before indexing: its records are only in the log.
    with sqlite3.connect(log_path.with_suffix(".index.sqlite")) as db:
        db.execute("DELETE FROM records WHERE person = ?", (person("b"),))
    assert index_rows(log_path) == 20
    # Spoil records 1-19, already indexed: a catch-up that read them again would drop them.
    rows = lines(log_path)
    log_path.write_bytes(b"".join(b"#" * (len(r) - 1) + b"\n" for r in rows[:19])
                         + b"".join(rows[19:]))
    found = first.search(person=person("b"))
    assert [r["seq"] for r in found] == [21, 22, 23, 24, 25]
    assert index_rows(log_path) == 25


def test_a_search_does_not_read_the_records_of_other_persons(log_path: Path):
    log = AuditLog(log_path, KEY)
    a, b, c = person("a"), person("b"), person("c")
    for i in range(30):  # the last record is a's
        log.append(entry(person=[b, c, a][i % 3], reason=f"read {i}"))
    wanted = log.search(person=a)
    assert len(wanted) == 10
    spoiled = b"".join(row if a.encode() in row else b"#" * (len(row) - 1) + b"\n"
                       for row in lines(log_path))
    log_path.write_bytes(spoiled)  # every record of b and c is now garbage
    assert AuditLog(log_path, KEY).search(person=a) == wanted
    assert log.search(person=a) == wanted
    assert index_rows(log_path) == 30  # not rebuilt: the garbage was never read
    with pytest.raises(AuditChainError, match="record at line 1 is not a valid record"):
        log.verify()


def test_search_refuses_an_altered_record(log_path: Path):
    filled(log_path, 5, person=person("a")).close()
    rows = lines(log_path)
    for altered in (rows[2].replace(b"read 2", b"read 9"),  # same length
                    rows[2].replace(b"read 2", b"read 2, and more")):
        log_path.write_bytes(b"".join([*rows[:2], altered, *rows[3:]]))
        with pytest.raises(AuditChainError, match="record 3"):
            AuditLog(log_path, KEY).search(person=person("a"))


# -- processes, keys, files ------------------------------------------------------------------


def _append_many(path: str, who: str, n: int, barrier) -> None:
    log = AuditLog(Path(path), KEY)
    barrier.wait()
    for i in range(n):
        log.append(entry(subject=who, person=person("a" if who == "p0" else "b"),
                         reason=f"{who} {i}"))
    log.close()


def test_two_processes_appending_at_once_make_one_chain(log_path: Path):
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    workers = [context.Process(target=_append_many, args=(str(log_path), f"p{i}", 500, barrier))
               for i in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert [w.exitcode for w in workers] == [0, 0]
    log = AuditLog(log_path, KEY)
    assert log.verify() == 1000
    records = list(log.records())
    assert [r["seq"] for r in records] == list(range(1, 1001))
    for who in ("p0", "p1"):
        mine = [r["reason"] for r in records if r["subject"] == who]
        assert mine == [f"{who} {i}" for i in range(500)]
        assert len(log.search(subject=who, limit=10_000)) == 500
    assert index_rows(log_path) == 1000


def test_threads_sharing_one_log_and_searching_meanwhile_make_one_chain(log_path: Path):
    log = AuditLog(log_path, KEY)

    def work(who: str) -> None:
        for i in range(100):
            log.append(entry(subject=who, reason=f"{who} {i}"))
            if i % 10 == 0:
                assert all(r["subject"] == who for r in log.search(subject=who))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(work, ["t0", "t1", "t2", "t3"]))
    assert log.verify() == 400
    assert len(AuditLog(log_path, KEY).search(subject="t3")) == 100


def test_the_key_must_be_kept_outside_the_logs_folder(tmp_path: Path):
    path = tmp_path / "audit" / "audit.jsonl"
    for inside in (tmp_path / "audit" / "audit.key", tmp_path / "audit" / "keys" / "k"):
        with pytest.raises(PolicyError, match="lies in the audit log's folder"):
            AuditLog(path, KEY, key_path=inside)
    AuditLog(path, KEY, key_path=tmp_path / "keys" / "audit.key").append(entry())
    with pytest.raises(PolicyError, match="too short"):
        AuditLog(path, b"short")


def test_the_folder_and_every_file_are_owner_only(log_path: Path):
    log = AuditLog(log_path, KEY)
    log.append(entry())
    log.search()
    log.sync()
    assert stat.S_IMODE(log_path.parent.stat().st_mode) == 0o700
    names = {p.name: stat.S_IMODE(p.stat().st_mode) for p in log_path.parent.iterdir()}
    assert {"audit.jsonl", "audit.head", "audit.index.sqlite"} <= set(names)
    assert set(names.values()) == {0o600}, names
