"""A person's consents: case workers record, list and withdraw them, and hand a consent's
token to the recipient that calls a data product under it.

Each request asks the decision point (``Action.MANAGE_CONSENT``: a case worker, for case
work; ``Action.ISSUE_CONSENT_TOKEN``: a case worker, or the citizen for their own
consent) and leaves one audit record. A withdrawal counts from the very next request: the
situation view and the data products read consents from the store every time. The
consent id in URLs is the uuid of the record's IRI. The pages call :func:`give`,
:func:`list_consents` and :func:`withdraw`, so they take the very same path, audit
included.

A consent covers sections of the situation view, data products (``products``: their keys,
e.g. ``Person/JobApplicantProfile_v1.0``), or both; a recipient is an organisation kind
and a role (``city/case_worker``) or one organisation and a role
(``company:duunitori/service``). A **consent token** (``POST .../consents/{id}/token``) is
a signed reference to one valid consent, for one product, purpose and recipient (HS256
JWT under its own key, ``typ`` ``consent+jwt``; claims ``consent``, ``product``,
``purpose``, ``org``, ``role``, ``exp`` no later than the consent's expiry, ``jti``; no
personal data). The recipient sends it as ``X-Consent-Token`` with each call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import (
    CurrentPrincipal,
    Purpose,
    Services,
    ServicesDep,
    authorize,
)
from graph_service.api.deps import record as audit_record
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.persons import PersonId
from graph_service.api.routes.products import consent_token_key, products_of
from graph_service.policy.consent import (
    CONSENT_PURPOSES,
    INDICATION_METHODS,
    PRODUCT_NS,
    SECTION_PURPOSES,
    ConsentAlreadyWithdrawnError,
    ConsentInputError,
    UnknownConsentError,
    consent_id,
    consent_iri,
    consents_of,
    give_consent,
    person_is_known,
    withdraw_consent,
)
from graph_service.policy.consent_record import (
    ConsentRecord,
    ConsentStatus,
    Recipient,
    organisation_kind,
)
from graph_service.policy.decision import RULES, Action, Decision, decide
from graph_service.policy.sections import Section
from graph_service.policy.tokens import ROLES, Principal, issue_consent_token

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
_PARTY = re.compile(r"[a-z][a-z0-9-]{0,31}(:[a-z0-9][a-z0-9._-]{0,63})?/(%s)"
                    % "|".join(r for r in ROLES if r != "citizen"))
_PRODUCT = re.compile(r"[A-Z][A-Za-z0-9]{0,63}/[A-Z][A-Za-z0-9]{0,63}_v[0-9]{1,4}\.[0-9]{1,4}")
MAX_TOKEN_TTL_S = 90 * 24 * 3600
DEFAULT_TOKEN_TTL_S = 7 * 24 * 3600


def _party(key: str) -> str:
    if not _PARTY.fullmatch(key):
        raise ValueError("not a party: an organisation kind (or one organisation), '/', and "
                         "a role a recipient may have (the OpenAPI document gives the "
                         "pattern)")
    return key


def _product_key(key: str) -> str:
    if not _PRODUCT.fullmatch(key):
        raise ValueError("not a data product: <Domain>/<Name>_v<major>.<minor> (GET /products "
                         "lists them)")
    return key


RecipientKey = Annotated[str, AfterValidator(_party), WithJsonSchema({
    "type": "string", "pattern": f"^{_PARTY.pattern}$",
    "examples": ["city/case_worker", "company:duunitori/service"],
    "description": "Who may read under the consent, as a party of the policy: organisation "
                   "kind (the part of a token's organisation before ':') and role, e.g. "
                   "city/case_worker (GET /api/policies lists the parties); or one "
                   "organisation, as tokens name it, and role, e.g. "
                   "company:duunitori/service"})]
ProductKey = Annotated[str, AfterValidator(_product_key), WithJsonSchema({
    "type": "string", "pattern": f"^{_PRODUCT.pattern}$",
    "examples": ["Person/JobApplicantProfile_v1.0"],
    "description": "A data product's key (GET /products lists them)"})]


class ConsentRequest(BaseModel):
    """A consent the client gives, as the case worker records it."""

    # One or more sections or products; a consent to sections is for case work or the
    # work-ability forecast (whose consent names every section its model reads).
    model_config = ConfigDict(json_schema_extra={
        "anyOf": [{"required": ["sections"], "properties": {"sections": {"minItems": 1}}},
                  {"required": ["products"], "properties": {"products": {"minItems": 1}}}],
        "if": {"required": ["sections"], "properties": {"sections": {"minItems": 1}}},
        "then": {"properties": {"purposes": {"items": {"enum": sorted(SECTION_PURPOSES)}}}}})

    purposes: list[PurposeKey] = Field(min_length=1, max_length=len(CONSENT_PURPOSES),
                                       examples=[["case-management"]])
    sections: list[SectionKey] = Field(default_factory=list, max_length=len(Section),
                                       description="The sections (personal-data categories) "
                                                   "the consent covers (case work only)",
                                       examples=[["health"]])
    products: list[ProductKey] = Field(default_factory=list, max_length=20,
                                       description="The data products the consent covers")
    recipients: list[RecipientKey] = Field(min_length=1, max_length=10)
    expires_at: datetime | None = Field(default=None, description="When the consent ends "
                                        "by itself (ISO 8601, in the future); none: only "
                                        "a withdrawal ends it")
    indicated_by: IndicationMethod = Field(description="How the client indicated it")

    @model_validator(mode="after")
    def _covers_something(self) -> ConsentRequest:
        if not self.sections and not self.products:
            raise ValueError("sections: give one or more sections, or one or more data "
                             "products")
        return self


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
    products: list[str] = Field(default_factory=list, description="Data products' keys")
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
        products=[p.removeprefix(PRODUCT_NS) for p in record.products],
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
    recipients = [Recipient(*key.split("/", 1)) for key in body.recipients]
    products = products_of(services)
    if any(key not in products for key in body.products):
        raise _input_problem(ConsentInputError("products", "names a data product this "
                                               "service does not offer (GET /products)"))
    for key in body.products:
        takes = {(r.party.organisation_kind, r.party.role, p)
                 for r in products[key].policy.rules if r.requires_consent for p in r.purposes}
        if not any((organisation_kind(r.organisation), r.role, p) in takes
                   for r in recipients for p in body.purposes):
            raise _input_problem(ConsentInputError(
                "products", "a named product's policy takes consent from none of the named "
                "recipients for the named purposes (GET /products shows each policy)"))
    try:
        given = give_consent(
            services.store, person, controller=principal.organisation,
            purposes=body.purposes, sections=body.sections, recipients=recipients,
            expires_at=body.expires_at, indicated_by=body.indicated_by,
            recorded_by=principal.subject, recorded_org=principal.organisation,
            products=[products[key].definition.iri for key in body.products])
    except ConsentInputError as error:
        raise _input_problem(error) from None
    return consent_out(given)


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


class TokenRequest(BaseModel):
    """For whom a consent's token is: one data product, purpose and recipient."""

    product: ProductKey
    purpose: PurposeKey
    recipient: RecipientKey = Field(description="Who will present the token: one "
                                    "organisation, as its tokens name it, and its role, "
                                    "e.g. company:duunitori/service")
    ttl_seconds: int | None = Field(default=None, ge=60, le=MAX_TOKEN_TTL_S,
                                    description="How long the token lasts (default 7 days); "
                                                "never past the consent's own expiry")


