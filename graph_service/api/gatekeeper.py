"""The first thing every request meets (pure ASGI, before any route or body parsing).

1. A request id (``X-Request-Id``), which problem documents carry as their ``instance``
   instead of anything the caller sent.
2. Authentication: outside the few public paths, a request without a valid bearer token
   is answered 401 before a byte of its body is read. The pages under ``/ui`` authenticate
   by their session cookie instead (and only by it: a bearer token opens no page, a
   cookie no API endpoint, so a cross-site form can never ride on an API caller's
   credentials); a page request without a valid session is sent (303) to the sign-in page.
3. Body size: a declared ``Content-Length`` over the path's limit is answered 413 at
   once; a chunked body is counted as it streams and cut off at the limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser

from graph_service.api.problems import PROBLEM, BodyTooLarge, new_request_id, problem_body
from graph_service.policy.errors import TokenError
from graph_service.policy.tokens import Principal, verify

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PUBLIC_PATHS = frozenset({"/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect",
                          "/redoc"})
PUBLIC_READ_PREFIXES = ("/catalog", "/api/catalog/", "/ui/catalog")
"""The catalogue (its RDF, search, lineage and pages) and the data products' descriptions
hold no personal data: anyone may read them, as a national data portal harvests."""
PUBLIC_READ_PATHS = frozenset({"/products"})
PUBLIC_READ_SUFFIX = "/openapi.json"  # under /products/: each product's own document
READ_METHODS = frozenset({"GET", "HEAD"})
UI_PREFIX = "/ui"
SIGN_IN_PATH = "/ui/sign-in"
UI_STATIC_PREFIX = "/ui/static/"
SESSION_COOKIE = "tyodata_session"
"""The pages' session: ``<session id>.<signed token>`` (the id binds the forms' CSRF tokens)."""


def is_public_read(path: str) -> bool:
    """Whether ``path`` is one that anyone may read (and nobody may write through).

    >>> is_public_read("/catalog.ttl"), is_public_read("/ui/catalog/dataset/kela")
    (True, True)
    >>> is_public_read("/catalogue-secrets"), is_public_read("/api/catalogx")
    (False, False)
    >>> is_public_read("/products/Person/BasicInformation_v1.0/openapi.json")
    True
    >>> is_public_read("/products/Person/BasicInformation_v1.0")
    False
    """
    return (path in PUBLIC_READ_PATHS
            or (path.startswith("/products/") and path.endswith(PUBLIC_READ_SUFFIX))
            or any(path == prefix.rstrip("/") or path.startswith(prefix.rstrip("/") + "/")
                   or path.startswith(prefix.rstrip("/") + ".") for prefix
                   in PUBLIC_READ_PREFIXES))


def is_public(method: str, path: str) -> bool:
    """Whether a request needs no bearer token: the few public paths, and reading (GET,
    HEAD) the catalogue and the data products' descriptions.

    >>> is_public("GET", "/catalog.ttl"), is_public("POST", "/api/catalog/search")
    (True, False)
    """
    return path in PUBLIC_PATHS or (method in READ_METHODS and is_public_read(path))


def is_page(path: str) -> bool:
    return path == UI_PREFIX or path.startswith(UI_PREFIX + "/")


def split_session(value: str) -> tuple[str, str] | None:
    """(session id, token) of a session cookie's value, or None when it is not one.

    >>> split_session("abc.x.y.z")
    ('abc', 'x.y.z')
    >>> split_session("nodot") is None
    True
    """
    session_id, dot, token = value.partition(".")
    return (session_id, token) if dot and session_id and token else None


def session_cookie(scope: Scope) -> str | None:
    """The session cookie's value in a request, if it has one."""
    for key, value in scope["headers"]:
        if key == b"cookie":
            found = cookie_parser(value.decode("latin-1")).get(SESSION_COOKIE)
            if found:
                return found
    return None


