"""The checks a product folder must pass, and what the service needs compiled from it.

A folder is refused whole, with a :class:`ProductDefinitionError` that names the file and
what is wrong, when:

- ``query.rq`` is not one SPARQL SELECT the guard lets through, names graphs itself
  (``FROM``: the product's sources decide its graphs), does not use ``?person`` or selects
  it, or selects a variable that names no place in ``output.schema.json``;
- a schema is not a valid JSON Schema (2020-12), the output schema has no shape the
  answer can be built by (see :mod:`graph_service.products.shape`), or the input schema
  names anything but the person (``person`` and ``identity_code``: the service puts in
  the person and nothing else);
- ``policy.ttl`` is not a valid policy in our ODRL profile for this product;
- ``description.ttl`` lacks the data service, its dataset, the titles, descriptions and
  keywords in Finnish and English, a theme, or names a source that is no registry;
- ``context.jsonld`` is not a JSON-LD context document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from rdflib import RDF, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV

from graph_service.policy.errors import PolicyError
from graph_service.policy.guard import GuardError, check_query
from graph_service.policy.odrl import PolicyInvalid, ProductPolicy, read_product_policy
from graph_service.products.definition import (
    DATASET_NS,
    ProductDefinition,
    ProductDefinitionError,
)
from graph_service.products.shape import SEPARATOR, SchemaShapeError, Shape
from graph_service.store.registry import REFERENCE_SOURCES
from mappings.sources import load_sources

PERSON_FIELDS = frozenset({"person", "identity_code"})
"""What a request body may name: the person, by pseudonymous id or by identity code."""
LANGUAGES = ("fi", "en")


@dataclass(frozen=True, eq=False)
class CompiledProduct:
    """A checked product folder with what serving it needs, built once."""

    definition: ProductDefinition
    policy: ProductPolicy
    shape: Shape
    input_validator: Draft202012Validator
    output_validator: Draft202012Validator
    context: dict
    """The answer's JSON-LD ``@context`` (the folder's, or ``<product IRI>#`` as vocabulary)."""


def _fail(product: ProductDefinition, file: str, message: str) -> ProductDefinitionError:
    return ProductDefinitionError(f"{product.key}/{file}: {message}")


@lru_cache(maxsize=64)
def _projection(query: str) -> tuple[str, ...]:
    from rdflib.plugins.sparql import prepareQuery  # slow to import; only here

    return tuple(str(v) for v in prepareQuery(query).algebra.get("PV", ()))


def _check_query(product: ProductDefinition, shape: Shape) -> None:
    try:
        checked = check_query(product.query)
    except GuardError as error:
        raise _fail(product, "query.rq", str(error)) from None
    if checked.form != "SELECT":
        raise _fail(product, "query.rq", f"is a {checked.form}: a product's query is a "
                    "SELECT whose variables name the answer's places")
    if checked.from_default or checked.from_named:
        raise _fail(product, "query.rq", "names graphs (FROM): the graphs a product reads "
                    "are its sources' current extracts, from its description")
    if "?person" not in product.query:
        raise _fail(product, "query.rq", "does not use ?person, where the service puts the "
                    "person asked about")
    try:
        selected = _projection(product.query)
    except Exception as error:  # the parser raises many kinds; all mean "not SPARQL"
        raise _fail(product, "query.rq", f"does not parse: {error.__class__.__name__}"
                    ) from None
    if "person" in selected:
        raise _fail(product, "query.rq", "selects ?person: the service puts the person in "
                    "its place, and an answer never names them")
    unknown = [v for v in selected if v not in shape.variables]
    if unknown:
        raise _fail(product, "query.rq", "?" + ", ?".join(unknown) + " name(s) no place in "
                    f"output.schema.json (a variable is the JSON path of its value, joined "
                    f"with {SEPARATOR}; e.g. ?skills{SEPARATOR}label{SEPARATOR}fi)")


def _check_schemas(product: ProductDefinition) -> tuple[Draft202012Validator, ...]:
    validators = []
    for file, schema in (("input.schema.json", product.input_schema),
                         ("output.schema.json", product.output_schema)):
        try:
            Draft202012Validator.check_schema(schema)
        except SchemaError as error:
            where = "/".join(map(str, error.path)) or "(top)"
            raise _fail(product, file, f"not a valid JSON Schema at {where}: "
                        f"{error.message}") from None
        validators.append(Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER))
    names = set(product.input_schema.get("properties") or {})
    if names != PERSON_FIELDS or product.input_schema.get("type") != "object":
        raise _fail(product, "input.schema.json", "a request body is an object naming the "
                    "person and nothing else: properties person and identity_code")
    return tuple(validators)


def _check_description(product: ProductDefinition) -> None:
    graph, service, dataset = (product.description, URIRef(product.iri),
                               URIRef(product.dataset_iri))
    if (service, RDF.type, DCAT.DataService) not in graph:
        raise _fail(product, "description.ttl", "<> is not described as a dcat:DataService")
    if (dataset, RDF.type, DCAT.Dataset) not in graph:
        raise _fail(product, "description.ttl", "<#dataset> is not described as a "
                    "dcat:Dataset")
    for prop in (DCTERMS.title, DCTERMS.description, DCAT.keyword):
        languages = {getattr(o, "language", None) for o in graph.objects(service, prop)}
        missing = [lang for lang in LANGUAGES if lang not in languages]
        if missing:
            raise _fail(product, "description.ttl", f"<> has no {graph.qname(prop)} in "
                        + " and ".join(missing))
    if graph.value(service, DCAT.theme) is None:
        raise _fail(product, "description.ttl", "<> has no dcat:theme (an EU data theme)")
    derived = [str(o) for o in graph.objects(dataset, PROV.wasDerivedFrom)]
    if not product.sources:
        raise _fail(product, "description.ttl", "<#dataset> names no source it reads "
                    f"(prov:wasDerivedFrom <{DATASET_NS}<source>>)")
    known = set(load_sources()) | set(REFERENCE_SOURCES)
    strange = sorted({d for d in derived if d.removeprefix(DATASET_NS) not in known})
    if strange:
        raise _fail(product, "description.ttl", f"{', '.join(strange)}: not a registry; "
                    f"sources are {DATASET_NS}<id> for " + ", ".join(sorted(known)))
    if not set(product.sources) - set(REFERENCE_SOURCES):
        raise _fail(product, "description.ttl", "<#dataset> reads no registry, only reference "
                    "data: such a product holds no personal data and needs no consent")


def _context(product: ProductDefinition) -> dict:
    if product.context is None:
        return {"@vocab": product.iri + "#"}
    context = product.context.get("@context")
    if not isinstance(context, dict):
        raise _fail(product, "context.jsonld", "a JSON-LD context document holds an object "
                    "under @context")
    return context


def compile_product(product: ProductDefinition) -> CompiledProduct:
    """Check ``product``'s folder (ProductDefinitionError names the file and the fault)
    and compile what serving it needs."""
    input_validator, output_validator = _check_schemas(product)
    try:
        shape = Shape(product.output_schema)
    except SchemaShapeError as error:
        raise _fail(product, "output.schema.json", str(error)) from None
    _check_query(product, shape)
    try:
        policy = read_product_policy(product.policy, product.iri)
    except PolicyInvalid as error:
        raise _fail(product, "policy.ttl", str(error)) from None
    except PolicyError as error:
        raise _fail(product, "policy.ttl", str(error)) from None
    _check_description(product)
    return CompiledProduct(product, policy, shape, input_validator, output_validator,
                           _context(product))