class ConsentTokenOut(BaseModel):
    token: str = Field(description="Send as the X-Consent-Token header with each call")
    header: str = Field(default="X-Consent-Token")
    expires_at: datetime
    consent: str = Field(description="The consent's id")
    product: str
    purpose: str
    recipient: str


_TOKEN_RESOURCE = _RESOURCE + "/{consent_id}/token"


def issue_token(services: Services, principal: Principal, purpose: str | None, person: str,
                consent: str, body: TokenRequest, now: datetime | None = None
                ) -> ConsentTokenOut:
    """A token for one of the person's valid consents, for one product, purpose and
    recipient that the consent covers and the product's policy takes consent from; one
    audit record, whatever the outcome."""
    now = now or datetime.now(UTC)
    organisation, role = body.recipient.split("/", 1)
    said = f"{body.product} for {body.purpose} to {body.recipient}"
    decision = decide(principal, Action.ISSUE_CONSENT_TOKEN, purpose)
    if not decision.permit and principal.has(*RULES[Action.ISSUE_CONSENT_TOKEN]):
        # The role may; the purpose may not. Said without listing purposes, which the
        # body's own purpose could be one of (a problem never repeats what was sent).
        decision = decision.denied("declare this request's purpose in X-Purpose: case work "
                                   "for a case worker, own-data for a citizen taking a "
                                   "token for their own consent")
    if decision.permit and purpose == "own-data" and principal.person != person:
        decision = decision.denied("a citizen takes tokens for their own consents only")

    def refuse(status: int, title: str, reason: str, kind: str,
               fields: tuple[str, ...] = ()) -> Problem:
        audit_record(services, principal, purpose, person=person,
                     action=Action.ISSUE_CONSENT_TOKEN.value, resource=_TOKEN_RESOURCE,
                     decision=Decision(False, reason), sections=[f"{said} deny: {reason}"])
        return Problem(status, title, reason, kind, fields=fields)

    if not decision.permit:
        raise refuse(403, "Forbidden", decision.reason, "forbidden")
    try:
        wanted = consent_iri(consent)
    except ValueError as error:
        raise refuse(404, "Unknown consent", str(error), "unknown-consent") from None
    found = next((r for r in consents_of(services.store, person) if r.id == wanted), None)
    if found is None:
        raise refuse(404, "Unknown consent", "this person has no consent with this id",
                     "unknown-consent")
    product = products_of(services).get(body.product)
    if product is None:
        raise refuse(422, "Invalid token request", "product: not a data product this service "
                     "offers (GET /products)", "invalid-token-request", ("product",))
    status = found.status(now)
    if status is not ConsentStatus.GIVEN:
        raise refuse(409, f"Consent {status.value}", f"this consent is {status.value}: no "
                     "token is issued for it", f"consent-{status.value}")
    if not found.covers_product(product.definition.iri, body.purpose, organisation, [role]):
        raise refuse(422, "Invalid token request", "the consent does not cover this product, "
                     "purpose and recipient together", "invalid-token-request",
                     ("product", "purpose", "recipient"))
    takes = [r for r in product.policy.rules_for(organisation_kind(organisation), [role])
             if r.requires_consent and body.purpose in r.purposes]
    if not takes:
        raise refuse(422, "Invalid token request", "the product's policy takes no consent "
                     "from this recipient for this purpose (GET /products shows it)",
                     "invalid-token-request", ("recipient", "purpose"))
    until = now + timedelta(seconds=body.ttl_seconds or DEFAULT_TOKEN_TTL_S)
    if found.expires_at is not None:
        until = min(until, found.expires_at)
    token = issue_consent_token(consent_token_key(services), consent=consent_id(found),
                                product=product.definition.iri, purpose=body.purpose,
                                organisation=organisation, role=role,
                                expires_at=int(until.timestamp()), now=now.timestamp())
    audit_record(services, principal, purpose, person=person,
                 action=Action.ISSUE_CONSENT_TOKEN.value, resource=_TOKEN_RESOURCE,
                 decision=Decision(True, decision.reason),
                 sections=[f"{said} permit: consent {found.id}"])
    return ConsentTokenOut(token=token, expires_at=datetime.fromtimestamp(int(until.timestamp()),
                                                                          UTC),
                           consent=consent_id(found), product=body.product,
                           purpose=body.purpose, recipient=body.recipient)


@router.post("/{person_id}/consents/{consent_id}/token", response_model=ConsentTokenOut,
             status_code=201,
             summary="A consent token for a data product's recipient (case work, or the "
                     "citizen for their own consent)",
             responses=problem_responses(403, 404, 409, 422, 502, 503, meaning={
                 403: "Role or purpose refused, or a citizen asking for another person's "
                      "consent",
                 404: "This person has no consent with this id",
                 409: "The consent was withdrawn or has expired",
                 422: "The product is unknown, or the consent or the product's policy does "
                      "not cover this product, purpose and recipient (the detail says "
                      "which)"}))
def post_token(person_id: PersonId, consent_id: ConsentId, body: TokenRequest,
               services: ServicesDep, principal: CurrentPrincipal, purpose: Purpose
               ) -> ConsentTokenOut:
    return issue_token(services, principal, purpose, PERSON_NS + person_id, consent_id, body)


async def other_methods() -> None:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (POST's) and its Allow left GET out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})


router.add_api_route("/{person_id}/consents", other_methods, include_in_schema=False,
                     methods=["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
