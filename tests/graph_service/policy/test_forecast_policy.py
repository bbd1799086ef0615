"""The forecast's decision point over consent records in a real store: only a case worker
declaring the forecast's purpose, only on a valid consent of the person that names the
purpose, the caller and every section the model reads; a withdrawal and an expiry count at
once; no legal-basis path. The situation view's sections keep their own rule (the same
consent check underneath), and a forecast consent opens no section."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rdflib import Graph

from graph_service.policy.consent import (
    ConsentInputError,
    consents_of,
    give_consent,
    give_forecast_consent,
    withdraw_consent,
)
from graph_service.policy.consent_record import Recipient
from graph_service.policy.decision import FORECAST_PURPOSE, PURPOSES, RULES, Action
from graph_service.policy.forecast_policy import (
    FORECAST_BASIS,
    FORECAST_SECTIONS,
    caller_ruling,
    forecast_consent,
)
from graph_service.policy.odrl import DEFAULT_POLICY, read_policy
from graph_service.policy.section_decision import Withheld
from graph_service.policy.sections import Section
from graph_service.policy.situation_policy import decide_sections
from graph_service.policy.tokens import Principal
from graph_service.store.oxigraph_store import OxigraphStore

A = "https://tyodata.fi/id/person/" + "a" * 26
B = "https://tyodata.fi/id/person/" + "b" * 26
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = 2_000_000_000  # the tokens' expiry (the decision point does not read it)
WORKER = Principal("cw-1", "city:helsinki", ("case_worker",), LATER)
KELA_WORKER = Principal("kela-1", "kela", ("case_worker",), LATER)


@pytest.fixture
def store(tmp_path: Path):
    with OxigraphStore(tmp_path / "store") as opened:
        yield opened


def give(store, person=A, *, now=NOW, **changes):
    args = dict(controller="city:helsinki", purposes=[FORECAST_PURPOSE],
                sections=list(FORECAST_SECTIONS), recipients=[Recipient("city", "case_worker")],
                expires_at=now + timedelta(days=90), indicated_by="in-person",
                recorded_by="cw-1", recorded_org="city:helsinki", now=now)
    args.update(changes)
    return give_consent(store, person, **args)


def ruling(store, person=A, principal=WORKER, now=NOW):
    return forecast_consent(consents_of(store, person), person, principal, now)


def test_the_purpose_is_a_dpv_purpose_and_only_case_workers_may_forecast():
    assert PURPOSES[FORECAST_PURPOSE] == "https://w3id.org/dpv#ServicePersonalisation"
    for action in (Action.FORECAST, Action.SAVE_FORECAST, Action.READ_SAVED_FORECASTS):
        assert RULES[action] == {"case_worker": frozenset({FORECAST_PURPOSE})}
        assert caller_ruling(WORKER, action, FORECAST_PURPOSE).permit
        other = caller_ruling(WORKER, action, "case-management")
        assert not other.permit and "allowed: work-ability-forecast" in other.reason
        for role in ("employer", "citizen", "service", "steward", "admin"):
            caller = Principal("x", "kela", (role,), LATER)
            refused = caller_ruling(caller, action, FORECAST_PURPOSE)
            assert not refused.permit and refused.withheld is None
    with pytest.raises(ValueError):
        caller_ruling(WORKER, Action.READ_SITUATION, FORECAST_PURPOSE)


def test_without_a_consent_the_reason_says_how_to_record_one(store: OxigraphStore):
    refused = ruling(store)
    assert not refused.permit and refused.withheld is Withheld.NEEDS_CONSENT
    assert "record the client's consent for the purpose work-ability-forecast" in refused.reason
    assert "city/case_worker" in refused.reason
    assert refused.decision().legal_basis is None  # no legal-basis path


def test_a_valid_consent_permits_and_rests_on_gdpr_consent(store: OxigraphStore):
    record = give(store)
    permitted = ruling(store)
    assert permitted.permit and permitted.consent == record.id
    assert permitted.decision().legal_basis == " ".join(FORECAST_BASIS)
    assert permitted.audit_line() == f"work-ability-forecast permit: consent {record.id}"


def test_a_withdrawal_counts_from_the_very_next_ruling(store: OxigraphStore):
    record = give(store)
    withdraw_consent(store, A, record.id, by="cw-1", organisation="city:helsinki",
                     now=NOW + timedelta(hours=1))
    refused = ruling(store, now=NOW + timedelta(hours=1, seconds=1))
    assert not refused.permit and refused.withheld is Withheld.CONSENT_WITHDRAWN
    assert refused.withheld_on == NOW.date()
    assert "withdrawn on 2026-03-01" in refused.reason


def test_an_expired_consent_does_not_count(store: OxigraphStore):
    give(store, expires_at=NOW + timedelta(days=1))
    assert ruling(store, now=NOW + timedelta(hours=23)).permit
    refused = ruling(store, now=NOW + timedelta(days=1, seconds=1))
    assert not refused.permit and refused.withheld is Withheld.CONSENT_EXPIRED
    assert "expired on 2026-03-02" in refused.reason


def test_a_newer_consent_after_a_withdrawal_counts(store: OxigraphStore):
    old = give(store, now=NOW - timedelta(days=10))
    withdraw_consent(store, A, old.id, by="cw-1", organisation="city:helsinki",
                     now=NOW - timedelta(days=5))
    new = give(store)
    assert ruling(store).consent == new.id


def test_a_consent_for_another_purpose_or_recipient_or_person_does_not_count(store):
    give(store, purposes=["case-management"])  # case work over the same sections
    assert ruling(store).withheld is Withheld.NEEDS_CONSENT
    give(store, recipients=[Recipient("kela", "case_worker")])  # Kela's, not the city's
    assert not ruling(store).permit
    assert ruling(store, principal=KELA_WORKER).permit
    give(store, B)  # someone else's consent
    assert ruling(store, B).permit  # B's own counts for B ...
    assert not ruling(store).permit  # ... never for A


def test_one_organisation_as_recipient_is_that_organisation_only(store: OxigraphStore):
    give(store, recipients=[Recipient("city:espoo", "case_worker")])
    assert not ruling(store).permit  # Helsinki's worker
    espoo = Principal("cw-2", "city:espoo", ("case_worker",), LATER)
    assert ruling(store, principal=espoo).permit


def test_a_forecast_consent_names_every_section_the_model_reads(store: OxigraphStore):
    with pytest.raises(ConsentInputError) as error:
        give(store, sections=[Section.HEALTH])
    assert error.value.field == "sections" and "5 missing" in str(error.value)
    # a consent to both case work and the forecast is fine, and counts for both
    both = give(store, purposes=["case-management", FORECAST_PURPOSE],
                sections=[*FORECAST_SECTIONS, Section.ECONOMY])
    assert ruling(store).consent == both.id


def test_a_consent_to_sections_is_for_case_work_or_the_forecast_only(store: OxigraphStore):
    with pytest.raises(ConsentInputError) as error:
        give(store, purposes=["recruitment"])
    assert error.value.field == "purposes"


def test_a_forecast_consent_opens_no_section_of_the_situation_view(store: OxigraphStore):
    give(store)
    policies = read_policy(Graph().parse(DEFAULT_POLICY))
    decisions = decide_sections(WORKER, "case-management", A, FORECAST_SECTIONS, policies,
                                consents_of(store, A), NOW)
    assert not [d for d in decisions if d.consent is not None]
    # and the sections' own consent rule is unchanged: a case-work consent still counts
    record = give(store, purposes=["case-management"], sections=[Section.HEALTH])
    [health] = decide_sections(WORKER, "case-management", A, [Section.HEALTH], policies,
                               consents_of(store, A), NOW)
    assert health.permit and health.consent == record.id


def test_give_forecast_consent_records_what_the_forecast_needs(store: OxigraphStore):
    record = give_forecast_consent(store, A, organisation="city:helsinki", recorded_by="demo",
                                   now=NOW)
    assert record.purposes == (FORECAST_PURPOSE,) and set(record.sections) == set(
        FORECAST_SECTIONS)
    assert record.recipients == (Recipient("city", "case_worker"),)
    assert record.controller == "city:helsinki" and record.expires_at is None
    assert ruling(store).consent == record.id
    assert not ruling(store, principal=KELA_WORKER).permit


def test_a_forecast_consent_may_name_the_case_workers_of_several_kinds(store):
    record = give_forecast_consent(store, A, organisation="city:helsinki", recorded_by="demo",
                                   also_for=["kela"], now=NOW)
    assert set(record.recipients) == {Recipient("city", "case_worker"),
                                      Recipient("kela", "case_worker")}
    assert ruling(store).permit and ruling(store, principal=KELA_WORKER).permit
