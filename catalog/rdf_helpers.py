"""Small helpers the describing modules share."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.term import Node

LANGS = ("fi", "en")


def texts(graph: Graph, subject: Node, predicate: URIRef) -> dict[str, str]:
    """One literal per language (the first in sort order, so the choice is stable)."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, predicate)):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


def add_missing(graph: Graph, subject: Node, predicate: URIRef, *values: Node) -> None:
    """Add ``values`` unless ``subject`` already has some value for ``predicate``: what a
    hand-written description says wins (and single-valued properties stay single)."""
    if graph.value(subject, predicate) is None:
        for value in values:
            graph.add((subject, predicate, value))


def add_all(graph: Graph, subject: Node, predicate: URIRef, values: Iterable[Node]) -> None:
    for value in values:
        graph.add((subject, predicate, value))


def copy_values(graph: Graph, source: Node, target: Node,
                predicates: Iterable[URIRef]) -> None:
    """Give ``target`` the values ``source`` has for each predicate (within ``graph``)."""
    for predicate in predicates:
        for value in list(graph.objects(source, predicate)):
            graph.add((target, predicate, value))


def datetime_literal(moment: datetime) -> Literal:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Literal(moment.isoformat(), datatype=XSD.dateTime)


def date_literal(day: date | datetime) -> Literal:
    if isinstance(day, datetime):
        day = day.date()
    return Literal(day.isoformat(), datatype=XSD.date)


def fi_date(day: date | datetime) -> str:
    """1.11.2026: a date as Finnish texts write it."""
    return f"{day.day}.{day.month}.{day.year}"
