"""Which named graphs are live.

Each source extract is bulk-loaded into a fresh graph named by its content hash;
only when it is whole and valid does one small transaction mark it current (and
the previous extract of that source superseded) in the meta graph. Readers see
only current graphs, so a failed or killed load never shows, and the previous
graph stays whole until the switch.
"""

from __future__ import annotations

import time

from rdflib import Graph

from graph_service.store.base import Dataset, GraphStore

GRAPH_NS = "https://tyodata.fi/graph/"
META_GRAPH = GRAPH_NS + "meta"
IDENTITY_GRAPH = GRAPH_NS + "identity"
TYO = "https://tyodata.fi/ontology#"

_CURRENT = f"""
SELECT ?graph ?source WHERE {{
  GRAPH <{META_GRAPH}> {{ ?graph <{TYO}extractStatus> <{TYO}Current> ; <{TYO}source> ?source }}
}} ORDER BY ?source
"""


def extract_graph(source_id: str, extract_id: str) -> str:
    """The IRI of one loaded extract, e.g. https://tyodata.fi/graph/kela/3f2a..."""
    return f"{GRAPH_NS}{source_id}/{extract_id}"


def source_iri(source_id: str) -> str:
    return f"https://tyodata.fi/id/source/{source_id}"


def current_graphs(store: GraphStore) -> dict[str, str]:
    """Source IRI -> its current extract graph."""
    table = store.select(_CURRENT, dataset=Dataset(named=(META_GRAPH,)))
    return {str(src): str(g) for g, src in table.rows}


def visible_dataset(store: GraphStore, *, include_identity: bool = False,
                    current: dict[str, str] | None = None) -> Dataset:
    """The current extract graphs and the meta graph; never the identity graph unless asked.

    ``current`` may pass an already known :func:`current_graphs` answer.
    """
    graphs = [*(current if current is not None else current_graphs(store)).values(), META_GRAPH]
    if include_identity:
        graphs.append(IDENTITY_GRAPH)
    return Dataset.of(graphs)


class CurrentGraphsCache:
    """current_graphs() for a busy service: re-read at most every ``ttl`` seconds, and at
    once after a write that went through this process (``invalidate``)."""

    def __init__(self, store: GraphStore, ttl: float = 2.0) -> None:
        self._store, self._ttl = store, ttl
        self._value: dict[str, str] | None = None
        self._read_at = 0.0

    def get(self) -> dict[str, str]:
        now = time.monotonic()
        if self._value is None or now - self._read_at > self._ttl:
            self._value, self._read_at = current_graphs(self._store), now
        return self._value

    def invalidate(self) -> None:
        self._value = None


def commit_extract(store: GraphStore, source_id: str, graph: str, description: Graph) -> None:
    """Make a loaded graph current for its source, in one transaction.

    ``description`` holds the new graph's provenance (with tyo:extractStatus tyo:Current).
    """
    data = description.serialize(format="nt")
    store.update(
        f"""
DELETE {{ GRAPH <{META_GRAPH}> {{ ?g <{TYO}extractStatus> <{TYO}Current> }} }}
INSERT {{ GRAPH <{META_GRAPH}> {{ ?g <{TYO}extractStatus> <{TYO}Superseded> }} }}
WHERE {{ GRAPH <{META_GRAPH}> {{
  ?g <{TYO}source> <{source_iri(source_id)}> ; <{TYO}extractStatus> <{TYO}Current> }} }} ;
DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }} ;
INSERT DATA {{ GRAPH <{META_GRAPH}> {{
{data}
}} }}"""
    )


def collect_garbage(store: GraphStore) -> list[str]:
    """Drop every extract graph that is not current (superseded or left by a failed load)."""
    keep = {*current_graphs(store).values(), META_GRAPH, IDENTITY_GRAPH}
    dropped = [g for g in store.named_graphs() if g.startswith(GRAPH_NS) and g not in keep]
    for graph in dropped:
        store.drop_graph(graph)
    return dropped
