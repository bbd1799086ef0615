"""Each data product as a ``dcat:DataService`` serving its ``dcat:Dataset``, from its folder.

A product's description.ttl says what only people can (titles, descriptions, keywords,
themes, its sources with ``prov:wasDerivedFrom``); everything the service knows is added
here, and only where the description does not say it already: the endpoint and its OpenAPI
document, the dataset it serves, access rights (non-public: personal data), conformance to
its output JSON Schema, publisher and contact point, applicable legislation (the acts its
ODRL policy names, and the GDPR), dates and themes from its source series.
"""

from __future__ import annotations

from datetime import datetime

from rdflib import RDF, RDFS, Graph, Literal, URIRef

from catalog.iris import BASE, dataset_iri
from catalog.provenance import ExtractRecord
from catalog.rdf_helpers import (
    add_all,
    add_missing,
    date_literal,
    datetime_literal,
    texts,
)
from catalog.sources_described import SERVICE_AGENT
from catalog.terms import ACCESS_RIGHT, COUNTRY, DCAT, DCATAP, DCT, ELI, GDPR, IT6, PROV
from graph_service.products.definition import ProductDefinition

_ELI_PREFIXES = ("http://data.finlex.fi/eli/", "http://data.europa.eu/eli/")
JSON_SCHEMA_2020_12 = "https://json-schema.org/draft/2020-12/schema"


def endpoint_url(product: ProductDefinition) -> str:
    return BASE + product.path


def openapi_url(product: ProductDefinition) -> str:
    """Where the product's OpenAPI document is served (``<path>/openapi.json``)."""
    return endpoint_url(product) + "/openapi.json"


def output_schema_iri(product: ProductDefinition) -> str:
    """The output JSON Schema as a standard: its ``$id`` when absolute, else a fragment of
    the product's page."""
    declared = product.output_schema.get("$id")
    if isinstance(declared, str) and declared.startswith(("https://", "http://")):
        return declared
    return product.iri + "#output-schema"


def legislation_of(product: ProductDefinition) -> list[URIRef]:
    """The acts the product's policy names (ELI IRIs), and the GDPR."""
    found = {o for o in product.policy.objects()
             if isinstance(o, URIRef) and str(o).startswith(_ELI_PREFIXES)}
    return sorted(found | {URIRef(GDPR)})


def _schema_standard(graph: Graph, product: ProductDefinition) -> URIRef:
    standard = URIRef(output_schema_iri(product))
    graph.add((standard, RDF.type, DCT.Standard))
    title = product.output_schema.get("title")
    if isinstance(title, str) and title:
        graph.add((standard, DCT.title, Literal(title)))
    graph.add((standard, DCT.title, Literal(f"Datatuotteen {product.key} vastauksen "
                                            "JSON Schema", lang="fi")))
    graph.add((standard, DCT.title, Literal(f"JSON Schema of the answer of {product.key}",
                                            lang="en")))
    dialect = product.output_schema.get("$schema")
    if isinstance(dialect, str) and dialect.startswith(("https://", "http://")):
        dialect = dialect.rstrip("#")
        graph.add((standard, DCT.conformsTo, URIRef(dialect)))
        if dialect != JSON_SCHEMA_2020_12:  # that one is described in metadata.ttl
            graph.add((URIRef(dialect), RDF.type, DCT.Standard))
            graph.add((URIRef(dialect), DCT.title, Literal(dialect.rsplit("/", 2)[-2])))
    return standard


def _fallback_texts(graph: Graph, node: URIRef, product: ProductDefinition) -> None:
    """Titles and descriptions for a description that lacks them (the schema's, or the key)."""
    title = product.output_schema.get("title")
    add_missing(graph, node, DCT.title, Literal(title if isinstance(title, str) and title
                                                else product.key))
    about = product.output_schema.get("description")
    add_missing(graph, node, DCT.description, Literal(
        about if isinstance(about, str) and about else f"Data product {product.key}"))


def describe_product(graph: Graph, product: ProductDefinition,
                     extracts: dict[str, ExtractRecord], now: datetime) -> tuple[URIRef, URIRef]:
    """Add the product's data service and dataset; returns their IRIs."""
    service, dataset = URIRef(product.iri), URIRef(product.dataset_iri)
    graph += product.description
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((service, DCT.identifier, Literal(product.key)))
    # The dataset says what the service says unless it says otherwise; both fall back on
    # the output schema's texts and their sources' themes and keywords.
    for prop in (DCT.title, DCT.description):
        have = texts(graph, dataset, prop)
        for lang, text in texts(graph, service, prop).items():
            if lang not in have:
                graph.add((dataset, prop, Literal(text, lang=lang or None)))
    for prop in (DCAT.keyword, DCAT.theme):
        add_missing(graph, dataset, prop, *sorted(graph.objects(service, prop)))
    _fallback_texts(graph, service, product)
    _fallback_texts(graph, dataset, product)

    endpoint = URIRef(endpoint_url(product))
    graph.add((endpoint, RDF.type, DCAT.Resource))
    add_missing(graph, service, DCAT.endpointURL, endpoint)
    add_missing(graph, service, DCAT.endpointDescription, URIRef(openapi_url(product)))
    graph.add((service, DCAT.servesDataset, dataset))
    standard = _schema_standard(graph, product)
    series = [URIRef(dataset_iri(source)) for source in product.sources]
    add_all(graph, dataset, PROV.wasDerivedFrom, series)
    acts = legislation_of(product)
    for act in acts:  # the policy's names of its acts, for acts the metadata lacks
        if graph.value(act, ELI.title) is None:
            for label in product.policy.objects(act, RDFS.label):
                graph.add((act, RDFS.label, label))
    for node in (service, dataset):
        add_missing(graph, node, DCT.accessRights, ACCESS_RIGHT.NON_PUBLIC)
        add_missing(graph, node, DCT.publisher, SERVICE_AGENT)
        add_missing(graph, node, DCAT.contactPoint,
                    URIRef(str(SERVICE_AGENT) + "#contact"))
        graph.add((node, DCT.conformsTo, standard))
        add_all(graph, node, DCATAP.applicableLegislation, acts)
        add_missing(graph, node, DCAT.theme,
                    *sorted({t for s in series for t in graph.objects(s, DCAT.theme)}))
        add_missing(graph, node, DCAT.keyword,
                    *sorted({k for s in series for k in graph.objects(s, DCAT.keyword)}))
    add_missing(graph, dataset, DCT.spatial, COUNTRY.FIN)
    add_missing(graph, dataset, DCAT.version, Literal(f"{product.major}.{product.minor}"))
    # The product serves live data: as fresh as its sources' current extracts.
    current = [extracts[s] for s in product.sources if s in extracts]
    if current:
        add_missing(graph, dataset, DCT.modified,
                    datetime_literal(max(r.loaded_at for r in current)))
    collected = max(((r.extracted_at or r.loaded_at) for r in current), default=now)
    add_missing(graph, dataset, IT6.collectionDate, date_literal(collected))
    return service, dataset
