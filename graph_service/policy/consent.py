"""Consent records (DPV, with the ISO/IEC TS 27560 fields) in the person's own consent graph.

One consent graph per person (``registry.register_graph(..., GraphKind.CONSENT,
person=...)``), found again by the person it names. A record is never changed or
deleted: giving appends a record with its "given" event, withdrawing appends a
"withdrawn" event to the record's history (status, time, by whom, for which
organisation). Expiry needs no event: a record past its expiry time is expired.

What a record says, in DPV terms (ISO/IEC TS 27560 field in brackets)::

    <https://tyodata.fi/id/consent/<uuid>> a dpv:ConsentRecord ;
        dpv:hasDataSubject <person> ;                         # data subject
        dpv:hasDataController <https://tyodata.fi/org/kela> ; # controller
        dpv:hasPurpose <https://tyodata.fi/purpose/case-management> ;      # purposes
        dpv:hasPersonalData <https://tyodata.fi/section/health> ;          # PD categories
        dpv:hasRecipient <https://tyodata.fi/party/city/case_worker> ;     # recipients
        tyo:dataProduct <https://tyodata.fi/catalog/product/Person/JobApplicantProfile_v1.0> ;
        dpv:isIndicatedAtTime "..."^^xsd:dateTime ;           # given at
        tyo:consentExpiresAt "..."^^xsd:dateTime ;            # expiry
        dpv:hasIndicationMethod tyo:IndicatedInPerson ;       # how indicated
        tyo:consentEvent <.../given>, <.../withdrawn/<id>> .  # history (+ recorded by)

A record covers sections of the situation view, data products (``tyo:dataProduct``, the
product's IRI), or both. A recipient is a party: an organisation kind and a role
(``city/case_worker``), or one organisation and a role (``company:duunitori/service``: the
party then also says ``tyo:organisation "company:duunitori"``).

Nothing here caches: the decision point reads a person's consents straight from the
store at every request, so a withdrawal or an expiry counts from the very next one.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote, unquote

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from core.pseudonyms import person_iri
from graph_service.policy.consent_record import (
    ConsentEvent,
    ConsentRecord,
    ConsentStatus,
    Recipient,
    organisation_kind,
)
from graph_service.policy.decision import CASE_WORK, FORECAST_PURPOSE, PRODUCT_PURPOSES
from graph_service.policy.errors import PolicyError
from graph_service.policy.forecast_policy import FORECAST_SECTIONS
from graph_service.policy.odrl import ORG_NS, PARTY_NS, purpose_iri, purpose_key
from graph_service.policy.sections import Section
from graph_service.policy.tokens import ROLES
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.queries import Literal as Bound
from graph_service.queries import bind, rq_loader
from graph_service.store.base import GraphStore
from graph_service.store.registry import (
    GraphDirectory,
    GraphKind,
    graphs_of_person,
    register_graph,
)

load_query = rq_loader("graph_service.policy")

DPV = Namespace("https://w3id.org/dpv#")
TYO = Namespace("https://tyodata.fi/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")
CONSENT_NS = "https://tyodata.fi/id/consent/"
INDICATION_METHODS: dict[str, URIRef] = {
    "in-person": TYO.IndicatedInPerson,
    "written": TYO.IndicatedInWriting,
    "electronic": TYO.IndicatedElectronically,
}
CONSENT_PURPOSES = PRODUCT_PURPOSES | {FORECAST_PURPOSE}
"""Purposes a consent may be given for: case work (the purposes case workers may read a
person's data for at all), for data products also recruitment, and the work-ability
forecast. A consent to sections of the situation view is for case work or the forecast."""
SECTION_PURPOSES = CASE_WORK | {FORECAST_PURPOSE}
"""Purposes a consent to sections may name: case work (reading the sections) and the
forecast (the model reading them, :data:`FORECAST_SECTIONS`, each of which it names)."""
PRODUCT_NS = "https://tyodata.fi/catalog/product/"  # graph_service.products.definition's
_PRODUCT_IRI = re.compile(re.escape(PRODUCT_NS) + r"[A-Z][A-Za-z0-9]*/[A-Z][A-Za-z0-9]*"
                          r"_v[0-9]+\.[0-9]+")
_METHOD_OF = {str(iri): key for key, iri in INDICATION_METHODS.items()}
_STATUS_OF = {str(DPV.ConsentGiven): ConsentStatus.GIVEN,
              str(DPV.ConsentWithdrawn): ConsentStatus.WITHDRAWN}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")
_ORGANISATION = re.compile(_NAME.pattern + r"(:[a-z0-9][a-z0-9._-]{0,63})?")
"""A recipient's organisation: a kind (``city``) or one organisation (``city:helsinki``)."""
_writing = threading.Lock()  # one consent write at a time in this process


class ConsentError(PolicyError):
    """A consent could not be given or withdrawn."""


class ConsentInputError(ConsentError):
    """What was asked is not a valid consent; ``field`` names the input that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class UnknownConsentError(ConsentError):
    """No consent record of this person has this id."""


class ConsentAlreadyWithdrawnError(ConsentError):
    """The consent record was withdrawn before."""


# -- names --------------------------------------------------------------------------


def consent_iri(consent_id: str) -> str:
    """The record IRI of a consent id (the uuid) or of a record IRI; ValueError otherwise.

    >>> consent_iri("0b7f3c1e-1d2a-4c3b-9e8f-123456789abc")
    'https://tyodata.fi/id/consent/0b7f3c1e-1d2a-4c3b-9e8f-123456789abc'
    """
    value = consent_id.removeprefix(CONSENT_NS)
    if not _UUID.fullmatch(value):
        raise ValueError("not a consent id: a consent id is a lowercase UUID")
    return CONSENT_NS + value


def consent_id(record: ConsentRecord | str) -> str:
    """The id (uuid) of a consent record, as URLs carry it."""
    return (record.id if isinstance(record, ConsentRecord) else record).removeprefix(CONSENT_NS)


def organisation_iri(organisation: str) -> str:
    """A token's organisation as an IRI: ``city:helsinki`` -> .../org/city/helsinki.

    >>> organisation_iri("city:helsinki"), organisation_of(organisation_iri("city:helsinki"))
    ('https://tyodata.fi/org/city/helsinki', 'city:helsinki')
    """
    return ORG_NS + "/".join(quote(part, safe="") for part in organisation.split(":"))


def organisation_of(iri: str) -> str:
    return ":".join(unquote(part) for part in iri.removeprefix(ORG_NS).split("/"))


def party_iri(recipient: Recipient) -> str:
    """The party a recipient is, e.g. https://tyodata.fi/party/city/case_worker (one
    organisation: .../party/company%3Aduunitori/service)."""
    return f"{PARTY_NS}{quote(recipient.organisation, safe='')}/{recipient.role}"


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _time(when: datetime) -> Literal:
    return Literal(_utc(when).isoformat(), datatype=XSD.dateTime)


# -- giving -------------------------------------------------------------------------


def _checked(person: str, controller: str, purposes: Iterable[str],
             sections: Iterable[Section | str], recipients: Iterable[Recipient],
             expires_at: datetime | None, indicated_by: str, recorded_by: str,
             recorded_org: str, now: datetime, products: Iterable[str] = ()
             ) -> tuple[str, tuple[str, ...], tuple[Section, ...], tuple[Recipient, ...],
                        tuple[str, ...]]:
    try:
        person = person_iri(person)
    except ValueError as error:
        raise ConsentInputError("person", str(error)) from None
    purposes = tuple(dict.fromkeys(purposes))
    unknown = [p for p in purposes if p not in CONSENT_PURPOSES]
    if not purposes or unknown:
        raise ConsentInputError("purposes", "give one or more of "
                                + ", ".join(sorted(CONSENT_PURPOSES))
                                + (f" ({len(unknown)} unknown)" if unknown else ""))
    known = {s.value for s in Section}
    sections = list(sections)
    wrong = [s for s in sections if str(s) not in known]
    chosen = tuple(dict.fromkeys(Section(str(s)) for s in sections if str(s) in known))
    products = tuple(dict.fromkeys(products))
    if products and not all(_PRODUCT_IRI.fullmatch(p) for p in products):
        raise ConsentInputError("products", "a data product is named by its IRI, "
                                f"{PRODUCT_NS}<Domain>/<Name>_v<major>.<minor>")
    if (not chosen and not products) or wrong:
        raise ConsentInputError("sections", "give one or more of " + ", ".join(sorted(known))
                                + (f" ({len(wrong)} unknown)" if wrong else "")
                                + " (or one or more data products)")
    if chosen and not set(purposes) <= SECTION_PURPOSES:
        raise ConsentInputError("purposes", "a consent to sections of the situation view is "
                                "for case work or the forecast: "
                                + ", ".join(sorted(SECTION_PURPOSES)))
    missing = [s.value for s in FORECAST_SECTIONS if s not in chosen]
    if FORECAST_PURPOSE in purposes and missing:
        raise ConsentInputError("sections", f"a consent to the {FORECAST_PURPOSE} names every "
                                "section whose data the model reads: "
                                + ", ".join(s.value for s in FORECAST_SECTIONS)
                                + f" ({len(missing)} missing)")
    recipients = tuple(dict.fromkeys(recipients))
    if not recipients:
        raise ConsentInputError("recipients", "name at least one recipient (organisation "
                                "kind and role, e.g. city and case_worker)")
    for recipient in recipients:
        if not _ORGANISATION.fullmatch(recipient.organisation):
            raise ConsentInputError("recipients", "an organisation kind is a short lowercase "
                                    "name such as kela or city (the part of an organisation "
                                    "before ':'); one organisation is named as tokens name "
                                    "it, e.g. company:duunitori")
        if recipient.role not in ROLES or recipient.role == "citizen":
            raise ConsentInputError("recipients", "a recipient's role is one of "
                                    + ", ".join(r for r in ROLES if r != "citizen"))
    if expires_at is not None and _utc(expires_at) <= _utc(now):
        raise ConsentInputError("expires_at", "the expiry time has passed: a consent must "
                                "expire in the future")
    if indicated_by not in INDICATION_METHODS:
        raise ConsentInputError("indicated_by", "how the consent was indicated: one of "
                                + ", ".join(INDICATION_METHODS))
    for name, value in (("controller", controller), ("recorded_by", recorded_by),
                        ("recorded_org", recorded_org)):
        if not value or not value.strip():
            raise ConsentInputError(name, "must not be empty")
    return person, purposes, chosen, recipients, products


def _event_triples(graph: Graph, record: URIRef, event: URIRef, status: URIRef,
                   at: datetime, by: str, organisation: str) -> None:
    graph.add((record, TYO.consentEvent, event))
    graph.add((event, RDF.type, PROV.Activity))
    graph.add((event, DPV.hasConsentStatus, status))
    graph.add((event, DPV.isIndicatedAtTime, _time(at)))
    graph.add((event, TYO.actedBy, Literal(by)))
    graph.add((event, TYO.actedForOrganisation, Literal(organisation)))


def give_consent(store: GraphStore, person: str, *, controller: str, purposes: Iterable[str],
                 sections: Iterable[Section | str], recipients: Iterable[Recipient],
                 expires_at: datetime | None, indicated_by: str, recorded_by: str,
                 recorded_org: str, now: datetime | None = None,
                 products: Iterable[str] = ()) -> ConsentRecord:
    """Record that ``person`` consents; ConsentInputError names the input that is wrong.

    ``products``: data products (their IRIs) the consent covers, besides ``sections``
    (either may be empty, not both)."""
    now = _utc(now or datetime.now(UTC))
    person, purposes, chosen, recipients, products = _checked(
        person, controller, purposes, sections, recipients, expires_at, indicated_by,
        recorded_by, recorded_org, now, products)
    record = URIRef(CONSENT_NS + str(uuid.uuid4()))
    g = Graph()
    g.add((record, RDF.type, DPV.ConsentRecord))
    g.add((record, DPV.hasDataSubject, URIRef(person)))
    g.add((record, DPV.hasDataController, URIRef(organisation_iri(controller))))
    for purpose in purposes:
        g.add((record, DPV.hasPurpose, URIRef(purpose_iri(purpose))))
    for section in chosen:
        g.add((record, DPV.hasPersonalData, URIRef(section.iri)))
    for product in products:
        g.add((record, TYO.dataProduct, URIRef(product)))
    for recipient in recipients:
        party = URIRef(party_iri(recipient))
        g.add((record, DPV.hasRecipient, party))
        g.add((party, TYO.organisationKind, Literal(organisation_kind(recipient.organisation))))
        g.add((party, TYO.role, Literal(recipient.role)))
        if recipient.is_one_organisation:
            g.add((party, TYO.organisation, Literal(recipient.organisation)))
    g.add((record, DPV.isIndicatedAtTime, _time(now)))
    if expires_at is not None:
        g.add((record, TYO.consentExpiresAt, _time(expires_at)))
    g.add((record, DPV.hasIndicationMethod, INDICATION_METHODS[indicated_by]))
    _event_triples(g, record, URIRef(f"{record}/given"), DPV.ConsentGiven, now, recorded_by,
                   recorded_org)
    data = g.serialize(format="nt")
    with _writing:
        graphs = graphs_of_person(store, person, [GraphKind.CONSENT])
        if graphs:
            store.update(f"INSERT DATA {{ GRAPH <{graphs[0]}> {{\n{data}\n}} }}")
        else:
            register_graph(store, GraphKind.CONSENT, person=person, data=data)
    return _records(g, person)[0]


def give_forecast_consent(store: GraphStore, person: str, *, organisation: str,
                          recorded_by: str, also_for: Iterable[str] = (),
                          expires_at: datetime | None = None, indicated_by: str = "in-person",
                          now: datetime | None = None) -> ConsentRecord:
    """Record the client's consent to the work-ability forecast for the case workers of
    ``organisation``'s kind (a token's organisation, e.g. ``city:helsinki``: the city's
    case workers) and of the organisation kinds ``also_for`` (e.g. ``kela``), covering
    every section the model reads; ``organisation`` is the controller and records it. What
    the forecast panel's form records (and the demo, for its personas)."""
    kinds = dict.fromkeys([organisation_kind(organisation), *also_for])
    return give_consent(store, person, controller=organisation, purposes=[FORECAST_PURPOSE],
                        sections=FORECAST_SECTIONS,
                        recipients=[Recipient(kind, "case_worker") for kind in kinds],
                        expires_at=expires_at, indicated_by=indicated_by,
                        recorded_by=recorded_by, recorded_org=organisation, now=now)


