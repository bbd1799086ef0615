"""Matching's SPARQL, one .rq file per question (a steward can read them); values go in
through graph_service.queries (``bind``, ``substitute``, ``restrict``)."""

from __future__ import annotations

from graph_service.queries import bind, restrict, rq_loader, substitute

load = rq_loader(__package__)

__all__ = ["bind", "load", "restrict", "substitute"]
