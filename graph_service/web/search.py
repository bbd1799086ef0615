"""Finding a client by identity code: a POST whose body alone carries the code, answered
with a 303 to the client's page by pseudonymous id. The lookup is the API's own
(``routes.persons.lookup``): the same checks, decision point and audit record."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from graph_service.api.problems import Problem
from graph_service.api.routes.persons import LookupRequest, lookup
from graph_service.web.consent_panel import CASE_WORK_PURPOSES
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.person import person_url
from graph_service.web.render import redirect, render
from synthetic.personas import PERSONAS as DEMO_PERSONAS

router = page_router()
# Lookup problems -> (status, message key): the page says what to do, never what was typed.
LOOKUP_ERRORS = {
    "invalid-identity-code": (400, "search.error.invalid"),
    "unknown-person": (404, "search.error.unknown"),
    "forbidden": (403, "search.error.forbidden"),
}


def _search_page(request: Request, *, status: int = 200, error: str | None = None,
                 purpose: str | None = None) -> Response:
    demo = services_of(request).settings.demo_sign_in
    return render(request, "search.html", status=status, error=error,
                  purposes=CASE_WORK_PURPOSES, personas=DEMO_PERSONAS if demo else (),
                  chosen=purpose if purpose in CASE_WORK_PURPOSES else CASE_WORK_PURPOSES[0])


@router.get("/search")
async def search_page(request: Request) -> Response:
    principal_of(request, "case_worker")
    return _search_page(request)


@router.post("/search")
async def search(request: Request,
                 identity_code: Annotated[str, Form(max_length=64)] = "",
                 purpose: Annotated[str, Form(max_length=64)] = "",
                 persona: Annotated[str, Form(max_length=32)] = "") -> Response:
    """The identity code travels only in this POST's body; the answer is a 303 to the
    person's page by pseudonymous id, and the search field is never filled back in.

    In demo mode a pilot persona may be chosen by its key instead: the server takes its
    (synthetic) code, so no identity code is ever shown to be typed."""
    principal = principal_of(request, "case_worker")
    services = services_of(request)
    if persona and services.settings.demo_sign_in:
        chosen = next((p for p in DEMO_PERSONAS if p.key == persona), None)
        identity_code = chosen.hetu if chosen else ""
    if not identity_code.strip():
        return _search_page(request, status=400, error="search.error.empty", purpose=purpose)
    try:
        body = LookupRequest(identity_code=identity_code)
        found = await run_in_threadpool(lookup, body, services, principal, purpose or None)
    except ValidationError:
        return _search_page(request, status=400, error="search.error.invalid", purpose=purpose)
    except Problem as problem:
        if problem.kind not in LOOKUP_ERRORS:
            raise
        status, message = LOOKUP_ERRORS[problem.kind]
        return _search_page(request, status=status, error=message, purpose=purpose)
    return redirect(request, person_url(found.id, purpose))