# -- reading ------------------------------------------------------------------------


def _records(g: Graph, person: str) -> list[ConsentRecord]:
    records = []
    for record in g.subjects(RDF.type, DPV.ConsentRecord):
        if (record, DPV.hasDataSubject, URIRef(person)) not in g:
            continue
        history = sorted((_event(g, e) for e in g.objects(record, TYO.consentEvent)),
                         key=lambda e: (e.at, e.status != ConsentStatus.GIVEN))
        given = next((e for e in history if e.status is ConsentStatus.GIVEN), None)
        withdrawn = [e.at for e in history if e.status is ConsentStatus.WITHDRAWN]
        expires = g.value(record, TYO.consentExpiresAt)
        controller = g.value(record, DPV.hasDataController)
        records.append(ConsentRecord(
            id=str(record), person=person,
            controller=organisation_of(str(controller)) if controller is not None else "",
            purposes=tuple(sorted(k for p in g.objects(record, DPV.hasPurpose)
                                  if (k := purpose_key(str(p))))),
            sections=tuple(s for s in Section if (record, DPV.hasPersonalData, URIRef(s.iri))
                           in g),
            recipients=tuple(sorted((_recipient(g, p) for p in g.objects(
                record, DPV.hasRecipient)), key=lambda r: (r.organisation, r.role))),
            given_at=_parsed(g.value(record, DPV.isIndicatedAtTime)),
            expires_at=None if expires is None else _parsed(expires),
            withdrawn_at=min(withdrawn) if withdrawn else None,
            indicated_by=_METHOD_OF.get(str(g.value(record, DPV.hasIndicationMethod)), ""),
            recorded_by=given.by if given else "", recorded_org=given.organisation if given
            else "", history=tuple(history),
            products=tuple(sorted(str(p) for p in g.objects(record, TYO.dataProduct)))))
    return sorted(records, key=lambda r: (r.given_at, r.id), reverse=True)


