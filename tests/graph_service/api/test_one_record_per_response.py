"""Every response that carries (or acts on) a person's data leaves exactly one audit record,
naming the person; a situation read names every section it decided; no identity code is in
any of those responses or records. One walk over every personal-data endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.pseudonyms import PERSON_NS, Pseudonymizer
from graph_service.policy.sections import Section
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

PERSON = Pseudonymizer(KEY)(MOTHER.hetu)
IRI = PERSON_NS + PERSON
CONSENT = {"purposes": ["case-management"], "sections": ["economy"],
           "recipients": ["kela/case_worker"], "indicated_by": "in-person",
           "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
HOUSING = {"form": "housing", "housing_type": "VUOKRA"}


def _headers(api: Api, role: str) -> dict[str, str]:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    token = issue(key, subject=f"walk-{role}", organisation="kela", roles=[role],
                  person=IRI if role == "citizen" else None)
    purpose = "own-data" if role == "citizen" else "case-management"
    return {"Authorization": f"Bearer {token}", "X-Purpose": purpose}


def _records(api: Api) -> list[dict]:
    return list(api.client.app.state.services.audit.records())


def _once(api: Api, method: str, url: str, role: str = "case_worker", *,
          decision: str = "permit", **kwargs):
    before = len(_records(api))
    response = api.client.request(method, url, headers=_headers(api, role), **kwargs)
    added = _records(api)[before:]
    assert response.status_code < 300, (url, response.status_code, response.text[:300])
    assert len(added) == 1, (url, [r["action"] for r in added])
    assert added[0]["person"] == IRI and added[0]["decision"] == decision
    assert not identity_codes(response.text) and not identity_codes(str(added[0]))
    return response, added[0]


def test_every_personal_data_endpoint_leaves_exactly_one_record(api: Api):
    _, lookup = _once(api, "POST", "/api/persons/lookup", json={"identity_code": MOTHER.hetu})
    assert lookup["action"] == "lookup"
    _once(api, "GET", f"/api/persons/{PERSON}")

    _, whole = _once(api, "GET", f"/api/persons/{PERSON}/situation")
    assert [line.split()[0] for line in whole["sections"]] == [s.value for s in Section]
    _, one = _once(api, "GET", f"/api/persons/{PERSON}/situation/health")
    assert [line.split()[0] for line in one["sections"]] == ["health"]

    given, _ = _once(api, "POST", f"/api/persons/{PERSON}/consents", json=CONSENT)
    _once(api, "GET", f"/api/persons/{PERSON}/consents")
    _, with_consent = _once(api, "GET", f"/api/persons/{PERSON}/situation/economy")
    assert with_consent["sections"][0].startswith("economy permit: consent ")
    consent_id = given.json()["id"]
    _once(api, "POST", f"/api/persons/{PERSON}/consents/{consent_id}/withdraw")
    # Withdrawn: the very next read is refused (still one record, and a 200 that lists
    # the section as withheld with its reason).
    withheld, withdrawn = _once(api, "GET", f"/api/persons/{PERSON}/situation/economy",
                                decision="deny")
    assert withdrawn["sections"][0].startswith("economy deny: consent withdrawn")
    assert withheld.json()["permitted"] is False and withheld.json()["facts"] == []
    assert withheld.json()["withheld"] == "consent_withdrawn"
    assert withheld.json()["withheld_on"] == datetime.now(UTC).date().isoformat()

    reported, _ = _once(api, "POST", f"/api/persons/{PERSON}/reported", json=HOUSING)
    _once(api, "PUT", f"/api/persons/{PERSON}/reported/{reported.json()['id'].rsplit('/', 1)[-1]}",
          json={**HOUSING, "housing_type": "OMISTUS"})
    _once(api, "GET", f"/api/persons/{PERSON}/reported")

    log, record = _once(api, "GET", "/api/me/access-log", role="citizen")
    assert record["action"] == "read-own-access-log"
    assert any(entry["action"] == "read-situation" for entry in log.json())


@pytest.mark.parametrize("role", ["employer", "developer", "steward"])
def test_a_refused_situation_read_is_one_deny_record_and_no_data(api: Api, role: str):
    before = len(_records(api))
    response = api.client.get(f"/api/persons/{PERSON}/situation", headers=_headers(api, role))
    added = _records(api)[before:]
    assert response.status_code == 403 and "facts" not in response.text
    assert [(r["person"], r["decision"]) for r in added] == [(IRI, "deny")]
