"""A person's situation view for case workers: every section the policy lets this worker
see, each fact with its source, the withheld sections with the reason.

One flow, :func:`situation_of`, serves the API and the web page: the decision point rules
on the caller (role, purpose) and then on each section (policy graph and the person's
consents); exactly one audit record names the person and every section's decision; only
then is the person looked up (404 for a person no registry knows) and the permitted
sections read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, record
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.persons import PersonId
from graph_service.policy.consent import consents_of
from graph_service.policy.consent_record import ConsentRecord
from graph_service.policy.decision import Action, Decision, decide
from graph_service.policy.section_decision import SectionDecision
from graph_service.policy.sections import Section
from graph_service.policy.situation_policy import situation_decisions
from graph_service.policy.tokens import Principal
from graph_service.store.registry import GraphDirectory
from graph_service.views.model import SectionView, SituationView
from graph_service.views.situation import person_known, read_situation

router = APIRouter(prefix="/api/persons", tags=["situation"])
SITUATION = "/api/persons/{id}/situation"
SectionsQuery = Annotated[list[Section] | None, Query(
    alias="section", description="Only these sections (repeatable); all when absent")]
SectionPath = Annotated[Section, Path(description="One section of the situation view")]
_RESPONSES = problem_responses(403, 404, 422, 502, 503, meaning={
    403: "Role or purpose refused (the detail says which and why); withheld sections are "
         "not an error: they are listed with their reason",
    404: "No current registry extract holds data on this person"})


@dataclass(frozen=True)
class Ruled:
    """What the decision point said about one request on a person's situation."""

    directory: GraphDirectory
    decisions: list[SectionDecision]
    now: datetime
    timings: dict[str, float]
    """Milliseconds spent deciding (policy and consents) and writing the audit record."""


def rule_on_situation(services: Services, principal: Principal, purpose: str | None,
                      person: str, sections: list[Section] | None, *, resource: str,
                      with_consents: bool = False) -> Ruled:
    """Decide the request and each section, write the request's one audit record, and
    refuse it (403 for the caller, 404 for an unknown person) or say what may be read.

    ``with_consents``: the request also reads the person's consents (the web page shows
    them beside the sections), decided as consent management and named in the same
    record, so one page view is one audit record."""
    now = datetime.now(UTC)
    asked = list(dict.fromkeys(sections or Section))
    caller = decide(principal, Action.READ_SITUATION, purpose)
    if caller.permit and with_consents:
        consents = decide(principal, Action.MANAGE_CONSENT, purpose)
        caller = consents if not consents.permit else caller
    if not caller.permit:
        _audit(services, principal, purpose, person, resource, caller, None)
        raise Problem(403, "Forbidden", caller.reason, "forbidden")
    started = time.perf_counter()
    directory = services.directory.get()
    decisions = situation_decisions(services.store, directory, principal, purpose, person,
                                    asked, now)
    decided = time.perf_counter()
    _audit(services, principal, purpose, person, resource, overall(decisions),
           [d.audit_text() for d in decisions]
           + (["consents read: the person's consent records"] if with_consents else []))
    audited = time.perf_counter()
    if not person_known(services.store, directory, person):
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    return Ruled(directory, decisions, now, {"policy": (decided - started) * 1000,
                                             "audit": (audited - decided) * 1000})


def overall(decisions: list[SectionDecision]) -> Decision:
    """The request's decision for the audit record: permit when any section is."""
    shown = [d for d in decisions if d.permit]
    bases = sorted({basis for d in shown for basis in d.legal_basis})
    if not shown:
        return Decision(False, "every asked section is withheld")
    return Decision(True, f"{len(shown)} of {len(decisions)} sections permitted",
                    " ".join(bases) or None)


def _audit(services: Services, principal: Principal, purpose: str | None, person: str,
           resource: str, decision: Decision, sections: list[str] | None) -> None:
    record(services, principal, purpose, person=person, action=Action.READ_SITUATION.value,
           resource=resource, decision=decision, sections=sections)


def situation_of(services: Services, principal: Principal, purpose: str | None,
                 person_iri: str, sections: list[Section] | None = None, *,
                 timings: dict[str, float] | None = None) -> SituationView:
    """The situation view of ``person_iri`` (all sections, or ``sections``), decided and
    audited: what the API answers and the web page renders. ``timings``, if given, gets
    the milliseconds of each step (policy, audit, view, total)."""
    started = time.perf_counter()
    ruled = rule_on_situation(services, principal, purpose, person_iri, sections,
                              resource=SITUATION)
    read_from = time.perf_counter()
    view = read_situation(services.store, ruled.directory, person_iri, ruled.decisions,
                          ruled.now)
    if timings is not None:
        done = time.perf_counter()
        timings.update(ruled.timings, view=(done - read_from) * 1000,
                       total=(done - started) * 1000)
    return view


def situation_and_consents(services: Services, principal: Principal, purpose: str | None,
                           person_iri: str) -> tuple[SituationView, list[ConsentRecord]]:
    """What the client's web page shows: every section and the person's consents, under
    one decision and one audit record."""
    ruled = rule_on_situation(services, principal, purpose, person_iri, None,
                              resource=SITUATION, with_consents=True)
    view = read_situation(services.store, ruled.directory, person_iri, ruled.decisions,
                          ruled.now)
    return view, consents_of(services.store, person_iri)


def _server_timing(response: Response, timings: dict[str, float]) -> None:
    """Where the request's time went (Server-Timing: no personal data, only durations)."""
    response.headers["Server-Timing"] = ", ".join(
        f"{name};dur={value:.3f}" for name, value in timings.items())


@router.get("/{person_id}/situation", response_model=SituationView,
            summary="A person's situation across registries, section by section (case work)",
            responses=_RESPONSES)
def situation(person_id: PersonId, services: ServicesDep, principal: CurrentPrincipal,
              purpose: Purpose, response: Response, section: SectionsQuery = None,
              ) -> SituationView:
    timings: dict[str, float] = {}
    view = situation_of(services, principal, purpose, PERSON_NS + person_id, section,
                        timings=timings)
    _server_timing(response, timings)
    return view


@router.get("/{person_id}/situation/{section}", response_model=SectionView,
            summary="One section of a person's situation (case work)", responses=_RESPONSES)
def situation_section(person_id: PersonId, section: SectionPath, services: ServicesDep,
                      principal: CurrentPrincipal, purpose: Purpose) -> SectionView:
    view = situation_of(services, principal, purpose, PERSON_NS + person_id, [section])
    return view.sections[0]
