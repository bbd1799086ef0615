"""The consent panel's forms: record a client's consent, withdraw one. Both call the API's
own flows (``routes.consents.give`` / ``withdraw``: decided and audited like the API), and
answer with a 303 back to the client's page, where the change shows at once (the decision
point reads consents at every request)."""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from graph_service.api.problems import Problem
from graph_service.api.routes.consents import ConsentRequest, give, withdraw
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.i18n import TIME_ZONE
from graph_service.web.person import page_problem, person_iri, person_page_response, person_url
from graph_service.web.render import redirect

router = page_router()
FIELDS = ("sections", "purposes", "recipients", "indicated_by", "expires_at")


def _request(posted: dict[str, list[str]]) -> tuple[ConsentRequest | None, list[str]]:
    """The API's consent request of a posted form, or the fields that fail."""
    expires = (posted.get("expires_at") or [""])[0]
    failing = []
    try:
        # The end of the chosen day in Finland: the client consents "until 31.12.".
        expires_at = datetime.combine(date.fromisoformat(expires), time(23, 59, 59),
                                      TIME_ZONE) if expires else None
    except ValueError:
        expires_at, failing = None, ["expires_at"]
    try:
        body = ConsentRequest(
            purposes=posted.get("purposes", []), sections=posted.get("sections", []),
            recipients=posted.get("recipients", []), expires_at=expires_at,
            indicated_by=(posted.get("indicated_by") or [""])[0])
    except ValidationError as error:
        failing += [str(e["loc"][0]) for e in error.errors() if e["loc"]]
        return None, sorted(set(failing) & set(FIELDS)) or ["sections"]
    return (None, failing) if failing else (body, [])


async def _posted(request: Request) -> dict[str, list[str]]:
    form = await request.form()
    return {key: [v for v in form.getlist(key) if isinstance(v, str)] for key in form}


@router.post("/persons/{person_id}/consents")
async def give_page(request: Request, person_id: str) -> Response:
    principal = principal_of(request, "case_worker")
    posted = await _posted(request)
    purpose = (posted.get("purpose") or [""])[0]
    body, failing = _request(posted)
    if body is not None:
        try:
            await run_in_threadpool(give, services_of(request), principal, purpose or None,
                                    person_iri(person_id), body)
        except Problem as problem:
            if problem.kind != "invalid-consent":
                raise page_problem(problem) from None
            failing = list(problem.fields) or ["sections"]
    if failing:
        kept = {name: posted.get(name, []) for name in FIELDS if name != "expires_at"}
        return await person_page_response(request, person_id, purpose, status=422,
                                          error="consent.error", open_form="consent",
                                          form_errors=failing, kept=kept)
    return _back(request, person_id, purpose, "consent-given")


@router.post("/persons/{person_id}/consents/withdraw")
async def withdraw_page(request: Request, person_id: str) -> Response:
    principal = principal_of(request, "case_worker")
    posted = await _posted(request)
    purpose = (posted.get("purpose") or [""])[0]
    consent = (posted.get("consent") or [""])[0]
    try:
        await run_in_threadpool(withdraw, services_of(request), principal, purpose or None,
                                person_iri(person_id), consent)
    except Problem as problem:
        raise page_problem(problem) from None
    return _back(request, person_id, purpose, "consent-withdrawn")


def _back(request: Request, person_id: str, purpose: str, notice: str) -> Response:
    return redirect(request, person_url(person_id, purpose, notice=notice) + "#consents")
