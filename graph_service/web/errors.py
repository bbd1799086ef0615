"""Errors on pages: a friendly, translated page, never the caller's input.

The API answers problem documents; a page request gets an HTML page instead, from the
same handler table (each of the API's handlers is wrapped: a page path renders the page,
any other path gets the API's answer unchanged). The page says what happened in the
reader's language and quotes the request id, nothing the caller sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import Response

from graph_service.api.gatekeeper import UI_PREFIX, is_page
from graph_service.web.render import render

# Statuses with a message of their own in the catalogue; any other gets "error.other".
KNOWN_STATUSES = (400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503)


class PageError(Exception):
    """Raise in a page to answer with the error page: ``message`` is a catalogue key."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def error_page(request: Request, status: int, message: str | None = None) -> Response:
    key = message or (f"error.{status}" if status in KNOWN_STATUSES else "error.other")
    # After a POST, the language switch leads home: the posted address answers no GET.
    page = None if request.method == "GET" else (UI_PREFIX, {})
    return render(request, "error.html", status=status, message=key, page=page,
                  request_id=getattr(request.state, "request_id", ""))


async def _page_error(request: Request, exc: PageError) -> Response:
    return error_page(request, exc.status, exc.message)


Handler = Callable[[Request, Exception], Awaitable[Response]]


def _for_pages(api_handler: Handler) -> Handler:
    async def handle(request: Request, exc: Exception) -> Response:
        answer = await api_handler(request, exc)
        if not is_page(request.url.path):
            return answer
        return error_page(request, answer.status_code)

    return handle


def install(app: FastAPI) -> None:
    """Page errors as pages: every handler the API installed is wrapped."""
    for kind, handler in list(app.exception_handlers.items()):
        app.exception_handlers[kind] = _for_pages(handler)
    app.exception_handlers[PageError] = _page_error
