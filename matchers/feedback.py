"""Thumbs up or down on a recommended job, kept as RDF in the seeker's feedback graph.

One feedback graph per seeker (``registry.register_graph(..., GraphKind.FEEDBACK,
person=...)``: per-person, so erasing the person drops it), found again by the person it
names. A thumb is never changed: a new one is added, and learning reads them all.

What one thumb says::

    <https://tyodata.fi/id/feedback/<32 hex>> a tyo:RecommendationFeedback ;
        tyo:feedbackProfile <profile> ;             # the seeker's profile
        tyo:feedbackPosting <posting> ;             # the recommended job
        tyo:verdict tyo:ThumbsUp ;                  # or tyo:ThumbsDown
        tyo:shownStructuredScore 71.5 ;             # both scores (0-100) when shown
        tyo:shownTextScore 40.25 ;
        tyo:shownRank 3 ;                           # its place in the list (1 = top)
        tyo:feedbackGivenBy "city:helsinki/anna" ;  # organisation/token subject
        tyo:feedbackGivenAt "2026-05-04T10:15:00+00:00"^^xsd:dateTime .

Who gave it is a pseudonymous actor string (``actor_string``): an identity code is
refused wherever it hides. The RDF is checked against ontology/shapes/feedback/feedback.ttl
before it is written; bad input raises ``FeedbackInputError`` naming the field.
"""

from __future__ import annotations

import math
import re
import threading
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from urllib.parse import quote

import pyshacl
from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SH

from core.errors import TyodataError
from core.hetu import contains_code
from core.pseudonyms import person_iri
from graph_service.queries import bind
from graph_service.store.base import GraphStore
from graph_service.store.registry import GraphKind, graphs_of_person, register_graph
from matchers.queries import load
from ontology.files import SHAPES_DIR

TYO = Namespace("https://tyodata.fi/ontology#")
FEEDBACK_NS = "https://tyodata.fi/id/feedback/"
SHAPES = SHAPES_DIR / "feedback" / "feedback.ttl"
VERDICTS: dict[str, URIRef] = {"up": TYO.ThumbsUp, "down": TYO.ThumbsDown}
_VERDICT_OF = {str(iri): name for name, iri in VERDICTS.items()}
_OUR_IRI = re.compile(r"https://tyodata\.fi/[A-Za-z0-9/_.%-]+")
_MAX_ACTOR = 200
_WRITE = threading.Lock()  # finding or creating a seeker's graph is read-then-write


class FeedbackError(TyodataError):
    """Feedback that cannot be stored or read."""


