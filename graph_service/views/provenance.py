"""Where a registry fact came from: its extract graph's source, organisation and extract
date, read from the meta graph (which holds no personal data).

Read once per reading of the graph directory (a new extract makes a new directory), so a
busy service asks the meta graph every few seconds at most, not once per request.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from rdflib import Literal

from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import META_GRAPH, GraphDirectory, GraphKind
from graph_service.views.model import Source
from graph_service.views.queries import load


def provenance_for(store: GraphStore, directory: GraphDirectory) -> dict[str, Source]:
    """Current extract graph IRI -> where its facts came from. A graph that is not a
    current extract (superseded, or of another kind) is absent: its facts are not shown
    as registry facts."""
    return _provenance(store, directory)


@lru_cache(maxsize=4)
def _provenance(store: GraphStore, directory: GraphDirectory) -> dict[str, Source]:
    extracts = set(directory.of_kind(GraphKind.EXTRACT))
    table = store.select(load("provenance"), dataset=Dataset(named=(META_GRAPH,)))
    sources: dict[str, Source] = {}
    for graph, source, organisation, extracted_at in table.rows:
        iri = str(graph)
        if iri not in extracts:
            continue
        source_id = str(source).rsplit("/", 1)[-1]
        sources[iri] = Source(organisation=str(organisation or source_id), source=source_id,
                              graph=iri, extracted_at=_day(extracted_at))
    return sources


def _day(value: object) -> date | None:
    """The day of an xsd:dateTime as the registry wrote it (in its own time zone)."""
    if not isinstance(value, Literal):
        return None
    python = value.toPython()
    if isinstance(python, datetime):
        return python.date()
    return python if isinstance(python, date) else None
