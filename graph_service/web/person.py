"""The client's situation page: the sections as cards in the pilot's order, each fact with
its source, the basis or consent a section rests on, withheld sections with their reason,
the client-reported facts apart with their forms, and the consent panel.

It calls the API's own flow (``situation_and_consents``: the situation and the consents
under one decision), so it meets the same decision point as the API and one page view
is one audit record. Its forms post to
``reported`` and ``consents``, which answer with a 303 back here (with a notice key from
a fixed list), so a reload never posts again.

The forecast panel (``forecast_panel``) sits below the consents. Its forms post here:
"form a forecast" answers the page with the forecast in it (the forecast is not stored,
so there is nothing to redirect to; the forecast and the page view are one audit record
each), "save to the client's case" answers a 303 to the page with the saved forecasts,
which a GET also shows (the saved forecasts' read is its own audit record).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from core.pseudonyms import PERSON_NS, PSEUDONYM
from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.api.problems import Problem
from graph_service.api.routes.consents import consent_out
from graph_service.api.routes.forecast import (
    ForecastOut,
    SavedForecastOut,
    described_model,
    form_forecast,
    read_saved,
    save,
)
from graph_service.api.routes.situation import situation_and_consents
from graph_service.policy.decision import FORECAST_PURPOSE
from graph_service.policy.policy_graph import policy_set
from graph_service.policy.section_decision import Withheld
from graph_service.views.labels import code_lists
from graph_service.views.model import SectionView
from graph_service.views.situation import today_in_finland
from graph_service.web import forecast_panel, forms
from graph_service.web.consent_panel import consent_choices, recipient_text
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.present import basis_text, field_text, summary_text
from graph_service.web.render import catalogue, redirect, render

router = page_router()
# Notices a page may show after a POST (the ``notice`` parameter names one of these).
NOTICES = frozenset({"reported-saved", "consent-given", "consent-withdrawn"})
# The decision point's reasons for a withheld section, by how they begin -> message key.
# (SectionView.reason is text for the API's readers; the page translates its kind.)
def withheld_reason(section: SectionView) -> tuple[str, dict[str, str]]:
    """The message key of why ``section`` is withheld, with the date it names (if any)."""
    code = section.withheld
    if code is None:
        return "withheld.other", {"date": ""}
    key = "no_rule" if code is Withheld.NO_POLICY else code.value
    return f"withheld.{key}", {"date": section.withheld_on.isoformat()
                                if section.withheld_on else ""}


def person_url(person_id: str, purpose: str, **extra: str) -> str:
    """The page of a person: by pseudonymous id, with the purpose it is read for."""
    return f"{UI_PREFIX}/persons/{person_id}?" + urlencode({"purpose": purpose, **extra})


def person_iri(person_id: str) -> str:
    if not PSEUDONYM.fullmatch(person_id):
        raise PageError(404, "error.404")
    return PERSON_NS + person_id


_PERSON_PROBLEMS = {"forbidden": (403, "person.error.forbidden"),
                    "unknown-person": (404, "person.error.unknown"),
                    "unknown-consent": (404, "consent.error.unknown"),
                    "consent-withdrawn": (409, "consent.error.already_withdrawn"),
                    "unknown-fact": (404, "reported.error.unknown"),
                    "already-revised": (409, "reported.error.already_revised")}


def page_problem(problem: Problem) -> PageError:
    """A refusal of the API's flow as a page error (its own words are not shown)."""
    status, key = _PERSON_PROBLEMS.get(problem.kind, (problem.status, f"error.{problem.status}"))
    return PageError(status, key)


