"""The catalogue graph in the store: written whole, read whole; and the model graphs it
copies in (written by training through :func:`write_model`).

The catalogue lives in one named graph of kind ``catalogue`` (``CATALOGUE_GRAPH``,
registered in the meta graph on its first write). A write replaces it in one SPARQL
update (drop and insert in one transaction), so a reader sees the old catalogue or the
new one, never half of either.
"""

from __future__ import annotations

import re
from datetime import datetime

from rdflib import Graph, Literal

from catalog.iris import CATALOG, CATALOGUE_GRAPH
from graph_service.queries import rq_loader, substitute
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GRAPH_NS, GraphKind, read_directory, register_graph

load_query = rq_loader(__package__)
_NT = "application/n-triples"
_MODEL_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _construct(store: GraphStore, graph: str) -> Graph:
    query = substitute(load_query("graph_contents"), g=graph)
    data = store.query_serialized(query, _NT, dataset=Dataset(named=(graph,)))
    return Graph().parse(data=data.decode("utf-8"), format="nt")


def read_catalogue(store: GraphStore) -> Graph:
    """The catalogue as last written (an empty graph when none has been)."""
    return _construct(store, CATALOGUE_GRAPH)


def _replace(store: GraphStore, kind: GraphKind, name: str, graph: Graph) -> str:
    """Replace the registered graph ``<kind>/<name>`` with ``graph`` in one update (on the
    first write: register it, dropping whatever an unregistered graph of that name held)."""
    iri = f"{GRAPH_NS}{kind.value}/{name}"
    data = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    if read_directory(store).kind_of(iri) is kind:
        store.update(f"DROP SILENT GRAPH <{iri}> ;\nINSERT DATA {{ GRAPH <{iri}> {{\n{data}}} }}")
    else:
        store.drop_graph(iri)
        made = register_graph(store, kind, name=name, data=data)
        assert made == iri, made
    return iri


def write_catalogue(store: GraphStore, graph: Graph) -> str:
    """Replace the catalogue with ``graph``, atomically; returns the graph's IRI."""
    return _replace(store, GraphKind.CATALOGUE, CATALOGUE_GRAPH.rsplit("/", 1)[-1], graph)


def write_model(store: GraphStore, name: str, graph: Graph) -> str:
    """Replace the model graph ``graph/model/<name>`` with ``graph`` (a model's description,
    see catalog.models.describe_model), atomically; the next refresh catalogues it."""
    if not _MODEL_NAME.fullmatch(name):
        raise ValueError(f"model graph name {name!r} is not lower-case words joined by hyphens")
    return _replace(store, GraphKind.MODEL, name, graph)


def catalogue_issued(store: GraphStore) -> datetime | None:
    """When the catalogue was first issued (its ``dct:issued``), if it has been written."""
    query = substitute(load_query("catalogue_issued"), g=CATALOGUE_GRAPH, catalog=CATALOG)
    rows = store.select(query, dataset=Dataset(named=(CATALOGUE_GRAPH,))).rows
    value = rows[0][0] if rows else None
    moment = value.toPython() if isinstance(value, Literal) else None
    return moment if isinstance(moment, datetime) else None


def read_model_graphs(store: GraphStore) -> dict[str, Graph]:
    """Every model graph (kind ``model``) by its IRI."""
    return {iri: _construct(store, iri)
            for iri in sorted(read_directory(store).of_kind(GraphKind.MODEL))}
