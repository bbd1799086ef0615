"""The situation view's SPARQL, one .rq file per section (a steward can read them); values
go in through graph_service.queries (``substitute``, ``restrict``)."""

from __future__ import annotations

from graph_service.queries import restrict, rq_loader, substitute

load = rq_loader(__package__)

__all__ = ["load", "restrict", "substitute"]
