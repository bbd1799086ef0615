"""The first thing every request meets (pure ASGI, before any route or body parsing).

1. A request id (``X-Request-Id``), which problem documents carry as their ``instance``
   instead of anything the caller sent.
2. Authentication: outside the few public paths, a request without a valid bearer token
   is answered 401 before a byte of its body is read.
3. Body size: a declared ``Content-Length`` over the path's limit is answered 413 at
   once; a chunked body is counted as it streams and cut off at the limit.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

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
        if path not in PUBLIC_PATHS:
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
