"""Graph kinds and lifecycles: garbage collection removes only dead extract graphs, the
identity graph never becomes visible, identity entries retire and persons are erased."""

from __future__ import annotations

import pytest

from core.pseudonyms import PERSON_NS
from graph_service.policy.visibility import Reader, dataset_for, visible_graphs
from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    GRAPH_NS,
    IDENTITY_GRAPH,
    META_GRAPH,
    TYO,
    GraphKind,
    begin_extract,
    collect_garbage,
    erase_person,
    graphs_of_person,
    read_directory,
    register_graph,
    retire_identities,
    source_iri,
)

ANNA, BO = PERSON_NS + "a" * 26, PERSON_NS + "b" * 26


def _extract(store: OxigraphStore, source: str, digest: str, status: str,
             persons: tuple[str, ...] = ()) -> str:
    graph = f"{GRAPH_NS}{source}/{digest}"
    kind = GraphKind.REFERENCE if source == "esco" else GraphKind.EXTRACT
    facts = " ".join(f"<{p}> a <{TYO}Person> ." for p in persons) or "<urn:x> <urn:y> 1 ."
    store.update(f"""INSERT DATA {{
      GRAPH <{graph}> {{ {facts} }}
      GRAPH <{META_GRAPH}> {{ <{graph}> <{TYO}graphKind> <{kind.iri}> ;
        <{TYO}source> <{source_iri(source)}> ; <{TYO}extractStatus> <{TYO}{status}> }} }}""")
    return graph


@pytest.fixture
def store() -> OxigraphStore:
    store = OxigraphStore()
    store.update(f"INSERT DATA {{ GRAPH <{IDENTITY_GRAPH}> {{ "
                 f"<{ANNA}> <{TYO}identityCode> \"A\" . <{BO}> <{TYO}identityCode> \"B\" }} }}")
    return store


def test_garbage_collection_drops_only_dead_extract_graphs(store: OxigraphStore):
    current = _extract(store, "kela", "new", "Current", (ANNA,))
    old = _extract(store, "kela", "old", "Superseded")
    half = _extract(store, "kela", "half", "Loading")
    esco = _extract(store, "esco", "e1", "Current")
    unregistered = f"{GRAPH_NS}kela/killed-before-registering"
    store.update(f"INSERT DATA {{ GRAPH <{unregistered}> {{ <urn:a> <urn:b> 1 }} }}")
    foreign = "https://example.org/someone-elses-graph"
    store.update(f"INSERT DATA {{ GRAPH <{foreign}> {{ <urn:a> <urn:b> 1 }} }}")
    consent = register_graph(store, GraphKind.CONSENT, person=ANNA, data="<urn:c> <urn:d> 1 .")
    reported = register_graph(store, GraphKind.CLIENT_REPORTED, person=ANNA)
    feedback = register_graph(store, GraphKind.FEEDBACK, person=BO)
    catalogue = register_graph(store, GraphKind.CATALOGUE, name="main")
    model = register_graph(store, GraphKind.MODEL, name="work-ability-1")

    dropped = collect_garbage(store)

    assert sorted(dropped) == sorted([old, half, unregistered])
    survivors = set(store.named_graphs())
    assert {current, esco, foreign, consent, reported, feedback, catalogue, model,
            IDENTITY_GRAPH, META_GRAPH} <= survivors
    assert collect_garbage(store) == []  # nothing left to collect


def test_kinds_are_read_back_from_the_meta_graph(store: OxigraphStore):
    consent = register_graph(store, GraphKind.CONSENT, person=ANNA)
    begin_extract(store, "kela", f"{GRAPH_NS}kela/loading")
    directory = read_directory(store)
    assert directory.kind_of(consent) is GraphKind.CONSENT
    assert directory.kind_of(IDENTITY_GRAPH) is GraphKind.IDENTITY
    assert f"{GRAPH_NS}kela/loading" not in directory.current().values()
    # The meta graph names no person: the per-person link lives inside the graph itself.
    meta = store.query_serialized(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{META_GRAPH}> "
                                  "{ ?s ?p ?o } }", "application/n-triples")
    assert ANNA.encode() not in meta
    assert graphs_of_person(store, ANNA) == [consent]


def test_marking_the_identity_graph_current_shows_it_to_nobody(store: OxigraphStore):
    _extract(store, "kela", "new", "Current", (ANNA,))
    # A steward (or a bug) records the identity graph as a current extract and a catalogue.
    store.update(f"""INSERT DATA {{ GRAPH <{META_GRAPH}> {{
      <{IDENTITY_GRAPH}> <{TYO}graphKind> <{GraphKind.EXTRACT.iri}> ;
        <{TYO}source> <{source_iri('vtj')}> ; <{TYO}extractStatus> <{TYO}Current> .
      <{IDENTITY_GRAPH}> <{TYO}graphKind> <{GraphKind.CATALOGUE.iri}> }} }}""")
    directory = read_directory(store)
    everything = [*store.named_graphs()]
    for reader in Reader:
        assert IDENTITY_GRAPH not in visible_graphs(reader, directory, store_graphs=everything)
        for asked in ({"default": [IDENTITY_GRAPH]}, {"named": [IDENTITY_GRAPH]}):
            dataset = dataset_for(reader, directory, store_graphs=everything, **asked)
            assert IDENTITY_GRAPH not in dataset.default + dataset.named
            rows = store.select("SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } "
                                "FILTER(isLiteral(?o) && STR(?o) IN (\"A\", \"B\")) }",
                                dataset=dataset).rows
            assert rows == [], reader


def test_hidden_graphs_behave_like_missing_ones(store: OxigraphStore):
    extract = _extract(store, "kela", "new", "Current", (ANNA,))
    directory = read_directory(store)
    hidden = dataset_for(Reader.PUBLIC, directory, default=[extract])
    missing = dataset_for(Reader.PUBLIC, directory, default=[f"{GRAPH_NS}no/such"])
    assert hidden == missing == Dataset(default=("urn:tyodata:empty-graph",), named=())
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert store.select(query, dataset=hidden).rows == store.select(query, dataset=missing).rows


def test_identity_entries_of_persons_in_no_current_extract_retire(store: OxigraphStore):
    _extract(store, "kela", "new", "Current", (ANNA,))
    _extract(store, "vtj", "old", "Superseded", (BO,))  # Bo is only in a dead extract
    assert retire_identities(store) == 1
    left = store.select(f"SELECT ?p WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ ?p ?x ?y }} }}",
                        dataset=Dataset(named=(IDENTITY_GRAPH,))).rows
    assert [str(p) for (p,) in left] == [ANNA]
    assert retire_identities(store) == 0


def test_erasing_a_person_removes_their_identity_and_their_own_graphs(store: OxigraphStore):
    extract = _extract(store, "kela", "new", "Current", (ANNA, BO))
    anna_consent = register_graph(store, GraphKind.CONSENT, person=ANNA)
    anna_reported = register_graph(store, GraphKind.CLIENT_REPORTED, person=ANNA)
    bo_consent = register_graph(store, GraphKind.CONSENT, person=BO)
    done = erase_person(store, ANNA)
    assert done.identity_entries == 1
    assert sorted(done.graphs) == sorted([anna_consent, anna_reported])
    graphs = set(store.named_graphs())
    assert anna_consent not in graphs and anna_reported not in graphs
    assert {bo_consent, extract} <= graphs  # others' graphs and registry facts stay
    assert read_directory(store).kind_of(anna_consent) is None
    with pytest.raises(ValueError, match="not a person id"):
        erase_person(store, "131052-308T")
