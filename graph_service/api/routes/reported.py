"""Client-reported facts: what the client tells a case worker, in structured forms, kept
apart from registry facts in the person's own client-reported graph, with their history.

:func:`report`, :func:`revise` and :func:`reported_of` are the flows the API and the web
page share. Each request is decided once and leaves exactly one audit record. Reading
them is reading the situation: a fact is shown only in a section the reader may see, with
only the fields that section's basis or consent covers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Query

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep, record
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.persons import PersonId
from graph_service.api.routes.situation import rule_on_situation
from graph_service.policy.decision import Action, decide
from graph_service.policy.tokens import Principal
from graph_service.store.base import Dataset
from graph_service.views import client_reported
from graph_service.views.client_reported import (
    FactAlreadyRevised,
    FactNotFound,
    ReportRefused,
    Stored,
    fact_iri,
)
from graph_service.views.datasets import reported_graphs_of
from graph_service.views.labels import code_lists
from graph_service.views.model import Fact, ReportedFacts
from graph_service.views.reported_forms import FORMS, ReportForm
from graph_service.views.situation import minimised, person_known

router = APIRouter(prefix="/api/persons", tags=["client-reported facts"])
REPORTED = "/api/persons/{id}/reported"
FactId = Annotated[str, Path(description="The fact's id (the last part of its IRI)",
                             pattern=r"^[0-9a-f]{32}$")]
FormBody = Annotated[ReportForm, Body(description="One structured form; `form` says which")]
_NOT_JSON = "The body is not JSON"
_INVALID = ("The form fails its checks: the detail names each field and what is wrong "
            "(never the value sent)")


def _decided(services: Services, principal: Principal, purpose: str | None, person: str,
             form: object, resource: str) -> None:
    """Decide a write, record it (one audit record), refuse it or check the person."""
    section = FORMS[form.form].section  # type: ignore[attr-defined]
    decision = decide(principal, Action.WRITE_CLIENT_REPORTED, purpose)
    record(services, principal, purpose, person=person,
           action=Action.WRITE_CLIENT_REPORTED.value, resource=resource, decision=decision,
           sections=[f"{section.value} {decision.word}: form {form.form}"])  # type: ignore
    if not decision.permit:
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    if not person_known(services.store, services.directory.get(), person):
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")


def _stored_fact(services: Services, stored: Stored, person: str, form: object) -> Fact:
    """The fact as stored (read back from its graph), with its labels."""
    if stored.created_graph:
        services.directory.invalidate()  # the new graph joins the case-work dataset
    section = FORMS[form.form].section  # type: ignore[attr-defined]
    codes = code_lists(services.store, services.directory.get())
    facts = client_reported.read_reported(services.store, Dataset(named=(stored.graph,)),
                                          person, [section], codes, history=True)[section]
    return next(f for f in facts if f.id == stored.fact)


def report(services: Services, principal: Principal, purpose: str | None, person_iri: str,
           form: object) -> Fact:
    """Record a client-reported fact (one of ``reported_forms.ReportForm``) for
    ``person_iri``: decided, audited, checked by the SHACL shapes (422 naming each
    failing field), stored in the person's client-reported graph."""
    _decided(services, principal, purpose, person_iri, form, REPORTED)
    codes = code_lists(services.store, services.directory.get())
    try:
        stored = client_reported.report(services.store, codes, form, person=person_iri,
                                        subject=principal.subject,
                                        organisation=principal.organisation,
                                        now=datetime.now(UTC))
    except ReportRefused as refused:
        raise Problem(422, "Invalid client-reported fact", str(refused),
                      "invalid-client-reported-fact",
                      fields=tuple(sorted({e.field for e in refused.errors}))) from None
    return _stored_fact(services, stored, person_iri, form)


