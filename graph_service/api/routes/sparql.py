"""The SPARQL 1.1 Protocol endpoint (query only): wiring of graph_service.api.query_path.

What a caller sees is decided server-side by role (graph_service.policy.visibility);
protocol parameters and FROM clauses can only narrow it, and a graph the caller may not
see behaves like one that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException

from graph_service.api.deps import CurrentPrincipal, Purpose, ServicesDep
from graph_service.api.openapi import (
    DATASET_PARAMETERS,
    SPARQL_QUERY_PARAMETER,
    problem_responses,
    sparql_body,
    sparql_results,
)
from graph_service.api.query_path import answer
from graph_service.policy.visibility import sparql_reader
from graph_service.store.results import GRAPH_TYPES, SELECT_TYPES

router = APIRouter(tags=["sparql"])


async def sparql(request: Request, services: ServicesDep, principal: CurrentPrincipal,
                 purpose: Purpose) -> Response:
    return await answer(request, services, principal, purpose, sparql_reader(principal),
                        resource="/sparql")


_DESCRIPTION = ("SPARQL 1.1 Protocol query endpoint. Results by content negotiation: SPARQL "
                "JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE. "
                "Stewards see the pseudonymous registry graphs and must declare a purpose "
                "(X-Purpose); each of their queries is audited. SERVICE and updates are "
                "refused; a graph you may not see is empty.")
_MEANING = {400: "Not a SPARQL query (the detail gives the position), or the engine could "
                 "not evaluate it",
            403: "SERVICE or an update (refused), or a steward's missing or wrong purpose",
            413: "Request body over the limit, or result over the size cap",
            503: "Query time limit, service busy (Retry-After), audit log or store "
                 "unavailable"}
_RESULTS = sparql_results(SELECT_TYPES, GRAPH_TYPES)
router.add_api_route(
    "/sparql", sparql, methods=["GET"], summary="SPARQL query (GET)", description=_DESCRIPTION,
    response_class=Response,
    responses={**_RESULTS, **problem_responses(400, 403, 406, 422, 429, 502, 503,
                                               meaning=_MEANING)},
    openapi_extra={"parameters": [SPARQL_QUERY_PARAMETER, *DATASET_PARAMETERS]})
router.add_api_route(
    "/sparql", sparql, methods=["POST"], summary="SPARQL query (POST)",
    description=_DESCRIPTION, response_class=Response,
    responses={**_RESULTS, **problem_responses(400, 403, 406, 415, 422, 429, 502, 503,
                                               meaning=_MEANING)},
    openapi_extra={"parameters": DATASET_PARAMETERS, "requestBody": sparql_body()})


async def other_methods() -> Response:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (GET's) and its Allow left POST out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})


router.add_api_route("/sparql", other_methods, include_in_schema=False,
                     methods=["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
