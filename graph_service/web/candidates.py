"""An employer's pages: its own postings, and for one of them the anonymous candidates
(a per-posting handle, age band, region, status, how long the job seeking has lasted as
a band, the occupations wished, both scores and the reasons) with filters, and a contact
form per candidate.

Only handles reach these pages: never a person's IRI, pseudonym, name or identity code.
They call the API's own flows (``own_postings``, ``candidates``, ``contact_candidate``)
with the purpose "recruitment": an employer sees candidates only for its own postings.
A contact request answers with a 303 back to the list, with a notice.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.api.problems import Problem
from graph_service.api.routes.matching import candidates, contact_candidate, own_postings
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.matching_present import (
    CODE,
    HANDLE,
    JOB_ID,
    concept_label,
    matching_problem,
    municipality_choices,
    status_choices,
    tri_state,
)
from graph_service.web.render import catalogue, redirect, render
from matchers.ranking import CandidateFilters

router = page_router()
PURPOSE = "recruitment"
POSTINGS = f"{UI_PREFIX}/employer/jobs"
NOTICES = frozenset({"contact-sent"})
FILTERS = ("status", "min_days", "max_days", "search_area", "full_time")
MAX_DAYS = 20000
MAX_MESSAGE = 500
K = 20


def candidates_path(job_id: str) -> str:
    return f"{POSTINGS}/{job_id}/candidates"


@router.get("/employer/jobs")
async def postings_page(request: Request) -> Response:
    principal = principal_of(request, "employer")
    try:
        jobs = await run_in_threadpool(own_postings, services_of(request), principal)
    except Problem as problem:
        raise matching_problem(problem) from None
    language = catalogue(request).language
    return render(request, "employer_jobs.html", jobs=jobs, candidates_path=candidates_path,
                  name_of=lambda c: concept_label(language, c))


def _days(value: str) -> int | None:
    if not value:
        return None
    days = int(value)  # ValueError: the caller names the field
    if not 0 <= days <= MAX_DAYS:
        raise ValueError(value)
    return days


def _filters(query) -> tuple[dict[str, str], CandidateFilters, list[str]]:
    """The filters asked for (only valid values kept for the form), the API's filters and
    the fields that fail."""
    kept = {name: query.get(name, "").strip() for name in FILTERS}
    failing, values = [], {}
    for name, parse in (("min_days", _days), ("max_days", _days), ("full_time", tri_state)):
        try:
            values[name] = parse(kept[name])
        except ValueError:
            failing.append(name)
            kept[name], values[name] = "", None
    for name in ("status", "search_area"):
        if kept[name] and not CODE.fullmatch(kept[name]):
            failing.append(name)
            kept[name] = ""
    return kept, CandidateFilters(
        statuses=(kept["status"],) if kept["status"] else (),
        min_unemployment_days=values["min_days"], max_unemployment_days=values["max_days"],
        search_area=kept["search_area"] or None, full_time=values["full_time"]), failing


@router.get("/employer/jobs/{job_id}/candidates")
async def candidates_page(request: Request, job_id: str) -> Response:
    principal = principal_of(request, "employer")
    if not JOB_ID.fullmatch(job_id):
        raise PageError(404, "matching.error.unknown_posting")
    services = services_of(request)
    kept, filters, failing = _filters(request.query_params)
    try:
        found = await run_in_threadpool(candidates, services, principal, PURPOSE, job_id, k=K,
                                        filters=filters)
    except Problem as problem:
        raise matching_problem(problem) from None
    language = catalogue(request).language
    statuses = status_choices(services, language)
    notice = request.query_params.get("notice")
    return render(
        request, "candidates.html", status=422 if failing else 200, found=found,
        filters=kept, failing=failing, path_of_page=candidates_path(job_id),
        notice=f"notice.{notice}" if notice in NOTICES else None,
        noticed=request.query_params.get("handle") if notice in NOTICES else None,
        statuses=statuses, status_names=dict(statuses),
        municipalities=municipality_choices(services, language),
        name_of=lambda c: concept_label(language, c), page=(candidates_path(job_id), {}))


@router.post("/employer/jobs/{job_id}/candidates/{handle}/contact")
async def contact(request: Request, job_id: str, handle: str) -> Response:
    principal = principal_of(request, "employer")
    if not JOB_ID.fullmatch(job_id) or not HANDLE.fullmatch(handle):
        raise PageError(404, "matching.error.unknown_candidate")
    form = await request.form()
    message = str(form.get("message", "")).strip()
    if len(message) > MAX_MESSAGE:
        raise PageError(422, "contact.error.too_long")
    try:
        await run_in_threadpool(contact_candidate, services_of(request), principal, PURPOSE,
                                job_id, handle, message)
    except Problem as problem:
        if problem.kind == "invalid-request":
            raise PageError(422, "contact.error.invalid") from None
        raise matching_problem(problem) from None
    back = {name: str(form.get(name)) for name in FILTERS if form.get(name)}
    back |= {"notice": "contact-sent", "handle": handle}
    return redirect(request, candidates_path(job_id) + "?" + urlencode(back) + f"#{handle}")
