"""The access policy of the situation view: anyone reads it, a steward replaces it.

``GET /api/policies`` answers the policy graph as Turtle, or the matrix (sections x
parties) as JSON for ``Accept: application/json``. ``PUT /api/policies`` (stewards) takes
a whole new policy as Turtle, checks it against our ODRL profile and makes it the policy
in force in one transaction: it counts from the very next request. Every PUT is one audit
record holding the whole upload, applied or refused.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, record
from graph_service.api.openapi import problem_responses, text_body
from graph_service.api.problems import Problem
from graph_service.api.query_path import body_media_type, body_text
from graph_service.policy.decision import Action, Decision
from graph_service.policy.odrl import PolicyInvalid, PolicySet, matrix_rows
from graph_service.policy.policy_graph import (
    POLICY_GRAPH,
    PolicyVersion,
    check_policy,
    current_version,
    policy_history,
    policy_set,
    policy_turtle,
    write_policy,
)
from graph_service.policy.tokens import Principal

router = APIRouter(prefix="/api/policies", tags=["policies"])
TURTLE = "text/turtle"
JSON = "application/json"
REPLACE_ACTION = Action.REPLACE_POLICY.value
EXAMPLE_POLICY = """\
@prefix odrl: <http://www.w3.org/ns/odrl/2/> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix tyo: <https://tyodata.fi/ontology#> .
<https://tyodata.fi/policy/situation/basic> a odrl:Set ;
  odrl:permission <https://tyodata.fi/policy/situation/basic-kela> .
