"""'Who has looked at my data': a citizen reads exactly their own access records, never the
case worker's identity and never anybody else's, however they ask; other tokens are
refused; and the read itself is one audit record."""

from __future__ import annotations

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
WORKER = "worker-with-a-name"


def token(api: Api, *, role: str, person: str | None = None, organisation: str = "kela",
          subject: str = WORKER) -> str:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    return issue(key, subject=subject, organisation=organisation, roles=[role],
                 person=person)


def citizen(api: Api, pseudonym: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + token(api, role="citizen",
                                               person=PERSON_NS + pseudonym,
                                               subject="citizen", organisation="citizen")}


def access_log(api: Api, pseudonym: str, **params):
    return api.client.get("/api/me/access-log", headers=citizen(api, pseudonym),
                          params=params)


@pytest.fixture(scope="module")
def looked_at(api: Api) -> datetime:
    """A Kela case worker reads the mother's summary and situation; a city case worker
    reads the dropout's. Returns when that began."""
    started = datetime.now(UTC)
    kela = {"Authorization": "Bearer " + token(api, role="case_worker"),
            "X-Purpose": "benefit-decision"}
    city = {"Authorization": "Bearer " + token(api, role="case_worker",
                                               organisation="city:helsinki"),
            "X-Purpose": "job-matching"}
    assert api.client.get(f"/api/persons/{MOTHER_ID}", headers=kela).status_code == 200
    assert api.client.get(f"/api/persons/{MOTHER_ID}/situation",
                          headers=kela).status_code == 200
    assert api.client.get(f"/api/persons/{DROPOUT_ID}/situation",
                          headers=city).status_code == 200
    return started


def test_the_citizen_sees_who_looked_and_why(api: Api, looked_at: datetime):
    r = access_log(api, MOTHER_ID, since=looked_at.isoformat())
    assert r.status_code == 200, r.text
    entries = r.json()
    summary, situation, own = entries[-3:]
    assert (summary["organisation"], summary["roles"], summary["purpose"], summary["action"],
            summary["decision"]) == ("kela", ["case_worker"], "benefit-decision",
                                     "read-summary", "permit")
    assert situation["action"] == "read-situation"
    assert any(s.startswith("health permit") for s in situation["sections"])
    assert own["action"] == "read-own-access-log"  # this very read, already recorded
    for entry in entries:
        assert set(entry) == {"time", "organisation", "roles", "purpose", "action",
                              "sections", "decision"}
    assert WORKER not in r.text  # never the case worker's own identity


def test_nothing_of_anybody_else(api: Api, looked_at: datetime):
    theirs = access_log(api, DROPOUT_ID, since=looked_at.isoformat()).json()
    assert [e["organisation"] for e in theirs[:-1]] == ["city:helsinki"]
    mine = access_log(api, MOTHER_ID, since=looked_at.isoformat()).json()
    assert "city:helsinki" not in {e["organisation"] for e in mine}
    assert "job-matching" not in {e["purpose"] for e in mine}


@pytest.mark.parametrize("params", [
    {"person": DROPOUT_ID}, {"person": PERSON_NS + DROPOUT_ID}, {"subject": WORKER},
    {"organisation": "city:helsinki"}])
def test_asking_for_another_person_gets_nothing_of_theirs(api: Api, looked_at: datetime,
                                                         params: dict):
    r = access_log(api, MOTHER_ID, since=looked_at.isoformat(), **params)
    assert r.status_code == 200
    assert "city:helsinki" not in r.text and "job-matching" not in r.text


def test_the_path_names_no_person(api: Api):
    for path in (f"/api/me/access-log/{DROPOUT_ID}", f"/api/me/{DROPOUT_ID}/access-log"):
        assert api.client.get(path, headers=citizen(api, MOTHER_ID)).status_code == 404


@pytest.mark.parametrize("role", ["case_worker", "steward", "admin", "developer"])
def test_other_tokens_are_refused_and_audited(api: Api, role: str):
    before = sum(1 for _ in api.client.app.state.services.audit.records())
    r = api.client.get("/api/me/access-log", headers={
        "Authorization": "Bearer " + token(api, role=role), "X-Purpose": "own-data"})
    assert r.status_code == 403
    [record] = list(api.client.app.state.services.audit.records())[before:]
    assert (record["action"], record["decision"]) == ("read-own-access-log", "deny")


def test_another_purpose_is_refused(api: Api):
    r = api.client.get("/api/me/access-log", headers={**citizen(api, MOTHER_ID),
                                                      "X-Purpose": "statistics"})
    assert r.status_code == 403


def test_the_read_is_one_audit_record_naming_the_citizen(api: Api):
    services = api.client.app.state.services
    before = sum(1 for _ in services.audit.records())
    assert access_log(api, MOTHER_ID).status_code == 200
    [record] = list(services.audit.records())[before:]
    assert (record["action"], record["purpose"], record["person"], record["decision"]) == (
        "read-own-access-log", "own-data", PERSON_NS + MOTHER_ID, "permit")


def test_since_and_until_filter(api: Api, looked_at: datetime):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    only_now = access_log(api, MOTHER_ID, since=future).json()
    assert only_now == []  # not even this read: it is older than tomorrow
    before = access_log(api, MOTHER_ID, until=looked_at.isoformat()).json()
    assert all(e["time"] <= looked_at.isoformat().replace("Z", "+00:00") for e in before)
    assert access_log(api, MOTHER_ID, since="2024").status_code == 422


def test_no_identity_code_in_any_answer(api: Api, looked_at: datetime):
    assert not identity_codes(access_log(api, MOTHER_ID).text)
