"""The SPARQL 1.1 Protocol endpoint (query only).

What a caller sees is decided server-side by role (graph_service.policy.access);
protocol parameters and FROM clauses can only narrow that, never widen it.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from rdflib import Graph

from core.hetu import redact
from graph_service.api.deps import (
    CurrentPrincipal,
    Purpose,
    ServicesDep,
    authorize_personal_read,
)
from graph_service.api.problems import Problem
from graph_service.policy.access import sees_registry_graphs, sparql_dataset
from graph_service.store.base import Dataset
from graph_service.store.results import GRAPH_TYPES, SELECT_TYPES, serialize

router = APIRouter(tags=["sparql"])

_COMMENT = re.compile(r"#[^\n]*")
_IRI_OR_STRING = re.compile(r"<[^>]*>|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'")
_UPDATE = re.compile(r"\b(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD)\b", re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_FROM = re.compile(r"\bFROM\s+(NAMED\s+)?<([^>]*)>", re.I)
_ALIASES = {"application/json": "application/sparql-results+json",
            "application/xml": "application/sparql-results+xml",
            "text/xml": "application/sparql-results+xml",
            "application/rdf+json": "application/ld+json", "text/plain": "application/n-triples"}


def _keywords_only(query: str) -> str:
    """The query with IRIs, strings and comments blanked, so keyword checks see syntax only."""
    return _IRI_OR_STRING.sub(" ", _COMMENT.sub(" ", query))


def _negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
    """The best offered media type for an Accept header (q-values honoured)."""
    if not accept.strip():
        return offered[0]
    choices = []
    for i, part in enumerate(accept.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = _ALIASES.get(fields[0].lower(), fields[0].lower())
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        choices.append((-q, i, media))
    for neg_q, _, media in sorted(choices):
        if -neg_q <= 0:
            continue
        if media in offered:
            return media
        if media in ("*/*", "application/*", "text/*"):
            family = media.split("/")[0]
            for o in offered:
                if family == "*" or o.startswith(family + "/"):
                    return o
    return None


async def _read_request(request: Request) -> tuple[str | None, list[tuple[str, str]]]:
    """(query, protocol parameters) from GET, form POST or direct POST."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = (await request.body()).decode("utf-8", errors="replace")
        if kind == "application/x-www-form-urlencoded":
            params += parse_qsl(body, keep_blank_values=True)
        elif kind == "application/sparql-query":
            return body, params
        elif kind == "application/sparql-update":
            raise Problem(403, "Updates refused", "this endpoint answers queries only; data "
                          "enters the graph through `tyodata ingest`", "update-refused")
        else:
            raise Problem(415, "Unsupported media type", "POST a query as "
                          "application/x-www-form-urlencoded (query=...) or "
                          "application/sparql-query", "unsupported-media-type")
    if any(k == "update" for k, _ in params):
        raise Problem(403, "Updates refused", "this endpoint answers queries only; data enters "
                      "the graph through `tyodata ingest`", "update-refused")
    queries = [v for k, v in params if k == "query"]
    if len(queries) > 1:
        raise Problem(400, "Malformed request", "send exactly one query parameter",
                      "malformed-request")
    return (queries[0] if queries else None), params


def _dataset(allowed: Dataset, query: str, params: list[tuple[str, str]]) -> Dataset:
    """Protocol parameters, else the query's FROM clauses, else everything allowed."""
    default = [v for k, v in params if k == "default-graph-uri"]
    named = [v for k, v in params if k == "named-graph-uri"]
    if not default and not named:
        for is_named, iri in _FROM.findall(_COMMENT.sub(" ", query)):
            (named if is_named else default).append(iri)
        if not default and not named:
            return allowed
    visible = set(allowed.named)
    hidden = sorted({g for g in default + named if g not in visible})
    if hidden:
        raise Problem(403, "Graph not visible", f"your role may not query {', '.join(hidden)}; "
                      "GET /graphs lists what is served", "graph-forbidden")
    return Dataset(default=tuple(default), named=tuple(named))


async def sparql(
    request: Request,
    services: ServicesDep,
    principal: CurrentPrincipal,
    purpose: Purpose,
) -> Response:
    query, params = await _read_request(request)
    # Store calls block: keep them off the event loop.
    return await run_in_threadpool(_answer, request.headers.get("accept", ""), query, params,
                                   services, principal, purpose)


def _answer(accept: str, query: str | None, params: list[tuple[str, str]],
            services: ServicesDep, principal: CurrentPrincipal, purpose: str | None) -> Response:
    if not query or not query.strip():
        raise Problem(400, "Malformed request", "no query: send query=... (GET or form POST) "
                      "or a application/sparql-query body", "malformed-request")
    syntax = _keywords_only(query)
    if _UPDATE.search(syntax) and not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", syntax,
                                                re.I):
        raise Problem(403, "Updates refused", "this endpoint answers queries only; data enters "
                      "the graph through `tyodata ingest`", "update-refused")
    if _SERVICE.search(syntax):
        raise Problem(403, "Federation refused", "SERVICE (federated) queries are not allowed",
                      "service-refused")
    dataset = _dataset(sparql_dataset(services.current.get(), principal), query, params)
    if sees_registry_graphs(principal):
        # Registry graphs hold pseudonymous personal data: a purpose and an audit record.
        redacted = redact(query)
        authorize_personal_read(services, principal, purpose, person=None, action="sparql",
                                resource=redacted[:500])
    settings = services.settings
    result = services.store.execute(query, dataset=dataset, max_rows=settings.sparql_max_rows,
                                    timeout_s=settings.sparql_timeout_s)
    offered = GRAPH_TYPES if isinstance(result, Graph) else (
        SELECT_TYPES[:2] if isinstance(result, bool) else SELECT_TYPES)
    media = _negotiate(accept, offered)
    if media is None:
        raise Problem(406, "Not acceptable", f"this result can be sent as {', '.join(offered)}",
                      "not-acceptable")
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(serialize(result, media), media_type=media + charset)


_DESCRIPTION = ("SPARQL 1.1 Protocol query endpoint. Results by content negotiation: SPARQL "
                "JSON, XML, CSV, TSV; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE. "
                "Stewards must declare a purpose (X-Purpose) and are audited.")
_PARAMETERS = [
    {"name": "query", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "The SPARQL query"},
    {"name": "default-graph-uri", "in": "query", "schema": {"type": "array",
     "items": {"type": "string"}}, "description": "Narrow the default graph (repeatable)"},
    {"name": "named-graph-uri", "in": "query", "schema": {"type": "array",
     "items": {"type": "string"}}, "description": "Narrow the named graphs (repeatable)"},
]
_BODY = {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
        "query": {"type": "string"}, "default-graph-uri": {"type": "array",
        "items": {"type": "string"}}, "named-graph-uri": {"type": "array",
        "items": {"type": "string"}}}, "required": ["query"]}},
    "application/sparql-query": {"schema": {"type": "string"}}}}
router.add_api_route("/sparql", sparql, methods=["GET"], summary="SPARQL query (GET)",
                     description=_DESCRIPTION, openapi_extra={"parameters": _PARAMETERS})
router.add_api_route("/sparql", sparql, methods=["POST"], summary="SPARQL query (POST)",
                     description=_DESCRIPTION,
                     openapi_extra={"parameters": _PARAMETERS[1:], "requestBody": _BODY})
