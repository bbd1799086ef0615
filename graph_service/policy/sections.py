"""The sections of a client's situation view and the fields each may show.

A section is what a policy targets (``odrl:target``) and what a consent covers
(``dpv:hasPersonalData``); a field is the unit of data minimisation: a permission lists
the fields its legal basis covers, and a permitted section shows only those.

The sections and their fields follow the pilot's prototypes (v1 sections, v2 minimum
version, v3 wishes). Labels live in the pages' message catalogue, not here.

>>> Section.HEALTH.iri
'https://tyodata.fi/section/health'
>>> Section.from_iri('https://tyodata.fi/section/studies')
<Section.STUDIES: 'studies'>
>>> 'statement_type' in FIELDS[Section.HEALTH]
True
"""

from __future__ import annotations

from enum import StrEnum

SECTION_NS = "https://tyodata.fi/section/"


class Section(StrEnum):
    BASIC = "basic"
    MIGRATION = "migration"
    FAMILY = "family"
    UNEMPLOYMENT = "unemployment"
    ECONOMY = "economy"
    STUDIES = "studies"
    BENEFITS = "benefits"
    REHABILITATION = "rehabilitation"
    HEALTH = "health"

    @property
    def iri(self) -> str:
        return SECTION_NS + self.value

    @classmethod
    def from_iri(cls, iri: str) -> Section | None:
        if not iri.startswith(SECTION_NS):
            return None
        try:
            return cls(iri.removeprefix(SECTION_NS))
        except ValueError:
            return None


# Section -> every field it can show. Registry facts and client-reported facts share the
# names where they say the same thing (e.g. a language and its CEFR level).
FIELDS: dict[Section, frozenset[str]] = {
    Section.BASIC: frozenset({
        "home_municipality", "home_municipality_since", "mother_tongue", "service_language",
        "other_language", "cefr_level", "interpreter_needed", "interpreter_language", "note"}),
    Section.MIGRATION: frozenset({
        "permit_type", "permit_ground", "permit_start", "valid_until", "extension_pending",
        "date_of_entry", "first_permit"}),
    Section.FAMILY: frozenset({
        "household_size", "relation", "birth_year", "age", "housing_type", "note"}),
    Section.UNEMPLOYMENT: frozenset({
        "registered_since", "registered_until", "employment_status", "municipality",
        "employment_plan_valid_until", "employment_plan_expired", "multi_sector_client",
        "appointment_date", "appointment_status", "missed_appointments"}),
    Section.ECONOMY: frozenset({
        "case_type", "case_status", "start_date", "end_date"}),
    Section.STUDIES: frozenset({
        "qualification", "institution", "study_right_type", "start_date", "end_date",
        "study_status", "completed_on", "level", "country", "years",
        "note"}),
    Section.BENEFITS: frozenset({
        "benefit_type", "start_date", "end_date", "decision", "decision_date",
        "application_date", "granting_organisation", "pending", "rejection_reason",
        "in_payment"}),
    Section.REHABILITATION: frozenset({
        "rehabilitation_type", "start_date", "end_date", "earnings_year", "earnings_eur",
        "earnings_total_eur", "earnings_threshold_eur", "earnings_years",
        "earnings_threshold_met"}),
    Section.HEALTH: frozenset({
        "sickness_allowance_days_paid", "sickness_allowance_max_days", "start_date",
        "end_date", "statement_type", "statement_date", "health_centre", "note"}),
}
