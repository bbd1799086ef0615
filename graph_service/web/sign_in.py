"""Signing in and out, and the home page (each user's own start page).

In demo mode (``TYODATA_DEMO_SIGN_IN``) the sign-in page lists demo users, each signed in
with a token issued on the spot; otherwise a token from ``tyodata token`` is pasted. Either
way the session holds one of the service's own signed tokens.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.gatekeeper import SIGN_IN_PATH, UI_PREFIX
from graph_service.policy.errors import TokenError
from graph_service.policy.tokens import Principal, verify
from graph_service.web.demo import (
    DEMO_USERS,
    demo_employer_organisation,
    demo_token,
    demo_user,
)
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.render import page_keys, redirect, render
from graph_service.web.session import (
    SIGN_IN_COOKIE,
    begin_sign_in,
    end_session,
    new_nonce,
    start_session,
)

router = page_router()
SIGN_IN_ROLES = ("case_worker", "citizen", "employer")
MAX_TOKEN_LENGTH = 8192


def home_of(principal: Principal) -> str:
    if principal.has("citizen"):
        return f"{UI_PREFIX}/me/access-log"
    if principal.has("employer") and not principal.has("case_worker"):
        return f"{UI_PREFIX}/employer/jobs"
    return f"{UI_PREFIX}/search"


@router.get("")
async def home(request: Request) -> Response:
    return redirect(request, home_of(principal_of(request)))


def _sign_in_page(request: Request, *, status: int = 200, error: str | None = None) -> Response:
    """The sign-in form, its CSRF token bound to a nonce cookie (kept while it lives, so
    two open sign-in tabs both work)."""
    services = services_of(request)
    nonce = request.cookies.get(SIGN_IN_COOKIE) or new_nonce()
    response = render(request, "sign_in.html", status=status, binding=nonce, error=error,
                      demo_users=DEMO_USERS if services.settings.demo_sign_in else ())
    begin_sign_in(response, request, nonce, secure_always=services.settings.secure_cookies)
    return response


@router.get("/sign-in")
async def sign_in_page(request: Request) -> Response:
    return _sign_in_page(request)


@router.post("/sign-in")
async def sign_in(request: Request,
                  demo: Annotated[str, Form(max_length=32)] = "",
                  token: Annotated[str, Form(max_length=MAX_TOKEN_LENGTH)] = "") -> Response:
    services = services_of(request)
    keys = page_keys(request)
    if demo:
        user = demo_user(demo)
        if user is None or not services.settings.demo_sign_in:
            return _sign_in_page(request, status=403, error="sign_in.error.no_demo")
        organisation = None
        if user.role == "employer":
            organisation = await run_in_threadpool(demo_employer_organisation, services)
            if organisation is None:  # no postings in the store: nobody to speak for
                return _sign_in_page(request, status=503, error="sign_in.error.no_employer")
        token = demo_token(keys.signing, user, services.pseudonymize,
                           organisation=organisation)
    token = token.strip()
    if not token:
        return _sign_in_page(request, status=400, error="sign_in.error.empty")
    try:
        principal = verify(keys.signing, token)
    except TokenError:
        return _sign_in_page(request, status=401, error="sign_in.error.invalid")
    if not principal.has(*SIGN_IN_ROLES):
        return _sign_in_page(request, status=403, error="sign_in.error.role")
    response = redirect(request, home_of(principal))
    start_session(response, request, principal, token,
                  secure_always=services.settings.secure_cookies)
    return response


@router.post("/sign-out")
async def sign_out(request: Request) -> Response:
    response = redirect(request, SIGN_IN_PATH)
    end_session(response, request, secure_always=services_of(request).settings.secure_cookies)
    return response
