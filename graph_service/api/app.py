"""The FastAPI application: wiring only (routers, handlers, services built once)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from catalog.service import CatalogueService
from core.keys import load_or_create_key
from core.private import private_dir, restrict_umask
from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.api.deps import Services
from graph_service.api.gatekeeper import BodyLimits, Gatekeeper
from graph_service.api.openapi import install as install_openapi
from graph_service.api.problems import handlers, redact_logs
from graph_service.api.routes import (
    admin,
    audit,
    catalog,
    consents,
    esco,
    forecast,
    graphs,
    health,
    matching,
    me,
    model_files,
    persons,
    policies,
    products,
    reported,
    situation,
    sparql,
)
from graph_service.api.sparql_fast_path import SparqlFastPath
from graph_service.policy.audit import AuditLog
from graph_service.policy.audit_anchors import record_anchor
from graph_service.policy.policy_graph import ensure_default_policy
from graph_service.policy.tokens import load_or_create_signing_key
from graph_service.store.base import GraphStore
from graph_service.store.errors import StoreError
from graph_service.store.factory import open_store
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import DirectoryCache
from graph_service.store.sandbox import QueryLimits, QueryRunner, QuerySandbox, RemoteQueryRunner
from matchers.service import MatchingService

log = logging.getLogger("tyodata.api")
ESCO_MATCH_MAX_BODY = esco.MAX_TEXTS * esco.MAX_TEXT_CHARS * 6 + 64 * 1024

DESCRIPTION = """Työdata graph: registry extracts in one ESCO-linked knowledge graph.

Authenticate with `Authorization: Bearer <token>` (`tyodata token`). Endpoints that
read personal data also need a declared purpose (`X-Purpose`), and every such
access, permitted or denied, is written to the audit log. Errors are RFC 9457
problem details whose `instance` is the request id (`X-Request-Id`)."""


def query_runner(settings: Settings, store: GraphStore) -> QueryRunner:
    """Callers' queries run in sandboxed workers on an embedded store, on the server
    otherwise; both behind the same per-caller and overall limits."""
    limits = QueryLimits(workers=settings.sparql_workers, per_caller=settings.sparql_per_caller,
                         queue=settings.sparql_queue, timeout_s=settings.sparql_timeout_s,
                         max_bytes=settings.sparql_max_result_bytes)
    if isinstance(store, OxigraphStore):
        return QuerySandbox(store, limits)
    return RemoteQueryRunner(store, limits)


def build_services(settings: Settings, store: GraphStore | None = None) -> Services:
    if store is None:
        store = open_store(settings.store_path, endpoint=settings.endpoint,
                           token=settings.endpoint_token)
    return Services(
        settings=settings,
        store=store,
        audit=AuditLog(settings.audit_path,
                       load_or_create_key(settings.audit_key_path, what="audit key"),
                       key_path=settings.audit_key_path),
        pseudonymize=Pseudonymizer(load_or_create_key(settings.key_path,
                                                      what="pseudonym key")),
        directory=DirectoryCache(store),
        queries=query_runner(settings, store),
        matching=MatchingService(store, settings, log=log.info),
        catalogue=CatalogueService(store),
    )


async def _anchor_periodically(services: Services) -> None:
    """Record the audit chain's head in the store, so cutting the log is detectable."""
    last = None
    while True:
        await asyncio.sleep(services.settings.audit_anchor_interval_s)
        last = await asyncio.to_thread(_anchor_if_moved, services, last)


def _anchor_if_moved(services: Services, last: int | None) -> int | None:
    anchor = services.audit.anchor()  # fsyncs the log first
    if anchor.seq == last:
        return last
    record_anchor(services.store, anchor)
    return anchor.seq


def create_app(settings: Settings | None = None, store: GraphStore | None = None) -> FastAPI:
    settings = settings or Settings()
    restrict_umask()  # the store, snapshots, audit log and keys are created owner-only
    private_dir(settings.home)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        redact_logs()
        services = build_services(settings, store)
        app.state.services = services
        try:
            ensure_default_policy(services.store)  # a store without an access policy gets ours
        except StoreError as error:  # serve anyway: with no policy, every section is denied
            log.warning("could not load the default access policy (%s); every section of "
                        "every situation view is denied until one is loaded",
                        error.__class__.__name__)
        await services.queries.start()
        anchoring = asyncio.create_task(_anchor_periodically(services))
        try:
            yield
        finally:
            anchoring.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await anchoring
            await services.queries.close()
            try:
                _anchor_if_moved(services, None)
            except Exception as error:  # shutting down: say so, do not hide the cause
                log.error("could not record the audit anchor at shutdown: %s",
                          error.__class__.__name__)
            services.audit.close()
            if store is None:  # close only what we opened
                services.store.close()

    # No native OpenTelemetry: spans would carry URLs and query strings (personal data) to
    # wherever a global provider points, and its per-request checks cost more than a lookup.
    app = FastAPI(title="Työdata graph", version="0.2.0", description=DESCRIPTION,
                  lifespan=lifespan, exception_handlers=handlers(),
                  telemetry={"tracing": False, "metrics": False, "logs": False,
                             "operation_spans": False})
    # model_files before catalog: the catalogue's /catalog/{kind}/{name:path} would take
    # the model's file paths for items.
    for module in (health, graphs, persons, situation, reported, consents, forecast, me,
                   policies, audit, sparql, admin, matching, esco, model_files, catalog,
                   products):
        app.include_router(module.router)
    install_openapi(app)  # the served document: problem schema, X-Request-Id, purposes
    signing_key = load_or_create_signing_key(settings.signing_key_path)
    app.add_middleware(SparqlFastPath)  # inside the gatekeeper: added first, runs second
    app.add_middleware(Gatekeeper, signing_key=signing_key, limits=BodyLimits(
        default=settings.max_body_bytes,
        by_prefix=(("/admin/store", None), ("/admin/identity/add", None),
                   ("/admin/update", settings.max_update_bytes),
                   ("/admin/query", settings.max_query_bytes),
                   ("/sparql", settings.max_query_bytes),
                   # 100 texts of 2,000 characters, each up to 6 bytes escaped in JSON
                   ("/api/esco/match", ESCO_MATCH_MAX_BODY))))
    return app
