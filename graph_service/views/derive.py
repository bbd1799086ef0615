"""What the view works out from the facts: fields derived per fact (an age from a year of
birth, whether a plan has expired) and each section's summary figures (missed
appointments, days of sickness allowance left, the rehabilitation earnings check).

Every summary item names the fields it is derived from (``Item.needs``); the view keeps
an item only when the reader may see all of them, so a derived figure never shows more
than its fields would. Everything is computed against ``today`` (the case worker's day
in Finland), never against the extract's date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from graph_service.policy.sections import Section
from graph_service.views.earnings import THRESHOLD_LEVEL_YEAR, earnings_check
from graph_service.views.model import Fact, FieldValue

SICKNESS_ALLOWANCE_MAX_DAYS = 300
CENTS = Decimal("0.01")
_INTERRUPTED = {"eronnut", "katsotaaneronneeksi", "valiaikaisestikeskeytynyt"}
_GRADUATED = {"valmistunut"}
CLIENT_REPORTED_ONLY = "client-reported only: no registry records this"


@dataclass(frozen=True)
class Item:
    value: Any
    needs: frozenset[str]


def _item(value: Any, *needs: str) -> Item:
    return Item(value, frozenset(needs))


def _value(fact: Fact, field: str) -> Any:
    found = fact.fields.get(field)
    return None if found is None else found.value


def _of(facts: list[Fact], kind: str) -> list[Fact]:
    return [f for f in facts if f.kind == kind]


def _latest(reported: list[Fact], kind: str) -> Fact | None:
    """The newest client-reported fact of a form (``reported`` is oldest first)."""
    found = _of(reported, kind)
    return found[-1] if found else None


# -- fields derived per fact -----------------------------------------------------------


def enrich(section: Section, facts: list[Fact], today: date) -> None:
    """Add the derived fields of ``section``'s facts, in place."""
    for fact in facts:
        if fact.kind == "household_member" and isinstance(_value(fact, "birth_year"), int):
            # Only the year of birth is registered: the age reached this calendar year.
            fact.fields["age"] = FieldValue(value=today.year - _value(fact, "birth_year"))
        elif fact.kind == "job_seeking_period":
            valid_until = _value(fact, "employment_plan_valid_until")
            if isinstance(valid_until, date):
                fact.fields["employment_plan_expired"] = FieldValue(value=valid_until < today)
        elif fact.kind == "benefit_decision":
            fact.fields["pending"] = FieldValue(value=_value(fact, "decision") == "VIREILLA")
            if fact.source is not None:
                fact.fields["granting_organisation"] = FieldValue(
                    value=fact.source.organisation)
        elif fact.kind == "study_right" and "institution" in fact.fields:
            name = fact.fields.pop("institution_name", None)
            institution = fact.fields["institution"]
            fact.fields["institution"] = FieldValue(
                value=name.value if name else institution.value, concept=institution.concept)


# -- summaries -------------------------------------------------------------------------


