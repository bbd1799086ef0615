"""A person's consents: case workers record, list and withdraw them.

Each request asks the decision point (``Action.MANAGE_CONSENT``: a case worker, for case
work) and leaves one audit record. A withdrawal counts from the very next request: the
situation view reads consents from the store every time. The consent id in URLs is the
uuid of the record's IRI. The pages call :func:`give`, :func:`list_consents` and
:func:`withdraw`, so they take the very same path, audit included.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, authorize
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.persons import PersonId
from graph_service.policy.consent import (
    CONSENT_PURPOSES,
    INDICATION_METHODS,
    ConsentAlreadyWithdrawnError,
    ConsentInputError,
    UnknownConsentError,
    consent_id,
    consents_of,
    give_consent,
    person_is_known,
    withdraw_consent,
)
from graph_service.policy.consent_record import ConsentRecord, Recipient
from graph_service.policy.decision import Action
from graph_service.policy.sections import Section
from graph_service.policy.tokens import ROLES, Principal

router = APIRouter(prefix="/api/persons", tags=["consents"])
CONSENT_ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
ConsentId = Annotated[str, Path(description="The consent's id (the uuid of its IRI)",
                                pattern=CONSENT_ID_PATTERN)]


def one_of(values: Iterable[str], what: str) -> Any:
    """A string that must be one of ``values``: listed in the document as an enum, refused
    with a message that does not list them (so a problem never repeats a value the request
    sent elsewhere, e.g. its X-Purpose)."""
    allowed = tuple(values)

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"not {what} (the OpenAPI document lists them)")
        return value

    return Annotated[str, AfterValidator(check),
                     WithJsonSchema({"type": "string", "enum": list(allowed)})]


PurposeKey = one_of(sorted(CONSENT_PURPOSES), "a purpose a consent is given for")
SectionKey = one_of([s.value for s in Section], "a section of the situation view")
IndicationMethod = one_of(INDICATION_METHODS, "a way of indicating consent")
_RESOURCE = "/api/persons/{id}/consents"
_PARTY = re.compile(r"[a-z][a-z0-9-]{0,31}/(%s)" % "|".join(r for r in ROLES if r != "citizen"))


def _party(key: str) -> str:
    if not _PARTY.fullmatch(key):
        raise ValueError("not a party: an organisation kind, '/', and a role a recipient may "
                         "have (the OpenAPI document gives the pattern)")
    return key


RecipientKey = Annotated[str, AfterValidator(_party), WithJsonSchema({
    "type": "string", "pattern": f"^{_PARTY.pattern}$", "examples": ["city/case_worker"],
    "description": "Who may read under the consent, as a party of the policy: organisation "
                   "kind (the part of a token's organisation before ':') and role, e.g. "
                   "city/case_worker (GET /api/policies lists the parties)"})]


class ConsentRequest(BaseModel):
    """A consent the client gives, as the case worker records it."""

    purposes: list[PurposeKey] = Field(min_length=1, max_length=len(CONSENT_PURPOSES),
                                       examples=[["case-management"]])
    sections: list[SectionKey] = Field(min_length=1, max_length=len(Section),
                                    description="The sections (personal-data categories) "
                                                "the consent covers", examples=[["health"]])
    recipients: list[RecipientKey] = Field(min_length=1, max_length=10)
    expires_at: datetime | None = Field(default=None, description="When the consent ends "
                                        "by itself (ISO 8601, in the future); none: only "
                                        "a withdrawal ends it")
    indicated_by: IndicationMethod = Field(description="How the client indicated it")


class EventOut(BaseModel):
    status: str = Field(description="given or withdrawn")
    at: datetime
    by: str = Field(description="Who recorded the step")
    organisation: str


class ConsentOut(BaseModel):
    id: str = Field(description="The consent's id, as URLs carry it")
    iri: str
    person: str = Field(description="The data subject's pseudonymous IRI")
    controller: str
    purposes: list[str]
    sections: list[str]
    recipients: list[str] = Field(description="Parties, e.g. city/case_worker")
    given_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    status: str = Field(description="given, withdrawn or expired, now")
    indicated_by: str
    recorded_by: str
    recorded_org: str
    history: list[EventOut] = Field(description="Every step, oldest first")


def consent_out(record: ConsentRecord, now: datetime | None = None) -> ConsentOut:
    return ConsentOut(
        id=consent_id(record), iri=record.id, person=record.person,
        controller=record.controller, purposes=list(record.purposes),
        sections=[s.value for s in record.sections],
        recipients=[f"{r.organisation}/{r.role}" for r in record.recipients],
        given_at=record.given_at, expires_at=record.expires_at,
        withdrawn_at=record.withdrawn_at,
        status=record.status(now or datetime.now(UTC)).value,
        indicated_by=record.indicated_by, recorded_by=record.recorded_by,
        recorded_org=record.recorded_org,
        history=[EventOut(status=e.status.value, at=e.at, by=e.by, organisation=e.organisation)
                 for e in record.history])


def _input_problem(error: ConsentInputError) -> Problem:
    return Problem(422, "Invalid consent", str(error), "invalid-consent",
                   fields=(error.field,))


def give(services: Services, principal: Principal, purpose: str | None, person: str,
         body: ConsentRequest) -> ConsentOut:
    """Record the client's consent (one audit record); Problem on refusal or bad input."""
    authorize(services, principal, purpose, Action.MANAGE_CONSENT, person=person,
              resource=_RESOURCE)
    if not person_is_known(services.store, services.directory.get(), person):
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    try:
        record = give_consent(
            services.store, person, controller=principal.organisation,
            purposes=body.purposes, sections=body.sections,
            recipients=[Recipient(*key.split("/", 1)) for key in body.recipients],
            expires_at=body.expires_at, indicated_by=body.indicated_by,
            recorded_by=principal.subject, recorded_org=principal.organisation)
    except ConsentInputError as error:
        raise _input_problem(error) from None
    return consent_out(record)


