"""Data products over HTTP, on a legal basis: each product answers a real person within its
schema, as JSON or JSON-LD; the person is named in the body by pseudonymous id or identity
code (which shows up nowhere); every call, whatever its outcome, is exactly one audit
record; products are listed and each has its own OpenAPI document; a product added as a
folder is served with no code; a product that breaks its own schema is a loud 500."""

from __future__ import annotations

import json
import logging
import shutil

import pytest
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator
from rdflib import Graph, URIRef

from graph_service.api.app import create_app
from graph_service.products.definition import DEFINITIONS_DIR
from graph_service.products.executor import served_products
from synthetic.personas import MOTHER
from tests.conftest import Loaded
from tests.graph_service.api.conftest import Api, make_settings
from tests.graph_service.products.support import (
    DROPOUT_ID,
    MOTHER_ID,
    PROFILE,
    audit_text,
    call,
    caller,
    person_iri,
    records,
)
from tests.leaks import identity_codes

# A caller granted each product on a legal basis, with a purpose the policy names.
ON_BASIS = {
    "Person/JobApplicantProfile_v1.0": ("city:helsinki", "case_worker", "job-matching"),
    "Person/BasicInformation_v1.0": ("kela", "service", "benefit-decision"),
    "Employment/JobSeekingStatus_v1.0": ("kela", "service", "benefit-decision"),
    "Education/Qualifications_v1.0": ("city:helsinki", "case_worker", "case-management"),
    "Benefits/BenefitDecisions_v1.0": ("city:espoo", "service", "case-management"),
}


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.mark.parametrize("key", sorted(ON_BASIS))
def test_each_product_answers_a_real_person_on_a_legal_basis(api: Api, key: str):
    before = records(api)
    r = call(api, key, caller(api, *ON_BASIS[key]))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["cache-control"] == "no-store"
    product = served_products()[key]
    assert not list(product.output_validator.iter_errors(r.json()))
    assert any(r.json().values())  # real data, not an empty shell
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"], record["person"], record["purpose"]) == (
        "call-product", "permit", person_iri(MOTHER_ID), ON_BASIS[key][2])
    assert record["resource"] == "/products/" + key
    basis = record["legal_basis"].split()
    assert any(b.startswith("https://w3id.org/dpv/legal/eu/gdpr#A6-1-") for b in basis)
    assert any(b.startswith("http://data.finlex.fi/eli/sd/") for b in basis)
    assert record["sections"] == [f"{key} permit: {record['legal_basis']}"]


def test_the_identity_code_names_the_same_person_and_is_seen_nowhere(
        api: Api, caplog: pytest.LogCaptureFixture):
    headers = caller(api, *ON_BASIS[PROFILE])
    caplog.set_level(logging.DEBUG)
    logged, ours = Lines(), logging.getLogger("tyodata")  # ours do not propagate to caplog
    ours.addHandler(logged)
    try:
        by_id = call(api, PROFILE, headers)
        by_code = call(api, PROFILE, headers, {"identity_code": MOTHER.hetu})
        lower = call(api, PROFILE, headers, {"identity_code": MOTHER.hetu.lower()})
    finally:
        ours.removeHandler(logged)
    assert by_code.status_code == lower.status_code == 200, by_code.text
    assert by_code.json() == by_id.json() == lower.json()
    wrong = MOTHER.hetu[:-1] + ("A" if MOTHER.hetu[-1] != "A" else "B")
    bad = call(api, PROFILE, headers, {"identity_code": wrong})
    assert bad.status_code == 400 and bad.json()["type"].endswith("invalid-identity-code")
    assert records(api)[-1]["person"] is None and records(api)[-1]["decision"] == "deny"
    for text in (by_code.text, lower.text, bad.text, audit_text(api), caplog.text,
                 *logged.lines, *api.bodies):
        assert not identity_codes(text)


