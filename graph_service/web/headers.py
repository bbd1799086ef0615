"""Security headers of every page response (pure ASGI, outermost, so redirects and error
pages get them too).

The Content-Security-Policy lets a page load only the service's own style sheet and
images: no script at all, no frames, forms posting only back here. Pages carry personal
data, so no cache keeps them (``no-store``) and no Referer tells another site where the
browser came from; the static assets (no personal data) may be cached.
"""

from __future__ import annotations

from graph_service.api.gatekeeper import (
    UI_STATIC_PREFIX,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    is_page,
)

CONTENT_SECURITY_POLICY = ("default-src 'none'; style-src 'self'; img-src 'self'; "
                           "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
_COMMON = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_NO_STORE = (b"cache-control", b"no-store")
_STATIC_CACHE = (b"cache-control", b"public, max-age=3600")


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        cache = _STATIC_CACHE if scope["path"].startswith(UI_STATIC_PREFIX) else _NO_STORE

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                ours = {name for name, _ in _COMMON} | {b"cache-control"}
                kept = [(k, v) for k, v in message.get("headers", [])
                        if k.lower() not in ours]
                message["headers"] = [*kept, *_COMMON, cache]
            await send(message)

        await self.app(scope, receive, with_headers)