def list_consents(services: Services, principal: Principal, purpose: str | None,
                  person: str) -> list[ConsentOut]:
    """The person's consents, newest first, each with its history (one audit record)."""
    authorize(services, principal, purpose, Action.MANAGE_CONSENT, person=person,
              resource=_RESOURCE)
    return [consent_out(r) for r in consents_of(services.store, person)]


def withdraw(services: Services, principal: Principal, purpose: str | None, person: str,
             consent: str) -> ConsentOut:
    """Withdraw one of the person's consents (one audit record): it counts from the very
    next request."""
    authorize(services, principal, purpose, Action.MANAGE_CONSENT, person=person,
              resource=_RESOURCE + "/{consent_id}/withdraw")
    try:
        record = withdraw_consent(services.store, person, consent, by=principal.subject,
                                  organisation=principal.organisation)
    except UnknownConsentError as error:
        raise Problem(404, "Unknown consent", str(error), "unknown-consent") from None
    except ConsentAlreadyWithdrawnError as error:
        raise Problem(409, "Already withdrawn", str(error), "consent-withdrawn") from None
    except ConsentInputError as error:
        raise _input_problem(error) from None
    return consent_out(record)


@router.post("/{person_id}/consents", status_code=201, response_model=ConsentOut,
             summary="Record the client's consent (case work)",
             responses=problem_responses(403, 404, 422, 502, 503, meaning={
                 404: "No current registry extract holds data on this person",
                 422: "Invalid consent: the detail names the field (e.g. an expiry in the "
                      "past)"}))
def post_consent(person_id: PersonId, body: ConsentRequest, services: ServicesDep,
                 principal: CurrentPrincipal, purpose: Purpose) -> ConsentOut:
    return give(services, principal, purpose, PERSON_NS + person_id, body)


@router.get("/{person_id}/consents", response_model=list[ConsentOut],
            summary="The client's consents with their history, newest first (case work)",
            responses=problem_responses(403, 422, 502, 503))
def get_consents(person_id: PersonId, services: ServicesDep, principal: CurrentPrincipal,
                 purpose: Purpose) -> list[ConsentOut]:
    return list_consents(services, principal, purpose, PERSON_NS + person_id)


@router.post("/{person_id}/consents/{consent_id}/withdraw", response_model=ConsentOut,
             summary="Withdraw a consent; it counts from the very next request (case work)",
             responses=problem_responses(403, 404, 409, 422, 502, 503, meaning={
                 404: "This person has no consent with this id",
                 409: "The consent was withdrawn already"}))
def post_withdraw(person_id: PersonId, consent_id: ConsentId, services: ServicesDep,
                  principal: CurrentPrincipal, purpose: Purpose) -> ConsentOut:
    return withdraw(services, principal, purpose, PERSON_NS + person_id, consent_id)


async def other_methods() -> None:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (POST's) and its Allow left GET out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})


router.add_api_route("/{person_id}/consents", other_methods, include_in_schema=False,
                     methods=["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
