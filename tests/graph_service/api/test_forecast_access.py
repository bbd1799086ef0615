"""The forecast's routes attacked, over the generated store with no model trained yet:
without the client's consent (never given, withdrawn, for another purpose, for another
recipient) every forecast route is 403 saying how to record the consent; other roles and
purposes are 403; an identity code in the path is refused without being echoed or written
anywhere; an unknown person is 404; with a consent and no model, 503 names the command
that trains one. Every request leaves exactly one audit record, naming the person."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta

import pytest

from core.pseudonyms import PERSON_NS, Pseudonymizer
from graph_service.policy.consent import give_consent, withdraw_consent
from graph_service.policy.consent_record import Recipient
from graph_service.policy.decision import FORECAST_PURPOSE
from graph_service.policy.forecast_policy import FORECAST_SECTIONS
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
DROPOUT_ID = Pseudonymizer(KEY)(DROPOUT.hetu)
ROUTES = [("POST", "/forecast", None), ("POST", "/forecast/saved", {"model_version": "v1"}),
          ("GET", "/forecast/saved", None)]


def headers(api: Api, *, role: str = "case_worker", organisation: str = "city:helsinki",
            purpose: str | None = FORECAST_PURPOSE, person: str | None = None) -> dict:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    token = issue(key, subject=f"attacker-{role}", organisation=organisation, roles=[role],
                  person=person)
    return {"Authorization": f"Bearer {token}", **({"X-Purpose": purpose} if purpose else {})}


def records(api: Api) -> list[dict]:
    return list(api.client.app.state.services.audit.records())


def call(api: Api, method: str, person_id: str, path: str, body: dict | None, **who):
    before = len(records(api))
    response = api.client.request(method, f"/api/persons/{person_id}{path}", json=body,
                                  headers=headers(api, **who))
    added = records(api)[before:]
    assert len(added) == 1, [r["action"] for r in added]
    return response, added[0]


def consent(api: Api, person_id: str, **changes):
    args = dict(controller="city:helsinki", purposes=[FORECAST_PURPOSE],
                sections=list(FORECAST_SECTIONS), recipients=[Recipient("city", "case_worker")],
                expires_at=datetime.now(UTC) + timedelta(days=30), indicated_by="in-person",
                recorded_by="cw", recorded_org="city:helsinki")
    args.update(changes)
    return give_consent(api.client.app.state.services.store, PERSON_NS + person_id, **args)


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_without_consent_every_route_is_403_and_one_audit_record(api: Api, method, path, body):
    response, record = call(api, method, DROPOUT_ID, path, body)
    assert response.status_code == 403, response.text
    problem = response.json()
    assert problem["type"].endswith("/consent-required")
    assert "record the client's consent for the purpose work-ability-forecast" in \
        problem["detail"]
    assert record["decision"] == "deny" and record["person"] == PERSON_NS + DROPOUT_ID
    assert record["sections"][0].startswith("work-ability-forecast deny: needs the client's")
    assert "model_version" not in record


def test_a_withdrawn_consent_and_a_consent_for_another_purpose_are_refused(api: Api):
    store = api.client.app.state.services.store
    given = consent(api, MOTHER_ID)
    withdraw_consent(store, PERSON_NS + MOTHER_ID, given.id, by="cw",
                     organisation="city:helsinki")
    response, record = call(api, "POST", MOTHER_ID, "/forecast", None)
    assert response.status_code == 403 and "was withdrawn on" in response.json()["detail"]
    assert record["decision"] == "deny"
    # case work over the same sections is another purpose: no forecast on it
    consent(api, MOTHER_ID, purposes=["case-management"])
    response, _ = call(api, "POST", MOTHER_ID, "/forecast", None)
    assert response.status_code == 403
    assert response.json()["type"].endswith("/consent-required")
    # nor on a consent to Kela's case workers, for a city's case worker
    consent(api, MOTHER_ID, recipients=[Recipient("kela", "case_worker")])
    response, _ = call(api, "POST", MOTHER_ID, "/forecast", None)
    assert response.status_code == 403


@pytest.mark.parametrize(("role", "purpose"), [
    ("employer", "recruitment"), ("service", FORECAST_PURPOSE), ("steward", "data-quality"),
    ("admin", FORECAST_PURPOSE), ("case_worker", "case-management"), ("case_worker", None)])
def test_other_roles_and_purposes_are_refused_before_any_consent_is_read(api: Api, role,
                                                                         purpose):
    consent(api, DROPOUT_ID, recipients=[Recipient("city", "case_worker"),
                                         Recipient("kela", "case_worker")])
    for method, path, body in ROUTES:
        response, record = call(api, method, DROPOUT_ID, path, body, role=role,
                                purpose=purpose)
        assert response.status_code == 403, (role, path, response.text)
        assert response.json()["type"].endswith("/forbidden")
        assert record["decision"] == "deny" and record["roles"] == [role]


def test_a_citizen_is_refused_even_for_their_own_forecast(api: Api):
    response, record = call(api, "POST", MOTHER_ID, "/forecast", None, role="citizen",
                            purpose=FORECAST_PURPOSE, person=PERSON_NS + MOTHER_ID)
    assert response.status_code == 403 and record["decision"] == "deny"
    response, _ = call(api, "POST", MOTHER_ID, "/forecast", None, role="citizen",
                       purpose="own-data", person=PERSON_NS + DROPOUT_ID)
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_an_identity_code_in_the_path_is_refused_without_an_echo(api: Api, method, path, body):
    for code in (MOTHER.hetu, MOTHER.hetu.lower()):
        response, record = call(api, method, code, path, body)
        assert response.status_code == 422, response.text
        assert response.json()["type"].endswith("/invalid-person")
        assert not identity_codes(response.text) and code not in response.text
        assert record["decision"] == "deny" and record["person"] is None
        assert not identity_codes(str(record))
    assert not identity_codes(api.settings.audit_path.read_text())


def test_an_unknown_person_is_404(api: Api):
    response, record = call(api, "POST", "a" * 26, "/forecast", None)
    assert response.status_code == 404 and record["decision"] == "deny"
    assert response.json()["type"].endswith("/unknown-person")


def test_with_consent_and_no_model_503_names_the_command(api: Api):
    consent(api, DROPOUT_ID)
    for method, path, body in ROUTES[:2]:
        response, record = call(api, method, DROPOUT_ID, path, body)
        assert response.status_code == 503, response.text
        assert "tyodata forecast train" in response.json()["detail"]
        assert record["decision"] == "permit" and "no model is trained" in record["reason"]
        assert record["sections"][0].startswith("work-ability-forecast permit: consent ")
    response, record = call(api, "GET", DROPOUT_ID, "/forecast/saved", None)
    assert response.status_code == 200 and response.json() == []
    assert record["action"] == "read-saved-forecasts" and record["decision"] == "permit"


def test_an_unreadable_model_is_503_without_its_path(api: Api):
    consent(api, DROPOUT_ID)
    folder = api.settings.forecast_path / "2026-01-01T00-00-00Z"
    folder.mkdir(parents=True)
    (folder / "report.json").write_text("{not json", encoding="utf-8")
    try:
        response, record = call(api, "POST", DROPOUT_ID, "/forecast", None)
    finally:
        shutil.rmtree(api.settings.forecast_path)
    assert response.status_code == 503, response.text
    assert "tyodata forecast train" in response.json()["detail"]
    assert str(api.settings.home) not in response.text
    assert record["decision"] == "permit" and "could not be read" in record["reason"]
