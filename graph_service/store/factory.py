"""Build the configured store backend (the one place that decides which)."""

from __future__ import annotations

from pathlib import Path

from graph_service.store.base import GraphStore
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.remote_store import Endpoints, RemoteSparqlStore


def open_store(path: Path | None, *, endpoint: str | None = None, token: str | None = None,
               read_only: bool = False) -> GraphStore:
    """A remote store when ``endpoint`` is given (base URL of /query, /update, /store),
    else the embedded store at ``path`` (in memory when None)."""
    if endpoint:
        return RemoteSparqlStore(Endpoints.under(endpoint), token=token, read_only=read_only)
    return OxigraphStore(path, read_only=read_only)
