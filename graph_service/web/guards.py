"""What every page route stands on: its router (every POST checked for its CSRF token
before the route runs), the signed-in user and the wired services."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from graph_service.api.deps import Services
from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.policy.tokens import Principal
from graph_service.web.errors import PageError
from graph_service.web.render import page_keys
from graph_service.web.session import CSRF_FIELD, csrf_binding, csrf_valid


async def csrf_checked(request: Request) -> None:
    """Every POST to a page carries the CSRF token of its session (or sign-in nonce)."""
    if request.method != "POST":
        return
    form = await request.form()
    if not csrf_valid(page_keys(request).csrf, csrf_binding(request), form.get(CSRF_FIELD)):
        raise PageError(403, "error.csrf")


def page_router() -> APIRouter:
    """A router of pages: under /ui, out of the API's OpenAPI document, CSRF-checked."""
    return APIRouter(prefix=UI_PREFIX, include_in_schema=False,
                     dependencies=[Depends(csrf_checked)])


def services_of(request: Request) -> Services:
    return request.app.state.services


def principal_of(request: Request, *roles: str) -> Principal:
    """The signed-in user (the gatekeeper verified the session), who must hold one of
    ``roles`` to open this page; the decision point still rules on every data access."""
    principal: Principal = request.state.principal
    if roles and not principal.has(*roles):
        raise PageError(403, "error.role")
    return principal
