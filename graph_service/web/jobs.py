"""The seeker's recommended jobs: both scores, the combined rank and the reasons per job,
filters (municipality, full or part time), thumbs up or down, and the contact requests
employers sent to the seeker.

A case worker opens it for a client (``/ui/persons/{id}/jobs``, purpose job-matching by
default); a signed-in citizen for themselves (``/ui/me/jobs``, purpose own-data). It calls
the API's own flows (``recommended_jobs``, ``contact_requests``, ``give_feedback``): the
same decision point, one audit record each. A thumb posts to the page's own address and
answers with a 303 back here, with a notice from a fixed list.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.api.problems import Problem
from graph_service.api.routes.matching import contact_requests, give_feedback, recommended_jobs
from graph_service.policy.decision import CASE_WORK
from graph_service.policy.tokens import Principal
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.matching_present import (
    CODE,
    JOB_ID,
    concept_label,
    matching_problem,
    municipality_choices,
    tri_state,
)
from graph_service.web.person import person_iri, person_url
from graph_service.web.render import catalogue, redirect, render

router = page_router()
DEFAULT_PURPOSE = "job-matching"
OWN_PURPOSE = "own-data"
NOTICES = frozenset({"feedback-up", "feedback-down"})
VERDICTS = ("up", "down")
FILTERS = ("municipality", "municipality_code", "full_time")
K = 20


def jobs_path(person_id: str | None) -> str:
    """The page of a client's jobs (case worker), or of one's own (``None``: citizen)."""
    return f"{UI_PREFIX}/me/jobs" if person_id is None else f"{UI_PREFIX}/persons/{person_id}/jobs"


def _purpose(principal: Principal, asked: str | None) -> str:
    if principal.has("citizen"):
        return OWN_PURPOSE
    return asked if asked in CASE_WORK else DEFAULT_PURPOSE


def _filters(query) -> tuple[dict[str, str], tuple[str, ...], bool | None, str | None]:
    """The filters asked for (kept for the form and links), the API's values, or the
    message key of what fails."""
    kept = {name: query.get(name, "").strip() for name in FILTERS}
    chosen = kept["municipality_code"] or kept["municipality"]
    if chosen and not CODE.fullmatch(chosen):
        kept["municipality"] = kept["municipality_code"] = ""  # never written back
        return kept, (), None, "jobs.error.municipality"
    try:
        full_time = tri_state(kept["full_time"])
    except ValueError:
        kept["full_time"] = ""
        return kept, (chosen,) if chosen else (), None, "jobs.error.full_time"
    return kept, (chosen,) if chosen else (), full_time, None


def _seeker_of(principal: Principal, person_id: str | None) -> str:
    """Whose jobs: a citizen's own (only at /me), or the client a case worker opened."""
    if principal.has("citizen"):
        if person_id is not None or not principal.person:
            raise PageError(403, "matching.error.forbidden")
        return principal.person
    if person_id is None:
        raise PageError(403, "error.role")
    return person_iri(person_id)


async def _jobs_page(request: Request, person_id: str | None) -> Response:
    principal = principal_of(request, "case_worker", "citizen")
    services = services_of(request)
    query = request.query_params
    iri = _seeker_of(principal, person_id)
    purpose = _purpose(principal, query.get("purpose"))
    kept, municipalities, full_time, error = _filters(query)
    try:
        ranking = await run_in_threadpool(
            recommended_jobs, services, principal, purpose, iri, k=K,
            municipalities=municipalities, full_time=full_time)
        received = await run_in_threadpool(contact_requests, services, principal, purpose,
                                           iri)
    except Problem as problem:
        raise matching_problem(problem) from None
    language = catalogue(request).language
    notice = query.get("notice")
    path = jobs_path(person_id)
    return render(
        request, "jobs.html", status=422 if error else 200, ranking=ranking, purpose=purpose,
        person_id=person_id, path_of_page=path, filters=kept, error=error,
        notice=f"notice.{notice}" if notice in NOTICES else None,
        noticed_job=query.get("job") if notice in NOTICES else None,
        received=received, municipalities=municipality_choices(services, language),
        person_page=person_url(person_id, purpose) if person_id else None,
        expert_page=(f"{UI_PREFIX}/persons/{person_id}/expert?"
                     + urlencode({"purpose": purpose})) if person_id else None,
        name_of=lambda c: concept_label(language, c),
        page=(path, {"purpose": purpose} if person_id else {}))


@router.get("/persons/{person_id}/jobs")
async def client_jobs(request: Request, person_id: str) -> Response:
    return await _jobs_page(request, person_id)


@router.get("/me/jobs")
async def own_jobs(request: Request) -> Response:
    return await _jobs_page(request, None)


async def _feedback(request: Request, person_id: str | None, job_id: str) -> Response:
    principal = principal_of(request, "case_worker", "citizen")
    form = await request.form()
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    verdict = posted.get("verdict", "")
    if verdict not in VERDICTS or not JOB_ID.fullmatch(job_id):
        raise PageError(400, "error.400")
    iri = _seeker_of(principal, person_id)
    purpose = _purpose(principal, posted.get("purpose"))
    try:
        await run_in_threadpool(give_feedback, services_of(request), principal, purpose, iri,
                                job_id, verdict)
    except Problem as problem:
        raise matching_problem(problem) from None
    back = {name: posted[name] for name in FILTERS if posted.get(name)}
    if person_id is not None:
        back = {"purpose": purpose, **back}
    back |= {"notice": f"feedback-{verdict}", "job": job_id}
    return redirect(request, jobs_path(person_id) + "?" + urlencode(back) + f"#job-{job_id}")


@router.post("/persons/{person_id}/jobs/{job_id}/feedback")
async def client_feedback(request: Request, person_id: str, job_id: str) -> Response:
    return await _feedback(request, person_id, job_id)


@router.post("/me/jobs/{job_id}/feedback")
async def own_feedback(request: Request, job_id: str) -> Response:
    return await _feedback(request, None, job_id)