<https://tyodata.fi/policy/situation/basic-kela> a odrl:Permission ;
  odrl:assigner <https://tyodata.fi/org/dvv> ;
  odrl:assignee <https://tyodata.fi/party/kela-case-worker> ;
  odrl:action odrl:read ;
  odrl:target <https://tyodata.fi/section/basic> ;
  odrl:constraint [ odrl:leftOperand odrl:purpose ; odrl:operator odrl:isAnyOf ;
                    odrl:rightOperand <https://tyodata.fi/purpose/case-management> ] ;
  odrl:duty [ odrl:action tyo:recordInAuditLog ] ;
  dpv:hasLegalBasis <https://w3id.org/dpv/legal/eu/gdpr#A6-1-e> ;
  tyo:permittedField "home_municipality", "mother_tongue" .
<https://tyodata.fi/party/kela-case-worker> a odrl:PartyCollection ;
  tyo:organisationKind "kela" ; tyo:role "case_worker" .
"""


class Rule(BaseModel):
    rule: str = Field(description="The ODRL permission's IRI")
    purposes: list[str]
    legal_basis: list[str] = Field(description="GDPR article and national act IRIs")
    requires_consent: bool
    fields: list[str] = Field(description="The fields the basis covers (data minimisation)")


class MatrixRow(BaseModel):
    section: str
    cells: dict[str, list[Rule]] = Field(
        description="Party key (organisation kind/role) -> the rules for that party; "
                    "an empty list: nothing permitted")


class Party(BaseModel):
    key: str = Field(description="organisation kind/role, e.g. kela/case_worker")
    iri: str
    organisation_kind: str
    role: str
    label: str


class PolicyMatrix(BaseModel):
    graph: str = Field(description="The policy graph (SPARQL: GRAPH <...>)")
    version: PolicyVersion | None = Field(description="The version in force (none: no policy "
                                                   "is loaded and every section is denied)")
    parties: list[Party]
    rows: list[MatrixRow]
    labels: dict[str, str] = Field(description="IRI -> label, for legal bases and parties")


_OFFERS = {TURTLE: TURTLE, "text/*": TURTLE, "*/*": TURTLE, JSON: JSON, "application/*": JSON}


def negotiate(accept: str) -> str | None:
    """Turtle or JSON, whichever the Accept header prefers (Turtle when it says nothing).

    >>> negotiate(""), negotiate("application/json"), negotiate("text/html")
    ('text/turtle', 'application/json', None)
    >>> negotiate("text/turtle;q=0.5, application/json")
    'application/json'
    """
    if not accept.strip():
        return TURTLE
    choices = []
    for order, part in enumerate(accept.split(",")):
        media, *params = (p.strip().lower() for p in part.split(";"))
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if media in _OFFERS and q > 0:
            choices.append((-q, order, _OFFERS[media]))
    return min(choices)[2] if choices else None




def matrix(services: Services) -> PolicyMatrix:
    """The policy in force as a matrix (the pages call this too)."""
    policies: PolicySet = policy_set(services.store, services.directory)
    rows = [MatrixRow(section=section.value, cells={
        key: [Rule(rule=r.iri, purposes=sorted(r.purposes), legal_basis=list(r.legal_basis),
                   requires_consent=r.requires_consent, fields=sorted(r.fields))
              for r in rules]
        for key, rules in cells.items()}) for section, cells in matrix_rows(policies)]
    return PolicyMatrix(
        graph=POLICY_GRAPH, version=current_version(services.store),
        parties=[Party(key=p.key, iri=p.iri, organisation_kind=p.organisation_kind,
                       role=p.role, label=p.label) for p in policies.parties()],
        rows=rows, labels=dict(sorted(policies.labels.items())))


@router.get("", summary="The access policy of the situation view (any token)",
            response_class=Response,
            responses={200: {"description": "The policy graph as Turtle (default), or the "
                                            "matrix as JSON (Accept: application/json)",
                             "model": PolicyMatrix,
                             "content": {TURTLE: {"schema": {"type": "string"}}}},
                       **problem_responses(406, 502, 503, meaning={
                           406: "Accept names neither text/turtle nor application/json"})})
async def read_policy(request: Request, services: ServicesDep,
                      principal: CurrentPrincipal) -> Response:
    media = negotiate(request.headers.get("accept", ""))
    if media is None:
        raise Problem(406, "Not acceptable", "ask for text/turtle or application/json",
                      "not-acceptable")
    if media == JSON:
        body = await run_in_threadpool(matrix, services)
        return Response(body.model_dump_json(), media_type=JSON)
    text = await run_in_threadpool(policy_turtle, services.store)
    return Response(text, media_type=TURTLE + "; charset=utf-8")


@router.get("/history", response_model=list[PolicyVersion],
            summary="Every version of the policy ever loaded, newest first (any token)",
            responses=problem_responses(502, 503))
async def history(services: ServicesDep, principal: CurrentPrincipal) -> list[PolicyVersion]:
    return await run_in_threadpool(policy_history, services.store)


def replace(services: Services, principal: Principal, purpose: str | None,
            text: str) -> PolicyVersion:
    """Check ``text`` and make it the policy in force; one audit record either way."""
    if not principal.has("steward"):
        why = (f"only a steward replaces the access policy; your token has "
               f"{', '.join(principal.roles) or 'no roles'}")
        record(services, principal, purpose, person=None, action=REPLACE_ACTION,
               resource="/api/policies", decision=Decision(False, why))
        raise Problem(403, "Forbidden", why, "forbidden")
    try:
        graph, _ = check_policy(text)
    except PolicyInvalid as invalid:
        record(services, principal, purpose, person=None, action=REPLACE_ACTION,
               resource="/api/policies", statement=text,
               decision=Decision(False, f"policy refused, nothing changed: {invalid}"))
        raise Problem(422, "Invalid policy", str(invalid), "invalid-policy") from None
    # Recorded before it is applied: a change to the policy is never unaudited.
    record(services, principal, purpose, person=None, action=REPLACE_ACTION,
           resource="/api/policies", statement=text,
           decision=Decision(True, "steward replaces the access policy"))
    version = write_policy(services.store, graph, by=principal.subject,
                           organisation=principal.organisation)
    services.directory.invalidate()
    return version


@router.put("", response_model=PolicyVersion,
            summary="Replace the access policy (stewards): Turtle in our ODRL profile",
            responses=problem_responses(400, 403, 415, 422, 502, 503, meaning={
                400: "The body is not UTF-8",
                403: "Not a steward",
                422: "Not valid in our ODRL profile (Turtle that does not parse, or SHACL "
                     "and policy checks): the detail lists each violation with its focus "
                     "node and path; nothing was changed"}),
            openapi_extra={"requestBody": text_body(
                TURTLE, "The whole new policy (ODRL 2.2 in our profile; see GET)",
                EXAMPLE_POLICY)})
async def put_policy(request: Request, services: ServicesDep, principal: CurrentPrincipal,
                     purpose: Purpose) -> PolicyVersion:
    if principal.has("steward") and body_media_type(request) != TURTLE:
        raise Problem(415, "Unsupported media type", f"send the policy as {TURTLE}",
                      "unsupported-media-type")
    text = await body_text(request) if principal.has("steward") else ""
    return await run_in_threadpool(replace, services, principal, purpose, text)


async def other_methods() -> None:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (GET's) and its Allow left PUT out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, PUT"})


router.add_api_route("", other_methods, include_in_schema=False,
                     methods=["POST", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
