"""What the meta graph knows of every current extract and reference graph (one query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rdflib import Literal
from rdflib.term import Node

from graph_service.queries import rq_loader
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import META_GRAPH, REFERENCE_SOURCES, source_iri

load_query = rq_loader(__package__)


@dataclass(frozen=True)
class ExtractRecord:
    """One current extract (or reference) graph as the meta graph describes it."""

    graph: str
    source: str
    """The source id (a key of mappings/sources.yaml, or esco / ontology / codelists)."""
    loaded_at: datetime
    extracted_at: datetime | None = None
    activity: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    agent: str | None = None
    rows_read: int | None = None
    rows_loaded: int | None = None
    rows_rejected: int | None = None
    triples: int | None = None
    law: str | None = None
    files: tuple[str, ...] = ()
    legal_bases: tuple[str, ...] = ()

    @property
    def extract_id(self) -> str:
        """The last segment of the graph IRI (the extract's content hash)."""
        return self.graph.rsplit("/", 1)[-1]

    @property
    def is_reference(self) -> bool:
        return self.source in REFERENCE_SOURCES


def _datetime(node: Node | None) -> datetime | None:
    if not isinstance(node, Literal):
        return None
    value = node.toPython()
    return value if isinstance(value, datetime) else None


def _int(node: Node | None) -> int | None:
    return int(node) if isinstance(node, Literal) else None  # type: ignore[arg-type]


def _str(node: Node | None) -> str | None:
    return None if node is None else str(node)


def read_extracts(store: GraphStore) -> list[ExtractRecord]:
    """Every current extract and reference graph, sorted by source."""
    table = store.select(load_query("current_extracts"), dataset=Dataset(named=(META_GRAPH,)))
    records = []
    prefix = source_iri("")
    for row in table.dicts():
        loaded = _datetime(row["loadedAt"])
        if loaded is None or not str(row["source"]).startswith(prefix):
            continue  # not something ingest recorded: not ours to describe
        records.append(ExtractRecord(
            graph=str(row["graph"]), source=str(row["source"]).removeprefix(prefix),
            loaded_at=loaded, extracted_at=_datetime(row["extractedAt"]),
            activity=_str(row["activity"]), started=_datetime(row["started"]),
            ended=_datetime(row["ended"]), agent=_str(row["agent"]),
            rows_read=_int(row["rowsRead"]), rows_loaded=_int(row["rowsLoaded"]),
            rows_rejected=_int(row["rowsRejected"]), triples=_int(row["triples"]),
            law=_str(row["law"]),
            files=tuple(sorted(f for f in str(row["files"] or "").split("\n") if f)),
            legal_bases=tuple(sorted(b for b in str(row["bases"] or "").split() if b)),
        ))
    return records
