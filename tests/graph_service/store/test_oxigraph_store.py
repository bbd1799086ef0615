from pathlib import Path

import pytest

from graph_service.store.base import Dataset
from graph_service.store.errors import ReadOnlyStoreError, StoreLockedError
from graph_service.store.oxigraph_store import OxigraphStore

G1, G2 = "https://example.org/g1", "https://example.org/g2"


def _store_with_two_graphs(path: Path | None = None) -> OxigraphStore:
    store = OxigraphStore(path)
    store.update(
        f"INSERT DATA {{ GRAPH <{G1}> {{ <urn:a> <urn:p> 1 }} "
        f"GRAPH <{G2}> {{ <urn:b> <urn:p> 2 }} }}"
    )
    return store


def test_dataset_restricts_what_a_query_sees():
    store = _store_with_two_graphs()
    q = "SELECT ?s WHERE { ?s <urn:p> ?o }"
    assert [str(r[0]) for r in store.select(q, dataset=Dataset.of([G1])).rows] == ["urn:a"]
    both = store.select(q, dataset=Dataset.of([G1, G2])).column("s")
    assert sorted(map(str, both)) == ["urn:a", "urn:b"]
    # A query naming a graph outside the dataset sees nothing there.
    named = f"SELECT ?s WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}"
    assert store.select(named, dataset=Dataset.of([G1])).rows == []


def test_serialized_results_and_syntax_errors():
    store = _store_with_two_graphs()
    csv = store.query_serialized("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?o",
                                 "text/csv")
    assert csv.decode().split() == ["o", "1", "2"]
    with pytest.raises(SyntaxError):
        store.select("SELECT WHERE {")


def test_read_only_and_lock(tmp_path: Path):
    path = tmp_path / "store"
    writer = _store_with_two_graphs(path)
    with pytest.raises(StoreLockedError, match="another process"):
        OxigraphStore(path)
    writer.close()
    reader = OxigraphStore(path, read_only=True)
    assert reader.named_graphs() == [G1, G2]
    with pytest.raises(ReadOnlyStoreError):
        reader.drop_graph(G1)
