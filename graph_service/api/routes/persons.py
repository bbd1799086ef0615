"""Persons: find a person's pseudonymous id, and which registries hold data on them."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from core.hetu import problem as hetu_problem
from core.pseudonyms import PERSON_NS
from graph_service.api.deps import (
    CurrentPrincipal,
    Purpose,
    ServicesDep,
    audit,
    authorize_personal_read,
)
from graph_service.api.problems import Problem
from graph_service.queries import bind_iri, load
from graph_service.store.registry import visible_dataset

router = APIRouter(prefix="/api/persons", tags=["persons"])
PSEUDONYM = re.compile(r"^[a-z2-7]{26}$")
_KNOWN = "ASK WHERE { { ?fact <https://tyodata.fi/ontology#concernsPerson> ?person } UNION " \
         "{ ?person a <https://tyodata.fi/ontology#Person> } }"


class LookupRequest(BaseModel):
    identity_code: str = Field(description="Henkilötunnus. Sent in the body, never in a URL.",
                               min_length=1, max_length=20)


class LookupResponse(BaseModel):
    id: str = Field(description="The person's pseudonymous id")
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
             summary="The pseudonymous id of a person, from their identity code",
             responses={400: {"description": "Invalid identity code"},
                        404: {"description": "No registry holds data on this person"}})
def lookup(body: LookupRequest, services: ServicesDep, principal: CurrentPrincipal,
           purpose: Purpose) -> LookupResponse:
    code = body.identity_code.strip().upper()
    why = hetu_problem(code)
    person = None if why else services.pseudonymize.iri(code)
    authorize_personal_read(services, principal, purpose, person=person, action="lookup",
                            resource="/api/persons/lookup")
    if why:
        raise Problem(400, "Invalid identity code", why, "invalid-identity-code")
    assert person is not None
    dataset = visible_dataset(services.store, current=services.current.get())
    if not services.store.ask(bind_iri(_KNOWN, "person", person), dataset=dataset):
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    return LookupResponse(id=person.removeprefix(PERSON_NS), iri=person)


@router.get("/{person_id}", response_model=PersonSummary,
            summary="Which sources hold data on a person (no contents)")
def summary(person_id: Annotated[str, Path(description="Pseudonymous id from /lookup")],
            services: ServicesDep, principal: CurrentPrincipal,
            purpose: Purpose) -> PersonSummary:
    if not PSEUDONYM.match(person_id):
        raise Problem(404, "Unknown person", "a person id is 26 characters a-z, 2-7 "
                      "(from POST /api/persons/lookup)", "unknown-person")
    iri = PERSON_NS + person_id
    authorize_personal_read(services, principal, purpose, person=iri, action="read-summary",
                            resource=f"/api/persons/{person_id}")
    dataset = visible_dataset(services.store, current=services.current.get())
    table = services.store.select(bind_iri(load("person_sources"), "person", iri),
                                  dataset=dataset)
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
        audit(services, principal, purpose, person=iri, action="read-summary",
              resource=f"/api/persons/{person_id}", decision="permit", reason="not found")
        raise Problem(404, "Unknown person", "no registry extract holds data on this person",
                      "unknown-person")
    return PersonSummary(id=person_id, iri=iri, sources=list(sources.values()))
