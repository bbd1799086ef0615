"""SPARQL 1.1 Protocol conformance of /sparql: request forms, result formats, errors,
refused updates and the graphs a role may see."""

from __future__ import annotations

import csv
import io
import json
from xml.etree import ElementTree

import pytest
from rdflib import Graph

from graph_service.store.registry import IDENTITY_GRAPH, META_GRAPH
from tests.graph_service.api.conftest import Api

COUNT_SOURCES = (f"SELECT ?source (COUNT(?g) AS ?n) WHERE {{ GRAPH <{META_GRAPH}> {{ ?g "
                 "<https://tyodata.fi/ontology#source> ?source } } GROUP BY ?source "
                 "ORDER BY ?source")
DECISIONS = "SELECT (COUNT(?d) AS ?n) WHERE { ?d a <https://tyodata.fi/ontology#BenefitDecision> }"


def _n(response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("form", ["get", "post-form", "post-direct"])
def test_each_request_form_gives_the_same_answer(api: Api, form: str):
    steward = {"role": "steward", "purpose": "data-quality"}
    if form == "get":
        r = api.request("GET", "/sparql", params={"query": DECISIONS}, **steward)
    elif form == "post-form":
        r = api.request("POST", "/sparql", data={"query": DECISIONS}, **steward)
    else:
        r = api.request("POST", "/sparql", content=DECISIONS, **steward,
                        headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    assert _n(r) > 100


def test_select_result_formats(api: Api):
    results = {}
    for accept in ("application/sparql-results+json", "application/sparql-results+xml",
                   "text/csv", "text/tab-separated-values"):
        r = api.request("GET", "/sparql", params={"query": COUNT_SOURCES}, role="steward",
                        purpose="data-quality", headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept), accept
        results[accept] = r.text
    sources_json = [b["source"]["value"] for b in
                    json.loads(results["application/sparql-results+json"])["results"]["bindings"]]
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    root = ElementTree.fromstring(results["application/sparql-results+xml"])
    sources_xml = [e.text for e in root.findall(".//s:binding[@name='source']/s:uri", ns)]
    sources_csv = [row["source"] for row in csv.DictReader(io.StringIO(results["text/csv"]))]
    tsv = results["text/tab-separated-values"].splitlines()
    assert tsv[0] == "?source\t?n"
    sources_tsv = [line.split("\t")[0].strip("<>") for line in tsv[1:]]
    assert sources_json == sources_xml == sources_csv == sources_tsv
    assert len(sources_json) >= 8


def test_construct_formats_and_ask(api: Api):
    query = ("CONSTRUCT { ?o <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } WHERE { ?o a "
             "<http://data.europa.eu/esco/model#Occupation> ; "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 20")
    sizes = set()
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"),
                        ("application/ld+json", "json-ld")):
        r = api.request("GET", "/sparql", params={"query": query}, role="developer",
                        headers={"Accept": accept})
        assert r.status_code == 200 and r.headers["content-type"].startswith(accept), r.text
        sizes.add(len(Graph().parse(data=r.text, format=fmt)))
    assert sizes == {20}
    ask = api.request("GET", "/sparql", role="developer",
                      params={"query": "ASK { ?o a <http://data.europa.eu/esco/model#Skill> }"})
    assert ask.json() == {"head": {}, "boolean": True}
    xml = api.request("GET", "/sparql", role="developer", headers={"Accept": "application/xml"},
                      params={"query": "ASK { ?o a <urn:nothing> }"})
    assert "<boolean>false</boolean>" in xml.text
    assert api.request("GET", "/sparql", role="developer", headers={"Accept": "image/png"},
                       params={"query": "ASK {}"}).status_code == 406


def test_malformed_query_is_400_with_the_parser_message(api: Api):
    r = api.request("GET", "/sparql", params={"query": "SELECT ?x WHERE { ?x"}, role="developer")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 400 and problem["type"].endswith("malformed-query")
    assert len(problem["detail"]) > 10
    assert api.request("GET", "/sparql", role="developer").status_code == 400


@pytest.mark.parametrize("how", ["form-update", "sparql-update", "query-insert"])
def test_updates_are_refused(api: Api, how: str):
    update = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"
    if how == "form-update":
        r = api.request("POST", "/sparql", data={"update": update}, role="admin")
    elif how == "sparql-update":
        r = api.request("POST", "/sparql", content=update, role="admin",
                        headers={"Content-Type": "application/sparql-update"})
    else:
        r = api.request("GET", "/sparql", params={"query": update}, role="admin",
                        purpose="data-quality")
    assert r.status_code == 403 and "ingest" in r.json()["detail"]
    ask = api.request("GET", "/sparql", params={"query": "ASK { <urn:a> ?p ?o }"},
                      role="steward", purpose="data-quality")
    assert ask.json()["boolean"] is False


def test_dataset_parameters_narrow_but_never_widen(api: Api):
    graphs = api.request("GET", "/graphs", role="steward").json()
    kela = next(g["graph"] for g in graphs if g["source"] == "kela")
    esco = next(g["graph"] for g in graphs if g["source"] == "esco")
    only_kela = api.request("GET", "/sparql", role="steward", purpose="data-quality",
                            params={"query": DECISIONS, "default-graph-uri": kela})
    only_esco = api.request("GET", "/sparql", role="steward", purpose="data-quality",
                            params={"query": DECISIONS, "default-graph-uri": esco})
    assert _n(only_kela) > 0 and _n(only_esco) == 0
    named = api.request("GET", "/sparql", role="steward", purpose="data-quality", params={
        "query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "named-graph-uri": esco})
    assert _n(named) > 100_000
    # A graph the caller may not see answers exactly like a graph that does not exist.
    missing = "https://tyodata.fi/graph/no-such-graph"
    for hidden in (IDENTITY_GRAPH, "https://tyodata.fi/graph/ident\u0069ty"):
        for template in ({"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": "{g}"},
                         {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }",
                          "named-graph-uri": "{g}"},
                         {"query": "SELECT * FROM <{g}> WHERE { ?s ?p ?o }"},
                         {"query": "SELECT * FROM NAMED <{g}> WHERE { GRAPH ?x { ?s ?p ?o } }"},
                         {"query": "PREFIX x: <https://tyodata.fi/graph/> "
                                   "SELECT * FROM x:identity WHERE { ?s ?p ?o }"}):
            answers = []
            for graph in (hidden, missing):
                params = {k: v.replace("{g}", graph) for k, v in template.items()}
                r = api.request("GET", "/sparql", role="steward", purpose="data-quality",
                                params=params)
                answers.append((r.status_code, r.json()["results"]["bindings"]))
            assert answers[0] == answers[1] == (200, []), template
    sneaky = api.request("GET", "/sparql", role="steward", purpose="data-quality", params={
        "query": f"SELECT * WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ ?s ?p ?o }} }}"})
    assert sneaky.status_code == 200 and sneaky.json()["results"]["bindings"] == []
    # A developer sees ESCO but no registry graph, even by naming it.
    dev = api.request("GET", "/sparql", role="developer", params={"query": DECISIONS})
    assert _n(dev) == 0
    named_kela = api.request("GET", "/sparql", role="developer",
                             params={"query": DECISIONS, "default-graph-uri": kela})
    assert named_kela.status_code == 200 and _n(named_kela) == 0


def test_size_cap_and_federation(api: Api):
    r = api.request("GET", "/sparql", role="developer", params={
        "query": "SELECT ?s WHERE { ?s a <http://data.europa.eu/esco/model#Skill> }"})
    assert r.status_code == 413 and "200000 bytes" in r.json()["detail"]
    r = api.request("GET", "/sparql", role="developer", params={
        "query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403
