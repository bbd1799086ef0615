"""Catalogue graphs for the search, lineage and drawing tests: the hand-written fixture
(fixtures/catalogue.ttl) and small graphs built in code (a hostile title, a cycle)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

FIXTURES = Path(__file__).with_name("fixtures")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DATASET = "https://tyodata.fi/catalog/dataset/"
PRODUCT = "https://tyodata.fi/catalog/product/"
THEME = "http://publications.europa.eu/resource/authority/data-theme/"
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
AGENT = "https://tyodata.fi/catalog/agent/"

SERIES = DATASET + "tyomarkkinatori"
EXTRACT = DATASET + "tyomarkkinatori/2026-11-01"
KELA = DATASET + "kela"
KELA_EXTRACT = DATASET + "kela/2026-11-01"
ESCO = DATASET + "esco"
KUNTA = DATASET + "kunta"
PROFILE = PRODUCT + "Person/JobApplicantProfile_v1.0"
PROFILE_DATA = PROFILE + "#dataset"
BENEFITS = PRODUCT + "Benefits/BenefitDecisions_v1.0"
BENEFITS_DATA = BENEFITS + "#dataset"
MODEL = "https://tyodata.fi/catalog/model/tyokykyriski"
FORECAST_API = "https://tyodata.fi/catalog/service/forecast"
SPARQL_API = "https://tyodata.fi/catalog/service/sparql"
DISTRIBUTION = EXTRACT + "#csv"
ALL_ITEMS = {SERIES, EXTRACT, KELA, KELA_EXTRACT, ESCO, KUNTA, PROFILE, PROFILE_DATA, BENEFITS,
             BENEFITS_DATA, MODEL, FORECAST_API, SPARQL_API}
HOSTILE_TITLE = 'Tulot <script>alert("x")</script> & "menot" \'2026\''


@cache
def _parsed() -> Graph:
    return Graph().parse(FIXTURES / "catalogue.ttl", format="turtle")


def fixture_graph() -> Graph:
    """A fresh copy of the fixture catalogue (tests may add to it)."""
    copy = Graph()
    for triple in _parsed():
        copy.add(triple)
    return copy


def hostile_graph() -> Graph:
    """The fixture with a dataset titled with markup, quotes and an ampersand, derived from
    the Kela extract, and a control character in another title."""
    graph = fixture_graph()
    hostile = URIRef(DATASET + "hostile")
    graph.add((hostile, RDF.type, DCAT.Dataset))
    graph.add((hostile, DCTERMS.title, Literal(HOSTILE_TITLE, lang="fi")))
    graph.add((hostile, DCTERMS.title, Literal(HOSTILE_TITLE, lang="en")))
    graph.add((hostile, PROV.wasDerivedFrom, URIRef(KELA_EXTRACT)))
    graph.set((URIRef(BENEFITS_DATA), DCTERMS.title, Literal("Etuudet\x07 & tiedot", lang="fi")))
    return graph


def cycle_graph() -> Graph:
    """a -> b -> c -> a (prov:wasDerivedFrom loop), c -> product dataset -> product."""
    graph = Graph()
    names = ["a", "b", "c"]
    for name in names:
        graph.add((URIRef(DATASET + name), RDF.type, DCAT.Dataset))
        graph.add((URIRef(DATASET + name), DCTERMS.title, Literal(f"Aineisto {name}", lang="fi")))
    for upstream, downstream in (("a", "b"), ("b", "c"), ("c", "a")):
        graph.add((URIRef(DATASET + downstream), PROV.wasDerivedFrom, URIRef(DATASET + upstream)))
    product = URIRef(PRODUCT + "Test/Loop_v1.0")
    graph.add((product, RDF.type, DCAT.DataService))
    graph.add((URIRef(str(product) + "#dataset"), RDF.type, DCAT.Dataset))
    graph.add((product, DCAT.servesDataset, URIRef(str(product) + "#dataset")))
    graph.add((URIRef(str(product) + "#dataset"), PROV.wasDerivedFrom, URIRef(DATASET + "c")))
    return graph
