"""The one path every caller's SPARQL query takes, on /sparql and on /admin/query.

read the protocol request -> the guard judges the query by the SPARQL grammar (SERVICE,
updates: refused) -> the visibility function decides the dataset from the caller's role
(what the caller named can only narrow it; hidden graphs act as empty) -> the decision
point and the audit log, where personal data is reachable -> the query runner (a killable,
network-less worker, with per-caller and overall limits) -> the negotiated serialization.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.deps import Services, current_directory, record
from graph_service.api.problems import Problem
from graph_service.policy.decision import Action, Decision, decide
from graph_service.policy.guard import CheckedQuery, GuardError, check_query
from graph_service.policy.tokens import Principal
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.store.results import GRAPH_TYPES, SELECT_TYPES

_ALIASES = {"application/json": "application/sparql-results+json",
            "application/xml": "application/sparql-results+xml",
            "text/xml": "application/sparql-results+xml",
            "application/rdf+json": "application/ld+json", "text/plain": "application/n-triples"}
UPDATE_REFUSED = ("this endpoint answers queries only; data enters the graph through "
                  "`tyodata ingest`")


@dataclass(frozen=True)
class ProtocolRequest:
    query: str
    default: tuple[str, ...]
    named: tuple[str, ...]


def negotiate(accept: str, offered: tuple[str, ...]) -> str | None:
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


def offered_types(checked: CheckedQuery) -> tuple[str, ...]:
    if checked.form in ("CONSTRUCT", "DESCRIBE"):
        return GRAPH_TYPES
    return SELECT_TYPES[:2] if checked.form == "ASK" else SELECT_TYPES


def body_media_type(request: Request) -> str:
    """The request body's media type, without parameters, lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def require_body_type(request: Request, media_type: str) -> None:
    """415 unless the body is ``media_type``."""
    if body_media_type(request) != media_type:
        raise Problem(415, "Unsupported media type", f"send the body as {media_type}",
                      "unsupported-media-type")


async def body_text(request: Request) -> str:
    """The request body as text; 400 when it is not UTF-8."""
    try:
        return (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, "Malformed request", "the request body is not UTF-8",
                      "malformed-request") from None


async def read_protocol_request(request: Request) -> ProtocolRequest:
    """The query and its dataset parameters from GET, form POST or direct POST."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        kind = body_media_type(request)
        if kind == "application/sparql-update":
            raise Problem(403, "Updates refused", UPDATE_REFUSED, "update-refused")
        if kind not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise Problem(415, "Unsupported media type", "POST a query as "
                          "application/x-www-form-urlencoded (query=...) or "
                          "application/sparql-query", "unsupported-media-type")
        body = await body_text(request)
        if kind == "application/sparql-query":
            params.append(("query", body))
        else:
            params += parse_qsl(body, keep_blank_values=True)
    if any(k == "update" for k, _ in params):
        raise Problem(403, "Updates refused", UPDATE_REFUSED, "update-refused")
    queries = [v for k, v in params if k == "query"]
    if len(queries) != 1 or not queries[0].strip():
        raise Problem(400, "Malformed request", "send exactly one query: query=... (GET or "
                      "form POST) or an application/sparql-query body", "malformed-request")
    return ProtocolRequest(queries[0],
                           tuple(v for k, v in params if k == "default-graph-uri"),
                           tuple(v for k, v in params if k == "named-graph-uri"))


async def answer(request: Request, services: Services, principal: Principal,
                 purpose: str | None, reader: Reader, *, resource: str,
                 timeout_s: float | None = None, max_bytes: int | None = None) -> Response:
    """Run a caller's SPARQL query on its path, with every check, and answer it."""
    protocol = await read_protocol_request(request)
    # Where personal data is reachable the decision comes first, and every request leaves
    # exactly one audit record: a refusal (the guard's or the decision point's) at once, a
    # permit while the engine works (the answer is sent only once it is written), and a
    # query stopped before it ran as such.
    decision, action = None, "sparql"
    if reader is Reader.REGISTRY:
        decision = decide(principal, Action.QUERY_REGISTRY, purpose)
    elif reader is Reader.MAINTENANCE:
        decision, action = Decision(True, "admin write path"), "admin-query"
    recorded = False

    def audit(outcome: Decision) -> None:
        nonlocal recorded
        recorded = True
        record(services, principal, purpose, person=None, action=action, resource=resource,
               decision=outcome, statement=protocol.query)

    try:
        checked = check_query(protocol.query)
    except GuardError as refusal:
        if decision is not None:
            audit(Decision(False, str(refusal)))
        raise
    offered = offered_types(checked)
    media = negotiate(request.headers.get("accept", ""), offered)
    if media is None:
        raise Problem(406, "Not acceptable", f"this result can be sent as {', '.join(offered)}",
                      "not-acceptable")
    # Protocol parameters, else the query's own FROM / FROM NAMED: either only narrows.
    default, named = protocol.default, protocol.named
    if not default and not named:
        default, named = checked.from_default, checked.from_named
    store_graphs = (await run_in_threadpool(services.store.named_graphs)
                    if reader is Reader.MAINTENANCE else ())
    directory = await current_directory(services)
    dataset = dataset_for(reader, directory, default=default, named=named,
                          store_graphs=store_graphs)
    if decision is not None and not decision.permit:
        audit(decision)
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    try:
        body = await services.queries.run(
            f"{principal.organisation}/{principal.subject}", checked.text, dataset, media,
            timeout_s=timeout_s, max_bytes=max_bytes, gone=lambda: _disconnected(request),
            while_running=None if decision is None else lambda: audit(decision))
    except Exception as error:
        if decision is not None and not recorded:
            audit(decision.denied(f"not run: {error}"))
        raise
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(body, media_type=media + charset)


async def _disconnected(request: Request) -> None:
    """Resolves when the client goes away (the body has been read by then)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return
