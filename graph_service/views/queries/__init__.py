"""The situation view's SPARQL, one .rq file per section (a steward can read them), and
the two ways values get into them, both taking only IRIs of our own spaces (checked, never
escaped): :func:`bind` adds a VALUES clause, :func:`substitute` puts one IRI in place of a
variable, and :func:`restrict` adds a ``FILTER (?x IN (...))``. The engine plans a
constant, and a filter, far better than a VALUES join (a section query with the person as
a constant is several times faster), so one-value bindings substitute.

>>> bind("SELECT ?s WHERE { ?s ?p ?o }", person=["https://tyodata.fi/id/person/x"])
'SELECT ?s WHERE { VALUES ?person { <https://tyodata.fi/id/person/x> } ?s ?p ?o }'
>>> substitute("SELECT ?fact WHERE { ?fact ?p ?person . ?person_b ?p ?o }",
...            person="https://tyodata.fi/id/person/x")
'SELECT ?fact WHERE { ?fact ?p <https://tyodata.fi/id/person/x> . ?person_b ?p ?o }'
>>> restrict("SELECT ?s WHERE { ?s ?p ?o }", "s", ["https://tyodata.fi/section/basic"])
'SELECT ?s WHERE { ?s ?p ?o FILTER (?s IN (<https://tyodata.fi/section/basic>)) }'
>>> bind("SELECT ?s WHERE { ?s ?p ?o }", person=["<x> } ?s ?p ?o . {"])
Traceback (most recent call last):
ValueError: not a Työdata IRI that may be bound into a query
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

# Persons, facts, graphs and sections: IRIs the service mints itself.
_BINDABLE = re.compile(r"^https://tyodata\.fi/(id|section|graph)/[A-Za-z0-9/_.-]+$")


@cache
def load(name: str) -> str:
    """The text of ``<name>.rq`` in this folder."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


def _checked(iri: str) -> str:
    if not _BINDABLE.match(iri):
        raise ValueError("not a Työdata IRI that may be bound into a query")
    return iri


def substitute(query: str, **values: str) -> str:
    """``query`` with every ``?name`` of each keyword replaced by its IRI (a constant in
    the plan). The query must not select or bind that variable: it is gone."""
    for variable, iri in values.items():
        query = re.sub(rf"\?{variable}\b", f"<{_checked(iri)}>", query)
    return query


def bind(query: str, **values: Iterable[str]) -> str:
    """``query`` with one ``VALUES ?name { <iri> ... }`` per keyword at the start of its
    WHERE clause. Only IRIs of our own spaces pass (checked, not escaped), so nothing a
    caller sends can change the query."""
    clauses = []
    for variable, iris in values.items():
        bound = " ".join(f"<{_checked(iri)}>" for iri in iris)
        clauses.append(f"VALUES ?{variable} {{ {bound} }}")
    head, found, body = query.partition("WHERE {")
    if not found:
        raise ValueError("query has no WHERE { clause to bind into")
    return f"{head}WHERE {{ {' '.join(clauses)}{body}"


def restrict(query: str, variable: str, iris: Iterable[str]) -> str:
    """``query`` with ``FILTER (?variable IN (<iri>, ...))`` at the end of its WHERE clause
    (the query's last closing brace)."""
    listed = ", ".join(f"<{_checked(iri)}>" for iri in iris)
    head, found, tail = query.rstrip().rpartition("}")
    if not found:
        raise ValueError("query has no clause to restrict")
    return f"{head.rstrip()} FILTER (?{variable} IN ({listed})) }}{tail}"
