"""Consents over HTTP: a case worker gives, lists and withdraws them, one audit record
each; a withdrawal, and an expiry, count from the very next situation request; bad input
gets a clear 422, unknown things 404, a second withdrawal 409; other roles are refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from core.pseudonyms import PERSON_NS, Pseudonymizer
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
DROPOUT_ID = Pseudonymizer(KEY)(DROPOUT.hetu)
PURPOSE = "case-management"


def headers(api: Api, *, organisation: str = "city:helsinki", role: str = "case_worker",
            purpose: str | None = PURPOSE, subject: str = "city-worker") -> dict[str, str]:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    token = issue(key, subject=subject, organisation=organisation, roles=[role],
                  person=PERSON_NS + MOTHER_ID if role == "citizen" else None)
    return {"Authorization": f"Bearer {token}", **({"X-Purpose": purpose} if purpose else {})}


def body(**changes) -> dict:
    consent = {"purposes": ["case-management"], "sections": ["health", "economy"],
               "recipients": ["city/case_worker"],
               "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
               "indicated_by": "in-person"}
    consent.update(changes)
    return consent


def give(api: Api, person: str = MOTHER_ID, **changes):
    return api.client.post(f"/api/persons/{person}/consents", json=body(**changes),
                           headers=headers(api))


def withdraw(api: Api, consent: str, person: str = MOTHER_ID):
    return api.client.post(f"/api/persons/{person}/consents/{consent}/withdraw",
                           headers=headers(api))


def audit(api: Api) -> list[dict]:
    return list(api.client.app.state.services.audit.records())


def shown(api: Api, section: str) -> dict:
    r = api.client.get(f"/api/persons/{MOTHER_ID}/situation/{section}", headers=headers(api))
    assert r.status_code == 200, r.text
    return r.json()


def test_give_list_and_withdraw_each_leave_one_audit_record(api: Api):
    before = audit(api)
    given = give(api)
    assert given.status_code == 201, given.text
    consent = given.json()
    assert consent["person"] == PERSON_NS + MOTHER_ID and consent["status"] == "given"
    assert consent["controller"] == "city:helsinki" and consent["recorded_by"] == "city-worker"
    assert consent["sections"] == ["economy", "health"]
    assert consent["recipients"] == ["city/case_worker"]
    listed = api.client.get(f"/api/persons/{MOTHER_ID}/consents", headers=headers(api))
    assert listed.status_code == 200 and listed.json()[0]["id"] == consent["id"]
    withdrawn = withdraw(api, consent["id"])
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    assert [e["status"] for e in withdrawn.json()["history"]] == ["given", "withdrawn"]
    records = audit(api)[len(before):]
    assert [(r["action"], r["decision"], r["person"]) for r in records] == [
        ("manage-consent", "permit", PERSON_NS + MOTHER_ID)] * 3


def test_a_withdrawal_counts_from_the_very_next_request(api: Api):
    assert not shown(api, "economy")["permitted"]
    consent = give(api).json()
    economy = shown(api, "economy")
    assert economy["permitted"] and economy["consent"] == consent["iri"]
    assert withdraw(api, consent["id"]).status_code == 200
    economy = shown(api, "economy")
    assert not economy["permitted"]
    assert economy["reason"].startswith("consent withdrawn on ")


def test_an_expiry_counts_from_the_very_next_request(api: Api):
    assert not shown(api, "family")["permitted"]
    soon = datetime.now(UTC) + timedelta(seconds=1)
    r = give(api, sections=["family"], expires_at=soon.isoformat())
    assert r.status_code == 201, r.text
    assert shown(api, "family")["permitted"]
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
    family = shown(api, "family")
    assert not family["permitted"] and family["reason"].startswith("consent expired on ")


def test_a_second_withdrawal_is_409_and_an_unknown_consent_404(api: Api):
    consent = give(api).json()
    assert withdraw(api, consent["id"]).status_code == 200
    again = withdraw(api, consent["id"])
    assert again.status_code == 409 and "withdrawn already" in again.json()["detail"]
    unknown = withdraw(api, "0b7f3c1e-1d2a-4c3b-9e8f-123456789abc")
    assert unknown.status_code == 404


def test_a_consent_cannot_be_withdrawn_through_another_person(api: Api):
    consent = give(api).json()
    r = withdraw(api, consent["id"], person=DROPOUT_ID)
    assert r.status_code == 404
    listed = api.client.get(f"/api/persons/{MOTHER_ID}/consents", headers=headers(api)).json()
    assert next(c for c in listed if c["id"] == consent["id"])["status"] == "given"
    assert withdraw(api, consent["id"]).status_code == 200


@pytest.mark.parametrize(("change", "words"), [
    ({"expires_at": "2001-01-01T00:00:00Z"}, "expires_at"),
    ({"sections": ["salary"]}, "sections"),
    ({"sections": []}, "sections"),
    ({"purposes": ["own-data"]}, "purposes"),
    ({"recipients": []}, "recipients"),
    ({"recipients": ["City of Helsinki/case_worker"]}, "recipients"),
    ({"recipients": ["city/citizen"]}, "recipients"),
    ({"recipients": [{"organisation": "city", "role": "case_worker"}]}, "recipients"),
    ({"indicated_by": "telepathy"}, "indicated_by"),
])
def test_bad_input_is_422_naming_the_field(api: Api, change: dict, words: str):
    r = give(api, **change)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert words in r.json()["detail"]


def test_a_person_no_registry_knows_gets_no_consent(api: Api):
    r = give(api, person="a" * 26)
    assert r.status_code == 404 and r.json()["type"].endswith("unknown-person")


@pytest.mark.parametrize(("role", "purpose"), [
    ("steward", "data-quality"), ("developer", "case-management"),
    ("citizen", "own-data"), ("case_worker", None), ("case_worker", "statistics")])
def test_other_roles_and_purposes_are_refused_and_audited(api: Api, role: str,
                                                          purpose: str | None):
    before = audit(api)
    r = api.client.get(f"/api/persons/{MOTHER_ID}/consents",
                       headers=headers(api, role=role, purpose=purpose, organisation="kela"))
    assert r.status_code == 403
    [record] = audit(api)[len(before):]
    assert (record["action"], record["decision"]) == ("manage-consent", "deny")


def test_no_identity_code_in_any_answer(api: Api):
    r = api.client.get(f"/api/persons/{MOTHER_ID}/consents", headers=headers(api))
    assert not identity_codes(r.text)
