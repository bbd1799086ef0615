"""Stewards read the audit log, filtered by person, caller and time (through the index)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from core.pseudonyms import person_iri
from graph_service.api.deps import CurrentPrincipal, Purpose, ServicesDep, authorize
from graph_service.api.openapi import PERSON_PATTERN, problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.decision import Action

router = APIRouter(prefix="/api/audit", tags=["audit"])


def _not_a_number(value: object) -> object:
    """ISO 8601 only: left alone, a bare number would be read as Unix seconds, so that
    `since=2024` silently meant 1970-01-01T00:33:44Z."""
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value
    raise ValueError("give an ISO 8601 date-time, e.g. 2025-01-31T00:00:00Z")


IsoTime = Annotated[datetime, BeforeValidator(_not_a_number)]


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
                                        # for the document; the route answers 400 itself
                                        json_schema_extra={"pattern": PERSON_PATTERN})] = None,
    since: Annotated[IsoTime | None, Query(description="ISO 8601 date-time, inclusive; "
                                                   "without an offset, UTC")] = None,
    until: Annotated[IsoTime | None, Query(description="ISO 8601 date-time, inclusive; "
                                                   "without an offset, UTC")] = None,
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
