"""What a citizen reads about themselves: who has looked at their data.

Like the access log of the national health-data service (Kanta's "who has viewed my
data"): each time an organisation read, or tried to read, the person's data, with the
organisation, the role(s), the declared purpose, what was read (action and sections)
and the decision. Never the case worker's own identity (their subject id): a citizen
learns which organisation looked and why; the organisation answers for its staff, and a
steward can trace the person from the audit log when the citizen asks.

Only a citizen's token bound to the person (``Principal.person``) reads it, and only
that person's records: nothing in the request can name anybody else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, authorize
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.audit import IsoTime
from graph_service.policy.decision import Action
from graph_service.policy.tokens import Principal

router = APIRouter(prefix="/api/me", tags=["me"])
OWN_DATA = "own-data"


class AccessLogEntry(BaseModel):
    """One access to the person's data, without the reader's own identity."""

    time: datetime
    organisation: str = Field(description="Who read: the organisation, e.g. kela or "
                                          "city:helsinki")
    roles: list[str]
    purpose: str | None = Field(description="Why, as the reader declared it")
    action: str = Field(description="What was done, e.g. read-situation")
    sections: list[str] | None = Field(description="Per section read: the decision and "
                                                   "what it rested on")
    decision: str = Field(description="permit or deny")


def access_log(services: Services, principal: Principal, purpose: str | None, *,
               since: datetime | None = None, until: datetime | None = None,
               limit: int = 1000) -> list[AccessLogEntry]:
    """The caller's own access log, oldest first; the read itself is audited first (so it
    is the last entry). Only ever the records of ``principal.person``."""
    person = principal.person
    authorize(services, principal, purpose or OWN_DATA, Action.READ_OWN_ACCESS_LOG,
              person=person, resource="/api/me/access-log")
    if person is None:  # a citizen's token is always bound to a person: never happens
        raise Problem(403, "Forbidden", "this token is not bound to a person", "forbidden")
    records = services.audit.search(person=person, since=since, until=until, limit=limit)
    return [AccessLogEntry(time=r["time"], organisation=r["organisation"], roles=r["roles"],
                           purpose=r["purpose"], action=r["action"],
                           sections=r.get("sections"), decision=r["decision"])
            for r in records if r.get("person") == person or person in r.get("persons", ())]


@router.get("/access-log", response_model=list[AccessLogEntry],
            summary="Who has looked at my data (a citizen's own token)",
            responses=problem_responses(403, 422, 503, meaning={
                403: "Not a citizen's token (or a purpose other than own-data)",
                503: "The audit log cannot be read or written"}))
async def read_access_log(
    services: ServicesDep,
    principal: CurrentPrincipal,
    purpose: Purpose,
    since: Annotated[IsoTime | None, Query(description="ISO 8601 date-time, inclusive; "
                                                   "without an offset, UTC")] = None,
    until: Annotated[IsoTime | None, Query(description="ISO 8601 date-time, inclusive; "
                                                   "without an offset, UTC")] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[AccessLogEntry]:
    return await run_in_threadpool(access_log, services, principal, purpose, since=since,
                                   until=until, limit=limit)
