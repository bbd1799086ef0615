"""The whole service: the graph API with the pages for case workers and citizens on top.

The API app knows nothing of the pages (they sit a floor above it); this adds them: the
page router, the static assets (served by the service itself: no page fetches anything
from another host), error pages for page paths, and the security headers of every page.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from core.settings import Settings
from graph_service.api.app import create_app
from graph_service.api.gatekeeper import UI_STATIC_PREFIX
from graph_service.policy.tokens import load_or_create_signing_key
from graph_service.store.base import GraphStore
from graph_service.web import errors, pages
from graph_service.web.headers import SecurityHeaders
from graph_service.web.render import PageKeys
from graph_service.web.session import csrf_key

STATIC = Path(__file__).resolve().parent / "static"


def create_service_app(settings: Settings | None = None,
                       store: GraphStore | None = None) -> FastAPI:
    """The API app (``graph_service.api.app.create_app``) with the pages added."""
    settings = settings or Settings()
    app = create_app(settings, store)
    signing_key = load_or_create_signing_key(settings.signing_key_path)
    app.state.page_keys = PageKeys(signing=signing_key, csrf=csrf_key(signing_key))
    app.include_router(pages.router)
    app.mount(UI_STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC), name="ui-static")
    errors.install(app)
    app.add_middleware(SecurityHeaders)  # outermost: redirects and refusals get them too
    return app
