"""Typed dependencies: the wired services, the authenticated caller, the declared purpose,
and the one way a route asks the decision point and records the answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from catalog.service import CatalogueService
from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.api.problems import Problem
from graph_service.policy.audit import AuditLog
from graph_service.policy.decision import Action, Decision, audit_entry, decide
from graph_service.policy.tokens import Principal
from graph_service.store.base import GraphStore
from graph_service.store.registry import DirectoryCache, GraphDirectory
from graph_service.store.sandbox import QueryRunner
from matchers.service import MatchingService


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    audit: AuditLog
    pseudonymize: Pseudonymizer
    directory: DirectoryCache
    queries: QueryRunner
    matching: MatchingService | None = None
    catalogue: CatalogueService | None = None


async def get_services(request: Request) -> Services:
    return request.app.state.services


# Dependencies are async: FastAPI runs a sync one in the thread pool, a hop that costs
# more than the whole of what these do.
ServicesDep = Annotated[Services, Depends(get_services)]
MAX_PURPOSE_LENGTH = 64
# Only for the OpenAPI document: the gatekeeper has already authenticated the caller.
_bearer = HTTPBearer(auto_error=False, description="A token from `tyodata token`.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:  # a public path asked for a caller: never happens by design
        raise Problem(401, "Not authenticated", "this endpoint needs a bearer token",
                      "unauthenticated", {"WWW-Authenticate": "Bearer"})
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):
    """A route guard: the caller must hold one of ``roles``."""

    async def guard(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise Problem(403, "Forbidden",
                          f"this endpoint needs role {' or '.join(roles)}; your token has "
                          f"{', '.join(principal.roles) or 'no roles'}", "forbidden")
        return principal

    return guard


async def declared_purpose(
    x_purpose: Annotated[str | None, Header(
        description="Why the data is read, e.g. case-management",
        max_length=MAX_PURPOSE_LENGTH)] = None,
    purpose: Annotated[str | None, Query(description="Same as the X-Purpose header",
                                         max_length=MAX_PURPOSE_LENGTH)] = None,
) -> str | None:
    return x_purpose or purpose


Purpose = Annotated[str | None, Depends(declared_purpose)]


async def current_directory(services: Services) -> GraphDirectory:
    """The graph directory; read from the store off the event loop only when stale."""
    return services.directory.fresh() or await run_in_threadpool(services.directory.get)


def authorize(services: Services, principal: Principal, purpose: str | None, action: Action,
              *, person: str | None, resource: str, statement: str | None = None) -> Decision:
    """Ask the decision point, record its answer in the audit log, refuse with 403 on deny."""
    decision = decide(principal, action, purpose)
    record(services, principal, purpose, person=person, action=action.value, resource=resource,
           decision=decision, statement=statement)
    if not decision.permit:
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    return decision


def record(services: Services, principal: Principal, purpose: str | None, *,
           person: str | None, action: str, resource: str, decision: Decision,
           statement: str | None = None, reason: str | None = None,
           sections: list[str] | None = None, persons: list[str] | None = None) -> None:
    """One audit record of one access."""
    services.audit.append(audit_entry(principal, purpose, action, resource=resource,
                                      decision=decision, person=person, statement=statement,
                                      reason=reason, sections=sections, persons=persons))