class FeedbackInputError(FeedbackError):
    """A thumb that is not valid; ``field`` names the input that is wrong (never its value)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class Feedback:
    """One thumb on one recommended (profile, posting) pair, with what was shown."""

    person: str  # the seeker's pseudonymous person IRI: whose feedback graph it goes to
    profile: str  # the seeker's profile IRI
    posting: str  # the posting IRI
    verdict: str  # "up" | "down"
    structured_score: float  # 0-100, as shown
    text_score: float  # 0-100, as shown
    rank: int  # combined rank when shown, 1 = top
    actor: str  # actor_string(subject, organisation) of whoever gave it
    at: datetime
    id: str | None = None  # the record's IRI once stored

    @property
    def liked(self) -> bool:
        return self.verdict == "up"


def actor_string(subject: str, organisation: str) -> str:
    """Who gave a thumb: ``<organisation>/<token subject>``, percent-encoded so it has one
    slash. An identity code in either is refused, never stored.

    >>> actor_string("anna", "city:helsinki")
    'city:helsinki/anna'
    >>> actor_string("131052-308T", "kela")
    Traceback (most recent call last):
    matchers.feedback.FeedbackInputError: actor: must not contain an identity code
    """
    for value in (subject, organisation):
        if not value or not value.strip():
            raise FeedbackInputError("actor", "needs the token subject and the organisation")
        if contains_code(value):
            raise FeedbackInputError("actor", "must not contain an identity code")
    actor = f"{quote(organisation.strip(), safe=':')}/{quote(subject.strip(), safe='')}"
    if len(actor) > _MAX_ACTOR:
        raise FeedbackInputError("actor", f"is longer than {_MAX_ACTOR} characters")
    return actor


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _check(feedback: Feedback) -> None:
    """Refuse a thumb the RDF could not state, before any RDF is made."""
    try:
        person_iri(feedback.person)
    except ValueError as error:
        raise FeedbackInputError("person", str(error)) from None
    for name in ("profile", "posting"):
        if not _OUR_IRI.fullmatch(str(getattr(feedback, name))):
            raise FeedbackInputError(name, "must be an IRI of the graph (https://tyodata.fi/...)")
    if feedback.verdict not in VERDICTS:
        raise FeedbackInputError("verdict", "must be one of " + ", ".join(VERDICTS))
    for name in ("structured_score", "text_score"):
        value = getattr(feedback, name)
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or not 0.0 <= value <= 100.0):
            raise FeedbackInputError(name, "must be a number from 0 to 100")
    if isinstance(feedback.rank, bool) or not isinstance(feedback.rank, int) \
            or feedback.rank < 1:
        raise FeedbackInputError("rank", "must be a whole number, 1 or more (1 is the top)")
    if not isinstance(feedback.actor, str) or contains_code(feedback.actor):
        raise FeedbackInputError("actor", "must not contain an identity code")
    if not isinstance(feedback.at, datetime):
        raise FeedbackInputError("at", "must be a date and time")


def to_graph(feedback: Feedback, record: str) -> Graph:
    """The RDF of one thumb, as record ``record``."""
    g = Graph()
    subject = URIRef(record)
    g.add((subject, RDF.type, TYO.RecommendationFeedback))
    g.add((subject, TYO.feedbackProfile, URIRef(feedback.profile)))
    g.add((subject, TYO.feedbackPosting, URIRef(feedback.posting)))
    g.add((subject, TYO.verdict, VERDICTS[feedback.verdict]))
    for prop, value in ((TYO.shownStructuredScore, feedback.structured_score),
                        (TYO.shownTextScore, feedback.text_score)):
        g.add((subject, prop, Literal(Decimal(str(round(float(value), 4))),
                                      datatype=XSD.decimal)))
    g.add((subject, TYO.shownRank, Literal(feedback.rank, datatype=XSD.integer)))
    g.add((subject, TYO.feedbackGivenBy, Literal(feedback.actor, datatype=XSD.string)))
    g.add((subject, TYO.feedbackGivenAt, Literal(_utc(feedback.at).isoformat(),
                                                 datatype=XSD.dateTime)))
    return g


@cache
def _shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def validate(graph: Graph) -> list[str]:
    """Field-level problems of feedback RDF under the shapes ("field: message"), sorted."""
    conforms, results, _ = pyshacl.validate(graph, shacl_graph=_shapes(), inference="none",
                                            advanced=False, allow_warnings=False)
    if conforms:
        return []
    shapes, problems = _shapes(), set()
    for result in results.objects(None, SH.result):
        shape = results.value(result, SH.sourceShape)
        name, message = shapes.value(shape, SH.name), shapes.value(shape, SH.message)
        if name is None:  # the closed node shape: a property a thumb does not have
            name, message = "feedback", "holds a property that is not part of a thumb"
        problems.add(f"{name}: {message}")
    return sorted(problems)


def record_feedbacks(store: GraphStore, feedbacks: Sequence[Feedback]) -> list[str]:
    """Check and store thumbs, each in its seeker's feedback graph (created on first use),
    one transaction per seeker; returns the records' IRIs in order. Nothing is written
    when any thumb is refused (FeedbackInputError names the first bad field)."""
    records = [FEEDBACK_NS + uuid.uuid4().hex for _ in feedbacks]
    by_person: dict[str, Graph] = {}
    everything = Graph()
    for feedback, record in zip(feedbacks, records, strict=True):
        _check(feedback)
        graph = to_graph(feedback, record)
        person = person_iri(feedback.person)
        mine = by_person.setdefault(person, Graph())
        mine += graph
        everything += graph
    problems = validate(everything) if feedbacks else []
    if problems:
        field, _, message = problems[0].partition(": ")
        raise FeedbackInputError(field, message)
    with _WRITE:
        for person, graph in by_person.items():
            data = graph.serialize(format="nt")  # every term escaped by the serializer
            graphs = graphs_of_person(store, person, [GraphKind.FEEDBACK])
            if graphs:
                store.update(f"INSERT DATA {{ GRAPH <{graphs[0]}> {{\n{data}\n}} }}")
            else:
                register_graph(store, GraphKind.FEEDBACK, person=person, data=data)
    return records


def record_feedback(store: GraphStore, feedback: Feedback) -> str:
    """Check and store one thumb in its seeker's feedback graph; returns the record's IRI."""
    return record_feedbacks(store, [feedback])[0]


def feedback_of(store: GraphStore, *, profile: str | None = None,
                person: str | None = None) -> list[Feedback]:
    """Stored thumbs, oldest first: all of them, one profile's, or one person's."""
    query = load("feedback_of")
    values: dict[str, str] = {}
    if profile is not None:
        if not _OUR_IRI.fullmatch(profile):
            raise FeedbackInputError("profile",
                                     "must be an IRI of the graph (https://tyodata.fi/...)")
        values["profile"] = profile
    if person is not None:
        try:
            values["person"] = person_iri(person)
        except ValueError as error:
            raise FeedbackInputError("person", str(error)) from None
    if values:
        query = bind(query, **values)
    return [_read(row) for row in store.select(query).dicts()]


def _read(row: dict) -> Feedback:
    verdict = _VERDICT_OF.get(str(row["verdict"]))
    if verdict is None:
        raise FeedbackError("a stored thumb has an unknown verdict")
    values = {k: v.toPython() if isinstance(v, Literal) else v for k, v in row.items()}
    if not isinstance(values["at"], datetime):
        raise FeedbackError("a stored thumb holds a time that is not an xsd:dateTime")
    return Feedback(
        person=str(row["person"]), profile=str(row["profile"]), posting=str(row["posting"]),
        verdict=verdict, structured_score=float(values["structured"]),
        text_score=float(values["text"]), rank=int(values["rank"]), actor=str(row["actor"]),
        at=_utc(values["at"]), id=str(row["feedback"]))


def liked_pairs(feedbacks: Iterable[Feedback]) -> dict[tuple[str, str], bool]:
    """The latest verdict per (profile, posting): a seeker may change their mind."""
    latest: dict[tuple[str, str], bool] = {}
    for feedback in sorted(feedbacks, key=lambda f: _utc(f.at)):
        latest[(feedback.profile, feedback.posting)] = feedback.liked
    return latest