def _parsed(value: object) -> datetime:
    when = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(when, datetime):
        raise ConsentError("a consent record holds a time that is not an xsd:dateTime")
    return _utc(when)


def _recipient(g: Graph, party: Node) -> Recipient:
    kind, role = g.value(party, TYO.organisationKind), g.value(party, TYO.role)
    if kind is None or role is None:  # not described: the party IRI says it
        kind, _, role = str(party).removeprefix(PARTY_NS).partition("/")
        kind = unquote(kind)
    one = g.value(party, TYO.organisation)
    return Recipient(str(one if one is not None else kind), str(role))


def _event(g: Graph, event: Node) -> ConsentEvent:
    status = _STATUS_OF.get(str(g.value(event, DPV.hasConsentStatus)))
    if status is None:
        raise ConsentError("a consent event has an unknown status")
    return ConsentEvent(status, _parsed(g.value(event, DPV.isIndicatedAtTime)),
                        str(g.value(event, TYO.actedBy) or ""),
                        str(g.value(event, TYO.actedForOrganisation) or ""))


def consents_of(store: GraphStore, person: str) -> list[ConsentRecord]:
    """Every consent record of ``person`` with its history, newest first (no cache)."""
    person = person_iri(person)
    g = Graph()
    for s, p, o in store.select(bind(load_query("consents_of"), person=person)).rows:
        g.add((s, p, o))
    return _records(g, person)


