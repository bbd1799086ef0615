"""Authentication, the role matrix, person lookup and summary, and the audit trail."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic import PERSONAS
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

MOTHER = PERSONAS[0].hetu


def lookup(api: Api, role: str | None, purpose: str | None = "case-management",
           code: str = MOTHER):
    return api.request("POST", "/api/persons/lookup", role=role, purpose=purpose,
                       json={"identity_code": code})


def test_healthz_needs_no_token(api: Api):
    r = api.request("GET", "/healthz")
    assert r.status_code == 200 and r.json()["current_graphs"] >= 11


def test_missing_bad_and_expired_tokens_are_401(api: Api):
    assert api.request("GET", "/graphs").status_code == 401
    bad = api.client.get("/graphs", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401 and bad.headers["content-type"] == "application/problem+json"
    key = load_or_create_signing_key(api.settings.signing_key_path)
    old = issue(key, subject="x", organisation="kela", roles=["steward"], ttl_seconds=1,
                now=time.time() - 3600)
    expired = api.client.get("/graphs", headers={"Authorization": f"Bearer {old}"})
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    forged = issue(b"x" * 32, subject="x", organisation="kela", roles=["admin"])
    assert api.client.get("/graphs", headers={"Authorization": f"Bearer {forged}"}
                          ).status_code == 401


ROLE_MATRIX = [
    # role, purpose, lookup status, summary status
    ("case_worker", "case-management", 200, 200),
    ("case_worker", None, 403, 403),
    ("case_worker", "statistics", 403, 403),
    # A steward who could turn identity codes into pseudonyms could read that person's
    # registry data over SPARQL: re-identification. Lookups are case work only.
    ("steward", "data-quality", 403, 200),
    ("steward", "statistics", 403, 403),
    ("steward", "case-management", 403, 403),
    ("developer", "case-management", 403, 403),
    ("employer", "job-matching", 403, 403),
    ("service", "case-management", 403, 403),
    ("admin", "data-quality", 403, 403),
]


@pytest.mark.parametrize(("role", "purpose", "lookup_status", "summary_status"), ROLE_MATRIX)
def test_role_matrix_for_personal_data(api: Api, role: str, purpose: str | None,
                                       lookup_status: int, summary_status: int):
    r = lookup(api, role, purpose)
    assert r.status_code == lookup_status, r.text
    if lookup_status == 403:
        assert r.json()["detail"]  # says what is missing
    person = lookup(api, "case_worker").json()["id"]
    summary = api.request("GET", f"/api/persons/{person}", role=role, purpose=purpose)
    assert summary.status_code == summary_status, summary.text


def test_lookup_and_summary(api: Api):
    r = lookup(api, "case_worker")
    assert r.status_code == 200
    body = r.json()
    assert re.fullmatch(r"[a-z2-7]{26}", body["id"])
    summary = api.request("GET", f"/api/persons/{body['id']}", role="case_worker",
                          purpose="case-management").json()
    sources = {s["source"] for s in summary["sources"]}
    assert {"vtj", "migri", "kela", "tyollisyyspalvelut"} <= sources
    assert all(s["legal_basis"] and s["facts"] for s in summary["sources"])
    bad = lookup(api, "case_worker", code=MOTHER[:-1] + ("A" if MOTHER[-1] != "A" else "B"))
    assert bad.status_code == 400 and "check character" in bad.json()["detail"]
    unknown = lookup(api, "case_worker", code="010101-123N")
    assert unknown.status_code == 404
    assert api.request("GET", "/api/persons/not-an-id", role="case_worker",
                       purpose="case-management").status_code == 422
    assert api.request("GET", f"/api/persons/{'a' * 26}", role="case_worker",
                       purpose="case-management").status_code == 404


def test_every_personal_data_access_is_audited(api: Api):
    before = sum(1 for _ in api.request("GET", "/api/audit", role="steward").json())
    lookup(api, "case_worker")           # permit
    lookup(api, "developer")             # deny
    records = api.request("GET", "/api/audit", role="steward", params={"limit": 10000}).json()
    new = records[before:]
    decisions = [(r["subject"], r["action"], r["decision"]) for r in new]
    assert ("test-case_worker", "lookup", "permit") in decisions
    assert ("test-developer", "lookup", "deny") in decisions
    assert all(r["time"] and r["organisation"] == "kela" for r in new)
    person = next(r["person"] for r in new if r["decision"] == "permit" and r["person"])
    filtered = api.request("GET", "/api/audit", role="steward",
                           params={"person": person}).json()
    assert filtered and all(r["person"] == person for r in filtered)
    assert api.request("GET", "/api/audit", role="case_worker").status_code == 403


def test_audit_verify_detects_tampering(api: Api, tmp_path):
    lookup(api, "case_worker")
    env = {"TYODATA_HOME": str(api.settings.home)}
    log = api.settings.audit_path

    def verify(path) -> subprocess.CompletedProcess:
        import os
        return subprocess.run([sys.executable, "-m", "tyodata", "audit", "verify", "--log",
                               str(path)], env={**os.environ, **env}, capture_output=True,
                              text=True)

    ok = verify(log)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    lines = log.read_text().splitlines()
    assert len(lines) >= 3
    head = log.with_suffix(".head")
    for name, mutated in (
        ("altered", [lines[0].replace('"subject": "', '"subject": "someone-else-', 1),
                     *lines[1:]]),
        ("removed", lines[:1] + lines[2:]),
        ("reordered", [lines[1], lines[0], *lines[2:]]),
        ("cut", lines[:-1]),
    ):
        copy = tmp_path / f"{name}.jsonl"
        copy.write_text("\n".join(mutated) + "\n")
        copy.with_suffix(".head").write_text(head.read_text())
        result = verify(copy)
        assert result.returncode == 1, name
        assert "record" in result.stderr + result.stdout, name


def test_no_identity_code_in_any_response_or_audit_record(api: Api, caplog):
    lookup(api, "case_worker")
    lookup(api, "case_worker", code=MOTHER[:-1] + "?")
    for body in api.bodies:
        assert not identity_codes(body), body[:200]
    assert not identity_codes(api.settings.audit_path.read_text())
    assert not any(identity_codes(r.getMessage()) for r in caplog.records)
