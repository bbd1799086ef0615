"""Stewards read the audit log, filtered by person, caller and time (through the index)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from core.pseudonyms import person_iri
from graph_service.api.deps import CurrentPrincipal, Purpose, ServicesDep, authorize
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.decision import Action

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", summary="Audit records, oldest first (stewards and admins)",
            responses=problem_responses(400, 403))
async def read_audit(
    services: ServicesDep,
    principal: CurrentPrincipal,
    purpose: Purpose,
    person: Annotated[str | None, Query(description="Pseudonymous person id or IRI",
                                        max_length=200)] = None,
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
