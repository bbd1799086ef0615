"""One store interface for every backend (embedded pyoxigraph, remote SPARQL 1.1).

Callers speak SPARQL and N-Quads only, so the same ingest, queries and service
run against the embedded store on one machine or a SPARQL server cluster.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from rdflib.term import Node


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query sees: its default graph (as a union) and named graphs.

    Restricting the dataset is how retired or half-loaded extract graphs and the
    identity graph are kept out of sight.
    """

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    @classmethod
    def of(cls, graphs: Iterable[str]) -> Dataset:
        graphs = tuple(graphs)
        return cls(default=graphs, named=graphs)


@dataclass
class Table:
    """A SELECT result: variable names and rows of rdflib terms (None when unbound)."""

    variables: list[str]
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)

    def dicts(self) -> list[dict[str, Node | None]]:
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]

    def column(self, name: str) -> list[Node | None]:
        i = self.variables.index(name)
        return [row[i] for row in self.rows]


@runtime_checkable
class GraphStore(Protocol):
    """What every backend offers. Writes on a read-only store raise ReadOnlyStoreError."""

    read_only: bool
    description: str

    def select(self, query: str, *, dataset: Dataset | None = None) -> Table: ...

    def ask(self, query: str, *, dataset: Dataset | None = None) -> bool: ...

    def query_serialized(
        self, query: str, media_type: str, *, dataset: Dataset | None = None
    ) -> bytes: ...

    def update(self, update: str) -> None:
        """Run a SPARQL 1.1 update as one transaction."""
        ...

    def load_file(self, path: Path, graph: str) -> None:
        """Add a (large) N-Triples file to ``graph``.

        Not transactional: callers load into a fresh graph and make it visible afterwards.
        """
        ...

    def load_graph(self, data: bytes, media_type: str, graph: str) -> None:
        """Add a small serialization to `graph`, all or nothing."""
        ...

    def drop_graph(self, graph: str) -> None: ...

    def named_graphs(self) -> list[str]: ...

    def close(self) -> None: ...
