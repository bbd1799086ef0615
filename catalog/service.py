"""The process's catalogue: the graph as last written, its search index, lineage network
and harvest pages, read once per version.

The catalogue graph changes only when ingest (or training) rewrites it; readers check its
version (the catalogue's ``dct:modified``) at most every ``check_every`` seconds and
rebuild the index only when it moved, so a search costs the search alone.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from rdflib import Graph

from catalog.harvest import Harvest
from catalog.iris import CATALOG, CATALOGUE_GRAPH
from catalog.lineage import LineageGraph
from catalog.search import CatalogueIndex
from catalog.store_io import read_catalogue
from graph_service.queries import rq_loader, substitute
from graph_service.store.base import Dataset, GraphStore

load_query = rq_loader(__package__)


@dataclass(frozen=True)
class Snapshot:
    version: str | None
    """The catalogue's dct:modified (None: no catalogue has been written yet)."""
    graph: Graph
    index: CatalogueIndex
    lineage: LineageGraph
    harvest: Harvest


class CatalogueService:
    def __init__(self, store: GraphStore, *, check_every: float = 2.0) -> None:
        self.store = store
        self.check_every = check_every
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked = 0.0

    def version(self) -> str | None:
        query = substitute(load_query("catalogue_version"), g=CATALOGUE_GRAPH, catalog=CATALOG)
        rows = self.store.select(query, dataset=Dataset(named=(CATALOGUE_GRAPH,))).dicts()
        return str(rows[0]["modified"]) if rows else None

    def snapshot(self) -> Snapshot:
        """The current catalogue (read again only when it was rewritten)."""
        with self._lock:
            now = time.monotonic()
            if self._snapshot is not None and now - self._checked < self.check_every:
                return self._snapshot
            version = self.version()
            self._checked = now
            if self._snapshot is None or self._snapshot.version != version:
                graph = read_catalogue(self.store) if version else Graph()
                harvest = Harvest(graph)
                self._snapshot = Snapshot(version, graph, CatalogueIndex.build(graph),
                                          LineageGraph.build(graph), harvest)
                # Item descriptions for harvesting, ready before a harvester asks.
                threading.Thread(target=harvest.warm, name="catalogue-warm",
                                 daemon=True).start()
            return self._snapshot
