"""Consent records in a real store: given into the person's own consent graph as DPV,
listed newest first with their history, withdrawn by appending (never deleting), with
clear errors for bad input, unknown ids and second withdrawals; and nobody's consent
counts for anybody else, nor a record in a graph that is not a consent graph."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from graph_service.policy.consent import (
    CONSENT_NS,
    ConsentAlreadyWithdrawnError,
    ConsentInputError,
    UnknownConsentError,
    consent_id,
    consents_of,
    give_consent,
    withdraw_consent,
)
from graph_service.policy.consent_record import ConsentStatus, Recipient
from graph_service.policy.sections import Section
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    DPV_DATA_SUBJECT,
    GraphKind,
    collect_garbage,
    erase_person,
    graphs_of_person,
    read_directory,
    register_graph,
)

A = "https://tyodata.fi/id/person/" + "a" * 26
B = "https://tyodata.fi/id/person/" + "b" * 26
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
CITY = Recipient("city", "case_worker")


@pytest.fixture
def store(tmp_path: Path):
    with OxigraphStore(tmp_path / "store") as opened:
        yield opened


def give(store, person=A, *, now=NOW, **changes):
    args = dict(controller="city:helsinki", purposes=["case-management"],
                sections=[Section.HEALTH, "economy"], recipients=[CITY],
                expires_at=now + timedelta(days=90), indicated_by="in-person",
                recorded_by="cw-1", recorded_org="city:helsinki", now=now)
    args.update(changes)
    return give_consent(store, person, **args)


def test_a_consent_is_recorded_with_every_field(store: OxigraphStore):
    record = give(store)
    [read] = consents_of(store, A)
    assert read == record
    assert record.id.startswith(CONSENT_NS) and len(consent_id(record)) == 36
    assert (record.person, record.controller, record.purposes) == (
        A, "city:helsinki", ("case-management",))
    assert record.sections == (Section.ECONOMY, Section.HEALTH)
    assert record.recipients == (CITY,)
    assert (record.given_at, record.expires_at, record.withdrawn_at) == (
        NOW, NOW + timedelta(days=90), None)
    assert (record.indicated_by, record.recorded_by, record.recorded_org) == (
        "in-person", "cw-1", "city:helsinki")
    assert [e.status for e in record.history] == [ConsentStatus.GIVEN]
    assert record.status(NOW) is ConsentStatus.GIVEN


def test_it_lives_in_the_person_s_own_consent_graph_as_dpv(store: OxigraphStore):
    record = give(store)
    give(store, now=NOW + timedelta(hours=1))
    # the second consent went into the same graph
    [graph] = graphs_of_person(store, A, [GraphKind.CONSENT])
    assert read_directory(store).kind_of(graph) is GraphKind.CONSENT
    assert store.ask(f"ASK {{ GRAPH <{graph}> {{ <{graph}> <{DPV_DATA_SUBJECT}> <{A}> . "
                     f"<{record.id}> a <https://w3id.org/dpv#ConsentRecord> ; "
                     f"<https://w3id.org/dpv#hasDataSubject> <{A}> ; "
                     f"<https://w3id.org/dpv#hasPersonalData> "
                     f"<https://tyodata.fi/section/health> ; "
                     f"<https://w3id.org/dpv#hasIndicationMethod> "
                     f"<https://tyodata.fi/ontology#IndicatedInPerson> }} }}")
    assert graph not in collect_garbage(store)  # consent graphs survive every ingest


def test_consents_are_listed_newest_first(store: OxigraphStore):
    old = give(store, now=NOW)
    new = give(store, now=NOW + timedelta(days=1), sections=["migration"])
    assert [r.id for r in consents_of(store, A)] == [new.id, old.id]


def test_a_withdrawal_appends_to_the_history_and_deletes_nothing(store: OxigraphStore):
    record = give(store)
    [graph] = graphs_of_person(store, A, [GraphKind.CONSENT])
    before = len(store.select(f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows)
    later = NOW + timedelta(days=3)
    withdrawn = withdraw_consent(store, A, consent_id(record), by="cw-2",
                                 organisation="kela", now=later)
    assert withdrawn.withdrawn_at == later
    assert [(e.status, e.at, e.by, e.organisation) for e in withdrawn.history] == [
        (ConsentStatus.GIVEN, NOW, "cw-1", "city:helsinki"),
        (ConsentStatus.WITHDRAWN, later, "cw-2", "kela")]
    assert withdrawn.status(later) is ConsentStatus.WITHDRAWN
    assert withdrawn.status(NOW + timedelta(days=1)) is ConsentStatus.GIVEN  # history holds
    after = len(store.select(f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}").rows)
    assert after > before
    with pytest.raises(ConsentAlreadyWithdrawnError, match="withdrawn already on"):
        withdraw_consent(store, A, consent_id(record), by="cw-2", organisation="kela",
                         now=later)
    assert len(consents_of(store, A)[0].history) == 2


def test_a_consent_expires_by_itself(store: OxigraphStore):
    record = give(store, expires_at=NOW + timedelta(seconds=1))
    assert record.valid_at(NOW)
    assert record.status(NOW + timedelta(seconds=1)) is ConsentStatus.EXPIRED


def test_unknown_ids_and_other_persons_consents_are_unknown(store: OxigraphStore):
    record = give(store, person=A)
    with pytest.raises(UnknownConsentError):
        withdraw_consent(store, B, consent_id(record), by="x", organisation="kela")
    with pytest.raises(UnknownConsentError):
        withdraw_consent(store, A, "0b7f3c1e-1d2a-4c3b-9e8f-123456789abc", by="x",
                         organisation="kela")
    with pytest.raises(UnknownConsentError):
        withdraw_consent(store, A, "not-a-uuid> } ; DROP ALL ; #", by="x",
                         organisation="kela")
    assert consents_of(store, B) == []
    assert consents_of(store, A)[0].withdrawn_at is None  # B's attempt changed nothing


BAD_INPUT = [
    ("sections", {"sections": ["salary"]}),
    ("sections", {"sections": []}),
    ("purposes", {"purposes": ["curiosity"]}),
    ("purposes", {"purposes": ["own-data"]}),
    ("purposes", {"purposes": []}),
    ("recipients", {"recipients": []}),
    ("recipients", {"recipients": [Recipient("City of Helsinki", "case_worker")]}),
    ("recipients", {"recipients": [Recipient("city", "citizen")]}),
    ("expires_at", {"expires_at": NOW - timedelta(seconds=1)}),
    ("expires_at", {"expires_at": NOW}),
    ("indicated_by", {"indicated_by": "telepathy"}),
    ("controller", {"controller": " "}),
]


@pytest.mark.parametrize(("field", "change"), BAD_INPUT, ids=[f"{f}-{i}" for i, (f, _) in
                                                              enumerate(BAD_INPUT)])
def test_bad_input_is_refused_naming_the_field(store: OxigraphStore, field: str, change: dict):
    with pytest.raises(ConsentInputError) as refused:
        give(store, **change)
    assert refused.value.field == field and str(refused.value).startswith(field)
    assert consents_of(store, A) == [] and graphs_of_person(store, A, [GraphKind.CONSENT]) == []


def test_a_person_id_that_is_not_one_is_refused(store: OxigraphStore):
    with pytest.raises(ConsentInputError, match="person"):
        give(store, person="131052-308T")


def test_a_record_outside_a_consent_graph_counts_for_nothing(store: OxigraphStore):
    """A client-reported graph (written by case workers) that holds something shaped like a
    consent record of the person is not a consent: only consent graphs are read."""
    forged = (f'<{CONSENT_NS}0b7f3c1e-1d2a-4c3b-9e8f-123456789abc> '
              f'a <https://w3id.org/dpv#ConsentRecord> ; '
              f'<https://w3id.org/dpv#hasDataSubject> <{A}> .')
    register_graph(store, GraphKind.CLIENT_REPORTED, person=A, data=forged)
    assert consents_of(store, A) == []


def test_erasing_the_person_drops_their_consents(store: OxigraphStore):
    give(store)
    assert graphs_of_person(store, A, [GraphKind.CONSENT])
    erase_person(store, A)
    assert graphs_of_person(store, A, [GraphKind.CONSENT]) == [] and consents_of(store, A) == []
