"""Errors as RFC 9457 problem details (application/problem+json), from one handler table.

No problem document echoes what the caller sent: its ``instance`` is the request id
(``urn:uuid:...``, also in the ``X-Request-Id`` header), never the path, and every
detail is passed through the identity-code redactor. An unexpected error is a 500 whose
detail says nothing of its cause; the log gets the class and the request id.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import TyodataError
from core.hetu import contains_code, redact
from graph_service.policy.errors import AuditChainError, TokenError
from graph_service.policy.guard import MalformedQueryError, QueryRefusedError
from graph_service.store.errors import (
    QueryEvaluationError,
    QueryLimitError,
    ReadOnlyStoreError,
    StoreError,
    UpstreamAnswerError,
)
from graph_service.store.sandbox import BusyError

log = logging.getLogger("tyodata.api")
PROBLEM = "application/problem+json"
TYPES = "https://tyodata.fi/problems/"


class BodyTooLarge(Exception):
    """A streamed request body passed its limit (the gatekeeper counts it): 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than {limit} bytes")
        self.limit = limit


class Problem(Exception):
    """Raise in a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, kind: str,
                 headers: dict[str, str] | None = None, *, fields: tuple[str, ...] = ()
                 ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.headers = headers or {}
        self.fields = fields
        """The input fields that failed (for a page to mark them); ``detail`` says why."""


def problem_body(status: int, title: str, detail: str, kind: str, request_id: str) -> dict:
    return {"type": TYPES + kind, "title": title, "status": status, "detail": redact(detail),
            "instance": f"urn:uuid:{uuid.UUID(request_id)}"}


def new_request_id() -> str:
    """A random request id (hex). About one random id in a few thousand spells something
    shaped like an identity code, in hex or in its dashed urn:uuid form; those are drawn
    again, so no scanner of our responses or logs ever has to wonder."""
    while True:
        request_id = uuid.uuid4()
        if not contains_code(request_id.hex) and not contains_code(str(request_id)):
            return request_id.hex


def _request_id(request: Request) -> str:
    return getattr(request.state, "request_id", None) or new_request_id()


def problem_response(request: Request, status: int, title: str, detail: str, kind: str,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(problem_body(status, title, detail, kind, _request_id(request)),
                        status_code=status, media_type=PROBLEM, headers=headers)


async def _problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(request, exc.status, exc.title, exc.detail, exc.kind, exc.headers)


async def _malformed(request: Request, exc: MalformedQueryError | SyntaxError) -> JSONResponse:
    return problem_response(request, 400, "Malformed query", str(exc), "malformed-query")


async def _refused(request: Request, exc: QueryRefusedError) -> JSONResponse:
    return problem_response(request, 403, "Query refused", str(exc), f"{exc.kind}-refused")


async def _evaluation(request: Request, exc: QueryEvaluationError) -> JSONResponse:
    return problem_response(request, 400, "Query failed", str(exc), "query-failed")


async def _limit(request: Request, exc: QueryLimitError) -> JSONResponse:
    status = 413 if exc.kind == "size" else 503
    return problem_response(request, status, "Query limit reached", str(exc),
                            f"query-{exc.kind}")


async def _busy(request: Request, exc: BusyError) -> JSONResponse:
    status = 429 if exc.scope == "caller" else 503
    return problem_response(request, status, "Too many queries", str(exc), "busy",
                            {"Retry-After": str(exc.retry_after_s)})


async def _token(request: Request, exc: TokenError) -> JSONResponse:
    return problem_response(request, 401, "Not authenticated", str(exc), "unauthenticated",
                            {"WWW-Authenticate": "Bearer"})


async def _store(request: Request, exc: StoreError) -> JSONResponse:
    status = 409 if isinstance(exc, ReadOnlyStoreError) else (
        502 if isinstance(exc, UpstreamAnswerError) else 503)
    return problem_response(request, status, "Store unavailable", str(exc), "store")


async def _upstream(request: Request, exc: httpx.HTTPError) -> JSONResponse:
    log.error("upstream store error (%s) in request %s", exc.__class__.__name__,
              _request_id(request))
    return problem_response(request, 502, "Upstream store error",
                            "the remote SPARQL store did not answer", "upstream")


async def _domain(request: Request, exc: TyodataError) -> JSONResponse:
    return problem_response(request, 400, "Request refused", str(exc), "refused")


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Never echo input values: a body may hold an identity code.
    where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return problem_response(request, 422, "Invalid request", where, "invalid-request")


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem_response(request, exc.status_code, str(exc.detail), str(exc.detail), "http",
                            getattr(exc, "headers", None))


async def _os(request: Request, exc: OSError) -> JSONResponse:
    log.error("I/O error (%s) in request %s", exc.__class__.__name__, _request_id(request))
    return problem_response(request, 503, "Service unavailable", "the store could not be read",
                            "io")


async def _audit_broken(request: Request, exc: AuditChainError) -> JSONResponse:
    # Without a working audit log no personal data may leave: refuse, loudly.
    log.error("the audit log is broken (request %s): %s", _request_id(request), exc)
    return problem_response(request, 503, "Audit log unavailable",
                            "the audit log cannot be written, so personal data is not "
                            "served; the administrators have been told", "audit-unavailable")


async def _too_large(request: Request, exc: Exception) -> JSONResponse:
    return problem_response(request, 413, "Request body too large", str(exc), "body-too-large")


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected %s in request %s", exc.__class__.__name__, _request_id(request))
    # Starlette answers a 500 outside the gatekeeper: the request id header is set here.
    request_id = _request_id(request)
    return problem_response(request, 500, "Internal error",
                            f"the service failed; quote request {request_id} "
                            "to its administrators", "internal", {"X-Request-Id": request_id})


def handlers() -> dict:
    return {
        Problem: _problem,
        MalformedQueryError: _malformed,
        SyntaxError: _malformed,
        QueryRefusedError: _refused,
        QueryEvaluationError: _evaluation,
        QueryLimitError: _limit,
        BusyError: _busy,
        TokenError: _token,
        AuditChainError: _audit_broken,
        StoreError: _store,
        httpx.HTTPError: _upstream,
        TyodataError: _domain,
        RequestValidationError: _validation,
        StarletteHTTPException: _http,
        BodyTooLarge: _too_large,
        OSError: _os,
        Exception: _unexpected,
    }


class RedactingFilter(logging.Filter):
    """Removes identity codes from every log record, traceback text included."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_logs() -> None:
    """Put the redacting filter on every handler that can print a request's data (and give
    our own loggers a handler, so their lines go through it too)."""
    ours = logging.getLogger("tyodata")
    if not ours.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        ours.addHandler(handler)
        ours.setLevel(logging.INFO)
        ours.propagate = False
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "fastapi", "tyodata"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
