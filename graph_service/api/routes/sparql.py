"""The SPARQL 1.1 Protocol endpoint (query only): wiring of graph_service.api.query_path.

What a caller sees is decided server-side by role (graph_service.policy.visibility);
protocol parameters and FROM clauses can only narrow it, and a graph the caller may not
see behaves like one that does not exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from graph_service.api.deps import CurrentPrincipal, Purpose, ServicesDep
from graph_service.api.openapi import problem_responses
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
_GRAPHS = {"type": "array", "items": {"type": "string", "maxLength": 2000}, "maxItems": 100}
_PARAMETERS = [
    {"name": "query", "in": "query", "required": True,
     "schema": {"type": "string", "minLength": 1, "maxLength": 100_000},
     "description": "The SPARQL query"},
    {"name": "default-graph-uri", "in": "query", "schema": _GRAPHS,
     "description": "Narrow the default graph (repeatable)"},
    {"name": "named-graph-uri", "in": "query", "schema": _GRAPHS,
     "description": "Narrow the named graphs (repeatable)"},
]
_BODY = {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "query": {"type": "string", "minLength": 1}, "default-graph-uri": _GRAPHS,
        "named-graph-uri": _GRAPHS}, "required": ["query"]}},
    "application/sparql-query": {"schema": {"type": "string", "minLength": 1}}}}
_RESULTS = {200: {"description": "The query result", "content": {
    media: {"schema": {"type": "string"}} for media in (*SELECT_TYPES, *GRAPH_TYPES)}}}
_ERRORS = problem_responses(400, 401, 403, 406, 413, 415, 429, 503)
router.add_api_route("/sparql", sparql, methods=["GET"], summary="SPARQL query (GET)",
                     description=_DESCRIPTION, response_class=Response,
                     responses={**_RESULTS, **_ERRORS},
                     openapi_extra={"parameters": _PARAMETERS})
router.add_api_route("/sparql", sparql, methods=["POST"], summary="SPARQL query (POST)",
                     description=_DESCRIPTION, response_class=Response,
                     responses={**_RESULTS, **_ERRORS},
                     openapi_extra={"parameters": _PARAMETERS[1:], "requestBody": _BODY})
