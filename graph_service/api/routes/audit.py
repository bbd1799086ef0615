"""Stewards read the audit log, filtered by person and time."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import Purpose, ServicesDep, audit, require_roles
from graph_service.policy.tokens import Principal

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", summary="Audit records, oldest first (stewards and admins)")
def read_audit(
    services: ServicesDep,
    principal: Annotated[Principal, Depends(require_roles("steward", "admin"))],
    purpose: Purpose,
    person: Annotated[str | None, Query(description="Pseudonymous person id or IRI")] = None,
    since: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    until: Annotated[datetime | None, Query(description="ISO 8601, inclusive")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[dict]:
    iri = None if person is None else (person if person.startswith("http") else PERSON_NS + person)
    records = services.audit.search(person=iri, since=since, until=until, limit=limit)
    audit(services, principal, purpose, person=iri, action="read-audit", resource="/api/audit",
          decision="permit", reason=f"{len(records)} record(s)")
    return records
