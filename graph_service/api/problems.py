"""Errors as RFC 9457 problem details (application/problem+json), from one handler table."""

from __future__ import annotations

import logging

import httpx
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import TyodataError
from graph_service.policy.errors import TokenError
from graph_service.store.errors import QueryLimitError, ReadOnlyStoreError, StoreError

log = logging.getLogger("tyodata.api")
PROBLEM = "application/problem+json"
TYPES = "https://tyodata.fi/problems/"


class Problem(Exception):
    """Raise in a route to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, kind: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.kind = status, title, detail, kind
        self.headers = headers or {}


def problem_response(status: int, title: str, detail: str, kind: str, instance: str,
                     headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": TYPES + kind, "title": title, "status": status, "detail": detail,
            "instance": instance}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


async def _problem(request: Request, exc: Problem) -> JSONResponse:
    return problem_response(exc.status, exc.title, exc.detail, exc.kind, request.url.path,
                            exc.headers)


async def _syntax(request: Request, exc: SyntaxError) -> JSONResponse:
    return problem_response(400, "Malformed query", str(exc), "malformed-query", request.url.path)


async def _limit(request: Request, exc: QueryLimitError) -> JSONResponse:
    status = 503 if exc.kind == "timeout" else 413
    return problem_response(status, "Query limit reached", str(exc), f"query-{exc.kind}",
                            request.url.path)


async def _token(request: Request, exc: TokenError) -> JSONResponse:
    return problem_response(401, "Not authenticated", str(exc), "unauthenticated",
                            request.url.path, {"WWW-Authenticate": "Bearer"})


async def _store(request: Request, exc: StoreError) -> JSONResponse:
    status = 409 if isinstance(exc, ReadOnlyStoreError) else 503
    return problem_response(status, "Store unavailable", str(exc), "store", request.url.path)


async def _upstream(request: Request, exc: httpx.HTTPError) -> JSONResponse:
    return problem_response(502, "Upstream store error", str(exc), "upstream", request.url.path)


async def _domain(request: Request, exc: TyodataError) -> JSONResponse:
    return problem_response(400, "Request refused", str(exc), "refused", request.url.path)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    # Never echo input values: a body may hold an identity code.
    where = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    return problem_response(422, "Invalid request", where, "invalid-request", request.url.path)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    return problem_response(exc.status_code, str(exc.detail), str(exc.detail), "http",
                            request.url.path, getattr(exc, "headers", None))


async def _os(request: Request, exc: OSError) -> JSONResponse:
    log.error("I/O error on %s: %s", request.url.path, exc.__class__.__name__)
    return problem_response(503, "Service unavailable", "the store could not be read",
                            "io", request.url.path)


HANDLERS = {
    Problem: _problem,
    SyntaxError: _syntax,
    QueryLimitError: _limit,
    TokenError: _token,
    StoreError: _store,
    httpx.HTTPError: _upstream,
    TyodataError: _domain,
    RequestValidationError: _validation,
    StarletteHTTPException: _http,
    OSError: _os,
}
