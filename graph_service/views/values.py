"""RDF terms as the view's field values: a literal's Python value, a code's notation with
its concept and labels.

>>> from rdflib import Literal, URIRef
>>> from graph_service.views.labels import CodeLists
>>> codes = CodeLists({"https://tyodata.fi/code/municipality/092": {"fi": "Vantaa"}})
>>> field_value(URIRef("https://tyodata.fi/code/municipality/092"), codes).labels
{'fi': 'Vantaa'}
>>> field_value(Literal(True), codes).value
True
"""

from __future__ import annotations

from rdflib import Literal, URIRef
from rdflib.term import Node

from graph_service.views.labels import CodeLists
from graph_service.views.model import FieldValue, Scalar


def python_value(node: Node) -> Scalar:
    """A literal's value as Python (a date, a number, a yes/no, a text); the lexical form
    when the literal is ill-typed."""
    if isinstance(node, Literal):
        value = node.toPython()
        return str(value) if isinstance(value, Literal) else value
    return str(node)


def field_value(node: Node, codes: CodeLists) -> FieldValue:
    """A field's value: a literal as it is; an IRI as its notation (the last segment),
    with the concept and, when the code lists know it, its labels."""
    if isinstance(node, URIRef):
        iri = str(node)
        labels = codes.labels.get(iri)
        return FieldValue(value=iri.rsplit("/", 1)[-1], concept=iri,
                          labels=dict(labels) if labels else None)
    return FieldValue(value=python_value(node))
