"""The whole catalogue, built from what the service knows.

One ``dcat:Catalog`` (``catalog.iris.CATALOG``) listing:

* every source's dataset series (the registries of mappings/sources.yaml, ESCO, the
  ontology, the code lists) and its current extract as a dataset in the series, with its
  distributions and quality measurements (the meta graph's provenance);
* every data product's data service and the dataset it serves (the products' folders);
* the service's own endpoints (SPARQL, graph API, harvesting);
* every model of the model graphs (``dcat:resource``), copied in as their owner wrote them.

The hand-written part (texts, themes, publishers, acts, EU concepts, metrics) is
catalog/metadata.ttl. The catalogue holds no personal data: a model graph that names a
person is left out (and reported), and a build that would name one fails.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from catalog.iris import CATALOG, dataset_iri
from catalog.metadata import metadata
from catalog.products_described import describe_product
from catalog.provenance import read_extracts
from catalog.rdf_helpers import date_literal, datetime_literal
from catalog.services_described import describe_services
from catalog.sources_described import describe_extract, describe_series
from catalog.store_io import catalogue_issued, read_model_graphs
from catalog.terms import BINDINGS, DCAT, DCATAP, DCT, ELI, IT6
from core.errors import TyodataError
from core.pseudonyms import PERSON_NS
from graph_service.products.definition import ProductDefinition
from graph_service.products.definition import products as shipped_products
from graph_service.store.base import GraphStore
from graph_service.store.registry import REFERENCE_SOURCES
from mappings.sources import load_sources


class PersonalDataInCatalogueError(TyodataError):
    """The catalogue would name a person: it is not built."""


@dataclass
class Assembly:
    """A built catalogue and what went into it."""

    graph: Graph
    series: list[URIRef] = field(default_factory=list)
    datasets: list[URIRef] = field(default_factory=list)
    """The current extracts' datasets."""
    products: list[URIRef] = field(default_factory=list)
    """The products' data services."""
    services: list[URIRef] = field(default_factory=list)
    models: list[URIRef] = field(default_factory=list)
    skipped_models: dict[str, str] = field(default_factory=dict)
    """Model graph -> why it was left out."""


def person_references(graph: Graph) -> list[str]:
    """Every term of ``graph`` that names a person (a pseudonymous person IRI, in an IRI or
    in a text)."""
    found = {str(term) for triple in graph for term in triple
             if isinstance(term, URIRef | Literal) and PERSON_NS in str(term)}
    return sorted(found)


def _copy_models(assembly: Assembly, store: GraphStore) -> None:
    for iri, model_graph in read_model_graphs(store).items():
        if person_references(model_graph):
            assembly.skipped_models[iri] = "names a person"
            continue
        models = sorted(m for m in model_graph.subjects(RDF.type, IT6.MachineLearningModel)
                        if isinstance(m, URIRef))
        if not models:
            assembly.skipped_models[iri] = "describes no it6:MachineLearningModel"
            continue
        assembly.graph += model_graph
        assembly.models.extend(models)


def _type_legislation(graph: Graph) -> None:
    """Every act the catalogue cites is an eli:LegalResource (the range shapes check it);
    one without a title in the metadata gets its label, if anything gave one."""
    for act in set(graph.objects(None, DCATAP.applicableLegislation)):
        graph.add((act, RDF.type, ELI.LegalResource))
        if graph.value(act, ELI.title) is None:
            for label in list(graph.objects(act, RDFS.label)):
                graph.add((act, ELI.title, label))


def assemble(store: GraphStore, *, products: Mapping[str, ProductDefinition] | None = None,
             now: datetime | None = None) -> Assembly:
    """Build the catalogue and say what it holds (see :func:`build_catalogue`)."""
    now = now or datetime.now(UTC)
    graph = Graph()
    for prefix, namespace in BINDINGS.items():
        graph.bind(prefix, namespace)
    graph += metadata()
    assembly = Assembly(graph)
    sources = load_sources()
    extracts = {r.source: r for r in read_extracts(store)}
    for source in (*sources, *REFERENCE_SOURCES):
        assembly.series.append(
            describe_series(graph, source, sources.get(source), extracts.get(source), now))
    for source, record in extracts.items():
        if source in sources or record.is_reference:  # else: a source no longer declared
            assembly.datasets.append(describe_extract(graph, record, now))
    catalogued = shipped_products() if products is None else products
    product_datasets = []
    for product in catalogued.values():
        service, dataset = describe_product(graph, product, extracts, now)
        assembly.products.append(service)
        product_datasets.append(dataset)
    registries = [URIRef(dataset_iri(s, r.extract_id)) for s, r in extracts.items()
                  if s in sources]
    esco = [URIRef(dataset_iri(s, r.extract_id)) for s, r in extracts.items() if s == "esco"]
    assembly.services = describe_services(graph, graphs=assembly.datasets,
                                          registries=registries, esco=esco)
    _copy_models(assembly, store)
    _type_legislation(graph)

    catalog = URIRef(CATALOG)
    graph.add((catalog, RDF.type, DCAT.Catalog))
    for item in (*assembly.series, *assembly.datasets, *product_datasets):
        graph.add((catalog, DCAT.dataset, item))
    for item in (*assembly.services, *assembly.products):
        graph.add((catalog, DCAT.service, item))
    for item in assembly.models:
        graph.add((catalog, DCAT.resource, item))
    graph.add((catalog, DCT.modified, datetime_literal(now)))
    graph.add((catalog, DCT.issued, datetime_literal(catalogue_issued(store) or now)))
    # MLDCAT-AP asks every dcat:Dataset (a catalogue is one) when its data was collected.
    graph.add((catalog, IT6.collectionDate, date_literal(now)))

    named = person_references(graph)
    if named:
        raise PersonalDataInCatalogueError(
            f"the catalogue would name {len(named)} person(s) (a product description?): "
            "it holds no personal data, so it was not built")
    return assembly


def build_catalogue(store: GraphStore, *, products: dict[str, ProductDefinition] | None = None,
                    now: datetime | None = None) -> Graph:
    """One DCAT-AP 3 catalogue of every dataset, data product, data service and model the
    service offers, from the meta graph, mappings/sources.yaml, the shapes, the products'
    folders (``products``; default: the shipped ones), the model graphs and
    catalog/metadata.ttl. ``now``: the build time (freshness, dct:modified)."""
    return assemble(store, products=products, now=now).graph
