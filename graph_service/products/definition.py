"""A data product as its folder declares it, and the one reader of those folders.

A product lives in ``definitions/<Domain>/<Name>_v<major>.<minor>/`` (Virtual Finland
testbed naming, e.g. ``Person/JobApplicantProfile_v1.0``) and holds:

=====================  =====================================================================
``query.rq``           the SPARQL CONSTRUCT or SELECT that gathers the person's data; the
                       person is substituted for ``?person``
``input.schema.json``  JSON Schema of the request body (it names the person, never the URL)
``output.schema.json`` JSON Schema of the answer
``policy.ttl``         the ODRL policy: who may call it, for which purposes, on which basis,
                       duties
``description.ttl``    its catalogue description (DCAT-AP), parsed with the product's IRI as
                       base: ``<>`` is the ``dcat:DataService``, ``<#dataset>`` the
                       ``dcat:Dataset`` it serves
``context.jsonld``     optional: the JSON-LD ``@context`` of its answer (without one, the
                       answer's terms are ``<product IRI>#<name>``)
=====================  =====================================================================

Adding a folder adds a product: the API, its OpenAPI document and the catalogue pick it up.
A folder is checked whole when read (:mod:`graph_service.products.contract`: the query
against the output schema, the schemas, the policy, the description); a broken one is
refused with a :class:`ProductDefinitionError` naming the file and what is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV

from core.errors import TyodataError

DEFINITIONS_DIR = Path(__file__).with_name("definitions")
PRODUCT_NS = "https://tyodata.fi/catalog/product/"
DATASET_NS = "https://tyodata.fi/catalog/dataset/"  # catalog.iris re-exports both
FILES = ("query.rq", "input.schema.json", "output.schema.json", "policy.ttl", "description.ttl")
OPTIONAL_FILES = ("context.jsonld",)
_FOLDER = re.compile(r"(?P<name>[A-Z][A-Za-z0-9]*)_v(?P<major>\d+)\.(?P<minor>\d+)")
_DOMAIN = re.compile(r"[A-Z][A-Za-z0-9]*")


class ProductDefinitionError(TyodataError):
    """A product folder that is incomplete or malformed; the message names the file."""


@dataclass(frozen=True)
class ProductDefinition:
    domain: str  # "Person"
    name: str  # "JobApplicantProfile"
    major: int
    minor: int
    folder: Path
    query: str
    input_schema: dict
    output_schema: dict
    policy: Graph
    description: Graph
    context: dict | None = None
    """The JSON-LD ``@context`` of the answer (``context.jsonld``), if the folder has one."""

    @property
    def key(self) -> str:
        """``Person/JobApplicantProfile_v1.0``: the product's path under ``/products/``."""
        return f"{self.domain}/{self.name}_v{self.major}.{self.minor}"

    @property
    def iri(self) -> str:
        """The product's IRI, its ``dcat:DataService`` (and the catalogue item's IRI)."""
        return PRODUCT_NS + self.key

    @property
    def dataset_iri(self) -> str:
        """The ``dcat:Dataset`` the product serves."""
        return self.iri + "#dataset"

    @property
    def path(self) -> str:
        """The URL path a caller POSTs to."""
        return "/products/" + self.key

    @property
    def sources(self) -> tuple[str, ...]:
        """The registries (source ids of mappings/sources.yaml, or ``esco``) the product
        reads: its description's ``<#dataset> prov:wasDerivedFrom <.../dataset/<source>>``.
        The catalogue draws lineage from these and the product reads only their graphs."""
        found = self.description.objects(URIRef(self.dataset_iri), PROV.wasDerivedFrom)
        return tuple(sorted(str(o).removeprefix(DATASET_NS) for o in found
                            if str(o).startswith(DATASET_NS)))

    @property
    def is_construct(self) -> bool:
        return re.search(r"^\s*CONSTRUCT\b", _strip_prologue(self.query),
                         re.IGNORECASE | re.MULTILINE) is not None


def _strip_prologue(query: str) -> str:
    lines = [ln for ln in query.splitlines()
             if not re.match(r"\s*(#|PREFIX\b|BASE\b|$)", ln, re.IGNORECASE)]
    return "\n".join(lines)


def _read(folder: Path, domain: str) -> ProductDefinition:
    match = _FOLDER.fullmatch(folder.name)
    if not match or not _DOMAIN.fullmatch(domain):
        raise ProductDefinitionError(
            f"{domain}/{folder.name}: a product folder is <Domain>/<Name>_v<major>.<minor>, "
            "e.g. Person/JobApplicantProfile_v1.0")
    missing = [f for f in FILES if not (folder / f).is_file()]
    if missing:
        raise ProductDefinitionError(f"{domain}/{folder.name}: missing {', '.join(missing)}")
    iri = PRODUCT_NS + f"{domain}/{folder.name}"

    def turtle(file: str) -> Graph:
        try:
            return Graph().parse(folder / file, format="turtle", publicID=iri)
        except Exception as err:  # rdflib raises many kinds; all mean "not Turtle"
            raise ProductDefinitionError(f"{domain}/{folder.name}/{file}: not valid Turtle: "
                                         f"{err}") from None

    def schema(file: str, what: str = "a JSON Schema") -> dict:
        try:
            value = json.loads((folder / file).read_text(encoding="utf-8"))
        except json.JSONDecodeError as err:
            raise ProductDefinitionError(f"{domain}/{folder.name}/{file}: not JSON: "
                                         f"{err}") from None
        if not isinstance(value, dict):
            raise ProductDefinitionError(f"{domain}/{folder.name}/{file}: {what} "
                                         "is an object")
        return value

    context = None
    if (folder / "context.jsonld").is_file():
        context = schema("context.jsonld", "a JSON-LD context document")
    product = ProductDefinition(
        domain=domain, name=match["name"], major=int(match["major"]),
        minor=int(match["minor"]), folder=folder,
        query=(folder / "query.rq").read_text(encoding="utf-8"),
        input_schema=schema("input.schema.json"), output_schema=schema("output.schema.json"),
        policy=turtle("policy.ttl"), description=turtle("description.ttl"), context=context)
    from graph_service.products.contract import compile_product  # it reads this module

    compile_product(product)  # refuses a folder that breaks the contract, naming the file
    return product


def load_products(root: Path = DEFINITIONS_DIR) -> dict[str, ProductDefinition]:
    """Every product under ``root`` by its key (``Person/JobApplicantProfile_v1.0``)."""
    products: dict[str, ProductDefinition] = {}
    if not root.is_dir():
        return products
    for domain in sorted(p for p in root.iterdir() if p.is_dir() and p.name[0] != "_"):
        for folder in sorted(p for p in domain.iterdir() if p.is_dir() and p.name[0] != "_"):
            product = _read(folder, domain.name)
            products[product.key] = product
    return products


@cache
def products() -> dict[str, ProductDefinition]:
    """The products shipped with the service (read once)."""
    return load_products()
