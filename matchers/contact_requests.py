"""Employers' contact requests to anonymous candidates, kept in the seeker's own graph.

An employer sees a candidate only as a per-posting handle; asking to get in touch leaves
a request in the seeker's contact-request graph (one per person, so erasing a person
drops it), and the seeker (or their case worker) sees it and decides whether to answer.
Nothing of the seeker goes back to the employer.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import RDF, XSD, Graph, URIRef
from rdflib import Literal as RdfLiteral

from core import hetu
from core.errors import TyodataError
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GraphKind, graphs_of_person, register_graph
from matchers.queries import bind, load

TYO = "https://tyodata.fi/ontology#"
DCT = "http://purl.org/dc/terms/"
REQUEST_NS = "https://tyodata.fi/id/contact-request/"
MAX_MESSAGE = 500


class ContactRequestError(TyodataError):
    """A contact request that cannot be recorded (the message names the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ContactRequest:
    id: str
    person: str
    posting: str
    posting_title: str
    employer: str
    organisation: str
    sender: str
    message: str
    sent_at: datetime


def _checked_message(message: str) -> str:
    text = " ".join(message.split())
    if len(text) > MAX_MESSAGE:
        raise ContactRequestError("message", f"the message is longer than {MAX_MESSAGE} "
                                             "characters")
    if hetu.contains_code(text):
        raise ContactRequestError("message", "the message contains what looks like a Finnish "
                                             "identity code; never send one")
    return text


def send_contact_request(store: GraphStore, *, person: str, posting: str, posting_title: str,
                         employer: str, organisation: str, sender: str, message: str,
                         now: datetime | None = None) -> ContactRequest:
    """Record an employer's request to ``person`` about ``posting``; returns it."""
    request = ContactRequest(
        id=str(uuid.uuid4()), person=person, posting=posting, posting_title=posting_title,
        employer=employer, organisation=organisation, sender=sender,
        message=_checked_message(message), sent_at=now or datetime.now(UTC))
    g = Graph()
    node = URIRef(REQUEST_NS + request.id)
    g.add((node, RDF.type, URIRef(TYO + "ContactRequest")))
    g.add((node, URIRef(TYO + "contactRequestTo"), URIRef(person)))
    g.add((node, URIRef(TYO + "aboutPosting"), URIRef(posting)))
    g.add((node, URIRef(TYO + "postingTitle"), RdfLiteral(posting_title)))
    g.add((node, URIRef(TYO + "requestingEmployer"), RdfLiteral(employer)))
    g.add((node, URIRef(TYO + "requestingOrganisation"), RdfLiteral(organisation)))
    g.add((node, URIRef(TYO + "requestedBy"), RdfLiteral(sender)))
    if request.message:
        g.add((node, URIRef(TYO + "message"), RdfLiteral(request.message)))
    g.add((node, URIRef(DCT + "created"), RdfLiteral(request.sent_at, datatype=XSD.dateTime)))
    data = g.serialize(format="nt")  # every term escaped by the serialiser
    graphs = graphs_of_person(store, person, [GraphKind.CONTACT_REQUEST])
    if graphs:
        store.update(f"INSERT DATA {{ GRAPH <{graphs[0]}> {{\n{data}}} }}")
    else:
        register_graph(store, GraphKind.CONTACT_REQUEST, person=person, data=data)
    return request


def contact_requests_of(store: GraphStore, person: str) -> list[ContactRequest]:
    """The requests sent to ``person``, newest first."""
    graphs = graphs_of_person(store, person, [GraphKind.CONTACT_REQUEST])
    if not graphs:
        return []
    query = bind(load("contact_requests"), person=person)
    out = []
    for row in store.select(query, dataset=Dataset.of(graphs)).dicts():
        out.append(ContactRequest(
            id=str(row["request"]).removeprefix(REQUEST_NS), person=person,
            posting=str(row["posting"]), posting_title=str(row.get("title") or ""),
            employer=str(row.get("employer") or ""), organisation=str(row["organisation"]),
            sender=str(row["sender"]), message=str(row.get("message") or ""),
            sent_at=datetime.fromisoformat(str(row["sent"]))))
    return out
