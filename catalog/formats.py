"""The RDF formats the catalogue is served in, and choosing one from a request.

Turtle, JSON-LD and RDF/XML, as CKAN's DCAT endpoints offer them: by extension
(``/catalog.ttl``) or by the ``Accept`` header (``/catalog``). Prefixes are declared so the
documents read well.

>>> negotiate("text/html,application/xhtml+xml;q=0.9,*/*;q=0.8")
'html'
>>> negotiate("application/ld+json")
'jsonld'
>>> negotiate("text/turtle;q=0.5, application/rdf+xml")
'rdf'
>>> negotiate("") , negotiate("*/*")
('ttl', 'ttl')
>>> negotiate("image/png") is None
True
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from catalog.terms import BINDINGS, HYDRA, ODRL

MEDIA_TYPES: dict[str, str] = {
    "ttl": "text/turtle; charset=utf-8",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
}
_OXIGRAPH_FORMAT = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
                    "rdf": ox.RdfFormat.RDF_XML}
_ACCEPTED = {"text/turtle": "ttl", "application/x-turtle": "ttl",
             "application/ld+json": "jsonld", "application/json": "jsonld",
             "application/rdf+xml": "rdf", "application/xml": "rdf",
             "text/html": "html", "application/xhtml+xml": "html"}
PREFIXES: dict[str, str] = {
    **{prefix: str(namespace) for prefix, namespace in BINDINGS.items()},
    "odrl": str(ODRL), "hydra": str(HYDRA)}


def negotiate(accept: str | None) -> str | None:
    """The format (``ttl``, ``jsonld``, ``rdf`` or ``html``) an Accept header prefers; Turtle
    when it accepts anything; None when it accepts none of them."""
    if not accept or not accept.strip():
        return "ttl"
    best: tuple[float, int, str] | None = None
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        found = "ttl" if media in ("*/*", "text/*") else _ACCEPTED.get(media)
        if found and quality > 0 and (best is None or (quality, -position) > best[:2]):
            best = (quality, -position, found)
    return best[2] if best else None


def serialize(data: Graph | Iterable[ox.Triple], fmt: str) -> bytes:
    """``data`` as ``fmt`` (``ttl``, ``jsonld`` or ``rdf``), with our prefixes.

    Written by Oxigraph, several times faster than rdflib's writers (a harvest page of 100
    items in milliseconds); JSON-LD comes out expanded (full IRIs, no context to resolve).
    """
    triples = to_oxigraph(data) if isinstance(data, Graph) else data
    return ox.serialize(triples, format=_OXIGRAPH_FORMAT[fmt], prefixes=PREFIXES)


def to_oxigraph(triples: Iterable[tuple[Node, Node, Node]]) -> list[ox.Triple]:
    """rdflib triples as Oxigraph's."""
    return [ox.Triple(_ox(s), _ox(p), _ox(o)) for s, p, o in triples]


def _ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"not an RDF term: {term!r}")
