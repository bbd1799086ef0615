"""Client-reported facts: a form becomes RDF, is checked by the SHACL shapes and is stored
in the person's own client-reported graph, never in a registry graph.

A fact is never changed: editing writes a new revision (``prov:wasRevisionOf`` the old
one) and closes the old one (``prov:invalidatedAtTime``), in one transaction, so the
history stays readable. Each fact says whose it is, which section and form, who recorded
it (a case-worker agent IRI made of the caller's organisation and token subject: data
about the worker, not the client), for which organisation and when.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from urllib.parse import quote, unquote

import pyshacl
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV, SH, SKOS
from rdflib.term import Node

from core.errors import TyodataError
from core.hetu import contains_code, redact
from graph_service.policy.sections import Section
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GraphKind, graphs_of_person, register_graph
from graph_service.views.labels import CodeLists
from graph_service.views.model import Fact, ReportedBy
from graph_service.views.queries import load, restrict, substitute
from graph_service.views.reported_forms import FIELD_OF_PROPERTY, FORMS, TYO
from graph_service.views.values import field_value, python_value
from ontology.files import SHAPES_DIR

FACT_NS = "https://tyodata.fi/id/client-reported/"
AGENT_NS = "https://tyodata.fi/id/case-worker/"
SHAPES = SHAPES_DIR / "forms" / "client_reported.ttl"
_SHAPES_NS = "https://tyodata.fi/shapes/client-reported#"
_FORM_SHAPE = {"language_skill": "LanguageForm", "interpreter": "InterpreterForm",
               "education_abroad": "EducationAbroadForm", "health_centre": "HealthCentreForm",
               "housing": "HousingForm"}
_TEXT_FIELDS = ("note", "qualification", "name")
# One writer at a time: finding or creating a person's graph and revising a fact are
# read-then-write.
_WRITE = threading.Lock()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class ReportRefused(TyodataError):
    """A form that fails its checks; ``errors`` name each field and what is wrong, never
    the value sent."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


class FactNotFound(TyodataError):
    """No client-reported fact with that id for that person."""


class FactAlreadyRevised(TyodataError):
    """The fact has a newer revision: revise the latest one."""


@dataclass(frozen=True)
class Stored:
    fact: str  # the new fact's IRI
    graph: str  # the client-reported graph it is in
    created_graph: bool  # the person's client-reported graph was created for it


def fact_iri(fact_id: str) -> str:
    """The IRI of a fact id (32 hex digits); ValueError for anything else."""
    if len(fact_id) != 32 or any(c not in "0123456789abcdef" for c in fact_id):
        raise ValueError("a client-reported fact id is 32 hex digits")
    return FACT_NS + fact_id


def agent_iri(organisation: str, subject: str) -> str:
    """The case worker as an agent: organisation and token subject, percent-encoded (and
    redacted: a subject that holds an identity code never reaches an IRI)."""
    return f"{AGENT_NS}{quote(redact(organisation), safe='')}/{quote(redact(subject), safe='')}"


def recorded_by(agent: str) -> str:
    """The token subject of a case-worker agent IRI."""
    return unquote(agent.rsplit("/", 1)[-1])


# -- form -> RDF -> checked ------------------------------------------------------------