def revise(services: Services, principal: Principal, purpose: str | None, person_iri: str,
           fact_id: str, form: object) -> Fact:
    """Record a new revision of a client-reported fact (same form); the old one is kept,
    marked as replaced. 404 unknown fact, 409 already revised, 422 failing fields."""
    _decided(services, principal, purpose, person_iri, form, REPORTED + "/{fact_id}")
    codes = code_lists(services.store, services.directory.get())
    try:
        stored = client_reported.revise(services.store, codes, form, person=person_iri,
                                        fact=fact_iri(fact_id), subject=principal.subject,
                                        organisation=principal.organisation,
                                        now=datetime.now(UTC))
    except FactNotFound as missing:
        raise Problem(404, "Unknown fact", str(missing), "unknown-fact") from None
    except FactAlreadyRevised as revised:
        raise Problem(409, "Already revised", str(revised), "already-revised") from None
    except ReportRefused as refused:
        raise Problem(422, "Invalid client-reported fact", str(refused),
                      "invalid-client-reported-fact",
                      fields=tuple(sorted({e.field for e in refused.errors}))) from None
    return _stored_fact(services, stored, person_iri, form)


def reported_of(services: Services, principal: Principal, purpose: str | None,
                person_iri: str, *, history: bool = False) -> ReportedFacts:
    """``person_iri``'s client-reported facts in the sections the caller may see (decided
    and audited like the situation view), latest revisions or the whole history."""
    ruled = rule_on_situation(services, principal, purpose, person_iri, None,
                              resource=REPORTED)
    shown = [d for d in ruled.decisions if d.permit and d.fields]
    codes = code_lists(services.store, ruled.directory)
    graphs = reported_graphs_of(services.store, ruled.directory, person_iri)
    found = client_reported.read_reported(services.store, graphs, person_iri,
                                          [d.section for d in shown], codes, history=history)
    facts = [fact for d in shown for fact in minimised(found[d.section], d.fields)]
    return ReportedFacts(person=person_iri.removeprefix(PERSON_NS), history=history,
                         facts=facts, withheld=[d.section for d in ruled.decisions
                                                if d not in shown])


@router.post("/{person_id}/reported", response_model=Fact, status_code=201,
             summary="Record a fact the client reported, in a structured form (case work)",
             responses=problem_responses(400, 403, 404, 422, 502, 503, meaning={
                 400: _NOT_JSON, 404: "No current registry extract holds data on this person",
                 422: _INVALID}))
def create(person_id: PersonId, form: FormBody, services: ServicesDep,
           principal: CurrentPrincipal, purpose: Purpose) -> Fact:
    return report(services, principal, purpose, PERSON_NS + person_id, form)


@router.put("/{person_id}/reported/{fact_id}", response_model=Fact,
            summary="Revise a client-reported fact: a new revision, the old one kept "
                    "(case work)",
            responses=problem_responses(400, 403, 404, 409, 422, 502, 503, meaning={
                400: _NOT_JSON, 404: "No such person, or no such fact of this person",
                409: "The fact has already been revised: revise its latest revision",
                422: _INVALID}))
def update(person_id: PersonId, fact_id: FactId, form: FormBody, services: ServicesDep,
           principal: CurrentPrincipal, purpose: Purpose) -> Fact:
    return revise(services, principal, purpose, PERSON_NS + person_id, fact_id, form)


@router.get("/{person_id}/reported", response_model=ReportedFacts,
            summary="A person's client-reported facts in the sections you may see "
                    "(case work)",
            responses=problem_responses(403, 404, 422, 502, 503, meaning={
                404: "No current registry extract holds data on this person"}))
def listing(person_id: PersonId, services: ServicesDep, principal: CurrentPrincipal,
            purpose: Purpose, history: Annotated[bool, Query(
                description="Include earlier revisions")] = False) -> ReportedFacts:
    return reported_of(services, principal, purpose, PERSON_NS + person_id, history=history)



async def other_methods() -> None:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (POST's) and its Allow left GET out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})


router.add_api_route("/{person_id}/reported", other_methods, include_in_schema=False,
                     methods=["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
