"""The policy package's SPARQL: ``.rq`` files beside the code that runs them, with IRIs bound
by a VALUES clause, never formatted in from a caller's text."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

_OUR_IRI = re.compile(r"https://tyodata\.fi/[A-Za-z0-9/_.%-]+")


@cache
def load_query(name: str) -> str:
    """The text of ``<name>.rq`` in this package."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


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


def bind(query: str, **iris: str) -> str:
    """``query`` with ``?name`` bound to each of our own IRIs (checked, not escaped) or to a
    :class:`Literal` (escaped).

    >>> bind("SELECT ?x WHERE { ?x ?p ?g }", g="https://tyodata.fi/graph/consent/ab")
    'SELECT ?x WHERE { VALUES (?g) { (<https://tyodata.fi/graph/consent/ab>) } ?x ?p ?g }'
    >>> bind("SELECT ?x WHERE { ?x ?p ?g }", g="https://tyodata.fi/a> } ; DROP ALL #")
    Traceback (most recent call last):
    ValueError: not an IRI of ours: binding ?g
    """
    for name, iri in iris.items():
        if not isinstance(iri, Literal) and not _OUR_IRI.fullmatch(iri):
            raise ValueError(f"not an IRI of ours: binding ?{name}")
    head, found, body = query.partition("WHERE {")
    if not found:
        raise ValueError("the query has no WHERE { clause to bind into")
    names = " ".join(f"?{name}" for name in iris)
    values = " ".join(v.sparql() if isinstance(v, Literal) else f"<{v}>"
                      for v in iris.values())
    return f"{head}WHERE {{ VALUES ({names}) {{ ({values}) }}{body}"
