"""Stewards read the audit log, filtered by person, caller and time (through the index)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

from core.pseudonyms import PERSON_NS, person_iri
from graph_service.api.deps import CurrentPrincipal, Purpose, ServicesDep, authorize
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.decision import Action

router = APIRouter(prefix="/api/audit", tags=["audit"])
# For the document; the route itself answers 400 `invalid-person` for anything else.
PERSON_PATTERN = "^(" + PERSON_NS.replace(".", r"\.") + ")?[a-z2-7]{26}$"


class AuditRecord(BaseModel):
    """One audit record as written to the log (redacted), with its place in the chain."""

    model_config = ConfigDict(extra="allow")
    seq: int = Field(ge=1)
    time: str
    subject: str
    organisation: str
    roles: list[str]
    purpose: str | None
    person: str | None = Field(description="The person's pseudonymous IRI, if any")
    action: str
    resource: str
    decision: str = Field(description="permit or deny")
    reason: str
    statement: str | None = Field(description="The whole SPARQL query or update, if any")
    legal_basis: str | None
    prev: str = Field(description="MAC of the previous record")
    mac: str


@router.get("", response_model=list[AuditRecord],
            summary="Audit records, oldest first (stewards and admins)",
            responses=problem_responses(400, 403, 422, 503, meaning={
                400: "`person` is not a pseudonymous person id or IRI",
                503: "The audit log cannot be read or written (it fails its chain)"}))
async def read_audit(
    services: ServicesDep,
    principal: CurrentPrincipal,
    purpose: Purpose,
    person: Annotated[str | None, Query(description="Pseudonymous person id or IRI",
                                        max_length=200,
                                        json_schema_extra={"pattern": PERSON_PATTERN})] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict]:
    try:
        iri = None if person is None else person_iri(person)
    except ValueError as error:
        raise Problem(400, "Invalid person", str(error), "invalid-person") from None
    authorize(services, principal, purpose or "oversight", Action.READ_AUDIT, person=iri,
              resource="/api/audit")
    return await run_in_threadpool(services.audit.search, person=iri, since=since,
                                   until=until, limit=limit)