def _basic(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    interpreter = _latest(reported, "interpreter")
    return {
        "interpreter_needed": _item(interpreter and interpreter.fields.get("interpreter_needed"),
                                    "interpreter_needed"),
        "interpreter_language": _item(
            interpreter and interpreter.fields.get("interpreter_language"),
            "interpreter_language"),
        "interpreter_need_source": _item(CLIENT_REPORTED_ONLY, "interpreter_needed"),
    }


def _migration(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    permits = sorted(_of(facts, "residence_permit"),
                     key=lambda f: _value(f, "permit_start") or date.min)
    if not permits:
        return {}
    latest = permits[-1]
    valid_until = _value(latest, "valid_until")
    return {
        "permit_type": _item(latest.fields.get("permit_type"), "permit_type"),
        "valid_until": _item(valid_until, "valid_until"),
        "permit_expired": _item(valid_until < today if isinstance(valid_until, date) else False,
                                "valid_until"),
        "extension_pending": _item(_value(latest, "extension_pending"), "extension_pending"),
        "first_permit": _item(_value(latest, "first_permit"), "first_permit"),
        "date_of_entry": _item(min((d for p in permits if isinstance(
            d := _value(p, "date_of_entry"), date)), default=None), "date_of_entry"),
    }


def _family(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    household = _of(facts, "household")
    members = _of(facts, "household_member")
    housing = _latest(reported, "housing")
    return {
        "household_size": _item(_value(household[0], "household_size") if household else None,
                                "household_size"),
        "children": _item(sum(1 for m in members if _value(m, "relation") == "LAPSI"),
                          "relation"),
        "housing_type": _item(housing and housing.fields.get("housing_type"), "housing_type"),
        "housing_type_source": _item(CLIENT_REPORTED_ONLY, "housing_type"),
    }


def _unemployment(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    periods = sorted(_of(facts, "job_seeking_period"),
                     key=lambda f: _value(f, "registered_since") or date.min)
    open_periods = [p for p in periods if not isinstance(end := _value(p, "registered_until"),
                                                         date) or end >= today]
    missed = sorted(d for a in _of(facts, "appointment")
                    if _value(a, "appointment_status") == "EI_SAAPUNUT"
                    and isinstance(d := _value(a, "appointment_date"), date))
    items = {"missed_appointments": _item({"count": len(missed), "dates": missed},
                                          "missed_appointments")}
    current = (open_periods or periods or [None])[-1]
    if current is not None:
        items.update({
            "registered_since": _item(_value(current, "registered_since"), "registered_since"),
            "registered": _item(bool(open_periods), "registered_since", "registered_until"),
            "employment_status": _item(current.fields.get("employment_status"),
                                       "employment_status"),
            "employment_plan_valid_until": _item(_value(current, "employment_plan_valid_until"),
                                                 "employment_plan_valid_until"),
            "employment_plan_expired": _item(_value(current, "employment_plan_expired"),
                                             "employment_plan_expired"),
            "multi_sector_client": _item(_value(current, "multi_sector_client"),
                                         "multi_sector_client"),
        })
    return items


def _economy(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    def open_cases(case_type: str) -> int:
        return sum(1 for c in _of(facts, "enforcement_case")
                   if _value(c, "case_type") == case_type
                   and _value(c, "case_status") != "PAATTYNYT"
                   and not (isinstance(end := _value(c, "end_date"), date) and end < today))

    return {"open_enforcement_cases": _item(open_cases("ULOSOTTO"), "case_type", "case_status",
                                            "end_date"),
            "open_debt_restructurings": _item(open_cases("VELKAJARJESTELY"), "case_type",
                                              "case_status", "end_date")}


def _studies(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    counts = {"ongoing": 0, "graduated": 0, "interrupted": 0}
    for study in _of(facts, "study_right"):
        status = _value(study, "study_status")
        outcome = ("graduated" if status in _GRADUATED else
                   "interrupted" if status in _INTERRUPTED else "ongoing")
        counts[outcome] += 1
    return {"study_status": _item(counts, "study_status")}


def _benefits(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    decisions = _of(facts, "benefit_decision")
    return {
        "pending_applications": _item(
            [{"benefit_type": d.fields.get("benefit_type"),
              "application_date": _value(d, "application_date")}
             for d in decisions if _value(d, "pending")], "pending", "benefit_type",
            "application_date"),
        "rejections": _item(
            [{"benefit_type": d.fields.get("benefit_type"),
              "rejection_reason": d.fields.get("rejection_reason"),
              "decision_date": _value(d, "decision_date")}
             for d in decisions if _value(d, "decision") == "HYL"],
            "decision", "benefit_type", "rejection_reason", "decision_date"),
        "in_payment": _item([d.fields["benefit_type"] for d in decisions
                             if _value(d, "in_payment") is True and "benefit_type" in d.fields],
                            "in_payment", "benefit_type"),
    }


def _rehabilitation(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    earnings: dict[int, Decimal] = {}
    for fact in _of(facts, "annual_earnings"):
        year, euros = _value(fact, "earnings_year"), _value(fact, "earnings_eur")
        if isinstance(year, int) and isinstance(euros, Decimal | int):
            earnings[year] = earnings.get(year, Decimal("0")) + Decimal(euros)
    check = earnings_check(earnings, today)
    return {
        "earnings_years": _item(list(check.years), "earnings_years"),
        "earnings_years_without_record": _item(list(check.years_without_record),
                                               "earnings_years"),
        "earnings_by_year": _item({str(y): e.quantize(CENTS) for y, e in check.by_year.items()},
                                  "earnings_year", "earnings_eur"),
        "earnings_total_eur": _item(check.total, "earnings_total_eur"),
        "earnings_threshold_eur": _item(check.threshold, "earnings_threshold_eur"),
        "earnings_threshold_level_year": _item(THRESHOLD_LEVEL_YEAR, "earnings_threshold_eur"),
        "earnings_threshold_met": _item(check.met, "earnings_threshold_met"),
    }


def _health(facts: list[Fact], reported: list[Fact], today: date) -> dict[str, Item]:
    paid = sum(d for f in _of(facts, "sickness_allowance_period")
               if isinstance(d := _value(f, "sickness_allowance_days_paid"), int))
    centre = _latest(reported, "health_centre")
    return {
        "sickness_allowance_days_paid": _item(paid, "sickness_allowance_days_paid"),
        "sickness_allowance_max_days": _item(SICKNESS_ALLOWANCE_MAX_DAYS,
                                             "sickness_allowance_max_days"),
        "sickness_allowance_days_left": _item(max(0, SICKNESS_ALLOWANCE_MAX_DAYS - paid),
                                              "sickness_allowance_days_paid",
                                              "sickness_allowance_max_days"),
        "health_centre": _item(centre and centre.fields.get("health_centre"), "health_centre"),
    }


SUMMARIES: dict[Section, Callable[[list[Fact], list[Fact], date], dict[str, Item]]] = {
    Section.BASIC: _basic, Section.MIGRATION: _migration, Section.FAMILY: _family,
    Section.UNEMPLOYMENT: _unemployment, Section.ECONOMY: _economy,
    Section.STUDIES: _studies, Section.BENEFITS: _benefits,
    Section.REHABILITATION: _rehabilitation, Section.HEALTH: _health,
}


def summary(section: Section, facts: list[Fact], reported: list[Fact], today: date,
            fields: frozenset[str]) -> dict[str, Any]:
    """``section``'s summary, only the items whose fields are all in ``fields``."""
    items = SUMMARIES[section](facts, reported, today)
    return {key: item.value for key, item in items.items() if item.needs <= fields}
