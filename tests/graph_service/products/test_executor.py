"""Products answered from the real generated store: real data for real persons, valid
against each product's schema, read from the product's own sources only; a product whose
answer breaks its own schema is a loud fault that never shows the value."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.pseudonyms import Pseudonymizer
from graph_service.products.contract import CompiledProduct
from graph_service.products.definition import DEFINITIONS_DIR
from graph_service.products.executor import answer, product_dataset, served_products
from graph_service.products.shape import ProductContractError
from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    REFERENCE_SOURCES,
    GraphDirectory,
    read_directory,
    source_iri,
)
from synthetic.personas import MOTHER
from tests.conftest import KEY, Loaded

MOTHER_IRI = Pseudonymizer(KEY).iri(MOTHER.hetu)


@pytest.fixture(scope="module")
def store(loaded: Loaded) -> Iterator[OxigraphStore]:
    opened = loaded.open()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def directory(store: OxigraphStore) -> GraphDirectory:
    return read_directory(store)


@pytest.fixture(scope="module")
def products() -> dict[str, CompiledProduct]:
    return served_products()


def ask(store, directory, products, key: str, person: str = MOTHER_IRI) -> dict:
    found = answer(store, directory, products[key], person)
    assert found is not None, key
    # answer() validated it already; validate again here, independently of its code path
    assert not list(products[key].output_validator.iter_errors(found.data))
    return found.data


def test_the_job_applicant_profile_of_the_mother(store, directory, products):
    profile = ask(store, directory, products, "Person/JobApplicantProfile_v1.0")
    assert profile["skills"] and all(
        s["escoIdentifier"].startswith("http://data.europa.eu/esco/skill/")
        and s["label"]["en"] and s["label"]["fi"] for s in profile["skills"])
    [wish] = profile["desiredOccupations"]
    assert wish["escoIdentifier"].startswith("http://data.europa.eu/esco/occupation/")
    assert {lang["language"]["code"]: lang["cefrLevel"] for lang in profile["languageSkills"]
            } == {code: level for _, code, level in MOTHER.profile.languages}
    assert [o["employer"] for o in profile["occupations"]] == \
        [h.employer for h in sorted(MOTHER.profile.history, key=lambda h: h.start,
                                    reverse=True)]
    assert profile["workPreferences"]["municipality"]["code"] == MOTHER.municipality
    assert {a["code"] for a in profile["workPreferences"]["searchAreas"]} == \
        {m for _, m in MOTHER.profile.areas}


def test_basic_information_holds_no_identifier(store, directory, products):
    basic = ask(store, directory, products, "Person/BasicInformation_v1.0")
    assert basic["homeMunicipality"]["code"] == MOTHER.municipality
    assert basic["motherTongue"] == {"code": MOTHER.mother_tongue,
                                     "label": {"fi": "arabia", "en": "Arabic"}}
    assert basic["serviceLanguage"]["code"] == MOTHER.service_language
    assert basic["homeMunicipalitySince"] == MOTHER.home_since.isoformat()
    text = json.dumps(basic)
    assert MOTHER.hetu not in text and MOTHER_IRI not in text
    assert MOTHER_IRI.rsplit("/", 1)[1] not in text


def test_job_seeking_qualifications_and_benefits_of_the_mother(store, directory, products):
    seeking = ask(store, directory, products, "Employment/JobSeekingStatus_v1.0")
    assert [(p["registeredSince"], p["status"]["code"]) for p in seeking["periods"]] == \
        [(j.start.isoformat(), j.status) for j in sorted(MOTHER.job_seeking,
                                                         key=lambda j: j.start, reverse=True)]
    studies = ask(store, directory, products, "Education/Qualifications_v1.0")
    assert {q["qualification"]["code"] for q in studies["qualifications"]} == \
        {s.qualification for s in MOTHER.study_rights}
    benefits = ask(store, directory, products, "Benefits/BenefitDecisions_v1.0")
    assert sorted((d["benefitType"]["code"], d["decision"]["code"], d["inPayment"])
                  for d in benefits["decisions"]) == \
        sorted((d.benefit, d.outcome, d.in_payment) for d in MOTHER.decisions)
    # minimised: the reason of a rejection and the dates of the application never leave
    assert all(set(d) <= {"benefitType", "decision", "startDate", "endDate", "inPayment"}
               for d in benefits["decisions"])


def test_every_answer_for_many_persons_keeps_its_schema(store, directory, products):
    persons = [str(p) for (p,) in store.select(
        "SELECT DISTINCT ?p WHERE { ?p a <https://tyodata.fi/ontology#Person> } "
        "ORDER BY ?p LIMIT 80", dataset=product_dataset(directory, ("vtj",))).rows]
    assert len(persons) == 80
    answered = {key: 0 for key in products}
    for person in persons:
        for key, product in products.items():
            if answer(store, directory, product, person) is not None:  # raises if invalid
                answered[key] += 1
    assert answered["Person/BasicInformation_v1.0"] == 80
    assert all(count >= 10 for count in answered.values()), answered


def test_a_product_reads_its_sources_current_extracts_and_reference_data_only(
        store, directory, products):
    current = directory.current()
    for key, product in products.items():
        dataset = product_dataset(directory, product.definition.sources)
        assert dataset is not None and not dataset.named
        wanted = {current[source_iri(s)] for s in product.definition.sources}
        wanted |= {current[source_iri(s)] for s in REFERENCE_SOURCES if source_iri(s) in current}
        assert set(dataset.default) == wanted, key
    # With the population register's graphs, Kela's benefit decisions are not there at all.
    vtj = product_dataset(directory, ("vtj",))
    ask_kela = ("ASK { ?d a <https://tyodata.fi/ontology#BenefitDecision> ; "
                "<https://tyodata.fi/ontology#concernsPerson> ?p }")
    assert not store.ask(ask_kela, dataset=vtj)
    assert store.ask(ask_kela, dataset=product_dataset(directory, ("kela",)))


def test_a_person_the_sources_do_not_know_gets_no_answer(store, directory, products):
    nobody = "https://tyodata.fi/id/person/" + "a" * 26
    assert all(answer(store, directory, p, nobody) is None for p in products.values())
    assert product_dataset(directory, ("nonexistent",)) is None
    assert isinstance(product_dataset(directory, ("kela",)), Dataset)


def test_an_answer_that_breaks_its_own_schema_is_a_fault_that_shows_no_value(
        store, directory, tmp_path: Path):
    root = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, root)
    schema_file = root / "Person/BasicInformation_v1.0/output.schema.json"
    schema = json.loads(schema_file.read_text())
    schema["$defs"]["coded"]["properties"]["code"]["pattern"] = "^[A-Z]+$"  # codes are digits
    schema_file.write_text(json.dumps(schema))
    broken = served_products(root)["Person/BasicInformation_v1.0"]
    with pytest.raises(ProductContractError) as raised:
        answer(store, directory, broken, MOTHER_IRI)
    message = str(raised.value)
    assert "Person/BasicInformation_v1.0 broke its own output schema" in message
    assert "$.homeMunicipality.code fails 'pattern'" in message
    assert MOTHER.municipality not in message and "Vantaa" not in message
