"""SPARQL kept as .rq files beside the code that runs them (a steward can read them), and
the one way values get into them.

Only IRIs of our own spaces (``https://tyodata.fi/...``, checked, never escaped) and
:class:`Literal` values (escaped) are ever put into a query, so nothing a caller sends
can change it. :func:`bind` adds a VALUES clause; :func:`substitute` puts an IRI in place
of a variable (the engine plans a constant far better than a one-row VALUES join: a
section query with the person as a constant is several times faster); :func:`restrict`
adds ``FILTER (?x IN (...))``.

>>> bind("SELECT ?x WHERE { ?x ?p ?g }", g="https://tyodata.fi/graph/consent/ab")
'SELECT ?x WHERE { VALUES (?g) { (<https://tyodata.fi/graph/consent/ab>) } ?x ?p ?g }'
>>> bind("SELECT ?x WHERE { ?x ?p ?g }", g="https://tyodata.fi/a> } ; DROP ALL #")
Traceback (most recent call last):
ValueError: not an IRI of ours: binding ?g
>>> substitute("SELECT ?fact WHERE { ?fact ?p ?person . ?person_b ?p ?o }",
...            person="https://tyodata.fi/id/person/x")
'SELECT ?fact WHERE { ?fact ?p <https://tyodata.fi/id/person/x> . ?person_b ?p ?o }'
>>> restrict("SELECT ?s WHERE { ?s ?p ?o }", "s", ["https://tyodata.fi/section/basic"])
'SELECT ?s WHERE { ?s ?p ?o FILTER (?s IN (<https://tyodata.fi/section/basic>)) }'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from importlib import resources

_OUR_IRI = re.compile(r"https://tyodata\.fi/[A-Za-z0-9/_.%-]+")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def rq_loader(package: str) -> Callable[[str], str]:
    """A loader of the ``<name>.rq`` files of ``package`` (each read once)."""

    @cache
    def load(name: str) -> str:
        return resources.files(package).joinpath(f"{name}.rq").read_text(encoding="utf-8")

    return load


load = rq_loader(__package__)
"""The text of ``<name>.rq`` in this folder (the service's general queries)."""


class Literal(str):
    """A literal to bind: its text, escaped for SPARQL when bound, and its datatype."""

    datatype: str | None = None

    def __new__(cls, text: str, datatype: str | None = None) -> Literal:
        made = super().__new__(cls, text)
        made.datatype = datatype
        return made

    def sparql(self) -> str:
        r"""The literal in SPARQL syntax; control characters other than tab and newlines
        become U+FFFD.

        >>> print(Literal('say "hi"\n').sparql())
        "say \"hi\"\n"
        """
        text = "".join(_ESCAPES.get(c, "\ufffd" if c < " " else c) for c in self)
        return f'"{text}"' + (f"^^<{self.datatype}>" if self.datatype else "")


def _checked(iri: str, variable: str) -> str:
    if not _OUR_IRI.fullmatch(iri):
        raise ValueError(f"not an IRI of ours: binding ?{variable}")
    return iri


def _term(value: str, variable: str) -> str:
    return value.sparql() if isinstance(value, Literal) else f"<{_checked(value, variable)}>"


def bind(query: str, **values: str) -> str:
    """``query`` with each ``?name`` bound by one VALUES row at the start of its WHERE."""
    for name, value in values.items():
        _term(value, name)
    head, found, body = query.partition("WHERE {")
    if not found:
        raise ValueError("the query has no WHERE { clause to bind into")
    names = " ".join(f"?{name}" for name in values)
    terms = " ".join(_term(value, name) for name, value in values.items())
    return f"{head}WHERE {{ VALUES ({names}) {{ ({terms}) }}{body}"


def bind_iri(query: str, variable: str, iri: str) -> str:
    """``query`` with ``?variable`` bound to one of our IRIs."""
    return bind(query, **{variable: iri})


def substitute(query: str, **values: str) -> str:
    """``query`` with every ``?name`` of each keyword replaced by its IRI (a constant in
    the plan). The query must not select or bind that variable: it is gone."""
    for variable, iri in values.items():
        query = re.sub(rf"\?{variable}\b", f"<{_checked(iri, variable)}>", query)
    return query


def restrict(query: str, variable: str, iris: Iterable[str]) -> str:
    """``query`` with ``FILTER (?variable IN (<iri>, ...))`` at the end of its WHERE clause
    (the query's last closing brace)."""
    listed = ", ".join(f"<{_checked(iri, variable)}>" for iri in iris)
    head, found, tail = query.rstrip().rpartition("}")
    if not found:
        raise ValueError("query has no clause to restrict")
    return f"{head.rstrip()} FILTER (?{variable} IN ({listed})) }}{tail}"
