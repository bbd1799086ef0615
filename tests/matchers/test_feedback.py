"""Thumbs on recommendations: RDF in the seeker's own feedback graph, read back as they
were written, registered as a feedback graph, bad input refused by name, no identity code
anywhere near the actor."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from rdflib import Graph

from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    GraphKind,
    erase_person,
    graphs_of_person,
    read_directory,
)
from matchers.feedback import (
    Feedback,
    FeedbackInputError,
    actor_string,
    feedback_of,
    liked_pairs,
    record_feedback,
    record_feedbacks,
    to_graph,
    validate,
)

PERSON_A = "https://tyodata.fi/id/person/" + "a" * 26
PERSON_B = "https://tyodata.fi/id/person/" + "b" * 26
PROFILE_A = "https://tyodata.fi/id/tyomarkkinatori/profile/F1"
PROFILE_B = "https://tyodata.fi/id/tyomarkkinatori/profile/F2"
POSTING = "https://tyodata.fi/id/tyomarkkinatori/posting/P"
WHEN = datetime(2026, 5, 4, 10, 15, tzinfo=UTC)


def thumb(**changes: object) -> Feedback:
    base = Feedback(person=PERSON_A, profile=PROFILE_A, posting=POSTING + "1", verdict="up",
                    structured_score=71.5, text_score=40.25, rank=3,
                    actor=actor_string("anna", "city:helsinki"), at=WHEN)
    return replace(base, **changes)


@pytest.fixture
def store(tmp_path: Path):
    opened = OxigraphStore(tmp_path / "store")
    yield opened
    opened.close()


def test_a_thumb_round_trips_through_the_store_unchanged(store: OxigraphStore) -> None:
    written = thumb(at=datetime(2026, 5, 4, 13, 15, tzinfo=timezone(timedelta(hours=3))))
    record = record_feedback(store, written)
    assert record.startswith("https://tyodata.fi/id/feedback/")
    [read] = feedback_of(store)
    assert read == replace(written, at=WHEN, id=record)  # the time comes back in UTC


def test_thumbs_go_to_one_registered_feedback_graph_per_seeker(store: OxigraphStore) -> None:
    record_feedback(store, thumb())
    record_feedback(store, thumb(posting=POSTING + "2", verdict="down", rank=4,
                                 at=WHEN + timedelta(seconds=1)))
    record_feedback(store, thumb(person=PERSON_B, profile=PROFILE_B))
    [graph_a] = graphs_of_person(store, PERSON_A, [GraphKind.FEEDBACK])
    [graph_b] = graphs_of_person(store, PERSON_B, [GraphKind.FEEDBACK])
    assert graph_a != graph_b and graph_a.startswith("https://tyodata.fi/graph/feedback/")
    directory = read_directory(store)
    assert set(directory.of_kind(GraphKind.FEEDBACK)) == {graph_a, graph_b}
    assert directory.kind_of(graph_a) is GraphKind.FEEDBACK
    # found by profile and by person, oldest first
    assert [f.posting for f in feedback_of(store, profile=PROFILE_A)] == [POSTING + "1",
                                                                          POSTING + "2"]
    assert [f.profile for f in feedback_of(store, person=PERSON_B)] == [PROFILE_B]
    assert len(feedback_of(store)) == 3
    # the person's erasure takes their feedback with it, and only theirs
    assert erase_person(store, PERSON_A).graphs == [graph_a]
    assert [f.person for f in feedback_of(store)] == [PERSON_B]


def test_many_thumbs_are_written_in_one_go_and_read_in_time_order(store: OxigraphStore) -> None:
    thumbs = [thumb(posting=f"{POSTING}{i}", rank=i + 1, verdict="up" if i % 3 else "down",
                    at=WHEN + timedelta(minutes=10 - i)) for i in range(10)]
    records = record_feedbacks(store, thumbs)
    read = feedback_of(store)
    assert [f.id for f in read] == records[::-1]
    assert liked_pairs(read) == {(PROFILE_A, f"{POSTING}{i}"): bool(i % 3) for i in range(10)}


def test_a_later_verdict_on_the_same_pair_wins_in_liked_pairs() -> None:
    first, later = thumb(verdict="up"), thumb(verdict="down", at=WHEN + timedelta(days=1))
    assert liked_pairs([later, first]) == {(PROFILE_A, POSTING + "1"): False}


@pytest.mark.parametrize(("changes", "field"), [
    ({"verdict": "sideways"}, "verdict"),
    ({"verdict": "UP"}, "verdict"),
    ({"structured_score": 100.5}, "structured_score"),
    ({"structured_score": -1}, "structured_score"),
    ({"text_score": float("nan")}, "text_score"),
    ({"text_score": "50"}, "text_score"),
    ({"rank": 0}, "rank"),
    ({"rank": 2.5}, "rank"),
    ({"person": "131052-308T"}, "person"),
    ({"profile": "http://example.org/profile"}, "profile"),
    ({"posting": "https://tyodata.fi/a> } ; DROP ALL #"}, "posting"),
    ({"actor": "kela/131052-308T"}, "actor"),
    ({"at": "2026-05-04"}, "at"),
])
def test_bad_thumbs_are_refused_by_field_and_nothing_is_written(
        store: OxigraphStore, changes: dict, field: str) -> None:
    with pytest.raises(FeedbackInputError) as refused:
        record_feedbacks(store, [thumb(), thumb(**changes)])
    assert refused.value.field == field
    assert str(refused.value).startswith(f"{field}: ")
    assert "131052-308T" not in str(refused.value)
    assert feedback_of(store) == [] and graphs_of_person(store, PERSON_A) == []


@pytest.mark.parametrize(("subject", "organisation"), [
    ("131052-308T", "kela"), ("anna", "city:131052-308t"), ("x131052-308Tz", "kela"),
    ("", "kela"), ("anna", " "),
])
def test_the_actor_string_never_takes_an_identity_code(subject: str, organisation: str) -> None:
    with pytest.raises(FeedbackInputError) as refused:
        actor_string(subject, organisation)
    assert refused.value.field == "actor"
    assert "131052" not in str(refused.value)


def test_the_actor_string_is_organisation_and_subject_with_one_slash() -> None:
    assert actor_string("anna", "city:helsinki") == "city:helsinki/anna"
    assert actor_string("a/b c", "kela") == "kela/a%2Fb%20c"


def test_the_shapes_catch_what_python_checks_would_let_through() -> None:
    graph = to_graph(thumb(), "https://tyodata.fi/id/feedback/x")
    assert validate(graph) == []
    broken = Graph()
    for s, p, o in graph:
        if not str(p).endswith("shownRank"):
            broken.add((s, p, o))
    assert validate(broken) == ["rank: must be one rank, 1 or more (1 is the top of the list)"]
    coded = to_graph(thumb(actor="kela/131052-308T"), "https://tyodata.fi/id/feedback/y")
    assert validate(coded) == ["actor: must not contain an identity code"]
