"""The decision point of the work-ability forecast: may this caller form (save, read back)
this person's forecast, and on which consent?

In this order, every step with a reason the case worker can act on:

1. the caller (:func:`caller_ruling`): ``decide`` with the action (``Action.FORECAST``,
   ``SAVE_FORECAST``, ``READ_SAVED_FORECASTS``): a case worker, declaring the forecast's
   own purpose (``work-ability-forecast``);
2. the person's consent (:func:`forecast_consent`), read from the store at every request:
   a record of this person that names the forecast's purpose, the caller as a recipient
   (its organisation kind, or its very organisation, and the role case worker) and every
   section of the situation view the model reads (:data:`FORECAST_SECTIONS`: the consent
   says which data, DPV's ``hasPersonalData``), and that is valid now: given, not
   withdrawn, not expired (``consent_check.valid_consent``, the same rule the situation
   view's sections use).

There is no legal-basis path: without such a consent the forecast is refused. A permit
rests on the consent: GDPR Art. 6(1)(a), and Art. 9(2)(a) for the health data the model
reads (sickness allowances, medical statements).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from graph_service.policy.consent_check import valid_consent
from graph_service.policy.consent_record import ConsentRecord, organisation_kind
from graph_service.policy.decision import FORECAST_PURPOSE, Action, Decision, decide
from graph_service.policy.odrl import CONSENT_BASIS, EXPLICIT_CONSENT_BASIS
from graph_service.policy.section_decision import Withheld
from graph_service.policy.sections import Section
from graph_service.policy.tokens import Principal

FORECAST_ACTIONS = frozenset({Action.FORECAST, Action.SAVE_FORECAST,
                              Action.READ_SAVED_FORECASTS})
FORECAST_SECTIONS: tuple[Section, ...] = (
    Section.BASIC,           # age, mother tongue
    Section.UNEMPLOYMENT,    # job-seeking periods that ended, missed appointments
    Section.STUDIES,         # interrupted studies
    Section.BENEFITS,        # labour market subsidy
    Section.REHABILITATION,  # vocational rehabilitation, annual earnings
    Section.HEALTH,          # sickness allowance periods and days, medical statements
)
"""The sections of the situation view whose data the model reads: a consent to the
forecast names every one of them (``graph_service.policy.consent`` checks it when the
consent is recorded, and the decision point again here)."""
FORECAST_BASIS = (CONSENT_BASIS, EXPLICIT_CONSENT_BASIS)
"""What a permitted forecast rests on: the client's (explicit) consent."""
CONSENT_ROLE = "case_worker"


@dataclass(frozen=True)
class ForecastDecision:
    """Permit or deny of one forecast request, with the consent a permit rests on.

    ``withheld`` says why a consent-less request was refused, as a code a page can
    translate (never given, withdrawn, expired: with the day), or None when the caller
    itself was refused (role or purpose: ``reason`` says which)."""

    permit: bool
    reason: str
    consent: str | None = None  # the consent record's IRI
    withheld: Withheld | None = None
    withheld_on: date | None = None

    def decision(self) -> Decision:
        """As the audit record's decision (a permit's legal basis: GDPR 6(1)(a), 9(2)(a))."""
        return Decision(self.permit, self.reason,
                        " ".join(FORECAST_BASIS) if self.permit else None)

    def audit_line(self) -> str:
        """The audit record's line: the purpose, the decision and the consent it rests on."""
        if not self.permit:
            return f"{FORECAST_PURPOSE} deny: {self.reason}"
        return f"{FORECAST_PURPOSE} permit: consent {self.consent}"


def covers_forecast(record: ConsentRecord, organisation: str, roles: Iterable[str]) -> bool:
    """Whether ``record``, if valid, lets a caller of ``organisation`` (a token's) in
    ``roles`` form the person's forecast: the purpose, the recipient and every section the
    model reads."""
    roles = tuple(roles)
    return (FORECAST_PURPOSE in record.purposes
            and set(FORECAST_SECTIONS) <= set(record.sections)
            and any(r.matches(organisation, roles) for r in record.recipients))


def forecast_consent(consents: Iterable[ConsentRecord], person: str, principal: Principal,
                     now: datetime) -> ForecastDecision:
    """The consent ruling alone (the caller is a case worker for the forecast's purpose):
    the newest valid consent to the forecast, or why there is none. The forecast panel
    shows this as the consent state."""
    found = valid_consent(consents, person, lambda c: covers_forecast(
        c, principal.organisation, principal.roles), now)
    if found.record is not None:
        return ForecastDecision(True, "the client's consent to the work-ability forecast, "
                                f"given {found.record.given_at.date().isoformat()}",
                                consent=found.record.id)
    if found.withheld is Withheld.NEEDS_CONSENT:
        kind = organisation_kind(principal.organisation)
        return ForecastDecision(
            False, "needs the client's consent: record the client's consent for the purpose "
            f"{FORECAST_PURPOSE} (POST /api/persons/{{id}}/consents: purposes "
            f"[{FORECAST_PURPOSE}], the sections "
            f"{', '.join(s.value for s in FORECAST_SECTIONS)}, recipient "
            f"{kind}/{CONSENT_ROLE}) first",
            withheld=Withheld.NEEDS_CONSENT)
    assert found.on is not None
    what = "withdrawn" if found.withheld is Withheld.CONSENT_WITHDRAWN else "expired"
    return ForecastDecision(
        False, f"the client's consent to the work-ability forecast was {what} on "
        f"{found.on.isoformat()}: record the client's new consent for the purpose "
        f"{FORECAST_PURPOSE} first",
        withheld=found.withheld, withheld_on=found.on)


def caller_ruling(principal: Principal, action: Action, purpose: str | None
                  ) -> ForecastDecision:
    """The first ruling, on the caller alone: a case worker declaring the forecast's
    purpose (``decide``); a permit here still needs :func:`forecast_consent`."""
    if action not in FORECAST_ACTIONS:
        raise ValueError(f"{action} is not a forecast action")
    caller = decide(principal, action, purpose)
    return ForecastDecision(caller.permit, caller.reason)
