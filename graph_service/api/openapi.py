"""What the OpenAPI document says about errors and headers, in one place.

Every route lists the problem documents (RFC 9457, ``application/problem+json``) it can
answer with, through :func:`problem_responses`; :func:`install` then finishes the document
the app serves: the one ``Problem`` schema, the ``X-Request-Id`` header on every response
(the gatekeeper sets it before anything else runs), and the purposes a caller may declare.
The schemathesis run in ``tests/graph_service/api/test_openapi.py`` holds the service to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from core.pseudonyms import PERSON_NS
from graph_service.api.problems import PROBLEM, TYPES
from graph_service.policy.decision import PURPOSES

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. No field repeats anything the caller sent.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string", "pattern": "^" + TYPES.replace(".", r"\.") + "[a-z0-9-]+$",
                 "description": TYPES + "<kind>, e.g. " + TYPES + "malformed-query"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What is wrong and what to do"},
        "instance": {"type": "string", "pattern": f"^urn:uuid:{_UUID}$",
                     "description": "urn:uuid of this request (the X-Request-Id header); "
                                    "never anything the caller sent"},
    },
}
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PERSON_PATTERN = "^(" + PERSON_NS.replace(".", r"\.") + ")?[a-z2-7]{26}$"
"""A pseudonymous person id, or its IRI (what ``core.pseudonyms.person_iri`` accepts)."""

REQUEST_ID_HEADER: dict[str, Any] = {
    "description": "The request's id (32 hex digits), also the `instance` of a problem "
                   "document: quote it when asking the administrators",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "Always `Bearer`", "required": True,
                               "schema": {"type": "string", "enum": ["Bearer"]}}},
    429: {"Retry-After": {"description": "Seconds to wait before trying again",
                          "required": True, "schema": {"type": "integer", "minimum": 0}}},
    503: {"Retry-After": {"description": "Seconds to wait, when the service is busy "
                                         "(absent for a timeout or a store error)",
                          "schema": {"type": "integer", "minimum": 0}}},
}

_MEANING = {
    400: "Malformed request, query or data",
    401: "Missing, malformed, badly signed or expired bearer token",
    403: "Role, purpose or query refused (the detail says which and why)",
    404: "Not found",
    406: "No acceptable result format for this query (see the Accept header)",
    409: "The store is open read-only",
    413: "Request body over this endpoint's limit (refused before it is read)",
    415: "Unsupported request media type",
    422: "Invalid request parameters or body (the detail names them, never their values)",
    429: "Too many of your queries at once",
    500: "Internal error (quote the instance)",
    502: "The remote store (--endpoint) did not answer, or answered nonsense",
    503: "The store or the audit log is unavailable",
}


def problem_responses(*statuses: int, public: bool = False, body_limit: bool = True,
                      meaning: dict[int, str] | None = None) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these statuses, plus those that can answer any
    request: 500 always, 401 unless the route is ``public`` (the gatekeeper), 413 unless
    the route has no ``body_limit`` (the gatekeeper refuses a declared Content-Length over
    the path's limit even on a GET). ``meaning`` rewords a status for one route."""
    wanted = {*statuses, 500}
    if not public:
        wanted.add(401)
    if body_limit:
        wanted.add(413)
    words = {**_MEANING, **(meaning or {})}
    return {status: {"description": words[status], "headers": dict(_HEADERS.get(status, {})),
                     "content": {PROBLEM: {"schema": {
                         "allOf": [PROBLEM_REF, {"properties": {"status": {"const": status}}}],
                     }}}}
            for status in sorted(wanted)}


