"""The situation view of both pilot personas, section by section, against the persona
definitions (values, not counts); data minimisation; withheld sections read nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from graph_service.policy.sections import Section
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import GraphDirectory
from graph_service.views.model import Fact, SectionView, SituationView
from graph_service.views.situation import person_known, read_situation
from synthetic.personas import DROPOUT, MOTHER, Persona

from .conftest import DROPOUT_IRI, MOTHER_IRI, NOW, deny, every_section, permit

TODAY = date(2026, 11, 27)
SOURCES = {"basic": {"vtj", "tyomarkkinatori"}, "migration": {"migri"}, "family": {"vtj"},
           "unemployment": {"tyollisyyspalvelut"}, "economy": {"ulosotto"},
           "studies": {"koski"}, "benefits": {"kela"}, "rehabilitation": {"kela"},
           "health": {"kela", "hyvinvointialue"}}


@pytest.fixture(scope="module")
def views(store: OxigraphStore) -> dict[str, SituationView]:
    from graph_service.store.registry import read_directory

    directory = read_directory(store)
    return {name: read_situation(store, directory, iri, every_section(), NOW)
            for name, iri in (("mother", MOTHER_IRI), ("dropout", DROPOUT_IRI))}


def section(view: SituationView, which: Section) -> SectionView:
    found = view.section(which)
    assert found is not None and found.permitted
    return found


def values(fact: Fact) -> dict[str, object]:
    return {name: value.value for name, value in fact.fields.items()}


def of_kind(view: SectionView, kind: str) -> list[dict[str, object]]:
    return [values(f) for f in view.facts if f.kind == kind]


def fact_id(fact: Fact) -> str:
    return fact.id.rsplit("/", 1)[-1]


@pytest.mark.parametrize("name", ["mother", "dropout"])
def test_every_fact_carries_its_source_organisation_extract_graph_and_date(
        views: dict[str, SituationView], name: str):
    view = views[name]
    assert [s.section for s in view.sections] == list(Section)
    assert view.person == (MOTHER_IRI if name == "mother" else DROPOUT_IRI).rsplit("/")[-1]
    for shown in view.sections:
        for fact in shown.facts:
            assert fact.source is not None and fact.reported is None
            assert fact.source.source in SOURCES[shown.section.value], (shown.section, fact)
            assert fact.source.graph.startswith(f"https://tyodata.fi/graph/{fact.source.source}/")
            assert fact.source.organisation and fact.source.organisation != fact.source.source
            assert fact.source.extracted_at == date(2026, 11, 1)


@pytest.mark.parametrize(("name", "persona"), [("mother", MOTHER), ("dropout", DROPOUT)])
def test_basic(views: dict[str, SituationView], name: str, persona: Persona):
    shown = section(views[name], Section.BASIC)
    (person,) = [f for f in shown.facts if f.kind == "person"]
    assert values(person) == {"home_municipality": persona.municipality,
                              "home_municipality_since": persona.home_since,
                              "mother_tongue": persona.mother_tongue,
                              "service_language": persona.service_language}
    assert person.fields["home_municipality"].labels == {
        "fi": {"092": "Vantaa", "091": "Helsinki"}[persona.municipality],
        "en": {"092": "Vantaa", "091": "Helsinki"}[persona.municipality]}
    assert person.fields["mother_tongue"].labels["en"] == {"ar": "Arabic", "fi": "Finnish"}[
        persona.mother_tongue]
    assert persona.profile is not None
    assert sorted((f["other_language"], f["cefr_level"])
                  for f in of_kind(shown, "language_skill")) == sorted(
        (language, level) for _, language, level in persona.profile.languages)
    # No registry records an interpreter need: the summary says so.
    assert shown.summary["interpreter_needed"] is None
    assert "client-reported only" in shown.summary["interpreter_need_source"]


def test_migration_of_the_mother(views: dict[str, SituationView]):
    shown = section(views["mother"], Section.MIGRATION)
    (permit_,) = MOTHER.permits
    (fact,) = shown.facts
    assert fact_id(fact) == permit_.id
    assert values(fact) == {"permit_type": permit_.type, "permit_ground": permit_.ground,
                            "permit_start": permit_.start, "valid_until": permit_.valid_until,
                            "extension_pending": True, "first_permit": True,
                            "date_of_entry": permit_.entry}
    assert fact.fields["permit_type"].labels is not None
    assert shown.summary["valid_until"] == date(2026, 12, 17)
    assert shown.summary["permit_expired"] is False
    assert shown.summary["extension_pending"] is True
    assert shown.summary["date_of_entry"] == permit_.entry


def test_a_permitted_section_without_data_is_empty(views: dict[str, SituationView]):
    shown = section(views["dropout"], Section.MIGRATION)
    assert shown.facts == [] and shown.reported == [] and shown.summary == {}
    assert section(views["mother"], Section.ECONOMY).facts == []


@pytest.mark.parametrize(("name", "persona"), [("mother", MOTHER), ("dropout", DROPOUT)])
def test_family_with_ages_today(views: dict[str, SituationView], name: str, persona: Persona):
    shown = section(views[name], Section.FAMILY)
    assert of_kind(shown, "household") == [{"household_size": persona.household_size}]
    members = sorted((f["relation"], f["birth_year"], f["age"])
                     for f in of_kind(shown, "household_member"))
    assert members == sorted((relation, year, TODAY.year - year)
                             for _, relation, year in persona.household)
    assert shown.summary["household_size"] == persona.household_size
    assert shown.summary["children"] == persona.children
    assert shown.summary["housing_type"] is None  # only the client can tell


@pytest.mark.parametrize(("name", "persona"), [("mother", MOTHER), ("dropout", DROPOUT)])
def test_unemployment(views: dict[str, SituationView], name: str, persona: Persona):
    shown = section(views[name], Section.UNEMPLOYMENT)
    periods = {fact_id(f): values(f) for f in shown.facts if f.kind == "job_seeking_period"}
    assert set(periods) == {j.id for j in persona.job_seeking}
    for seeking in persona.job_seeking:
        period = periods[seeking.id]
        assert period["registered_since"] == seeking.start
        assert period.get("registered_until") == seeking.end
        assert period["employment_status"] == seeking.status
        assert period["employment_plan_valid_until"] == seeking.plan_valid_until
        assert period["employment_plan_expired"] is (seeking.plan_valid_until < TODAY)
        assert period["multi_sector_client"] is seeking.typ_client
        assert period["municipality"] == persona.municipality
    assert sorted((a["appointment_date"], a["appointment_status"])
                  for a in of_kind(shown, "appointment")) == sorted(
        (a.day, a.status) for a in persona.appointments)
    current = persona.job_seeking[-1]
    missed = sorted(a.day for a in persona.appointments if a.status == "EI_SAAPUNUT")
    summary = shown.summary
    assert summary["registered_since"] == current.start and summary["registered"] is True
    assert summary["employment_status"].value == current.status
    assert summary["employment_status"].labels["en"] == "unemployed"
    assert summary["employment_plan_valid_until"] == current.plan_valid_until
    assert summary["multi_sector_client"] is current.typ_client
    assert summary["missed_appointments"] == {"count": len(missed), "dates": missed}


def test_the_dropouts_plan_has_expired_and_he_missed_three_appointments(
        views: dict[str, SituationView]):
    summary = section(views["dropout"], Section.UNEMPLOYMENT).summary
    assert summary["employment_plan_expired"] is True
    assert summary["multi_sector_client"] is True
    assert summary["missed_appointments"]["count"] == 3
    mother = section(views["mother"], Section.UNEMPLOYMENT).summary
    assert mother["employment_plan_expired"] is False
    assert mother["missed_appointments"] == {"count": 0, "dates": []}


def test_economy_of_the_dropout(views: dict[str, SituationView]):
    shown = section(views["dropout"], Section.ECONOMY)
    (case,) = DROPOUT.enforcement
    (fact,) = shown.facts
    assert fact_id(fact) == case.id
    assert values(fact) == {"case_type": case.type, "case_status": case.status,
                            "start_date": case.start}
    assert fact.fields["case_type"].labels["en"] == "debt enforcement"
    assert shown.summary == {"open_enforcement_cases": 1, "open_debt_restructurings": 0}


@pytest.mark.parametrize(("name", "persona"), [("mother", MOTHER), ("dropout", DROPOUT)])
def test_studies(views: dict[str, SituationView], name: str, persona: Persona):
    shown = section(views[name], Section.STUDIES)
    studies = {fact_id(f): f for f in shown.facts}
    assert set(studies) == {s.oid for s in persona.study_rights}
    for right in persona.study_rights:
        fact = studies[right.oid]
        assert values(fact)["qualification"] == right.qualification
        assert values(fact)["study_status"] == right.status
        assert values(fact)["study_right_type"] == right.type
        assert values(fact)["start_date"] == right.start
        assert values(fact).get("end_date") == right.end
        institution = fact.fields["institution"]
        assert institution.concept.startswith("https://tyodata.fi/id/koski/institution/")
        assert institution.value and institution.value != institution.concept
        assert fact.fields["qualification"].labels["fi"]
    expected = {"ongoing": 0, "graduated": 0, "interrupted": 0}
    for right in persona.study_rights:
        expected["ongoing" if right.status == "lasna" else "interrupted"] += 1
    assert shown.summary["study_status"] == expected


@pytest.mark.parametrize(("name", "persona"), [("mother", MOTHER), ("dropout", DROPOUT)])
def test_benefits(views: dict[str, SituationView], name: str, persona: Persona):
    shown = section(views[name], Section.BENEFITS)
    decisions = {fact_id(f): values(f) for f in shown.facts}
    assert set(decisions) == {d.id for d in persona.decisions}
    for decision in persona.decisions:
        fact = decisions[decision.id]
        assert fact["benefit_type"] == decision.benefit
        assert fact["decision"] == decision.outcome
        assert fact["application_date"] == decision.applied
        assert fact["decision_date"] == decision.decided
        assert fact.get("start_date") == decision.start
        assert fact.get("end_date") == decision.end
        assert fact["in_payment"] is decision.in_payment
        assert fact["pending"] is False
        assert "Kela" in fact["granting_organisation"]
    assert [b.value for b in shown.summary["in_payment"]] == [
        d.benefit for d in sorted(persona.decisions, key=lambda d: d.start or date.min)
        if d.in_payment]
    assert shown.summary["pending_applications"] == []
    assert shown.summary["rejections"] == []


def test_rehabilitation_and_the_earnings_check(views: dict[str, SituationView]):
    shown = section(views["dropout"], Section.REHABILITATION)
    assert sorted((f["rehabilitation_type"], f["start_date"], f.get("end_date"))
                  for f in of_kind(shown, "rehabilitation_period")) == sorted(
        (r.type, r.start, r.end) for r in DROPOUT.rehabilitation)
    assert sorted((f["earnings_year"], f["earnings_eur"])
                  for f in of_kind(shown, "annual_earnings")) == sorted(
        (e.year, Decimal(e.cents) / 100) for e in DROPOUT.earnings)
    summary = shown.summary
    assert summary["earnings_years"] == [2021, 2022, 2023, 2024, 2025]
    assert summary["earnings_total_eur"] == Decimal(DROPOUT.earnings_total_cents) / 100
    assert summary["earnings_total_eur"] == Decimal("11911.15")
    assert summary["earnings_threshold_eur"] == Decimal("41143.38")
    assert summary["earnings_threshold_level_year"] == 2024
    assert summary["earnings_threshold_met"] is False
    assert summary["earnings_by_year"]["2021"] == Decimal("6120.40")
    mother = section(views["mother"], Section.REHABILITATION)
    assert of_kind(mother, "rehabilitation_period") == []
    assert mother.summary["earnings_total_eur"] == Decimal("4960.50")
    assert mother.summary["earnings_threshold_met"] is False


def test_health_shows_types_and_dates_of_statements_and_days_of_the_300(
        views: dict[str, SituationView]):
    shown = section(views["dropout"], Section.HEALTH)
    assert sorted((f["statement_type"], f["statement_date"])
                  for f in of_kind(shown, "medical_statement")) == sorted(
        (s.type, s.day) for s in DROPOUT.statements)
    assert all(set(f) == {"statement_type", "statement_date"}
               for f in of_kind(shown, "medical_statement"))  # never contents
    assert sorted((f["start_date"], f["end_date"], f["sickness_allowance_days_paid"])
                  for f in of_kind(shown, "sickness_allowance_period")) == sorted(
        (p.start, p.end, p.days_paid) for p in DROPOUT.sickness)
    assert shown.summary["sickness_allowance_days_paid"] == DROPOUT.sickness_days_paid == 292
    assert shown.summary["sickness_allowance_max_days"] == 300
    assert shown.summary["sickness_allowance_days_left"] == 8
    assert section(views["mother"], Section.HEALTH).summary[
        "sickness_allowance_days_paid"] == 0


def test_a_minimised_section_holds_only_the_covered_fields(store: OxigraphStore,
                                                          directory: GraphDirectory):
    covered = frozenset({"benefit_type", "in_payment"})
    view = read_situation(store, directory, DROPOUT_IRI, [
        permit(Section.BENEFITS, covered),
        permit(Section.REHABILITATION, frozenset({"earnings_threshold_met"}))], NOW)
    benefits, rehabilitation = view.sections
    assert len(benefits.facts) == len(DROPOUT.decisions)
    assert all(set(f.fields) == covered for f in benefits.facts)
    assert set(benefits.summary) == {"in_payment"}  # pending and rejections need more
    # The verdict without the income it rests on.
    assert rehabilitation.facts == []
    assert rehabilitation.summary == {"earnings_threshold_met": False}
    assert "earnings_eur" not in rehabilitation.model_dump_json()


class Spy(OxigraphStore):
    """The real store, counting the queries it answers."""

    def __init__(self, inner: OxigraphStore) -> None:
        self.__dict__.update(inner.__dict__)
        self.queries: list[str] = []

    def select(self, query, *, dataset=None):
        self.queries.append(query)
        return super().select(query, dataset=dataset)


def test_a_withheld_section_is_listed_with_its_reason_and_not_read(
        store: OxigraphStore, directory: GraphDirectory):
    spy = Spy(store)
    read_situation(spy, directory, DROPOUT_IRI, [permit(Section.BASIC)], NOW)  # warm caches
    spy.queries.clear()
    view = read_situation(spy, directory, DROPOUT_IRI, [
        permit(Section.BASIC), deny(Section.HEALTH), deny(Section.ECONOMY)], NOW)
    basic, health, economy = view.sections
    assert basic.permitted and basic.facts
    for withheld in (health, economy):
        assert not withheld.permitted and withheld.reason == "needs the client's consent"
        assert withheld.facts == [] and withheld.reported == [] and withheld.summary == {}
    # Two queries: the look-up of the person's client-reported graphs (they have none),
    # then the basic section's.
    assert len(spy.queries) == 2, spy.queries
    assert "graphKind" in spy.queries[0] and "tyo:Person" in spy.queries[1]
    assert not any("MedicalStatement" in q or "EnforcementCase" in q for q in spy.queries)


def test_one_query_per_permitted_section(store: OxigraphStore, directory: GraphDirectory):
    spy = Spy(store)
    read_situation(spy, directory, MOTHER_IRI, every_section(), NOW)
    spy.queries.clear()
    read_situation(spy, directory, MOTHER_IRI, every_section(), NOW)
    assert len(spy.queries) <= len(Section) + 1  # the sections and the reported facts


def test_the_person_is_known_only_from_registry_extracts(store: OxigraphStore,
                                                        directory: GraphDirectory):
    assert person_known(store, directory, MOTHER_IRI)
    assert not person_known(store, directory, "https://tyodata.fi/id/person/" + "a" * 26)