def to_graph(form: object, *, person: str, fact: str, agent: str, organisation: str,
             recorded_at: datetime, revision_of: str | None = None) -> Graph:
    """The RDF of one filled form (any of ``reported_forms.ReportForm``)."""
    spec = FORMS[form.form]  # type: ignore[attr-defined]
    subject = URIRef(fact)
    graph = Graph()
    graph.add((subject, RDF.type, URIRef(TYO + "ClientReportedFact")))
    graph.add((subject, URIRef(TYO + "concernsPerson"), URIRef(person)))
    graph.add((subject, URIRef(TYO + "section"), URIRef(spec.section.iri)))
    graph.add((subject, URIRef(TYO + "reportedForm"), URIRef(spec.concept)))
    graph.add((subject, PROV.wasAttributedTo, URIRef(agent)))
    graph.add((URIRef(agent), RDF.type, URIRef(TYO + "CaseWorker")))
    graph.add((subject, URIRef(TYO + "recordedByOrganisation"), Literal(organisation)))
    graph.add((subject, URIRef(TYO + "recordedAt"), Literal(recorded_at)))
    if revision_of:
        graph.add((subject, PROV.wasRevisionOf, URIRef(revision_of)))
    for field in spec.fields:
        value = getattr(form, field.name)
        if value is None:
            continue
        if field.scheme is not None:
            # Percent-encoded: whatever was sent, this is one well-formed IRI, and one that
            # is a concept of the code list only if the code is.
            term: URIRef | Literal = URIRef(field.concept(quote(str(value), safe="")))
        else:
            term = Literal(value)
        graph.add((subject, URIRef(field.property), term))
    return graph


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def validate(graph: Graph, fact: str, form: str, codes: CodeLists) -> list[FieldError]:
    """The field-level errors of one fact's RDF under the shapes (empty: it conforms).

    The shape of the fact's form is applied to the fact, and the code-list membership of
    every concept it uses is taken from ``codes`` (the store's code lists)."""
    data = Graph()
    for triple in graph:
        data.add(triple)
    for concept in {o for o in graph.objects() if isinstance(o, URIRef)}:
        scheme = codes.schemes.get(str(concept))
        if scheme is not None:
            data.add((concept, SKOS.inScheme, URIRef(scheme)))
    shapes = Graph()
    for triple in _shapes():
        shapes.add(triple)
    shapes.add((URIRef(_SHAPES_NS + _FORM_SHAPE[form]), SH.targetNode, URIRef(fact)))
    conforms, results, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                            advanced=False, allow_warnings=False)
    errors = [] if conforms else _field_errors(results, _shapes())
    errors += _identity_codes(graph, fact, form)
    return errors


def _field_errors(results: Graph, shapes: Graph) -> list[FieldError]:
    found: dict[str, list[tuple[int, str]]] = {}
    # The report's own results only: sh:detail results of sh:node checks are explained by
    # the property shape that made them.
    for result in results.objects(None, SH.result):
        shape = results.value(result, SH.sourceShape)
        name = shapes.value(shape, SH.name)
        message = shapes.value(shape, SH.message)
        if name is None:  # a closed form shape: a property the form does not have
            name, message = "form", "holds a field that is not part of this form"
        order = shapes.value(shape, SH.order)
        found.setdefault(str(name), []).append((int(order or 0), str(message)))
    # Per field, the most basic complaint (a missing value before a wrong code).
    return [FieldError(field, min(messages)[1]) for field, messages in sorted(found.items())]


def _identity_codes(graph: Graph, fact: str, form: str) -> list[FieldError]:
    """Texts must not hold an identity code: it would reach pages and the store."""
    errors = []
    for field in FORMS[form].fields:
        if field.name not in _TEXT_FIELDS:
            continue
        for value in graph.objects(URIRef(fact), URIRef(field.property)):
            if contains_code(str(value)):
                errors.append(FieldError(field.name, "must not contain an identity code"))
    return errors


# -- storage ---------------------------------------------------------------------------


def report(store: GraphStore, codes: CodeLists, form: object, *, person: str,
           subject: str, organisation: str, now: datetime) -> Stored:
    """Check and store a new client-reported fact in ``person``'s client-reported graph
    (created on first use); ReportRefused names each failing field."""
    fact = FACT_NS + uuid.uuid4().hex
    graph = to_graph(form, person=person, fact=fact, agent=agent_iri(organisation, subject),
                     organisation=organisation, recorded_at=now)
    _check(graph, fact, form, codes)
    with _WRITE:
        target, created = _graph_of(store, person)
        store.update(_insert(target, graph))
    return Stored(fact, target, created)