# -- withdrawing --------------------------------------------------------------------


def withdraw_consent(store: GraphStore, person: str, consent_id: str, *, by: str,
                     organisation: str, now: datetime | None = None) -> ConsentRecord:
    """Withdraw one of ``person``'s consents; it counts from the very next decision.

    UnknownConsentError: the person has no consent with this id (whoever else may have);
    ConsentAlreadyWithdrawnError: it was withdrawn before (and when)."""
    now = _utc(now or datetime.now(UTC))
    person = person_iri(person)
    try:
        record = consent_iri(consent_id)
    except ValueError as error:
        raise UnknownConsentError(str(error)) from None
    if not by or not organisation:
        raise ConsentInputError("by", "who withdraws the consent, and for which organisation")

    def find() -> ConsentRecord:
        found = next((r for r in consents_of(store, person) if r.id == record), None)
        if found is None:
            raise UnknownConsentError("this person has no consent with this id")
        if found.withdrawn_at is not None:
            raise ConsentAlreadyWithdrawnError(
                f"this consent was withdrawn already on {found.withdrawn_at.date().isoformat()}")
        return found

    with _writing:
        find()
        event = f"{record}/withdrawn/{uuid.uuid4().hex}"
        store.update(bind(load_query("withdraw_consent"), person=person, record=record,
                          event=event, at=Bound(_utc(now).isoformat(), str(XSD.dateTime)),
                          by=Bound(by), organisation=Bound(organisation)))
        if not store.ask(bind(load_query("consent_event_exists"), record=record, event=event)):
            # Another process withdrew it between our check and our write.
            raise ConsentAlreadyWithdrawnError("this consent was withdrawn already")
    return next(r for r in consents_of(store, person) if r.id == record)


def person_is_known(store: GraphStore, directory: GraphDirectory, person: str) -> bool:
    """Whether a current registry extract holds data on ``person`` (consent is recorded only
    for a person the registries know)."""
    dataset = dataset_for(Reader.CASE_WORK, directory)
    return store.ask(bind(load_query("known_person"), person=person_iri(person)),
                     dataset=dataset)
