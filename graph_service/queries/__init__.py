"""SPARQL queries kept as .rq files a steward can read; loaded by name."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_SAFE_IRI = re.compile(r"^https://tyodata\.fi/id/[A-Za-z0-9/_.-]+$")


@cache
def load(name: str) -> str:
    """The text of ``<name>.rq`` in this folder."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


def bind_iri(query: str, variable: str, iri: str) -> str:
    """Bind ``?variable`` to one of our own IRIs with a VALUES clause.

    Only IRIs of our id namespace pass (checked, not escaped), so a caller's input
    can never change the query.
    """
    if not _SAFE_IRI.match(iri):
        raise ValueError(f"not a Työdata id IRI: {iri!r}")
    head, _, body = query.partition("WHERE {")
    if not body:
        raise ValueError("query has no WHERE { clause to bind into")
    return f"{head}WHERE {{ VALUES ?{variable} {{ <{iri}> }}{body}"
