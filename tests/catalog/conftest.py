"""Fixtures of the catalogue's description and validation tests: the real `loaded` store
(read-only), a small product folder written like the shipped ones, the official shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from catalog.build import Assembly, assemble
from catalog.provenance import read_extracts
from catalog.validate import ValidationReport, validate_catalogue
from core.settings import Settings
from graph_service.products.definition import ProductDefinition, load_products
from graph_service.store.oxigraph_store import OxigraphStore

SAMPLE_KEY = "Employment/HomeMunicipality_v1.2"

_QUERY = """\
PREFIX tyo: <https://tyodata.fi/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?municipality__code WHERE {
  ?fact tyo:concernsPerson ?person ; tyo:municipality ?home .
  ?home skos:notation ?municipality__code .
}
"""
_INPUT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object", "additionalProperties": False,
    "properties": {"person": {"type": "string"}, "identity_code": {"type": "string"}},
    "oneOf": [{"required": ["person"]}, {"required": ["identity_code"]}],
}
_OUTPUT = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Home municipality",
    "type": "object",
    "properties": {"municipality": {"type": "object",
                                    "properties": {"code": {"type": "string"}}}},
}
_POLICY = """\
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> .
@prefix tyo: <https://tyodata.fi/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix tyo-odrl: <https://tyodata.fi/odrl-profile/> .
@prefix purpose: <https://tyodata.fi/purpose/> .
@prefix org: <https://tyodata.fi/org/> .

<#policy> a odrl:Set ; odrl:profile tyo-odrl: ; odrl:target <> ;
    odrl:permission <#city-case-worker> .
<#city-case-worker-party> a odrl:PartyCollection ;
    rdfs:label "city case worker"@en, "kunnan virkailija"@fi ;
    tyo:organisationKind "city" ; tyo:role "case_worker" .
<#log> a odrl:Duty ; odrl:action tyo:recordInAuditLog .
<http://data.finlex.fi/eli/sd/2023/381> rdfs:label "TYM act 381/2023"@en .
<#city-case-worker> a odrl:Permission ;
    odrl:assigner org:dvv ; odrl:assignee <#city-case-worker-party> ;
    odrl:action odrl:read ; odrl:target <> ;
    odrl:constraint [ a odrl:Constraint ; odrl:leftOperand odrl:purpose ;
        odrl:operator odrl:isAnyOf ; odrl:rightOperand purpose:case-management ] ;
    odrl:duty <#log> ;
    dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2023/381> .
"""
# Only what a product's author must write: everything else the catalogue adds.
_DESCRIPTION = """\
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix theme: <http://publications.europa.eu/resource/authority/data-theme/> .

<> a dcat:DataService ;
    dct:title "Kotikunta"@fi, "Home municipality"@en ;
    dct:description "Henkilön kotikunta väestötiedoista."@fi,
        "A person's municipality of residence from the population register."@en ;
    dcat:keyword "kotikunta"@fi, "home municipality"@en ;
    dcat:theme theme:SOCI .
<#dataset> a dcat:Dataset ;
    prov:wasDerivedFrom <https://tyodata.fi/catalog/dataset/vtj> .
"""


def write_sample_product(root: Path, key: str = SAMPLE_KEY, more_description: str = "") -> Path:
    """A product folder like the shipped ones, under ``root`` (``more_description``: Turtle
    added to its description.ttl, with the prefixes above)."""
    folder = root / key
    folder.mkdir(parents=True)
    (folder / "query.rq").write_text(_QUERY, encoding="utf-8")
    (folder / "input.schema.json").write_text(json.dumps(_INPUT), encoding="utf-8")
    (folder / "output.schema.json").write_text(json.dumps(_OUTPUT), encoding="utf-8")
    (folder / "policy.ttl").write_text(_POLICY, encoding="utf-8")
    (folder / "description.ttl").write_text(_DESCRIPTION + more_description, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def vocab_dir() -> Path:
    path = Settings().vocab_dir
    if not (path / "dcat-ap-3.0.1-SHACL.ttl").is_file():
        pytest.fail(f"the official shapes are not at {path}: set TYODATA_VOCAB_DIR")
    return path


@pytest.fixture(scope="session")
def sample_products(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProductDefinition]:
    root = tmp_path_factory.mktemp("products")
    write_sample_product(root)
    return load_products(root=root)


@pytest.fixture(scope="session")
def all_products(sample_products: dict[str, ProductDefinition]
                 ) -> dict[str, ProductDefinition]:
    """The shipped product folders and the sample."""
    return {**load_products(), **sample_products}


@pytest.fixture(scope="session")
def read_store(loaded) -> Iterator[OxigraphStore]:
    store = loaded.open()
    yield store
    store.close()


@pytest.fixture(scope="session")
def build_time(read_store: OxigraphStore):
    """A build time one day and a half after the last load (freshness is measured to it)."""
    return max(r.loaded_at for r in read_extracts(read_store)) + timedelta(days=1.5)


@pytest.fixture(scope="session")
def assembled(read_store: OxigraphStore, all_products, build_time) -> Assembly:
    return assemble(read_store, products=all_products, now=build_time)


@pytest.fixture(scope="session")
def validated(assembled: Assembly, vocab_dir: Path) -> ValidationReport:
    return validate_catalogue(assembled.graph, vocab_dir)
