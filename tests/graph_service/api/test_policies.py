"""The policy over HTTP: anyone reads it (Turtle or the JSON matrix), only a steward
replaces it; a refused upload lists each violation with its focus node and path and
changes nothing; an accepted one changes the very next situation decision; every PUT is
one audit record holding the whole upload."""

from __future__ import annotations

import pytest
from rdflib import Graph

from core.pseudonyms import Pseudonymizer
from graph_service.policy.odrl import DEFAULT_POLICY
from graph_service.policy.policy_graph import POLICY_GRAPH
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api
from tests.leaks import identity_codes

DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")
MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
# The steward's change: the city may read the basic section on the client's consent only.
BASIC_BY_CONSENT = DEFAULT.replace(
    "dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2023/381> ;\n"
    '    tyo:permittedField "cefr_level", "home_municipality"',
    "tyo:requiresConsent true ;\n    dpv:hasLegalBasis gdpr:A6-1-a ;\n"
    '    tyo:permittedField "cefr_level", "home_municipality"', 1)
assert BASIC_BY_CONSENT != DEFAULT


def audit(api: Api) -> list[dict]:
    return list(api.client.app.state.services.audit.records())


def city(api: Api) -> dict[str, str]:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    token = issue(key, subject="city-worker", organisation="city:helsinki",
                  roles=["case_worker"])
    return {"Authorization": f"Bearer {token}", "X-Purpose": "case-management"}


def put(api: Api, text: str, role: str = "steward", **headers: str):
    return api.request("PUT", "/api/policies", role=role, content=text.encode(),
                       headers={"Content-Type": "text/turtle", **headers})


def city_sees_basic(api: Api) -> bool:
    r = api.client.get(f"/api/persons/{MOTHER_ID}/situation/basic", headers=city(api))
    assert r.status_code == 200, r.text
    return r.json()["permitted"]


@pytest.fixture(autouse=True)
def _default_policy_again(api: Api):
    yield
    assert put(api, DEFAULT).status_code == 200


@pytest.mark.parametrize("role", ["developer", "employer", "citizen", "case_worker"])
def test_anyone_reads_the_policy_as_turtle(api: Api, role: str):
    r = api.request("GET", "/api/policies", role=role)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    read = Graph().parse(data=r.text, format="turtle")
    assert len(read) == len(Graph().parse(data=DEFAULT, format="turtle"))


def test_the_matrix_as_json(api: Api):
    r = api.request("GET", "/api/policies", role="developer",
                    headers={"Accept": "application/json"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    assert body["graph"] == POLICY_GRAPH and body["version"]["version"] >= 1
    assert [p["key"] for p in body["parties"]] == ["kela/case_worker", "city/case_worker"]
    rows = {row["section"]: row["cells"] for row in body["rows"]}
    [health_city] = rows["health"]["city/case_worker"]
    assert health_city["requires_consent"] and health_city["purposes"] == ["case-management"]
    assert sorted(health_city["fields"]) == ["sickness_allowance_days_paid",
                                             "sickness_allowance_max_days", "statement_date",
                                             "statement_type"]
    assert "https://w3id.org/dpv/legal/eu/gdpr#A9-2-a" in health_city["legal_basis"]


def test_the_policy_graph_is_readable_by_sparql(api: Api):
    query = f"ASK {{ GRAPH <{POLICY_GRAPH}> {{ ?p a <http://www.w3.org/ns/odrl/2/Permission> }} }}"
    r = api.request("GET", "/sparql", role="employer", params={"query": query},
                    headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200 and r.json()["boolean"] is True


def test_an_unacceptable_format_is_406(api: Api):
    r = api.request("GET", "/api/policies", role="developer", headers={"Accept": "text/html"})
    assert r.status_code == 406


@pytest.mark.parametrize("role", ["case_worker", "admin", "developer", "citizen"])
def test_only_a_steward_replaces_it_and_a_refusal_is_audited(api: Api, role: str):
    before = audit(api)
    r = put(api, BASIC_BY_CONSENT, role=role)
    assert r.status_code == 403 and "steward" in r.json()["detail"]
    [record] = audit(api)[len(before):]
    assert (record["action"], record["decision"]) == ("replace-policy", "deny")
    assert city_sees_basic(api)


def test_a_change_counts_from_the_very_next_request(api: Api):
    assert city_sees_basic(api)
    before = audit(api)
    r = put(api, BASIC_BY_CONSENT)
    assert r.status_code == 200, r.text
    [record] = audit(api)[len(before):]
    assert (record["action"], record["decision"], record["statement"]) == (
        "replace-policy", "permit", BASIC_BY_CONSENT)
    assert not city_sees_basic(api)  # the very next request, no restart, no wait
    history = api.request("GET", "/api/policies/history", role="developer").json()
    assert history[0]["version"] == r.json()["version"]
    assert history[0]["revision_of"] == history[1]["iri"]
    assert history[0]["loaded_by"] == "test-steward"


def test_a_refused_upload_lists_each_violation_and_changes_nothing(api: Api):
    before_policy = api.request("GET", "/api/policies", role="developer").text
    before = audit(api)
    bad = (DEFAULT.replace('"cefr_level", "home_municipality"',
                           '"cefr_level", "salary", "home_municipality"', 1)
           .replace("odrl:target section:migration ;", "odrl:target section:hobbies ;", 1))
    r = put(api, bad)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "https://tyodata.fi/policy/situation/basic-kela " \
           "https://tyodata.fi/ontology#permittedField: not fields of the basic section: " \
           "salary" in detail
    assert "https://tyodata.fi/policy/situation/migration-kela " \
           "http://www.w3.org/ns/odrl/2/target:" in detail
    [record] = audit(api)[len(before):]
    assert record["decision"] == "deny" and record["statement"] == bad
    assert "nothing changed" in record["reason"]
    assert api.request("GET", "/api/policies", role="developer").text == before_policy
    assert city_sees_basic(api)


def test_turtle_that_does_not_parse_is_422(api: Api):
    r = put(api, "@prefix broken")
    assert r.status_code == 422 and "not valid Turtle" in r.json()["detail"]


def test_the_policy_must_be_sent_as_turtle(api: Api):
    r = api.request("PUT", "/api/policies", role="steward", json={"policy": DEFAULT})
    assert r.status_code == 415


def test_no_identity_code_in_any_answer(api: Api):
    assert not any(identity_codes(body) for body in api.bodies)
