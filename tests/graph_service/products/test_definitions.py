"""The product folders: the five shipped ones load and pass the contract; a broken folder is
refused with an error naming the file and the fault."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graph_service.policy.odrl import CONSENT_BASIS
from graph_service.products.contract import compile_product
from graph_service.products.definition import (
    DEFINITIONS_DIR,
    ProductDefinitionError,
    load_products,
)

SHIPPED = {
    "Person/JobApplicantProfile_v1.0": ("esco", "tyomarkkinatori"),
    "Person/BasicInformation_v1.0": ("vtj",),
    "Employment/JobSeekingStatus_v1.0": ("tyollisyyspalvelut",),
    "Education/Qualifications_v1.0": ("koski",),
    "Benefits/BenefitDecisions_v1.0": ("kela",),
}
PROFILE = "Person/JobApplicantProfile_v1.0"


def test_the_five_products_load_with_their_sources():
    products = load_products()
    assert {key: p.sources for key, p in products.items()} == SHIPPED
    for product in products.values():
        assert not product.is_construct
        assert product.path == "/products/" + product.key


def test_each_product_is_called_on_a_legal_basis_by_some_and_on_consent_by_others():
    for key, product in load_products().items():
        policy = compile_product(product).policy
        on_consent = [r for r in policy.rules if r.requires_consent]
        on_basis = [r for r in policy.rules if not r.requires_consent]
        assert on_consent and on_basis, key
        assert all(r.legal_basis == (CONSENT_BASIS,) for r in on_consent), key
        assert all(any(b.startswith("http://data.finlex.fi/eli/sd/") for b in r.legal_basis)
                   for r in on_basis), key
        assert all("https://tyodata.fi/ontology#recordInAuditLog" in r.duties
                   for r in policy.rules), key


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "definitions"
    shutil.copytree(DEFINITIONS_DIR, copy)
    return copy


def edit(root: Path, file: str, change: Callable[[str], str], key: str = PROFILE) -> None:
    path = root / key / file
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def replace(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)
    return change


def schema_edit(change: Callable[[dict], None]) -> Callable[[str], str]:
    def edit_json(text: str) -> str:
        value = json.loads(text)
        change(value)
        return json.dumps(value)
    return edit_json


CASES: list[tuple[str, str, Callable[[str], str], str]] = [
    ("a CONSTRUCT", "query.rq", replace("SELECT ?updated", "CONSTRUCT { ?s ?p ?o } #"),
     "is a CONSTRUCT"),
    ("graphs named in the query", "query.rq", replace("WHERE {", "FROM <https://tyodata.fi/"
                                                       "graph/kela/x> WHERE {"), "names graphs"),
    ("a SERVICE clause", "query.rq", replace("} UNION {", "} UNION { SERVICE <http://127.0.0"
                                              ".1/> { ?a ?b ?c } } UNION {"), "SERVICE"),
    ("a variable with no place", "query.rq", replace("SELECT ?updated", "SELECT ?updated ?bogus"),
     "?bogus name(s) no place in output.schema.json"),
    ("the person selected", "query.rq", replace("SELECT ?updated", "SELECT ?updated ?person"),
     "selects ?person"),
    ("no ?person", "query.rq", lambda text: text.replace("?person", "?somebody"),
     "does not use ?person"),
    ("a query that does not parse", "query.rq", replace("ORDER BY", "ORDER BY BY"),
     "does not parse"),
    ("an input naming more than the person", "input.schema.json",
     schema_edit(lambda s: s["properties"].update(limit={"type": "integer"})),
     "naming the person and nothing else"),
    ("an output schema that is no JSON Schema", "output.schema.json",
     schema_edit(lambda s: s["properties"]["updated"].update(type="date")),
     "not a valid JSON Schema"),
    ("an output schema that is not JSON", "output.schema.json", lambda text: text[:-3],
     "not JSON"),
    ("an output schema without a shape", "output.schema.json",
     schema_edit(lambda s: s["properties"].update(skills={"description": "untyped"})),
     "says no type"),
    ("a policy without the duty to log", "policy.ttl",
     lambda text: text.replace("odrl:duty <#log> ;", "").replace(
         "odrl:duty <#log>, <#inform> ;", "odrl:duty <#inform> ;"), "audit log"),
    ("a consent rule not on 6(1)(a)", "policy.ttl",
     replace("dpv:hasLegalBasis gdpr:A6-1-a .", "dpv:hasLegalBasis gdpr:A6-1-e ."),
     "6(1)(a)"),
    ("a legal basis without the act", "policy.ttl",
     lambda text: text.replace(", <http://data.finlex.fi/eli/sd/2023/380> .", " ."), "ELI"),
    ("a rule for another target", "policy.ttl",
     replace("odrl:target <> ;\n    odrl:constraint",
             "odrl:target <https://tyodata.fi/catalog/product/Person/Other_v1.0> ;\n"
             "    odrl:constraint"), "is not this product"),
    ("an unknown purpose", "policy.ttl", replace("purpose:job-matching, purpose:recruitment",
                                                 "purpose:marketing"), "not a purpose"),
    ("a citizen as a caller", "policy.ttl", replace('tyo:organisationKind "company" ; '
                                                    'tyo:role "service"',
                                                    'tyo:organisationKind "company" ; '
                                                    'tyo:role "citizen"'), "citizen"),
    ("an unknown duty", "policy.ttl", replace("odrl:action odrl:inform", "odrl:action odrl:sell"),
     "a product's duties are"),
    ("a policy that is not Turtle", "policy.ttl", lambda text: text + "\n<broken",
     "not valid Turtle"),
    ("a title only in English", "description.ttl",
     replace('dct:title "Työnhakijan profiili"@fi, ', "dct:title "), "dct:title in fi"),
    ("no theme", "description.ttl", replace("dcat:theme theme:SOCI, theme:ECON ;", ""),
     "dcat:theme"),
    ("a source that is no registry", "description.ttl",
     replace("dataset/tyomarkkinatori>", "dataset/facebook>"), "not a registry"),
    ("reference data only", "description.ttl",
     replace("<https://tyodata.fi/catalog/dataset/tyomarkkinatori>,", ""), "reads no registry"),
    ("no dataset", "description.ttl", replace("<#dataset> a dcat:Dataset ;", "<#dataset>"),
     "dcat:Dataset"),
    ("a context without @context", "context.jsonld", lambda text: '{"@vocab": "x"}',
     "@context"),
]


@pytest.mark.parametrize(("file", "change", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_broken_folder_is_refused_naming_file_and_fault(root: Path, file, change, words):
    edit(root, file, change)
    with pytest.raises(ProductDefinitionError) as raised:
        load_products(root)
    message = str(raised.value)
    assert message.startswith(f"{PROFILE}/{file}:"), message
    assert words in message, message


def test_a_missing_file_and_a_badly_named_folder_are_refused(root: Path):
    (root / PROFILE / "policy.ttl").unlink()
    with pytest.raises(ProductDefinitionError, match="missing policy.ttl"):
        load_products(root)
    shutil.rmtree(root / PROFILE)
    (root / "Person" / "profile-v1").mkdir()
    with pytest.raises(ProductDefinitionError, match="<Domain>/<Name>_v<major>.<minor>"):
        load_products(root)
