"""Client-reported facts through the API: record, revise and list them, each request
decided and audited once; field-level 422 problems; never in a registry graph; shown in
their section, marked as client-reported, only to those who may see the section."""

from __future__ import annotations

import pytest

from graph_service.store.registry import GraphKind
from tests.graph_service.api.conftest import Api
from tests.graph_service.api.situation_support import (
    DROPOUT_ID,
    MOTHER_ID,
    PURPOSE,
    UNKNOWN_ID,
    audited,
    city_token,
    load_default_policy,
    services,
    situation,
)
from tests.leaks import identity_codes

HOUSING = {"form": "housing", "housing_type": "VUOKRA", "note": "Kolmio Myyrmäessä"}
LANGUAGE = {"form": "language_skill", "language": "fi", "cefr_level": "A2"}
HEALTH_CENTRE = {"form": "health_centre", "name": "Myyrmäen terveysasema"}


@pytest.fixture(scope="module", autouse=True)
def _policy(api: Api) -> None:
    load_default_policy(api)


@pytest.fixture(scope="module")
def city(api: Api) -> str:
    return city_token(api)



def post(api: Api, person: str, body: dict, *, role: str = "case_worker",
         purpose: str | None = PURPOSE):
    return api.request("POST", f"/api/persons/{person}/reported", role=role, purpose=purpose,
                       json=body)


def put(api: Api, person: str, fact: dict | str, body: dict):
    fact_id = fact if isinstance(fact, str) else fact["id"].rsplit("/", 1)[-1]
    return api.request("PUT", f"/api/persons/{person}/reported/{fact_id}",
                       role="case_worker", purpose=PURPOSE, json=body)


def listing(api: Api, person: str, **params):
    return api.request("GET", f"/api/persons/{person}/reported", role="case_worker",
                       purpose=PURPOSE, params=params)


def registry_triples(api: Api) -> dict[str, int]:
    store = services(api).store
    graphs = services(api).directory.get().of_kind(GraphKind.EXTRACT, GraphKind.REFERENCE)
    return {g: int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} "
                                "}").rows[0][0]) for g in graphs}  # type: ignore[arg-type]


def test_a_recorded_fact_is_in_a_client_reported_graph_only_and_shows_in_its_section(
        api: Api):
    before = registry_triples(api)
    response, records = audited(api, lambda: post(api, MOTHER_ID, HOUSING))
    assert response.status_code == 201, response.text
    fact = response.json()
    assert fact["kind"] == "housing" and fact["section"] == "family"
    assert fact["source"] is None
    assert fact["reported"]["recorded_by"] == "test-case_worker"
    assert fact["reported"]["organisation"] == "kela"
    assert fact["fields"]["housing_type"]["labels"]["en"] == "rented dwelling"
    (record,) = records
    assert record["action"] == "write-client-reported" and record["decision"] == "permit"
    assert record["person"] == f"https://tyodata.fi/id/person/{MOTHER_ID}"
    assert record["sections"] == ["family permit: form housing"]
    assert registry_triples(api) == before
    store = services(api).store
    holding = [str(g) for (g,) in store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{fact['id']}> ?p ?o }} }}").rows]
    directory = services(api).directory.get()
    assert [directory.kind_of(g) for g in holding] == [GraphKind.CLIENT_REPORTED]
    family = situation(api, MOTHER_ID, params={"section": "family"}).json()["sections"][0]
    assert [f["id"] for f in family["reported"]] == [fact["id"]]
    assert all(f["source"] is not None for f in family["facts"])  # registry facts apart
    assert family["summary"]["housing_type"]["value"] == "VUOKRA"


