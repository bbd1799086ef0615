"""Persons: find a person's pseudonymous id, and which registries hold data on them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from core.hetu import problem as hetu_problem
from core.pseudonyms import PERSON_NS
from graph_service.api.deps import (
    CurrentPrincipal,
    Purpose,
    ServicesDep,
    authorize,
    current_directory,
)
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.decision import Action
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.queries import bind_iri, load

router = APIRouter(prefix="/api/persons", tags=["persons"])
_KNOWN = "ASK WHERE { { ?fact <https://tyodata.fi/ontology#concernsPerson> ?person } UNION " \
         "{ ?person a <https://tyodata.fi/ontology#Person> } }"
PSEUDONYM_PATTERN = r"^[a-z2-7]{26}$"
PersonId = Annotated[str, Path(description="Pseudonymous id from /lookup",
                               pattern=PSEUDONYM_PATTERN)]
# The identity code's shape, for the document only: the route checks the code (shape, birth
# date, individual number, check character) after the decision point has ruled and the
# attempt is audited, and answers 400 `invalid-identity-code`; the check character itself
# cannot be written in JSON Schema.
IDENTITY_CODE_SHAPE = r"^[0-9]{6}[-+A-FU-Ya-fu-y][0-9]{3}[0-9A-Ya-y]$"


class LookupRequest(BaseModel):
    identity_code: str = Field(
        description="Henkilötunnus (DDMMYY, century sign, individual number, check "
                    "character). Sent in the body, never in a URL. A code that fails its "
                    "date or check character is 400 `invalid-identity-code`.",
        min_length=1, max_length=20, json_schema_extra={"pattern": IDENTITY_CODE_SHAPE})


class LookupResponse(BaseModel):
    id: str = Field(description="The person's pseudonymous id", pattern=PSEUDONYM_PATTERN)
    iri: str


class SourceSummary(BaseModel):
    source: str
    organisation: str
    graph: str
    extracted_at: str | None
    legal_basis: list[str]
    facts: dict[str, int] = Field(description="Number of facts by class (no contents)")


class PersonSummary(BaseModel):
    id: str
    iri: str
    sources: list[SourceSummary]


@router.post("/lookup", response_model=LookupResponse,
             summary="The pseudonymous id of a person, from their identity code (case work)",
             responses=problem_responses(400, 403, 404, 422, 502, 503, meaning={
                 400: "The identity code is not valid (shape, birth date, individual "
                      "number or check character)",
                 404: "No current registry extract holds data on this person"}))
def lookup(body: LookupRequest, services: ServicesDep, principal: CurrentPrincipal,
           purpose: Purpose) -> LookupResponse:
    code = body.identity_code.strip().upper()
    why = hetu_problem(code)
    person = None if why else services.pseudonymize.iri(code)
    authorize(services, principal, purpose, Action.LOOKUP, person=person,
              resource="/api/persons/lookup")
    if why:
        raise Problem(400, "Invalid identity code", why, "invalid-identity-code")
    assert person is not None
    dataset = dataset_for(Reader.CASE_WORK, services.directory.get())
    if not services.store.ask(bind_iri(_KNOWN, "person", person), dataset=dataset):
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    return LookupResponse(id=person.removeprefix(PERSON_NS), iri=person)


@router.get("/{person_id}", response_model=PersonSummary,
            summary="Which sources hold data on a person (no contents)",
            responses=problem_responses(403, 404, 422, 502, 503, meaning={
                404: "No current registry extract holds data on this person"}))
async def summary(person_id: PersonId, services: ServicesDep, principal: CurrentPrincipal,
                  purpose: Purpose) -> PersonSummary:
    iri = PERSON_NS + person_id
    authorize(services, principal, purpose, Action.READ_SUMMARY, person=iri,
              resource="/api/persons/{id}")
    dataset = dataset_for(Reader.CASE_WORK, await current_directory(services))
    table = await run_in_threadpool(
        services.store.select, bind_iri(load("person_sources"), "person", iri), dataset=dataset)
    sources: dict[str, SourceSummary] = {}
    for row in table.dicts():
        graph = str(row["graph"])
        entry = sources.setdefault(graph, SourceSummary(
            source=str(row["source"]).rsplit("/", 1)[-1], organisation=str(row["organisation"]),
            graph=graph, extracted_at=None if row["extractedAt"] is None
            else str(row["extractedAt"]),
            legal_basis=str(row["legalBasis"]).split() if row["legalBasis"] else [], facts={}))
        entry.facts[str(row["class"]).rsplit("#", 1)[-1]] = int(row["facts"])
    if not sources:
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    return PersonSummary(id=person_id, iri=iri, sources=list(sources.values()))