def _purpose_text() -> str:
    return ("Why the data is read: one of " + ", ".join(sorted(PURPOSES)) + ". Where a "
            "purpose is needed, a missing or unknown one (or one the role may not use) is "
            "refused with 403 and audited; elsewhere it is ignored")


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """The generated document, completed (in place): shared schema, headers, purposes."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for scheme in components.get("securitySchemes", {}).values():
        if scheme.get("scheme") == "bearer":
            scheme["bearerFormat"] = "JWT"
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if "requestBody" in operation and "400" not in operation.get("responses", {}):
                # A body that is not JSON at all is refused before any route code runs.
                operation.setdefault("responses", {})["400"] = problem_responses(
                    400, meaning={400: "The body is not valid JSON"})[400]
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["X-Request-Id"] = REQUEST_ID_HEADER
            for parameter in operation.get("parameters", []):
                if parameter["name"].lower() in ("x-purpose", "purpose"):
                    parameter.get("schema", {}).pop("description", None)
                    parameter["description"] = _purpose_text() + (
                        "" if parameter["in"] == "header" else
                        " (the X-Purpose header wins when both are sent)")
    return document


def install(app: FastAPI) -> None:
    """Make ``app`` serve the finished document (built once, on first request)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = finish(generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


# -- the SPARQL 1.1 Protocol, as /sparql and /admin/query take it -------------------------

_GRAPH_LIST = {"type": "array", "items": {"type": "string"}}
# In a form a field sent once is one value and a repeated one a list; both are read.
_FORM_GRAPHS = {"anyOf": [{"type": "string"}, _GRAPH_LIST]}
EXAMPLE_QUERIES: dict[str, dict[str, str]] = {
    "select": {"summary": "SELECT: answered as SPARQL JSON unless Accept asks otherwise",
               "value": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 3"},
    "ask": {"summary": "ASK: SPARQL JSON or XML",
            "value": "ASK { ?s a ?class }"},
    "construct": {"summary": "CONSTRUCT: Turtle unless Accept asks otherwise",
                  "value": "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3"},
}
SPARQL_QUERY_PARAMETER: dict[str, Any] = {
    "name": "query", "in": "query", "required": True,
    "schema": {"type": "string", "minLength": 1}, "examples": EXAMPLE_QUERIES,
    "description": "The SPARQL query. Anything that is not a SPARQL query (SELECT, "
                   "CONSTRUCT, DESCRIBE, ASK) is 400; SERVICE and updates are 403",
}
DATASET_PARAMETERS: list[dict[str, Any]] = [
    {"name": "default-graph-uri", "in": "query", "schema": _GRAPH_LIST, "style": "form",
     "explode": True, "description": "Narrow the default graph (repeatable); a graph you "
                                     "may not see, or that does not exist, is empty"},
    {"name": "named-graph-uri", "in": "query", "schema": _GRAPH_LIST, "style": "form",
     "explode": True, "description": "Narrow the named graphs (repeatable); a graph you "
                                     "may not see, or that does not exist, is empty"},
]


def sparql_body() -> dict[str, Any]:
    """The POST forms of the protocol: a form with ``query=``, or the query itself."""
    return {"required": True, "description": "The SPARQL query, as a form or as the body",
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "required": ["query"], "properties": {
                        "query": {"type": "string", "minLength": 1},
                        "default-graph-uri": _FORM_GRAPHS, "named-graph-uri": _FORM_GRAPHS}},
                    "examples": {name: {**example, "value": {"query": example["value"]}}
                                 for name, example in EXAMPLE_QUERIES.items()}},
                "application/sparql-query": {"schema": {"type": "string", "minLength": 1},
                                             "examples": EXAMPLE_QUERIES}}}


def text_body(media_type: str, description: str, example: str) -> dict[str, Any]:
    """A request body that is one text document of ``media_type``."""
    return {"required": True, "description": description,
            "content": {media_type: {"schema": {"type": "string"}, "example": example}}}


_RESULT_SCHEMAS: dict[str, dict[str, Any]] = {
    "application/sparql-results+json": {
        "type": "object", "required": ["head"],
        "properties": {"head": {"type": "object"}, "results": {"type": "object"},
                       "boolean": {"type": "boolean"}}},
    "application/ld+json": {"type": ["array", "object"]},
}


def sparql_results(select_types: tuple[str, ...], graph_types: tuple[str, ...]
                   ) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of a query: one of the negotiated result formats."""
    return {200: {"description": "The query result, in the format the Accept header asks "
                                 "for: SELECT as SPARQL JSON, XML, CSV or TSV; ASK as SPARQL "
                                 "JSON or XML; CONSTRUCT and DESCRIBE as Turtle, N-Triples "
                                 "or JSON-LD",
                  "content": {media: {"schema": _RESULT_SCHEMAS.get(media, {"type": "string"})}
                              for media in (*select_types, *graph_types)}}}
