"""The FastAPI application: wiring only (routers, handlers, services built once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from core.keys import load_or_create_key
from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.api.deps import Services
from graph_service.api.problems import HANDLERS
from graph_service.api.routes import admin, audit, graphs, health, persons, sparql
from graph_service.policy.audit import AuditLog
from graph_service.policy.tokens import load_or_create_signing_key
from graph_service.store.base import GraphStore
from graph_service.store.factory import open_store
from graph_service.store.registry import CurrentGraphsCache

DESCRIPTION = """Työdata graph: registry extracts in one ESCO-linked knowledge graph.

Authenticate with `Authorization: Bearer <token>` (`tyodata token`). Endpoints that
read personal data also need a declared purpose (`X-Purpose`), and every such
access, permitted or denied, is written to the audit log. Errors are RFC 9457
problem details."""


def build_services(settings: Settings, store: GraphStore | None = None) -> Services:
    if store is None:
        store = open_store(settings.store_path, endpoint=settings.endpoint,
                           token=settings.endpoint_token)
    return Services(
        settings=settings,
        store=store,
        audit=AuditLog(settings.audit_path, load_or_create_key(settings.audit_key_path)),
        signing_key=load_or_create_signing_key(settings.signing_key_path),
        pseudonymize=Pseudonymizer(load_or_create_key(settings.key_path)),
        current=CurrentGraphsCache(store),
    )


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = build_services(settings, store)
        try:
            yield
        finally:
            if store is None:  # close only what we opened
                app.state.services.store.close()

    app = FastAPI(title="Työdata graph", version="0.1.0", description=DESCRIPTION,
                  lifespan=lifespan, exception_handlers=HANDLERS)
    for module in (health, graphs, persons, audit, sparql, admin):
        app.include_router(module.router)
    return app
