"""The service's own endpoints as ``dcat:DataService``: the SPARQL endpoint, the graph API
and the catalogue's harvesting endpoint, each serving the datasets it serves.

Their texts, standards and access rights are in catalog/metadata.ttl; the endpoint, the
OpenAPI document, the publisher and what each serves are added here.
"""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import RDF, Graph, URIRef

from catalog.iris import BASE, CATALOG, SERVICE_NS
from catalog.rdf_helpers import add_all, add_missing
from catalog.sources_described import SERVICE_AGENT
from catalog.terms import API_BASE, DCAT, DCT, SPARQL_ENDPOINT

OPENAPI_DOCUMENT = BASE + "/openapi.json"
SPARQL = URIRef(SERVICE_NS + "sparql")
API = URIRef(SERVICE_NS + "api")
HARVEST = URIRef(SERVICE_NS + "catalog")
_ENDPOINTS = {SPARQL: SPARQL_ENDPOINT, API: API_BASE, HARVEST: CATALOG}


def describe_services(graph: Graph, *, graphs: Iterable[URIRef],
                      registries: Iterable[URIRef], esco: Iterable[URIRef]) -> list[URIRef]:
    """``graphs``: every dataset served as a named graph (the SPARQL endpoint serves them and
    this catalogue); ``registries`` and ``esco``: the datasets the graph API reads."""
    served = {
        SPARQL: [*graphs, URIRef(CATALOG)],
        API: [*registries, *esco],
        HARVEST: [URIRef(CATALOG)],
    }
    for service, endpoint in _ENDPOINTS.items():
        graph.add((service, RDF.type, DCAT.DataService))
        graph.add((service, DCAT.endpointURL, URIRef(endpoint)))
        graph.add((URIRef(endpoint), RDF.type, DCAT.Resource))
        graph.add((service, DCAT.endpointDescription, URIRef(OPENAPI_DOCUMENT)))
        add_missing(graph, service, DCT.publisher, SERVICE_AGENT)
        add_missing(graph, service, DCAT.contactPoint, URIRef(str(SERVICE_AGENT) + "#contact"))
        add_all(graph, service, DCAT.servesDataset, served[service])
    return list(_ENDPOINTS)
