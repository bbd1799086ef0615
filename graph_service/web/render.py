"""Rendering a page: the Jinja2 environment (autoescaped, strict) and what every page gets
(the language's catalogue, the language switch, the signed-in user, the CSRF token)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from graph_service.policy.decision import PURPOSES
from graph_service.web import i18n
from graph_service.web.session import (
    LANGUAGE_COOKIE,
    csrf_binding,
    csrf_token,
    remember_language,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class PageKeys:
    signing: bytes
    csrf: bytes


# Every template is autoescaped; an undefined name is an error, not an empty string.
ENVIRONMENT = Environment(loader=FileSystemLoader(TEMPLATES),
                          autoescape=select_autoescape(default=True, default_for_string=True),
                          undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def page_keys(request: Request) -> PageKeys:
    return request.app.state.page_keys


def catalogue(request: Request) -> i18n.Catalogue:
    """The language of this request: ``?lang=``, else the ``lang`` cookie, else Finnish."""
    cached = getattr(request.state, "catalogue", None)
    if cached is None:
        cached = i18n.choose(request.query_params.get("lang"),
                             request.cookies.get(LANGUAGE_COOKIE))
        request.state.catalogue = cached
    return cached


def _language_links(request: Request, current: str,
                    page: tuple[str, dict[str, str | list[str]]] | None
                    ) -> list[dict[str, Any]]:
    """The language switch: this page (or ``page``: the GET address of a page a POST
    answered) in each language, keeping only the parameters pages pass on."""
    path, kept = page or (request.url.path, _kept_parameters(request))
    return [{"code": code, "name": found.name, "current": code == current,
             "href": path + "?" + urlencode({**kept, "lang": code}, doseq=True)}
            for code, found in i18n.catalogues().items()]


def _kept_parameters(request: Request) -> dict[str, str]:
    """What a page's own links pass on: a known purpose, nothing else a caller put in the
    URL (so no page ever writes back what was typed into an address)."""
    purpose = request.query_params.get("purpose")
    return {"purpose": purpose} if purpose in PURPOSES else {}


def render(request: Request, template: str, *, status: int = 200, binding: str | None = None,
           page: tuple[str, dict[str, str | list[str]]] | None = None, **context: Any
           ) -> HTMLResponse:
    """``template`` in the request's language; forms get the CSRF token of ``binding``
    (default: the session's); the language switch points at ``page`` (path, parameters)
    when the request was a POST to another address."""
    messages = catalogue(request)
    binding = binding or csrf_binding(request)
    keys = page_keys(request)
    html = ENVIRONMENT.get_template(template).render(
        t=messages.text, lang=messages.language, fmt_date=messages.date,
        fmt_time=messages.datetime, label=lambda prefix, value: _label(messages, prefix, value),
        languages=_language_links(request, messages.language, page),
        principal=getattr(request.state, "principal", None), path=request.url.path,
        csrf=csrf_token(keys.csrf, binding) if binding else "",
        **context)
    response = HTMLResponse(html, status_code=status)
    _remember_chosen_language(request, response, messages.language)
    return response


def _label(messages: i18n.Catalogue, prefix: str, value: str) -> str:
    """The catalogue's name of a code (``prefix`` + value), else the code itself."""
    return messages.text_or(prefix + value, value)


def redirect(request: Request, url: str) -> RedirectResponse:
    """303 See Other: after a POST, the browser GETs ``url`` (so a reload never posts
    again and the history holds only that URL)."""
    response = RedirectResponse(url, status_code=303)
    _remember_chosen_language(request, response, catalogue(request).language)
    return response


def _remember_chosen_language(request: Request, response: HTMLResponse | RedirectResponse,
                              language: str) -> None:
    asked = request.query_params.get("lang")
    if asked == language and request.cookies.get(LANGUAGE_COOKIE) != language:
        settings = request.app.state.services.settings
        remember_language(response, request, language, secure_always=settings.secure_cookies)