def test_a_revision_keeps_the_history(api: Api):
    first = post(api, MOTHER_ID, LANGUAGE).json()
    response, records = audited(api, lambda: put(api, MOTHER_ID, first, {
        "form": "language_skill", "language": "fi", "cefr_level": "B1"}))
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["reported"]["revision_of"] == first["id"]
    assert len(records) == 1 and records[0]["resource"] == "/api/persons/{id}/reported/{fact_id}"
    latest = [f["id"] for f in listing(api, MOTHER_ID).json()["facts"]]
    assert second["id"] in latest and first["id"] not in latest
    history = {f["id"]: f for f in listing(api, MOTHER_ID, history="true").json()["facts"]}
    assert history[first["id"]]["reported"]["invalidated_at"] is not None
    assert history[first["id"]]["fields"]["cefr_level"]["value"] == "A2"
    assert history[second["id"]]["fields"]["cefr_level"]["value"] == "B1"
    again = put(api, MOTHER_ID, first, LANGUAGE)
    assert again.status_code == 409
    assert put(api, MOTHER_ID, second, HOUSING).status_code == 422  # another form
    assert put(api, DROPOUT_ID, second, LANGUAGE).status_code == 404  # another person's
    assert put(api, MOTHER_ID, "0" * 32, LANGUAGE).status_code == 404


def test_a_bad_form_is_a_422_naming_each_field_and_echoing_nothing(api: Api):
    body = {"form": "education_abroad", "level": "9", "country": "XX", "years": 11,
            "qualification": "Diploma of Advanced Nonsense", "note": "n" * 300}
    response, records = audited(api, lambda: post(api, DROPOUT_ID, body))
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"].endswith("/invalid-client-reported-fact")
    for field in ("level", "country", "years", "note"):
        assert f"{field}: " in problem["detail"]
    assert "qualification" not in problem["detail"]
    assert "Nonsense" not in problem["detail"] and "n" * 20 not in problem["detail"]
    assert len(records) == 1
    code = post(api, DROPOUT_ID, {**HEALTH_CENTRE, "note": "hetu 131052-308T"})
    assert code.status_code == 422 and "note: must not contain an identity code" in \
        code.json()["detail"]
    assert not identity_codes(code.text)
    free_text = post(api, DROPOUT_ID, {"form": "note", "note": "anything at all"})
    assert free_text.status_code == 422


@pytest.mark.parametrize(("role", "purpose"), [("case_worker", None), ("steward",
                                                                       "data-quality")])
def test_writing_needs_a_case_worker_and_a_purpose(api: Api, role: str, purpose: str | None):
    response, records = audited(api, lambda: post(api, MOTHER_ID, HOUSING, role=role,
                                                  purpose=purpose))
    assert response.status_code == 403
    (record,) = records
    assert record["decision"] == "deny" and record["action"] == "write-client-reported"


def test_an_unknown_person_gets_nothing_recorded(api: Api):
    response, records = audited(api, lambda: post(api, UNKNOWN_ID, HOUSING))
    assert response.status_code == 404 and len(records) == 1
    assert listing(api, UNKNOWN_ID).status_code == 404


def test_a_fact_shows_only_to_those_who_may_see_its_section(api: Api, city: str):
    fact = post(api, DROPOUT_ID, HEALTH_CENTRE).json()
    kela = situation(api, DROPOUT_ID, params={"section": "health"}).json()["sections"][0]
    assert [f["id"] for f in kela["reported"]] == [fact["id"]]
    assert kela["summary"]["health_centre"]["value"] == "Myyrmäen terveysasema"
    withheld = situation(api, DROPOUT_ID, token=city,
                         params={"section": "health"}).json()["sections"][0]
    assert not withheld["permitted"] and withheld["reported"] == []
    assert "Myyrmäen" not in str(withheld)
    response, records = audited(api, lambda: api.request(
        "GET", f"/api/persons/{DROPOUT_ID}/reported", purpose=PURPOSE,
        headers={"Authorization": f"Bearer {city}"}))
    body = response.json()
    assert fact["id"] not in [f["id"] for f in body["facts"]]
    assert "health" in body["withheld"]
    (record,) = records
    assert record["action"] == "read-situation" and len(record["sections"]) == 9
