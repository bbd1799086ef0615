"""Both backends behave the same behind the GraphStore interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph_service.store.base import Dataset, GraphStore
from graph_service.store.errors import StoreError
from graph_service.store.factory import open_store

G1, G2 = "https://example.org/g1", "https://example.org/g2"


@pytest.fixture(params=["embedded", "remote"])
def store(request, tmp_path: Path) -> GraphStore:
    if request.param == "embedded":
        s = open_store(tmp_path / "store")
    else:
        s = open_store(None, endpoint=request.getfixturevalue("oxigraph_server"))
    yield s
    s.close()


def test_load_query_drop(store: GraphStore, tmp_path: Path):
    nt = tmp_path / "data.nt"
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    nt.write_text('<urn:a> <urn:p> "ä \\"x\\""@fi .\n'
                  f'<urn:b> <urn:p> "2"^^{integer} .\n', encoding="utf-8")
    store.load_file(nt, G1)
    store.update(f"INSERT DATA {{ GRAPH <{G2}> {{ <urn:c> <urn:p> 3 }} }}")
    assert set(store.named_graphs()) >= {G1, G2}
    table = store.select("SELECT ?s ?o WHERE { ?s <urn:p> ?o } ORDER BY ?s",
                         dataset=Dataset.of([G1]))
    assert [str(s) for s in table.column("s")] == ["urn:a", "urn:b"]
    assert table.rows[0][1].language == "fi" and str(table.rows[0][1]) == 'ä "x"'
    assert store.ask("ASK { <urn:c> ?p ?o }", dataset=Dataset.of([G2]))
    assert not store.ask("ASK { <urn:c> ?p ?o }", dataset=Dataset.of([G1]))
    # Only the named graphs of the dataset are reachable with GRAPH.
    hidden = store.select(f"SELECT * WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}",
                          dataset=Dataset(default=(G1,), named=(G1,)))
    assert hidden.rows == []
    empty_default = store.select("SELECT * WHERE { ?s ?p ?o }", dataset=Dataset(named=(G1,)))
    assert empty_default.rows == []
    csv = store.query_serialized("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", "text/csv",
                                 dataset=Dataset.of([G2]))
    assert csv.decode().split() == ["o", "3"]
    store.drop_graph(G1)
    assert G1 not in store.named_graphs()


def test_errors(store: GraphStore):
    with pytest.raises(SyntaxError):
        store.select("SELECT WHERE {")
    with pytest.raises(StoreError):
        store.select("ASK {}")
