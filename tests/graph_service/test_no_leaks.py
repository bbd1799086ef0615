"""No identity code in any response, error, log line or audit record, on every error path,
against a real `tyodata serve` whose whole output is kept.

Codes are sent where callers put them by mistake (the URL path, parameters, headers,
SPARQL literals and IRIs, malformed queries, unknown functions the engine names in its
error), in the three spellings a careless guard misses: as is, with a lowercase check
character, and glued to other characters. An upstream SPARQL server that quotes the query
in its errors, and one whose answer makes our parser fail (a 500 with a traceback), cover
the remote-store paths. Everything is scanned with the tests' own detector.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic import PERSONAS
from tests.conftest import Loaded, free_port, wait_for
from tests.leaks import identity_codes
from tests.service import Service, running_service

CODE = PERSONAS[0].hetu
SPELLINGS = (CODE, CODE[:-1] + CODE[-1].lower(), f"x{CODE}z")


def scan(texts: list[str], where: str) -> None:
    leaked = [(i, codes) for i, text in enumerate(texts) if (codes := identity_codes(text))]
    assert not leaked, f"{len(leaked)} identity code leak(s) in {where}: {leaked[:3]}"


def requests_with_codes(service: Service) -> list[httpx.Response]:
    steward, case_worker = service.auth("steward", "data-quality"), service.auth(
        "case_worker", "case-management")
    sent = []
    with httpx.Client(base_url=service.base, timeout=60) as client:
        for code in SPELLINGS:
            sent += [
                client.get(f"/api/persons/{code}", headers=case_worker),
                client.get("/api/audit", headers=steward, params={"person": code}),
                client.get("/graphs", headers={"Authorization": f"Bearer {code}"}),
                client.get("/sparql", headers={**steward, "X-Purpose": code},
                           params={"query": "ASK {}"}),
                client.post("/api/persons/lookup", headers=case_worker,
                            json={"identity_code": code}),
                client.post("/api/persons/lookup", headers=service.auth("developer"),
                            json={"identity_code": code}),
                client.post("/api/persons/lookup", headers=case_worker,
                            content=f'{{"identity_code": "{code}", '),
                client.get("/sparql", headers=steward,
                           params={"query": f'SELECT * WHERE {{ ?s ?p "{code}" }}'}),
                client.get("/sparql", headers=steward,
                           params={"query": f'SELECT * WHERE {{ ?s ?p "{code}" '}),
                client.get("/sparql", headers=steward,
                           params={"query": f"SELECT * WHERE {{ ?s ?p <{code}> }}"}),
                client.get("/sparql", headers=steward, params={
                    "query": f"SELECT * WHERE {{ ?s ?p ?o FILTER(<http://x/{code}>(?o)) }}"}),
                client.get("/sparql", headers=steward, params={
                    "query": f"SELECT * WHERE {{ SERVICE <http://{code}/> {{ ?s ?p ?o }} }}"}),
                client.post("/admin/update", headers={
                    **service.auth("admin"), "Content-Type": "application/sparql-update"},
                            content=f'INSERT DATA {{ GRAPH <https://tyodata.fi/graph/identity>'
                                    f' {{ <urn:a> <urn:b> "{code}" }} }}'),
                client.post("/admin/update", headers={
                    **service.auth("admin"), "Content-Type": "application/sparql-update"},
                            content=f'INSERT DATA {{ <urn:a> <urn:b> "{code}" '),
                client.get(f"/no/such/{code}", headers=steward),
            ]
    return sent


def test_no_code_leaks_from_the_service(loaded: Loaded, tmp_path: Path):
    with running_service(loaded, tmp_path) as service:
        responses = requests_with_codes(service)
    statuses = {r.status_code for r in responses}
    assert statuses <= {200, 400, 401, 403, 404, 422}, statuses
    assert {400, 401, 403, 422} <= statuses
    problems = [r for r in responses if r.status_code >= 400]
    assert all(r.json()["instance"].startswith("urn:uuid:") for r in problems)
    assert all(r.headers["x-request-id"] in r.json()["instance"].replace("-", "")
               for r in problems)
    scan([r.text for r in responses], "response bodies")
    scan([json.dumps(dict(r.headers)) for r in responses], "response headers")
    scan([service.log.read_text()], "the server log")
    audit = service.home / "audit"
    scan([p.read_bytes().decode("latin-1") for p in audit.iterdir()], "the audit files")
    # The denials were recorded, redacted, not dropped.
    records = [json.loads(line) for line in (audit / "audit.jsonl").read_text().splitlines()]
    assert sum(r["decision"] == "deny" for r in records) >= 6
    assert any("[identity code removed]" in (r["statement"] or "") for r in records)


class _EchoingUpstream(BaseHTTPRequestHandler):
    """A SPARQL server that quotes the query in its errors, or answers garbage."""

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        body = self.rfile.read(int(self.headers.get("content-length", 0))).decode()
        if "malformed" in body:
            self._send(400, "text/plain", f"Parse error in query: {body}")
        elif "garbage" in body:
            self._send(200, "application/n-triples", f"<urn:a> <urn:b> {CODE} {CODE} .\n")
        elif "broken" in body:
            self._send(500, "text/plain", f"engine panicked on {body}")
        else:
            self._send(200, "application/sparql-results+json",
                       '{"head": {"vars": []}, "results": {"bindings": []}}')

    def _send(self, status: int, kind: str, text: str) -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingUpstream)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_no_code_leaks_from_upstream_errors(upstream: str, tmp_path: Path):
    home = tmp_path / "home"
    env = {**os.environ, "TYODATA_HOME": str(home)}
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "tyodata", "serve", "--endpoint",
                                   upstream, "--port", str(port)], env=env, stdout=out,
                                  stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", 60)
        key = load_or_create_signing_key(home / "keys" / "signing.key")
        auth = {"Authorization": "Bearer " + issue(key, subject="st", organisation="dvv",
                                                   roles=["steward"]),
                "X-Purpose": "data-quality"}
        responses = []
        with httpx.Client(base_url=base, timeout=60) as client:
            for code in SPELLINGS:
                for marker in ("malformed", "garbage", "broken"):
                    responses.append(client.get("/sparql", headers=auth, params={
                        "query": f'SELECT * WHERE {{ ?s <urn:{marker}> "{code}" }}'}))
                    responses.append(client.get("/sparql", headers=auth, params={
                        "query": f'CONSTRUCT {{ ?s ?p "{code}" }} WHERE {{ ?s <urn:{marker}> '
                                 '?o }', }))
    finally:
        server.terminate()
        server.wait(timeout=30)
    statuses = {r.status_code for r in responses}
    assert statuses == {400, 502, 503}, statuses
    scan([r.text for r in responses], "response bodies")
    scan([log.read_text()], "the server log")


def test_tracebacks_in_the_log_are_redacted():
    """The last line of defence for a 500: uvicorn logs the traceback with the exception's
    message, which may quote a caller's input."""
    import io
    import logging

    from graph_service.api.problems import RedactingFilter

    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("tests.traceback")
    logger.addHandler(handler)
    try:
        raise RuntimeError(f"the engine choked on {SPELLINGS[2]} and {SPELLINGS[1]}")
    except RuntimeError:
        logger.exception("Exception in ASGI application for %s", SPELLINGS[0])
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert "Traceback" in text and "RuntimeError" in text and "[identity code removed]" in text
    scan([text], "a logged traceback")
