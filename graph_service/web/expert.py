"""The expert view for a client (case workers only): which of the client's desired
occupations, skills and work experiences count, extra keywords and the weights of every
criterion and deduction; after the POST, the ranking before and after side by side, each
job marked moved up or down (by how many places), new or dropped, in words.

Both the form (GET: the client's profile and the weights in force, all counting) and the
comparison (POST) come from the API's own ``expert_view`` (decided and audited). The POST
only reads, so it answers the page itself; the keywords typed are not written back (the
ESCO skills they were read as are shown instead).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import ValidationError

from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.api.problems import Problem
from graph_service.api.routes.matching import ExpertOut, ExpertRequest, expert_view
from graph_service.policy.decision import CASE_WORK
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.matching_present import WEIGHT_NAMES, concept_label, matching_problem
from graph_service.web.person import person_iri, person_url
from graph_service.web.render import catalogue, render
from matchers.criteria import DEDUCTIONS

router = page_router()
DEFAULT_PURPOSE = "job-matching"
MAX_KEYWORDS = 10
K = 20


def expert_path(person_id: str) -> str:
    return f"{UI_PREFIX}/persons/{person_id}/expert"


def _purpose(asked: str | None) -> str:
    return asked if asked in CASE_WORK else DEFAULT_PURPOSE


def _keywords(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _weights(posted, failing: list[str]) -> dict[str, float]:
    weights = {}
    for name in WEIGHT_NAMES:
        value = str(posted.get(f"weight.{name}", "")).strip().replace(",", ".")
        if not value:
            continue
        try:
            weights[name] = float(value)
        except ValueError:
            failing.append(f"weight.{name}")
            continue
        if not 0 <= weights[name] <= 100:
            failing.append(f"weight.{name}")
    return weights


def marks(result: ExpertOut) -> dict[str, dict[str, int | str]]:
    """Per job id, how it moved: {"after": {...}, "before": {...}} of (kind, places)."""
    after = {m.job: ("up", m.before - m.after) for m in result.moved_up}
    after |= {m.job: ("down", m.after - m.before) for m in result.moved_down}
    after |= {m.job: ("new", 0) for m in result.new}
    before = {m.job: ("dropped", 0) for m in result.dropped}
    return {"after": after, "before": before}


def _render(request: Request, person_id: str, purpose: str, result: ExpertOut, *,
            status: int = 200, compared: bool = False, failing: list[str] | None = None,
            chosen: dict | None = None) -> Response:
    language = catalogue(request).language
    profile = result.profile
    chosen = chosen or {
        "desired_occupations": {c.uri for c in profile.desired_occupations},
        "skills": {c.uri for c in profile.skills},
        "experience": {e.position for e in profile.experience},
        "weights": result.before.weights}
    return render(
        request, "expert.html", status=status, result=result, purpose=purpose,
        person_id=person_id, compared=compared, failing=failing or [], chosen=chosen,
        marks=marks(result), weight_names=WEIGHT_NAMES, deduction_names=DEDUCTIONS,
        name_of=lambda c: concept_label(language, c),
        action=expert_path(person_id),
        person_page=person_url(person_id, purpose),
        jobs_page=f"{UI_PREFIX}/persons/{person_id}/jobs?" + urlencode({"purpose": purpose}),
        page=(expert_path(person_id), {"purpose": purpose}))


async def _expert(request: Request, person_id: str, purpose: str, body: ExpertRequest
                  ) -> ExpertOut:
    principal = principal_of(request, "case_worker")
    try:
        return await run_in_threadpool(expert_view, services_of(request), principal, purpose,
                                       person_iri(person_id), body)
    except Problem as problem:
        raise matching_problem(problem) from None


@router.get("/persons/{person_id}/expert")
async def expert_page(request: Request, person_id: str) -> Response:
    purpose = _purpose(request.query_params.get("purpose"))
    result = await _expert(request, person_id, purpose, ExpertRequest(k=K))
    return _render(request, person_id, purpose, result)


@router.post("/persons/{person_id}/expert")
async def expert_compare(request: Request, person_id: str) -> Response:
    principal_of(request, "case_worker")
    form = await request.form()
    purpose = _purpose(str(form.get("purpose", "")))
    failing: list[str] = []
    keywords = _keywords(str(form.get("keywords", "")))
    if len(keywords) > MAX_KEYWORDS or any(len(k) > 80 for k in keywords):
        failing.append("keywords")
    weights = _weights(form, failing)
    try:
        experience = [int(v) for v in form.getlist("experience")]
    except ValueError:
        experience, failing = [], [*failing, "experience"]
    chosen = {"desired_occupations": set(form.getlist("desired_occupations")),
              "skills": set(form.getlist("skills")), "experience": set(experience),
              "weights": weights}
    body = None
    if not failing:
        try:
            body = ExpertRequest(
                desired_occupations=[str(v) for v in form.getlist("desired_occupations")],
                skills=[str(v) for v in form.getlist("skills")], experience=experience,
                keywords=keywords, weights=weights, k=K)
        except ValidationError as error:
            failing = sorted({str(e["loc"][0]) for e in error.errors() if e["loc"]})
    if body is None:  # the form again, with the fields that fail named
        result = await _expert(request, person_id, purpose, ExpertRequest(k=K))
        chosen["weights"] = {**result.before.weights, **weights}
        return _render(request, person_id, purpose, result, status=422, failing=failing,
                       chosen=chosen)
    try:
        result = await run_in_threadpool(expert_view, services_of(request),
                                         principal_of(request, "case_worker"), purpose,
                                         person_iri(person_id), body)
    except Problem as problem:
        if problem.kind != "invalid-request":
            raise matching_problem(problem) from None
        result = await _expert(request, person_id, purpose, ExpertRequest(k=K))
        return _render(request, person_id, purpose, result, status=422,
                       failing=list(problem.fields) or ["form"], chosen=chosen)
    chosen["weights"] = {**result.before.weights, **weights}
    return _render(request, person_id, purpose, result, compared=True, chosen=chosen)
