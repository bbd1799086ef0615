"""The write path for `tyodata ingest --endpoint <service>/admin`: the running service
owns the on-disk store, so ingest goes through it and readers keep being answered.

Same layout as `oxigraph serve` (/query, /update, /store), admins only, every call an
audit record with its statement. Queries take the one query path (guard, sandbox); the
dataset is every graph but the identity graph. Updates are judged by the guard: SERVICE,
LOAD, variable graph names, ALL/NAMED and any mention of the identity graph are refused.
The identity graph changes only through the two operations under /admin/identity.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from core.private import private_dir
from core.pseudonyms import person_iri
from graph_service.api.deps import Services, ServicesDep, record
from graph_service.api.deps import require_roles as _require_roles
from graph_service.api.openapi import (
    DATASET_PARAMETERS,
    PERSON_PATTERN,
    problem_responses,
    sparql_body,
    sparql_results,
    text_body,
)
from graph_service.api.problems import Problem
from graph_service.api.query_path import answer, body_text, require_body_type
from graph_service.policy.decision import Decision
from graph_service.policy.guard import GuardError, check_update
from graph_service.policy.tokens import Principal
from graph_service.policy.visibility import Reader
from graph_service.store.registry import (
    IDENTITY_GRAPH,
    check_identity_entries,
    erase_person,
    retire_identities,
)
from graph_service.store.results import GRAPH_TYPES, SELECT_TYPES

router = APIRouter(prefix="/admin", tags=["admin"])
Admin = Annotated[Principal, Depends(_require_roles("admin"))]
_PERMIT = Decision(True, "admin write path")
ADMIN_QUERY_TIMEOUT_S = 3600.0
ADMIN_MAX_BYTES = 256 << 20
_FORBIDDEN = {403: "Not an admin"}
_WRITES = {400: "Not a SPARQL update, or not UTF-8",
           403: "Not an admin, or the update is refused (LOAD, SERVICE, GRAPH ?var, "
                "CLEAR/DROP ALL or NAMED, the identity graph)",
           409: "The store is open read-only"}


@router.post("/query", summary="SPARQL query over every graph but the identity graph",
             response_class=Response,
             responses={**sparql_results(SELECT_TYPES, GRAPH_TYPES),
                        **problem_responses(400, 403, 406, 415, 429, 502, 503, meaning={
                            400: "Not a SPARQL query, or the engine could not evaluate it",
                            403: "Not an admin, or SERVICE or an update (refused)",
                            413: "Request body over the limit, or result over the size cap",
                            503: "Query time limit, service busy (Retry-After), audit log "
                                 "or store unavailable"})},
             openapi_extra={"parameters": DATASET_PARAMETERS, "requestBody": sparql_body()})
async def admin_query(request: Request, services: ServicesDep, principal: Admin) -> Response:
    return await answer(request, services, principal, None, Reader.MAINTENANCE,
                        resource="/admin/query", timeout_s=ADMIN_QUERY_TIMEOUT_S,
                        max_bytes=ADMIN_MAX_BYTES)


@router.post("/update", summary="SPARQL update (one transaction)", status_code=204,
             response_class=Response,
             responses={204: {"description": "Done"},
                        **problem_responses(400, 403, 409, 415, 502, 503, meaning=_WRITES)},
             openapi_extra={"requestBody": text_body(
                 "application/sparql-update", "The SPARQL 1.1 update",
                 "DROP SILENT GRAPH <https://example.org/graph/old>")})
async def admin_update(request: Request, services: ServicesDep, principal: Admin) -> Response:
    require_body_type(request, "application/sparql-update")
    text = await body_text(request)
    try:
        checked = check_update(text, protected=(IDENTITY_GRAPH,))
    except GuardError as refusal:
        record(services, principal, None, person=None, action="admin-update",
               resource="/admin/update", decision=Decision(False, str(refusal)),
               statement=text)
        raise
    record(services, principal, None, person=None, action="admin-update",
           resource="/admin/update", decision=_PERMIT, statement=text)
    try:
        await run_in_threadpool(services.store.update, checked.text)
    finally:
        services.directory.invalidate()  # a commit may have switched graphs
    return Response(status_code=204)


@router.post("/store", summary="Graph Store Protocol: add N-Triples to ?graph=",
             status_code=204, response_class=Response,
             responses={204: {"description": "Loaded"},
                        **problem_responses(400, 403, 409, 415, 422, 502, 503,
                                            body_limit=False, meaning={
                                                400: "Not N-Triples (the detail gives the "
                                                     "line), or the graph is not an IRI",
                                                **_FORBIDDEN, 409: _WRITES[409]})},
             openapi_extra={"requestBody": text_body(
                 "application/n-triples", "The triples, streamed (no size limit)",
                 '<https://example.org/s> <https://example.org/p> "o" .\n')})
async def admin_store(request: Request, services: ServicesDep, principal: Admin,
                      graph: Annotated[str, Query(description="Target graph IRI",
                                                  examples=["https://example.org/graph/new"],
                                                  pattern=r'^https?://[^\s<>"{}|\\^`]+$',
                                                  max_length=2000)]) -> Response:
    require_body_type(request, "application/n-triples")
    if graph == IDENTITY_GRAPH:
        why = "the identity graph takes entries only through POST /admin/identity/add"
        record(services, principal, None, person=None, action="admin-load", resource=graph,
               decision=Decision(False, why))
        raise Problem(403, "Graph refused", why, "protected-graph-refused")
    record(services, principal, None, person=None, action="admin-load", resource=graph,
           decision=_PERMIT, reason="graph store POST")
    async with _spooled(request, services) as path:
        try:
            await run_in_threadpool(services.store.load_file, path, graph)
        except ValueError:  # the engine's IRI grammar (a bad host, port or %-escape)
            raise Problem(400, "Invalid graph", "the graph is not a valid IRI",
                          "invalid-graph") from None
        finally:
            services.directory.invalidate()
    return Response(status_code=204)


@asynccontextmanager
async def _spooled(request: Request, services: Services) -> AsyncIterator[Path]:
    """The streamed request body in an owner-only temporary file (never held in memory)."""
    work = private_dir(services.settings.home / "work")
    with tempfile.NamedTemporaryFile(suffix=".nt", dir=work) as tmp:
        async for chunk in request.stream():
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


class AddResult(BaseModel):
    added: int = Field(description="Identity entries added")


@router.post("/identity/add", response_model=AddResult,
             summary="Add identity entries (ingest): each checked against the pseudonym key",
             responses=problem_responses(400, 403, 415, 503, body_limit=False),
             openapi_extra={"requestBody": text_body(
                 "application/n-triples", "One entry a line: <person> "
                 "<https://tyodata.fi/ontology#identityCode> \"code\" .",
                 "")})
async def admin_add_identities(request: Request, services: ServicesDep,
                               principal: Admin) -> AddResult:
    require_body_type(request, "application/n-triples")
    async with _spooled(request, services) as path:
        added, why = await run_in_threadpool(check_identity_entries, path,
                                             services.pseudonymize)
        if why is not None:
            record(services, principal, None, person=None, action="add-identities",
                   resource=IDENTITY_GRAPH, decision=Decision(False, why))
            raise Problem(400, "Identity entries refused", f"{why}; nothing was added",
                          "identity-refused")
        await run_in_threadpool(services.store.load_file, path, IDENTITY_GRAPH)
    record(services, principal, None, person=None, action="add-identities",
           resource=IDENTITY_GRAPH, decision=_PERMIT, reason=f"{added} entries added")
    return AddResult(added=added)


class RetireResult(BaseModel):
    retired: int = Field(description="Identity entries deleted")


class EraseRequest(BaseModel):
    # The pattern is for the document; the route answers 400 `invalid-person` itself.
    person: str = Field(description="The person's pseudonymous id or IRI", max_length=200,
                        json_schema_extra={"pattern": PERSON_PATTERN})


class EraseResult(BaseModel):
    identity_entries: int = Field(description="Identity entries deleted (0 or 1)")
    graphs: list[str] = Field(description="Per-person graphs dropped")


@router.post("/identity/retire", response_model=RetireResult,
             summary="Delete the identity entries of persons in no current extract",
             responses=problem_responses(403, 409, 502, 503,
                                         meaning={**_FORBIDDEN, 409: _WRITES[409]}))
async def admin_retire(services: ServicesDep, principal: Admin) -> RetireResult:
    retired = await run_in_threadpool(retire_identities, services.store)
    record(services, principal, None, person=None, action="retire-identities",
           resource=IDENTITY_GRAPH, decision=_PERMIT, reason=f"{retired} entries retired")
    return RetireResult(retired=retired)


@router.post("/identity/erase", response_model=EraseResult,
             summary="Erase a person: their identity entry and the graphs only of them",
             responses=problem_responses(400, 403, 409, 422, 502, 503, meaning={
                 400: "`person` is not a pseudonymous person id or IRI", **_FORBIDDEN,
                 409: _WRITES[409]}))
async def admin_erase(body: EraseRequest, services: ServicesDep,
                      principal: Admin) -> EraseResult:
    try:
        person = person_iri(body.person)
    except ValueError as error:
        raise Problem(400, "Invalid person", str(error), "invalid-person") from None
    done = await run_in_threadpool(erase_person, services.store, person)
    services.directory.invalidate()
    record(services, principal, None, person=person, action="erase", resource=IDENTITY_GRAPH,
           decision=_PERMIT, reason=f"{done.identity_entries} identity entries, "
                                   f"{len(done.graphs)} graphs")
    return EraseResult(identity_entries=done.identity_entries, graphs=done.graphs)