def test_json_ld_on_request_is_the_same_answer_as_rdf(api: Api):
    headers = caller(api, *ON_BASIS[PROFILE])
    plain = call(api, PROFILE, headers).json()
    r = call(api, PROFILE, {**headers, "Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    document = r.json()
    assert {k: v for k, v in document.items() if k != "@context"} == plain
    graph = Graph().parse(data=r.text, format="json-ld")
    skill = URIRef(plain["skills"][0]["escoIdentifier"])
    labels = {(str(o), o.language) for o in graph.objects(
        skill, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"))}
    assert (plain["skills"][0]["label"]["en"], "en") in labels
    assert (None, URIRef("https://tyodata.fi/ontology#hasSkill"), skill) in graph
    # JSON wins when the client prefers it
    preferred = call(api, PROFILE, {**headers, "Accept": "application/json, "
                                    "application/ld+json;q=0.5"})
    assert preferred.headers["content-type"].startswith("application/json")
    # a product without its own context gets one: every key an IRI under the product
    key = "Person/BasicInformation_v1.0"
    ld = call(api, key, {**caller(api, *ON_BASIS[key]), "Accept": "application/ld+json"})
    assert len(Graph().parse(data=ld.text, format="json-ld")) > 5


@pytest.mark.parametrize(("body", "status", "words"), [
    ({}, 422, "exactly one of person"),
    ({"person": MOTHER_ID, "identity_code": MOTHER.hetu}, 422, "exactly one of person"),
    ({"person": "not-a-pseudonym"}, 422, "person: fails 'pattern'"),
    ({"person": MOTHER_ID, "since": "2020"}, 422, "unknown field(s) since"),
    ({"identity_code": 1234}, 422, "identity_code: fails 'type'"),
    (["person"], 422, "fails 'type'"),
])
def test_a_bad_body_is_refused_naming_the_field_and_audited(api: Api, body, status, words):
    before = records(api)
    r = call(api, PROFILE, caller(api, *ON_BASIS[PROFILE]), body)
    assert r.status_code == status and words in r.json()["detail"], r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert MOTHER.hetu not in r.text
    [record] = records(api)[len(before):]
    assert record["decision"] == "deny" and record["action"] == "call-product"


def test_a_body_that_is_not_json_is_400_and_audited(api: Api):
    before = records(api)
    r = api.client.post(f"/products/{PROFILE}", content=b"{person: x",
                        headers={**caller(api, *ON_BASIS[PROFILE]),
                                 "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["type"].endswith("malformed-body")
    assert len(records(api)) == len(before) + 1


def test_an_unknown_product_or_version_is_404_listing_the_products(api: Api):
    for key in ("Person/JobApplicantProfile_v2.0", "Person/Nothing_v1.0", "person/x"):
        before = records(api)
        r = call(api, key, caller(api, *ON_BASIS[PROFILE]))
        assert r.status_code == 404 and r.json()["type"].endswith("unknown-product")
        assert all(k in r.json()["detail"] for k in ON_BASIS)
        [record] = records(api)[len(before):]
        assert record["decision"] == "deny" and record["resource"] == \
            "/products/{domain}/{product}"


def test_a_person_the_sources_do_not_know_is_404_after_the_audit(api: Api):
    before = records(api)
    r = call(api, PROFILE, caller(api, *ON_BASIS[PROFILE]), {"person": "a" * 26})
    assert r.status_code == 404 and r.json()["type"].endswith("no-data")
    [record] = records(api)[len(before):]
    assert record["decision"] == "permit"  # the call was allowed; there was nothing to read


@pytest.mark.parametrize(("organisation", "role", "purpose", "words"), [
    ("kela", "case_worker", "case-management", "grants nothing to kela/case_worker"),
    ("city:helsinki", "case_worker", "benefit-decision", "only for: case-management, "
     "job-matching"),
    ("city:helsinki", "service", "case-management", "only for: job-matching"),
    ("company:duunitori", "service", "recruitment", "only with the person's consent"),
    ("city:helsinki", "case_worker", None, "a purpose is required"),
    ("city:helsinki", "case_worker", "curiosity", "unknown purpose"),
    ("city:helsinki", "steward", "data-quality", "may not call-product"),
    ("city:helsinki", "employer", "recruitment", "may not call-product"),
])
def test_a_caller_the_policy_does_not_grant_is_403_and_audited(
        api: Api, organisation, role, purpose, words):
    before = records(api)
    r = call(api, PROFILE, caller(api, organisation, role, purpose),
             {"identity_code": MOTHER.hetu})
    assert r.status_code == 403 and words in r.json()["detail"], r.text
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"]) == ("call-product", "deny")
    assert record["resource"] == f"/products/{PROFILE}"
    assert not identity_codes(r.text) and not identity_codes(json.dumps(record))


def test_a_person_other_than_the_mother_gets_their_own_answer(api: Api):
    mother = call(api, PROFILE, caller(api, *ON_BASIS[PROFILE])).json()
    other = call(api, PROFILE, caller(api, *ON_BASIS[PROFILE]), {"person": DROPOUT_ID})
    assert other.status_code == 200 and other.json() != mother


def test_products_are_listed_and_each_has_its_own_openapi_document(api: Api):
    listed = api.client.get("/products")  # public: no token
    assert listed.status_code == 200
    assert [p["key"] for p in listed.json()] == sorted(ON_BASIS)
    profile = next(p for p in listed.json() if p["key"] == PROFILE)
    assert profile["title"] == {"fi": "Työnhakijan profiili", "en": "Job applicant profile"}
    assert profile["sources"] == ["esco", "tyomarkkinatori"]
    assert {(r["party"], r["basis"]) for r in profile["policy"]} >= {
        ("city/case_worker", "legal basis"), ("company/service", "consent")}
    for key in ON_BASIS:
        r = api.client.get(f"/products/{key}/openapi.json")
        assert r.status_code == 200, key
        document = r.json()
        assert document["openapi"] == "3.1.0"
        operation = document["paths"][f"/products/{key}"]["post"]
        headers = {p["name"]: p for p in operation["parameters"]}
        assert headers["X-Purpose"]["required"] and "X-Consent-Token" in headers
        assert operation["security"] == [{"bearer": []}]
        assert {"200", "400", "401", "403", "404", "422", "500"} <= set(operation["responses"])
        assert "application/ld+json" in operation["responses"]["200"]["content"]
        # the answer's schema is the folder's, its $defs moved to the components
        answer = document["components"]["schemas"]["Output"]
        assert answer["properties"].keys() == served_products()[key].definition \
            .output_schema["properties"].keys()
        Draft202012Validator.check_schema(answer)
        assert "$defs" not in json.dumps(document)
    missing = api.client.get("/products/Person/Nothing_v1.0/openapi.json")
    assert missing.status_code == 404 and PROFILE in missing.json()["detail"]


NEW_PRODUCT = "Person/HomeMunicipality_v1.0"
SNEAKY_PRODUCT = "Person/Sneaky_v1.0"


@pytest.fixture(scope="module")
def extended(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    """A service whose products folder is a copy of the shipped one plus two new folders,
    written here without any Python: one honest, one that claims to read the population
    register but asks for Kela's benefit decisions; and one shipped product made to break
    its own schema."""
    root = tmp_path_factory.mktemp("products-api")
    shutil.copytree(loaded.store_path, root / "store")
    products = root / "definitions"
    shutil.copytree(DEFINITIONS_DIR, products)
    basic = products / "Person" / "BasicInformation_v1.0"
    new = products / NEW_PRODUCT
    shutil.copytree(basic, new)
    (new / "context.jsonld").unlink()
    (new / "query.rq").write_text("""PREFIX tyo: <https://tyodata.fi/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?municipality ?label WHERE {
  ?person tyo:homeMunicipality ?home . ?home skos:notation ?municipality .
  ?home skos:prefLabel ?label FILTER (lang(?label) = "fi")
}""")
    (new / "output.schema.json").write_text(json.dumps({
        "type": "object", "required": ["municipality"], "additionalProperties": False,
        "properties": {"municipality": {"type": "string"}, "label": {"type": "string"}}}))
    for file in ("policy.ttl", "description.ttl"):
        text = (basic / file).read_text().replace("BasicInformation_v1.0", "HomeMunicipality_v1.0")
        (new / file).write_text(text)
    sneaky = products / SNEAKY_PRODUCT
    shutil.copytree(new, sneaky)
    (sneaky / "query.rq").write_text("""PREFIX tyo: <https://tyodata.fi/ontology#>
SELECT ?municipality WHERE { ?d tyo:concernsPerson ?person ; a tyo:BenefitDecision ;
  tyo:benefitType ?municipality }""")
    broken = products / "Education" / "Qualifications_v1.0" / "output.schema.json"
    schema = json.loads(broken.read_text())
    schema["properties"]["qualifications"]["minItems"] = 99
    broken.write_text(json.dumps(schema))
    settings = make_settings(root, root / "store").model_copy(update={"products_dir": products})
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings, {})


def test_a_product_added_as_a_folder_is_served_without_code(extended: Api):
    assert NEW_PRODUCT in [p["key"] for p in extended.client.get("/products").json()]
    r = call(extended, NEW_PRODUCT, caller(extended, "kela", "case_worker", "case-management"))
    assert r.status_code == 200, r.text
    assert r.json() == {"municipality": MOTHER.municipality, "label": "Vantaa"}
    assert extended.client.get(f"/products/{NEW_PRODUCT}/openapi.json").status_code == 200


def test_a_product_reads_nothing_outside_its_sources(extended: Api):
    r = call(extended, SNEAKY_PRODUCT, caller(extended, "kela", "case_worker",
                                              "case-management"))
    assert r.status_code == 404 and r.json()["type"].endswith("no-data")


def test_a_product_that_breaks_its_own_schema_is_a_loud_500(extended: Api):
    logged, logger = Lines(), logging.getLogger("tyodata.products")
    logger.addHandler(logged)
    try:
        r = call(extended, "Education/Qualifications_v1.0",
                 caller(extended, "city:helsinki", "case_worker", "case-management"))
    finally:
        logger.removeHandler(logged)
    assert r.status_code == 500 and r.json()["type"].endswith("product-contract")
    detail = r.json()["detail"]
    assert "broke its own output schema" in detail and "$.qualifications fails 'minItems'" \
        in detail
    assert any("Qualifications_v1.0 broke its contract" in line for line in logged.lines)
    assert "371101" not in detail  # the person's qualification code is not shown
