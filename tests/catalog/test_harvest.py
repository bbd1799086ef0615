"""Harvest pages and item descriptions, on a small hand-written catalogue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rdflib import RDF, Graph, Literal, URIRef

from catalog.formats import negotiate, serialize
from catalog.harvest import (
    HarvestError,
    UnknownItemError,
    describe,
    items,
    page,
    parse_since,
)
from catalog.iris import CATALOG, dataset_iri
from catalog.terms import DCAT, DCT, DQV, HYDRA

SMALL = f"""
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dqv: <http://www.w3.org/ns/dqv#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<{CATALOG}> a dcat:Catalog ; dct:title "Työdata"@fi ; dct:publisher <urn:x:pub> ;
  dcat:dataset <{dataset_iri("kela")}>, <{dataset_iri("kela", "x1")}>, <{dataset_iri("esco")}> .
<urn:x:pub> a foaf:Agent ; foaf:name "Kela"@fi .
<{dataset_iri("kela")}> a dcat:DatasetSeries ; dct:title "Kelan poiminnat"@fi ;
  dct:modified "2026-01-02"^^xsd:date .
<{dataset_iri("kela", "x1")}> a dcat:Dataset ; dct:title "Kelan poiminta"@fi ;
  dcat:inSeries <{dataset_iri("kela")}> ; dct:publisher <urn:x:pub> ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/SOCI> ;
  dcat:distribution <{dataset_iri("kela", "x1")}/sparql> ;
  dqv:hasQualityMeasurement [ a dqv:QualityMeasurement ; dqv:value 3 ] ;
  dct:modified "2026-03-01T10:00:00Z"^^xsd:dateTime .
<{dataset_iri("kela", "x1")}/sparql> a dcat:Distribution ;
  dcat:accessURL <https://tyodata.fi/sparql> .
<http://publications.europa.eu/resource/authority/data-theme/SOCI> a skos:Concept ;
  skos:prefLabel "Väestö ja yhteiskunta"@fi ; skos:broader <urn:x:never-copied> .
<{dataset_iri("esco")}> a dcat:Dataset ; dct:title "ESCO"@en ;
  dct:modified "2025-12-01T00:00:00Z"^^xsd:dateTime .
"""


@pytest.fixture(scope="module")
def small() -> Graph:
    return Graph().parse(data=SMALL, format="turtle")


def test_items_are_datasets_series_and_services_in_iri_order(small: Graph):
    assert [str(i) for i in items(small)] == sorted(
        [dataset_iri("esco"), dataset_iri("kela"), dataset_iri("kela", "x1")])


def test_an_item_brings_what_it_owns_and_the_labels_of_what_it_names(small: Graph):
    item = URIRef(dataset_iri("kela", "x1"))
    own = describe(small, item)
    distribution = URIRef(dataset_iri("kela", "x1") + "/sparql")
    assert (distribution, DCAT.accessURL, URIRef("https://tyodata.fi/sparql")) in own
    measurement = next(own.objects(item, DQV.hasQualityMeasurement))
    assert (measurement, URIRef("http://www.w3.org/ns/dqv#value"), Literal(3)) in own
    theme = URIRef("http://publications.europa.eu/resource/authority/data-theme/SOCI")
    assert (theme, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"), None) in own
    assert (theme, URIRef("http://www.w3.org/2004/02/skos/core#broader"), None) not in own
    # The series it belongs to is named, not described: its title is a label of it.
    assert (URIRef(dataset_iri("kela")), DCT.modified, None) not in own


def test_an_unknown_item_is_an_error(small: Graph):
    with pytest.raises(UnknownItemError):
        describe(small, URIRef(dataset_iri("nobody")))


def test_pages_cover_every_item_once_and_link_to_each_other(small: Graph):
    seen = []
    for number in (1, 2):
        graph, info = page(small, number=number, size=2, page_url="https://h/catalog.ttl")
        assert info.total == 3 and info.last == 2
        on_page = items(graph)
        seen += on_page
        here = URIRef(f"https://h/catalog.ttl?page={number}&page_size=2")
        assert (here, RDF.type, HYDRA.PagedCollection) in graph
        assert (here, HYDRA.totalItems, Literal(3)) in graph
        nxt = (here, HYDRA.nextPage, URIRef("https://h/catalog.ttl?page=2&page_size=2"))
        assert (nxt in graph) == (number == 1)
        # The catalogue links only the items of this page.
        assert set(graph.objects(URIRef(CATALOG), DCAT.dataset)) == set(on_page)
    assert sorted(seen) == items(small)


def test_modified_since_keeps_only_later_items(small: Graph):
    since = parse_since("2026-01-01")
    graph, info = page(small, modified_since=since)
    assert info.total == 2
    assert URIRef(dataset_iri("esco")) not in set(items(graph))
    assert parse_since("2026-03-01T11:00:00+02:00") == datetime(2026, 3, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "1.2.2026"])
def test_a_bad_modified_since_says_what_is_wrong(bad: str):
    with pytest.raises(HarvestError, match="modified_since"):
        parse_since(bad)


def test_bad_pages_are_refused(small: Graph):
    with pytest.raises(HarvestError, match="page"):
        page(small, number=0)
    with pytest.raises(HarvestError, match="page_size"):
        page(small, size=0)


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_every_format_reads_back_as_the_same_graph(small: Graph, fmt: str):
    data = serialize(describe(small, URIRef(dataset_iri("kela", "x1"))), fmt)
    back = Graph().parse(data=data, format={"ttl": "turtle", "jsonld": "json-ld",
                                            "rdf": "xml"}[fmt])
    assert len(back) == len(describe(small, URIRef(dataset_iri("kela", "x1"))))


def test_negotiation_prefers_the_highest_quality_then_the_first():
    assert negotiate("application/rdf+xml;q=0.4, text/turtle;q=0.9") == "ttl"
    assert negotiate("application/ld+json, text/turtle") == "jsonld"
    assert negotiate("text/turtle;q=0") is None
