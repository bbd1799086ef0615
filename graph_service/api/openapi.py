"""What the OpenAPI document says about errors: every route lists the problem documents
(RFC 9457, application/problem+json) it can answer with, in one schema."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "format": "uri",
                 "description": "https://tyodata.fi/problems/<kind>"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What is wrong and what to do"},
        "instance": {"type": "string", "description": "urn:uuid of this request (also in "
                     "the X-Request-Id header); never anything the caller sent"},
    },
}

_MEANING = {
    400: "Malformed request or query",
    401: "Missing, malformed, badly signed or expired bearer token",
    403: "Role, purpose or query refused (the reason says which)",
    404: "Not found",
    406: "No acceptable result format",
    409: "Conflict with the store's state",
    413: "Request body, or query result, too large",
    415: "Unsupported request media type",
    422: "Invalid request parameters",
    429: "Too many of your queries at once (Retry-After)",
    500: "Internal error (quote the instance)",
    502: "The remote store did not answer",
    503: "Query time limit, service busy (Retry-After) or store unavailable",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for these statuses (401, 413, 500 always included:
    the gatekeeper and the error handler can answer them on any protected route)."""
    wanted = sorted({*statuses, 401, 413, 422, 500})
    return {status: {"description": _MEANING[status],
                     "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
            for status in wanted}