@dataclass(frozen=True)
class BodyLimits:
    default: int
    by_prefix: tuple[tuple[str, int | None], ...] = ()
    """(path prefix, limit or None for unlimited), first match wins."""

    def for_path(self, path: str) -> int | None:
        for prefix, limit in self.by_prefix:
            if path.startswith(prefix):
                return limit
        return self.default


class Gatekeeper:
    def __init__(self, app: ASGIApp, *, signing_key: bytes, limits: BodyLimits) -> None:
        self.app, self._key, self.limits = app, signing_key, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        state = scope.setdefault("state", {})
        state["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (b"x-request-id", request_id.encode())]
            await send(message)

        path = scope["path"]
        if is_public_read(path) and scope["method"] not in READ_METHODS:
            # Nothing is ever written through a public path, token or not.
            await _refuse(send_with_id, request_id, 405, "Method not allowed",
                          "this path is read-only: GET or HEAD", "method-not-allowed",
                          [(b"allow", b"GET, HEAD")])
            return
        if is_public(scope["method"], path):
            # Anyone may read; a signed-in reader is still known (a page shows who).
            if is_page(path):
                self._session(scope, state)
            elif not isinstance(principal := self._authenticate(scope), str):
                state["principal"] = principal
        elif is_page(path):
            if not await self._admit_page(scope, state, send_with_id):
                return
        else:
            principal = self._authenticate(scope)
            if isinstance(principal, str):
                await _refuse(send_with_id, request_id, 401, "Not authenticated", principal,
                              "unauthenticated", [(b"www-authenticate", b"Bearer")])
                return
            state["principal"] = principal
        limit = self.limits.for_path(path)
        if limit is not None:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                await _refuse(send_with_id, request_id, 413, "Request body too large",
                              f"this endpoint takes at most {limit} bytes; the request "
                              f"declares {declared}", "body-too-large")
                return
            receive = _counting(receive, limit)
        await self.app(scope, receive, send_with_id)

    async def _admit_page(self, scope: Scope, state: dict, send: Send) -> bool:
        """Whether a page request may go on: public pages always; others with a valid
        session, whose principal and id are then in ``state``. Otherwise the browser is
        sent to sign in (and a stale session cookie is cleared)."""
        path = scope["path"]
        if path == SIGN_IN_PATH or path.startswith(UI_STATIC_PREFIX):
            return True
        if self._session(scope, state):
            return True
        cookie = session_cookie(scope)
        headers = [(b"location", SIGN_IN_PATH.encode()), (b"cache-control", b"no-store"),
                   (b"content-length", b"0")]
        if cookie is not None:
            headers.append((b"set-cookie", f"{SESSION_COOKIE}=; Max-Age=0; Path={UI_PREFIX}; "
                                           "HttpOnly; SameSite=Strict".encode()))
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return False

    def _session(self, scope: Scope, state: dict) -> bool:
        """Put the principal and session id of a valid session cookie in ``state``."""
        cookie = session_cookie(scope)
        session = split_session(cookie) if cookie else None
        if session is None:
            return False
        try:
            state["principal"] = verify(self._key, session[1])
        except TokenError:
            return False
        state["session_id"] = session[0]
        return True

    def _authenticate(self, scope: Scope) -> Principal | str:
        """The caller, or why not (a message that names what is missing)."""
        header = next((v for k, v in scope["headers"] if k == b"authorization"), None)
        if header is None:
            return ("this endpoint needs a bearer token (Authorization: Bearer <token>); "
                    "issue one with `tyodata token`")
        scheme, _, token = header.decode("latin-1").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return "send the token as Authorization: Bearer <token>"
        try:
            return verify(self._key, token.strip())
        except TokenError as error:
            return str(error)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _counting(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge(limit)
        return message

    return counted


async def _refuse(send: Send, request_id: str, status: int, title: str, detail: str,
                  kind: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps(problem_body(status, title, detail, kind, request_id)).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM.encode()),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
