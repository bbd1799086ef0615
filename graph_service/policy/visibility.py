"""Which graphs a reader may see: the one function that decides a caller's dataset.

Every path that runs a query (``/sparql``, ``/admin/query``, the CLI, the service's own
read models) asks :func:`dataset_for`, and the engine is then restricted to that
dataset: a query cannot widen it, whatever it names. Visibility is decided per graph
kind (``graph_service.store.registry``), never by the query.

The identity graph is removed last, unconditionally: no reader, no kind recorded in the
meta graph, no protocol parameter brings it back.

Graphs a caller names but may not see (``default-graph-uri``, ``named-graph-uri``,
``FROM``, ``FROM NAMED``) are treated exactly like graphs that do not exist: they are
empty, so nothing reveals which hidden graphs exist.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from functools import lru_cache

from graph_service.policy.tokens import Principal
from graph_service.store.base import Dataset
from graph_service.store.registry import (
    EMPTY_GRAPH,
    IDENTITY_GRAPH,
    META_GRAPH,
    GraphDirectory,
    GraphKind,
)


class Reader(StrEnum):
    PUBLIC = "public"
    """Any signed-in caller: reference data, the meta graph, policies, catalogue, models."""
    REGISTRY = "registry"
    """Stewards (and admins on /sparql): the public graphs and the current (pseudonymous)
    extracts, for a declared purpose, audited."""
    CASE_WORK = "case-work"
    """The service itself, answering a personal-data request the decision point permitted:
    current extracts, reference data, the meta graph and the per-person graphs."""
    MAINTENANCE = "maintenance"
    """Admins on the write path (/admin/query, used by `ingest --endpoint`): every graph in
    the store, current or not, because ingest checks a graph before it becomes current."""


_KINDS: dict[Reader, frozenset[GraphKind]] = {
    Reader.PUBLIC: frozenset({GraphKind.REFERENCE, GraphKind.POLICY, GraphKind.CATALOGUE,
                              GraphKind.MODEL}),
    Reader.REGISTRY: frozenset({GraphKind.REFERENCE, GraphKind.POLICY, GraphKind.CATALOGUE,
                                GraphKind.MODEL, GraphKind.EXTRACT}),
    Reader.CASE_WORK: frozenset({GraphKind.REFERENCE, GraphKind.POLICY, GraphKind.EXTRACT,
                                 GraphKind.CONSENT, GraphKind.CLIENT_REPORTED,
                                 GraphKind.FEEDBACK, GraphKind.CASE}),
}


def sparql_reader(principal: Principal) -> Reader:
    """The reader a caller is on the SPARQL endpoint."""
    return Reader.REGISTRY if principal.has("steward", "admin") else Reader.PUBLIC


def visible_graphs(reader: Reader, directory: GraphDirectory, *,
                   store_graphs: Iterable[str] = ()) -> tuple[str, ...]:
    """The graphs ``reader`` may see. ``store_graphs`` (every named graph in the store) is
    needed for MAINTENANCE only."""
    if reader is Reader.MAINTENANCE:
        return _without_identity({*store_graphs, META_GRAPH})
    return _visible(reader, directory)


@lru_cache(maxsize=16)
def _visible(reader: Reader, directory: GraphDirectory) -> tuple[str, ...]:
    # The same directory serves many requests in a row: decide once per reading.
    return _without_identity({*directory.of_kind(*_KINDS[reader]), META_GRAPH})


def _without_identity(graphs: set[str]) -> tuple[str, ...]:
    graphs.discard(IDENTITY_GRAPH)
    return tuple(sorted(graphs))


def dataset_for(reader: Reader, directory: GraphDirectory, *,
                default: Iterable[str] = (), named: Iterable[str] = (),
                store_graphs: Iterable[str] = ()) -> Dataset:
    """The dataset a query of ``reader`` runs on.

    ``default`` and ``named`` are the graphs the caller asked for (protocol parameters or
    the query's FROM / FROM NAMED); they can only narrow the visible set. With neither,
    the default graph is the union of every visible graph and each is a named graph.

    >>> from graph_service.store.registry import GraphDirectory
    >>> d = dataset_for(Reader.PUBLIC, GraphDirectory(), default=[IDENTITY_GRAPH])
    >>> d.default, d.named
    (('urn:tyodata:empty-graph',), ())
    """
    visible = visible_graphs(reader, directory, store_graphs=store_graphs)
    default, named = list(dict.fromkeys(default)), list(dict.fromkeys(named))
    if not default and not named:
        return Dataset(default=visible, named=visible)
    allowed = set(visible)
    narrowed_default = tuple(g for g in default if g in allowed) or (EMPTY_GRAPH,)
    return Dataset(default=narrowed_default, named=tuple(g for g in named if g in allowed))
