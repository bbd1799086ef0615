"""Build the configured store backend (one place decides which)."""

from __future__ import annotations

from pathlib import Path

from graph_service.store.base import GraphStore
from graph_service.store.oxigraph_store import OxigraphStore


def open_store(path: Path | None, *, read_only: bool = False) -> GraphStore:
    """The embedded store at ``path`` (in memory when None)."""
    return OxigraphStore(path, read_only=read_only)
