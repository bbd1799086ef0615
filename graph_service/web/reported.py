"""Client-reported facts from the page's structured forms: a new fact, or a correction
(a new revision; the old one is kept), through the API's own flows (``report`` /
``revise``: decided, audited, checked by the SHACL shapes). Failing fields are named on
the page again; what was typed freely is not written back."""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.problems import Problem
from graph_service.api.routes.reported import report, revise
from graph_service.views.reported_forms import FORMS
from graph_service.web import forms
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.person import page_problem, person_iri, person_page_response, person_url
from graph_service.web.render import redirect

router = page_router()
FACT_ID = re.compile(r"[0-9a-f]{32}")  # a client-reported fact's id (its IRI's last part)


@router.post("/persons/{person_id}/reported")
async def add_reported(request: Request, person_id: str) -> Response:
    principal = principal_of(request, "case_worker")
    posted = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    purpose, form_name = posted.get("purpose", ""), posted.get("form", "")
    revises = posted.get("revises", "")
    if form_name not in FORMS or not (revises == "" or FACT_ID.fullmatch(revises)):
        raise PageError(400, "error.400")
    form, failing = forms.parsed(form_name, posted)
    if form is not None:
        services, iri = services_of(request), person_iri(person_id)
        try:
            if revises:
                await run_in_threadpool(revise, services, principal, purpose or None, iri,
                                        revises, form)
            else:
                await run_in_threadpool(report, services, principal, purpose or None, iri,
                                        form)
        except Problem as problem:
            if problem.kind != "invalid-client-reported-fact":
                raise page_problem(problem) from None
            failing = list(problem.fields) or ["form"]
    if failing:
        kept = {name: posted[name] for name in forms.choice_fields(form_name)
                if name in posted}
        return await person_page_response(
            request, person_id, purpose, status=422, error="reported.error",
            open_form=form_name + (f"-{revises}" if revises else ""), form_errors=failing,
            kept=kept)
    section = FORMS[form_name].section.value
    return redirect(request, person_url(person_id, purpose, notice="reported-saved")
                    + f"#section-{section}")
