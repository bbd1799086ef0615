"""Typed dependencies: the wired services, the authenticated caller, the declared purpose."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.api.problems import Problem
from graph_service.policy.access import Decision, decide_personal_read
from graph_service.policy.audit import AuditEntry, AuditLog
from graph_service.policy.tokens import Principal, verify
from graph_service.store.base import GraphStore
from graph_service.store.registry import CurrentGraphsCache


@dataclass
class Services:
    settings: Settings
    store: GraphStore
    audit: AuditLog
    signing_key: bytes
    pseudonymize: Pseudonymizer
    current: CurrentGraphsCache


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]
_bearer = HTTPBearer(auto_error=False, description="A token from `tyodata token`.")


def current_principal(
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Problem(401, "Not authenticated",
                      "this endpoint needs a bearer token (Authorization: Bearer <token>); "
                      "issue one with `tyodata token`", "unauthenticated",
                      {"WWW-Authenticate": "Bearer"})
    return verify(services.signing_key, credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: str):
    """A route guard: the caller must hold one of ``roles``."""

    def guard(principal: CurrentPrincipal) -> Principal:
        if not principal.has(*roles):
            raise Problem(403, "Forbidden",
                          f"this endpoint needs role {' or '.join(roles)}; your token has "
                          f"{', '.join(principal.roles) or 'no roles'}", "forbidden")
        return principal

    return guard


def declared_purpose(
    x_purpose: Annotated[str | None, Header(description="Why the data is read, e.g. "
                                             "case-management")] = None,
    purpose: Annotated[str | None, Query(description="Same as the X-Purpose header")] = None,
) -> str | None:
    return x_purpose or purpose


Purpose = Annotated[str | None, Depends(declared_purpose)]


def authorize_personal_read(services: Services, principal: Principal, purpose: str | None,
                            *, person: str | None, action: str, resource: str) -> Decision:
    """Decide, record the decision in the audit log, and refuse with 403 when denied."""
    decision = decide_personal_read(principal, purpose)
    audit(services, principal, purpose, person=person, action=action, resource=resource,
          decision=decision.word, reason=decision.reason)
    if not decision.permit:
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    return decision


def audit(services: Services, principal: Principal, purpose: str | None, *, person: str | None,
          action: str, resource: str, decision: str, reason: str) -> None:
    services.audit.append(AuditEntry(
        subject=principal.subject, organisation=principal.organisation,
        roles=list(principal.roles), purpose=purpose, person=person, action=action,
        resource=resource, decision=decision, reason=reason,
    ))
