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
    413: "Request body over this endpoint's limit, or query result over the row cap",
    415: "Unsupported request media type",
    422: "Invalid request parameters or body (the detail names them, never their values)",
    429: "Too many of your queries at once",
    500: "Internal error (quote the instance)",
    502: "The remote store (--endpoint) did not answer, or answered nonsense",
    503: "Query time limit, service busy, audit log or store unavailable",
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
            for response in operation.get("responses", {}).values():
                response.setdefault("headers", {})["X-Request-Id"] = REQUEST_ID_HEADER
            for parameter in operation.get("parameters", []):
                if parameter["name"].lower() in ("x-purpose", "purpose"):
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
