"""The client's case graph in a real store: a saved forecast lands in the person's own graph
of kind case (never a registry graph), marked as a model output with PROV-O (the model's
catalogue item and version, when, for which organisation, by which worker), reads back
whole, newest first, stays apart from every other person; and erasing the person drops
it with their other graphs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF

from graph_service.api.case_graph import (
    FORECAST_MODEL,
    TYO,
    save_forecast,
    saved_forecasts,
)
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    GraphKind,
    erase_person,
    graphs_of_person,
    read_directory,
)

A = "https://tyodata.fi/id/person/" + "a" * 26
B = "https://tyodata.fi/id/person/" + "b" * 26
AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
FACTORS = [("sickness_days", 120.0, 0.81), ("language", "fi", -0.12), ("age", 52.0, 0.05)]


@pytest.fixture
def store(tmp_path: Path):
    with OxigraphStore(tmp_path / "store") as opened:
        yield opened


def save(store, person=A, *, at=AT, risk=0.31, light="red"):
    return save_forecast(store, person, risk=risk, light=light, amber=0.12, red=0.21,
                         index_date=date(2026, 2, 1), model_version="2026-11-28T01-30-00Z",
                         factors=FACTORS, organisation="city:helsinki", subject="anna",
                         at=at)


def graph_of(store, graph: str) -> Graph:
    g = Graph()
    for s, p, o in store.select(f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
                                ).rows:
        g.add((s, p, o))
    return g


def test_a_saved_forecast_is_a_model_output_in_the_persons_case_graph(store):
    forecast, graph = save(store)
    assert graphs_of_person(store, A, [GraphKind.CASE]) == [graph]
    assert read_directory(store).kind_of(graph) is GraphKind.CASE
    g = graph_of(store, graph)
    node = URIRef(forecast)
    assert (node, RDF.type, TYO.WorkAbilityForecast) in g and (node, RDF.type, PROV.Entity) in g
    activity = g.value(node, PROV.wasGeneratedBy)
    assert (activity, PROV.used, URIRef(FORECAST_MODEL)) in g
    assert str(g.value(activity, TYO.modelVersion)) == "2026-11-28T01-30-00Z"
    assert str(g.value(node, PROV.wasAttributedTo)) == "https://tyodata.fi/org/city/helsinki"
    assert g.value(node, PROV.generatedAtTime).toPython() == AT
    # never a registry fact: nothing in it says tyo:concernsPerson
    assert not list(g.triples((None, TYO.concernsPerson, None)))


def test_saved_forecasts_read_back_whole_and_newest_first(store):
    first, _ = save(store)
    second, _ = save(store, at=AT + timedelta(days=7), risk=0.05, light="green")
    save(store, B)  # another person's
    read = saved_forecasts(store, read_directory(store), A)
    assert [s.iri for s in read] == [second, first]
    newest = read[0]
    assert (newest.risk, newest.light, newest.amber, newest.red) == (0.05, "green", 0.12, 0.21)
    assert newest.index_date == date(2026, 2, 1) and newest.model == FORECAST_MODEL
    assert (newest.organisation, newest.saved_by) == ("city:helsinki", "anna")
    assert [(f.name, f.value, f.impact) for f in newest.factors] == FACTORS
    assert len(graphs_of_person(store, A, [GraphKind.CASE])) == 1  # one graph per person


def test_only_case_work_sees_case_graphs(store):
    _, graph = save(store)
    directory = read_directory(store)
    assert graph in dataset_for(Reader.CASE_WORK, directory).named
    for reader in (Reader.PUBLIC, Reader.REGISTRY):
        assert graph not in dataset_for(reader, directory).named


def test_erasing_the_person_drops_their_case_graph(store):
    _, graph = save(store)
    _, other = save(store, B)
    done = erase_person(store, A)
    assert graph in done.graphs
    assert graph not in store.named_graphs() and other in store.named_graphs()
    assert saved_forecasts(store, read_directory(store), A) == []
    assert len(saved_forecasts(store, read_directory(store), B)) == 1
