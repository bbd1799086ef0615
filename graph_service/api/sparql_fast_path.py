"""/sparql without FastAPI's routing and dependency resolution: the same query path, less
of the framework's fixed cost per request (measured at a third of a small query here).

The route in ``routes/sparql.py`` documents the endpoint in OpenAPI and runs the very
same ``query_path.answer``; this middleware takes /sparql requests before routing. The
gatekeeper in front of it has already authenticated the caller and limits the body, and
errors become the same problem documents through the app's one handler table.
"""

from __future__ import annotations

import logging

from fastapi import Request

from graph_service.api.deps import MAX_PURPOSE_LENGTH
from graph_service.api.gatekeeper import ASGIApp, Receive, Scope, Send
from graph_service.api.problems import Problem, handlers
from graph_service.api.query_path import answer
from graph_service.policy.visibility import sparql_reader

log = logging.getLogger("tyodata.api")
_HANDLERS = handlers()


class SparqlFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] != "http" or scope["path"] != "/sparql"
                or scope["method"] not in ("GET", "POST")):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        principal = scope["state"]["principal"]  # the gatekeeper let only callers through
        declared = (request.headers.get("x-purpose"), request.query_params.get("purpose"))
        purpose = declared[0] or declared[1]
        try:
            if any(p is not None and len(p) > MAX_PURPOSE_LENGTH for p in declared):
                raise Problem(422, "Invalid request", "X-Purpose (or purpose=) is at most "
                              f"{MAX_PURPOSE_LENGTH} characters", "invalid-request")
            response = await answer(request, scope["app"].state.services, principal,
                                    purpose, sparql_reader(principal), resource="/sparql")
        except Exception as error:  # the app's handler table decides the problem document
            handler = next(_HANDLERS[kind] for kind in type(error).__mro__ if kind in _HANDLERS)
            if handler is _HANDLERS[Exception]:
                log.error("unexpected error on /sparql", exc_info=error)
            response = await handler(request, error)
        await response(scope, receive, send)