def revise(store: GraphStore, codes: CodeLists, form: object, *, person: str, fact: str,
           subject: str, organisation: str, now: datetime) -> Stored:
    """Store a new revision of ``fact`` (of ``person``, of the same form) and close the old
    one, in one transaction. FactNotFound, FactAlreadyRevised or ReportRefused otherwise."""
    new = FACT_NS + uuid.uuid4().hex
    graph = to_graph(form, person=person, fact=new, agent=agent_iri(organisation, subject),
                     organisation=organisation, recorded_at=now, revision_of=fact)
    with _WRITE:
        graphs = graphs_of_person(store, person, [GraphKind.CLIENT_REPORTED])
        table = store.select(substitute(load("reported_one"), person=person, fact=fact),
                             dataset=Dataset(named=tuple(graphs))) if graphs else None
        if table is None or not table.rows:
            raise FactNotFound("no client-reported fact with this id for this person")
        target, old_form, invalidated = table.rows[0]
        if invalidated is not None:
            raise FactAlreadyRevised("this fact has already been revised: revise its latest "
                                     "revision")
        if str(old_form) != FORMS[form.form].concept:  # type: ignore[attr-defined]
            raise ReportRefused([FieldError("form", "a revision must use the same form as "
                                                    "the fact it revises")])
        _check(graph, new, form, codes)
        graph.add((URIRef(fact), PROV.invalidatedAtTime, Literal(now)))
        store.update(_insert(str(target), graph))
    return Stored(new, str(target), False)


def _check(graph: Graph, fact: str, form: object, codes: CodeLists) -> None:
    errors = validate(graph, fact, form.form, codes)  # type: ignore[attr-defined]
    if errors:
        raise ReportRefused(errors)


def _graph_of(store: GraphStore, person: str) -> tuple[str, bool]:
    graphs = graphs_of_person(store, person, [GraphKind.CLIENT_REPORTED])
    if graphs:
        return graphs[0], False
    return register_graph(store, GraphKind.CLIENT_REPORTED, person=person), True


def _insert(graph: str, data: Graph) -> str:
    # N-Triples written by rdflib: every term escaped by the serializer, never by hand.
    return f"INSERT DATA {{ GRAPH <{graph}> {{\n{data.serialize(format='nt')}}} }}"


# -- reading ---------------------------------------------------------------------------


def read_reported(store: GraphStore, dataset: Dataset | None, person: str,
                  sections: Iterable[Section], codes: CodeLists, *,
                  history: bool = False) -> dict[Section, list[Fact]]:
    """``person``'s client-reported facts in ``sections``, read from ``dataset`` (the
    person's client-reported graphs; None: they have none) in one query, oldest first:
    the latest revisions, or with ``history`` every revision."""
    sections = list(sections)
    grouped: dict[Section, list[Fact]] = {s: [] for s in sections}
    if not sections or dataset is None:
        return grouped
    query = restrict(substitute(load("reported"), person=person), "section",
                     [s.iri for s in sections])
    facts: dict[str, Fact] = {}
    for row in store.select(query, dataset=dataset).dicts():
        if row["invalidated_at"] is not None and not history:
            continue
        fact = facts.get(str(row["fact"]))
        if fact is None:
            fact = _reported_fact(row)
            if fact is None:
                continue
            facts[fact.id] = fact
        field = FIELD_OF_PROPERTY[fact.kind].get(str(row["property"]))
        if field is not None and row["value"] is not None:
            fact.fields[field.view] = field_value(row["value"], codes)
    for fact in sorted(facts.values(), key=_recorded_at):
        assert fact.section is not None
        grouped[fact.section].append(fact)
    return grouped


def _reported_fact(row: dict[str, Node | None]) -> Fact | None:
    form = str(row["form"]).rsplit("/", 1)[-1]
    section = Section.from_iri(str(row["section"]))
    if form not in FORMS or section is None:
        return None
    return Fact(kind=form, id=str(row["fact"]), section=section, fields={},
                reported=ReportedBy(
                    recorded_by=recorded_by(str(row["agent"])),
                    organisation=str(row["organisation"]),
                    recorded_at=python_value(row["recorded_at"]),  # type: ignore[arg-type]
                    revision_of=None if row["revision_of"] is None else str(row["revision_of"]),
                    invalidated_at=None if row["invalidated_at"] is None
                    else python_value(row["invalidated_at"])))  # type: ignore[arg-type]


def _recorded_at(fact: Fact) -> datetime:
    assert fact.reported is not None
    return fact.reported.recorded_at
