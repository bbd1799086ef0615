"""The OpenAPI document tells the truth: schemathesis, every check, once per role and once
without a token, against the real app (its gatekeeper, sandboxed query workers, audit log)
in-process, each caller on its own copy of the generated store.

Cost (CI, 2 cores): one app per caller (a store copy and a lifespan, about a second), at
most MAX_EXAMPLES fuzzed cases per operation after the examples and coverage phases, with a
fixed seed and derandomized, so a run is repeatable and a failure reproduces locally:
about 75 s for the seven callers on a 2-core machine, after the session's generated store.
The stateful phase is not run: the API has no operation that creates a resource another
operation reads or deletes (the links it would follow), which is all use_after_free and
ensure_resource_availability look at; they run (and find nothing to judge) with the rest.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import shutdown_lifespans

from core.pseudonyms import PERSON_NS
from core.settings import Settings
from graph_service.api.app import create_app
from graph_service.api.gatekeeper import is_public
from graph_service.policy.tokens import ROLES, issue, load_or_create_signing_key
from tests.conftest import Loaded
from tests.graph_service.api.conftest import make_settings
from tests.leaks import identity_codes

MAX_EXAMPLES = 50
SEED = 20_250_601
# The caller's declared purpose, sent like its token: without one, a steward's and a case
# worker's every request would be refused before it reached the code worth testing.
PURPOSE = {"steward": "data-quality", "case_worker": "case-management", "admin": "data-quality"}
CALLERS = (*ROLES, None)

# SPARQL, N-Triples and SPARQL Update bodies are text (the protocol's own media types).
schemathesis.serializer.alias(["application/sparql-query", "application/sparql-update",
                               "application/n-triples"], "text/plain")

_ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]  # schemathesis' default


def _accepts_400(path: str, method: str) -> dict:
    """positive_data_acceptance for an operation whose body or parameter is a language
    JSON Schema cannot describe: a schema-valid string is still answered 400 unless it is
    in that language (the document says so). 5xx stays a failure (not_a_server_error)."""
    return {"include-path": path, "include-method": method,
            "checks": {"positive_data_acceptance": {"expected-statuses": [*_ACCEPTED, "400"]}}}


OPERATIONS = [
    # A policy is Turtle in our ODRL profile: a schema-valid string that is not one is
    # 422 invalid-policy (documented), like a SPARQL string that does not parse.
    {"include-path": "/api/policies", "include-method": "PUT",
     "checks": {"positive_data_acceptance": {"expected-statuses": [*_ACCEPTED, "400", "422"]}}},
    # A query is a SPARQL query only if it parses: a random string is 400 malformed-query
    # (the documented examples are real queries, answered 200). Likewise SPARQL Update and
    # N-Triples, and a graph name must also pass the engine's IRI grammar.
    _accepts_400("/sparql", "GET"),
    _accepts_400("/sparql", "POST"),
    _accepts_400("/admin/query", "POST"),
    _accepts_400("/admin/update", "POST"),
    _accepts_400("/admin/store", "POST"),
    # The schema carries the identity code's shape; its birth date and check character
    # cannot be written in JSON Schema, so a well-shaped code may still be 400.
    _accepts_400("/api/persons/lookup", "POST"),
    # GET /api/persons/lookup is not an undeclared method of the lookup: it is the summary
    # operation (GET /api/persons/{person_id}) with an id that fails its pattern, so it is
    # 422 there, not 405. Every other method is still probed.
    {"include-path": "/api/persons/lookup", "include-method": "POST",
     "phases": {"coverage": {"unexpected-methods": ["PUT", "DELETE", "PATCH", "OPTIONS",
                                                    "TRACE", "QUERY"]}}},
]


def config(token: str | None, purpose: str | None) -> SchemathesisConfig:
    """The run's configuration. The caller's token (the document's bearer scheme) and its
    declared purpose go with every request as fixed values, never fuzzed: ignored_auth and
    the coverage phase probe the token by leaving it out or spoiling it."""
    return SchemathesisConfig.from_dict({
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True,
                       "database": "none"},
        "phases": {"stateful": {"enabled": False}},
        "operations": OPERATIONS,
        **({"auth": {"openapi": {"HTTPBearer": {"bearer": token}}}} if token else {}),
        # x-purpose: the parameter's name in the document
        **({"headers": {"x-purpose": purpose}} if purpose else {}),
    })


@schemathesis.check
def problem_documents_echo_nothing(ctx, response, case) -> bool | None:
    """Ours: a problem's instance is urn:uuid:<X-Request-Id> and its detail repeats none of
    what was sent; no response holds an identity code."""
    text = response.text
    if response.headers.get("content-type", [""])[0].startswith("application/problem+json"):
        problem = json.loads(text)
        request_id = response.headers.get("x-request-id", [""])[0]
        assert problem["instance"] == f"urn:uuid:{uuid.UUID(request_id)}", "instance is not " \
            "the request id"
        echoed = [value for value in _sent_strings(case) if value in problem["detail"]]
        assert not echoed, f"the detail repeats {len(echoed)} value(s) the request sent"
    assert not identity_codes(text), "an identity code in the response"
    return None


def _sent_strings(case) -> Iterator[str]:
    def strings(value: object) -> Iterator[str]:
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):  # the values: names come from the document
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list | tuple):
            for item in value:
                yield from strings(item)

    sent = [case.path_parameters, case.query, case.body,
            {k: v for k, v in (case.headers or {}).items() if k.lower() != "authorization"}]
    # Short values (a digit, a word of the schema) appear in details by coincidence.
    yield from (s for s in strings(sent) if len(s.strip()) >= 8)


load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
REQUIRED = {"not_a_server_error", "status_code_conformance", "content_type_conformance",
            "response_headers_conformance", "response_schema_conformance",
            "negative_data_rejection", "positive_data_acceptance", "ignored_auth",
            "use_after_free", "ensure_resource_availability", "missing_required_header",
            "unsupported_method", "problem_documents_echo_nothing"}


@dataclass
class Caller:
    role: str | None
    schema: schemathesis.BaseSchema


@pytest.fixture(scope="module", params=CALLERS, ids=lambda role: role or "no-token")
def caller(request: pytest.FixtureRequest, loaded: Loaded,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Caller]:
    """The app, on a copy of the store of its own (an admin's run writes to it, and every
    app records the audit anchor in its store when it stops), with this caller's token."""
    role = request.param
    root = tmp_path_factory.mktemp(f"openapi-{role or 'no-token'}")
    shutil.copytree(loaded.store_path, root / "store")
    settings = make_settings(root, root / "store")
    token = None
    if role is not None:
        key = load_or_create_signing_key(settings.signing_key_path)
        token = issue(key, subject=f"openapi-{role}", organisation="kela", roles=[role],
                      person=PERSON_NS + "c" * 26 if role == "citizen" else None)
    app = create_app(settings)
    try:
        # Loading the document through the app starts its lifespan (query workers and all)
        # on schemathesis' event loop, where every request of the run is then served.
        schema = schemathesis.openapi.from_asgi("/openapi.json", app,
                                                config=config(token, PURPOSE.get(role)))
        yield Caller(role, schema)
    finally:
        shutdown_lifespans()  # this app's: the next caller's app is a new one


@pytest.fixture
def api_schema(caller: Caller) -> schemathesis.BaseSchema:
    return caller.schema


schema = schemathesis.pytest.from_fixture("api_schema")


def test_every_check_runs():
    assert not REQUIRED - {check.__name__ for check in ALL_CHECKS}


def test_every_operation_documents_its_errors(tmp_path: Path):
    document = create_app(Settings(home=tmp_path, store=tmp_path / "store")).openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            where = f"{method.upper()} {path}"
            public = is_public(method.upper(), path)
            responses = operation["responses"]
            assert "500" in responses, where
            assert ("401" in responses) is not public, where  # the gatekeeper's
            assert bool(operation.get("security")) is not public, where
            for status, response in responses.items():
                assert response["headers"]["X-Request-Id"]["required"], (where, status)
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], where


@schema.parametrize()
# No deadline (a query worker may take a while on a loaded CI machine); nothing stored
# between runs; generation-speed health checks off, the generated data is not the point.
@hypothesis.settings(deadline=None, database=None,
                     suppress_health_check=[hypothesis.HealthCheck.too_slow])
def test_openapi_tells_the_truth(case: schemathesis.Case, caller: Caller):
    case.call_and_validate(checks=ALL_CHECKS)
