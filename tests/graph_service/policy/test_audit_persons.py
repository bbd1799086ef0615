"""An access that reads several persons' data (a candidate list) leaves one record that
each of those persons' access log finds, also after the index is rebuilt from the log."""

from __future__ import annotations

from pathlib import Path

from graph_service.policy.audit import AuditEntry, AuditLog

A = "https://tyodata.fi/id/person/" + "a" * 26
B = "https://tyodata.fi/id/person/" + "b" * 26
C = "https://tyodata.fi/id/person/" + "c" * 26


def entry(**kw) -> AuditEntry:
    base = dict(subject="emp", organisation="employer:x", roles=["employer"],
                purpose="recruitment", person=None, action="list-candidates",
                resource="/api/jobs/{id}/candidates", decision="permit")
    return AuditEntry(**{**base, **kw})


def test_each_listed_person_finds_the_one_record(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl", b"k" * 32)
    log.append(entry(persons=[A, B]))
    log.append(entry(person=C, action="recommend-jobs"))
    assert [r["action"] for r in log.search(person=A)] == ["list-candidates"]
    assert [r["persons"] for r in log.search(person=B)] == [[A, B]]
    assert [r["action"] for r in log.search(person=C)] == ["recommend-jobs"]
    # A fresh process reading the same log (index rebuilt from the log) finds the same.
    log.index_path.unlink()
    again = AuditLog(tmp_path / "audit" / "audit.jsonl", b"k" * 32)
    assert [r["action"] for r in again.search(person=B)] == ["list-candidates"]
    assert again.search(person="https://tyodata.fi/id/person/" + "d" * 26) == []


def test_persons_that_are_not_pseudonyms_never_reach_the_disk(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit" / "audit.jsonl", b"k" * 32)
    log.append(entry(persons=[A, "131052-308T"]))
    text = (tmp_path / "audit" / "audit.jsonl").read_text()
    assert "131052-308T" not in text
    assert log.search(person=A)[0]["persons"] == [A]
