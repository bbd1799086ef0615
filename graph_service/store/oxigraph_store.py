"""The embedded store: pyoxigraph in memory or on disk."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from core.private import private_dir
from graph_service.store.base import Dataset, Table
from graph_service.store.errors import (
    ReadOnlyStoreError,
    StoreError,
    StoreLockedError,
)
from graph_service.store.results import ENGINE_RDF_FORMATS, ENGINE_RESULT_FORMATS


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Node | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class OxigraphStore:
    """pyoxigraph behind the GraphStore interface.

    ``path=None`` keeps the graph in memory. Only one process can open an on-disk
    store read-write; a second one gets StoreLockedError.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self.description = f"embedded store at {path}" if path else "in-memory store"
        self.generation = 0  # counts writes, so readers of snapshots know theirs is stale
        try:
            if path is None:
                self._store = ox.Store()
            elif read_only:
                if not path.exists():
                    raise StoreError(
                        f"no store at {path}: run `tyodata ingest` first or pass --store"
                    )
                self._store = ox.Store.read_only(str(path))
            else:
                private_dir(path)
                self._store = ox.Store(str(path))
        except OSError as err:
            if "lock" in str(err).lower():
                raise StoreLockedError(
                    f"the store at {path} is open read-write in another process "
                    "(a running `tyodata serve` or ingest); stop it, or send the work "
                    "through that process with --endpoint"
                ) from err
            raise StoreError(f"cannot open the store at {path}: {err}") from err

    # -- queries ---------------------------------------------------------------
    def _run(self, query: str, dataset: Dataset | None):
        kwargs: dict = {}
        if dataset is not None:
            kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default]
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named]
        return self._store.query(query, **kwargs)

    def select(self, query: str, *, dataset: Dataset | None = None) -> Table:
        result = self._run(query, dataset)
        if not isinstance(result, ox.QuerySolutions):
            raise StoreError("select() needs a SELECT query")
        variables = [v.value for v in result.variables]
        rows = [tuple(to_rdflib(sol[v]) for v in variables) for sol in result]
        return Table(variables, rows)

    def ask(self, query: str, *, dataset: Dataset | None = None) -> bool:
        result = self._run(query, dataset)
        if not isinstance(result, ox.QueryBoolean):
            raise StoreError("ask() needs an ASK query")
        return bool(result)

    def query_serialized(
        self, query: str, media_type: str, *, dataset: Dataset | None = None
    ) -> bytes:
        result = self._run(query, dataset)
        if isinstance(result, ox.QueryTriples):
            fmt = ENGINE_RDF_FORMATS.get(media_type)
        else:
            fmt = ENGINE_RESULT_FORMATS.get(media_type)
        if fmt is None:
            raise StoreError(f"cannot serialize this query's results as {media_type}")
        return result.serialize(format=fmt)

    # -- writes ----------------------------------------------------------------
    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"the {self.description} is open read-only")

    def snapshot(self, target: Path) -> None:
        """A read-only copy of the store as it is now, made of hard links (milliseconds):
        what sandboxed query workers read while this process keeps writing."""
        if self.path is None:
            raise StoreError("an in-memory store has no snapshots: give the service --store")
        self._store.backup(str(target))

    def update(self, update: str) -> None:
        self._writable()
        try:
            self._store.update(update)
        finally:  # counted after the write, so a snapshot taken meanwhile is seen as stale
            self.generation += 1

    def load_file(self, path: Path, graph: str) -> None:
        self._writable()
        try:
            self._store.bulk_load(
                path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph)
            )
        finally:
            self.generation += 1

    def load_graph(self, data: bytes, media_type: str, graph: str) -> None:
        self._writable()
        try:
            self._store.load(data, format=ENGINE_RDF_FORMATS[media_type],
                             to_graph=ox.NamedNode(graph))
        finally:
            self.generation += 1

    def drop_graph(self, graph: str) -> None:
        self._writable()
        try:
            self._store.remove_graph(ox.NamedNode(graph))
        finally:
            self.generation += 1

    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def flush(self) -> None:
        if not self.read_only and self.path is not None:
            self._store.flush()

    def close(self) -> None:
        if hasattr(self, "_store"):
            self.flush()
            del self._store

    def __enter__(self) -> OxigraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
