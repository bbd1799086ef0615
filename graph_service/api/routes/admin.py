"""The write path for `tyodata ingest --endpoint <service>/admin`: the running service
owns the on-disk store, so ingest goes through it and readers keep being answered.

Same layout as `oxigraph serve` (/query, /update, /store), admins only. Even here
the identity graph is never readable by query.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import Graph

from graph_service.api.deps import ServicesDep, audit, require_roles
from graph_service.api.problems import Problem
from graph_service.policy.tokens import Principal
from graph_service.store.base import Dataset
from graph_service.store.registry import IDENTITY_GRAPH
from graph_service.store.results import GRAPH_TYPES, serialize

router = APIRouter(prefix="/admin", tags=["admin"])
Admin = Annotated[Principal, Depends(require_roles("admin"))]


@router.post("/query", summary="SPARQL query over every graph but the identity graph")
async def admin_query(request: Request, services: ServicesDep, principal: Admin) -> Response:
    body = (await request.body()).decode("utf-8")
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    params = parse_qsl(body) if kind == "application/x-www-form-urlencoded" else []
    query = body if kind == "application/sparql-query" else next(
        (v for k, v in params if k == "query"), None)
    if not query:
        raise Problem(400, "Malformed request", "no query", "malformed-request")
    default = tuple(v for k, v in params if k == "default-graph-uri")
    named = tuple(v for k, v in params if k == "named-graph-uri")
    if IDENTITY_GRAPH in default + named:
        raise Problem(403, "Graph not visible", "the identity graph is never queryable",
                      "graph-forbidden")

    def run() -> Response:
        if default or named:
            dataset = Dataset(default=default, named=named)
        else:
            graphs = tuple(g for g in services.store.named_graphs() if g != IDENTITY_GRAPH)
            dataset = Dataset(default=(), named=graphs)
        result = services.store.execute(query, dataset=dataset, max_rows=10_000_000,
                                        timeout_s=3600)
        media = GRAPH_TYPES[1] if isinstance(result, Graph) else "application/sparql-results+json"
        return Response(serialize(result, media), media_type=media)

    return await run_in_threadpool(run)


@router.post("/update", summary="SPARQL update (one transaction)")
async def admin_update(request: Request, services: ServicesDep, principal: Admin) -> Response:
    update = (await request.body()).decode("utf-8")
    await run_in_threadpool(services.store.update, update)
    services.current.invalidate()  # a commit may have switched graphs
    audit(services, principal, None, person=None, action="update", resource="/admin/update",
          decision="permit", reason=f"{len(update)} characters")
    return Response(status_code=204)


@router.post("/store", summary="Graph Store Protocol: add N-Triples to ?graph=")
async def admin_store(request: Request, services: ServicesDep, principal: Admin,
                      graph: Annotated[str, Query(description="Target graph IRI")]) -> Response:
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    if kind != "application/n-triples":
        raise Problem(415, "Unsupported media type", "send application/n-triples",
                      "unsupported-media-type")
    with tempfile.NamedTemporaryFile(suffix=".nt", delete=False) as tmp:
        async for chunk in request.stream():
            tmp.write(chunk)
        path = Path(tmp.name)
    try:
        await run_in_threadpool(services.store.load_file, path, graph)
    finally:
        path.unlink(missing_ok=True)
    audit(services, principal, None, person=None, action="load", resource=graph,
          decision="permit", reason="graph store POST")
    return Response(status_code=204)