async def person_page_response(request: Request, person_id: str, purpose: str, *,
                               status: int = 200, notice: str | None = None,
                               error: str | None = None, open_form: str | None = None,
                               form_errors: list[str] | None = None,
                               kept: dict[str, str] | None = None,
                               forecast: ForecastOut | None = None,
                               saved: list[SavedForecastOut] | None = None,
                               forecast_error: str | None = None,
                               page: tuple[str, dict] | None = None) -> Response:
    """The situation page: the view and the consents through the API's flows (each one
    decided and audited), with the forms; ``open_form`` failed on ``form_errors``. The
    forecast panel shows ``forecast`` (just formed), ``saved`` (the saved ones, when asked
    for) or ``forecast_error`` (a message key)."""
    principal = principal_of(request, "case_worker")
    services = services_of(request)
    iri = person_iri(person_id)
    try:
        view, records = await run_in_threadpool(
            situation_and_consents, services, principal, purpose or None, iri)
        consents = [consent_out(record) for record in records]
    except Problem as problem:
        raise page_problem(problem) from None
    messages = catalogue(request)
    model = await run_in_threadpool(described_model, services)
    forecast_box = forecast_panel.panel(
        messages, principal, iri, records, datetime.now(UTC), today_in_finland(view.read_at),
        model=model,
        forecast=forecast, saved=saved, error=forecast_error,
        notice="notice.forecast-saved" if notice == "forecast-saved" else None)
    directory = services.directory.get()
    codes = await run_in_threadpool(code_lists, services.store, directory)
    policies = await run_in_threadpool(policy_set, services.store, directory)
    forms_of = {section: [(spec, forms.widgets(spec, codes, messages.language))
                          for spec in specs]
                for section, specs in forms.forms_by_section().items()}
    return render(
        request, "person.html", status=status, view=view, purpose=purpose,
        page=page or (f"{UI_PREFIX}/persons/{person_id}", {"purpose": purpose}),
        notice=f"notice.{notice}" if notice in NOTICES else None, error=error,
        forms_of=forms_of, open_form=open_form, form_errors=form_errors or [],
        kept=kept or {}, person_id=person_id, consents=consents,
        consent_choices=consent_choices(messages, policies.parties(),
                                        today_in_finland(view.read_at)),
        field_text=lambda name, value: field_text(messages, name, value),
        basis_text=lambda iri: basis_text(messages, iri),
        summary_text=lambda name, value: summary_text(messages, name, value),
        recipient_text=lambda party: recipient_text(messages, party),
        reason=withheld_reason, stored_values=forms.stored_values, forecast=forecast_box)


@router.get("/persons/{person_id}")
async def person_page(request: Request, person_id: str) -> Response:
    query = request.query_params
    return await person_page_response(request, person_id, query.get("purpose", ""),
                                      notice=query.get("notice"))


def _forecast_problem(problem: Problem) -> tuple[int, str]:
    """A refusal of a forecast flow: the panel says it (status, message key), or, for the
    refusals of the page itself, the error page."""
    key = forecast_panel.problem_key(problem)
    if key is None:
        raise page_problem(problem)
    return problem.status, key


@router.post("/persons/{person_id}/forecast")
async def forecast_page(request: Request, person_id: str) -> Response:
    """Form the client's forecast (with the client's consent) and show it in the panel."""
    principal = principal_of(request, "case_worker")
    purpose = str((await request.form()).get("purpose") or "")
    iri = person_iri(person_id)
    status, error, formed = 200, None, None
    try:
        formed = await run_in_threadpool(form_forecast, services_of(request), principal,
                                         FORECAST_PURPOSE, iri)
    except Problem as problem:
        status, error = _forecast_problem(problem)
    return await person_page_response(request, person_id, purpose, status=status,
                                      forecast=formed, forecast_error=error)


@router.post("/persons/{person_id}/forecast/save")
async def save_forecast_page(request: Request, person_id: str) -> Response:
    """Save the forecast the worker saw in the client's case graph; 303 to the saved ones."""
    principal = principal_of(request, "case_worker")
    form = await request.form()
    purpose = str(form.get("purpose") or "")
    version = str(form.get("model_version") or "")
    iri = person_iri(person_id)
    try:
        await run_in_threadpool(save, services_of(request), principal, FORECAST_PURPOSE, iri,
                                version)
    except Problem as problem:
        status, error = _forecast_problem(problem)
        return await person_page_response(request, person_id, purpose, status=status,
                                          forecast_error=error)
    return redirect(request, f"{UI_PREFIX}/persons/{person_id}/forecast/saved?"
                    + urlencode({"purpose": purpose, "notice": "forecast-saved"}) + "#forecast")


@router.get("/persons/{person_id}/forecast/saved")
async def saved_forecasts_page(request: Request, person_id: str) -> Response:
    """The page with the forecasts saved in the client's case graph in the panel."""
    principal = principal_of(request, "case_worker")
    purpose = request.query_params.get("purpose", "")
    iri = person_iri(person_id)
    status, error, saved = 200, None, None
    try:
        saved = await run_in_threadpool(read_saved, services_of(request), principal,
                                        FORECAST_PURPOSE, iri)
    except Problem as problem:
        status, error = _forecast_problem(problem)
    return await person_page_response(
        request, person_id, purpose, status=status, saved=saved, forecast_error=error,
        notice=request.query_params.get("notice"),
        page=(f"{UI_PREFIX}/persons/{person_id}/forecast/saved", {"purpose": purpose}))
