"""Bounded cost, tried as an attacker would, against a real `tyodata serve`.

An unprivileged caller floods the service with cross-join queries: each is stopped at the
time limit (its worker killed, so the CPU is free again at once), the caller gets at most
a few at a time, and /healthz and other callers' cheap queries keep answering fast.
Bodies are refused before they are read: without a token (401) and over the limit (413).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import Loaded
from tests.mappings.test_no_orphans import assert_all_gone
from tests.service import Service, running_service

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "SELECT ?s WHERE { ?s a <http://data.europa.eu/esco/model#Occupation> } LIMIT 3"
TIMEOUT_S = 3


@pytest.fixture(scope="module")
def service(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("limits")
    with running_service(loaded, root, sparql_timeout_s=TIMEOUT_S, sparql_workers=3,
                         sparql_per_caller=2, sparql_queue=4) as svc:
        yield svc


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by the process and every descendant."""
    total = 0.0
    for process in [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


def test_a_flood_of_expensive_queries_is_cut_off_and_others_are_still_served(service: Service):
    attacker = service.auth("employer")
    statuses: list[int] = []
    done = threading.Event()

    def attack(_: int) -> None:
        with httpx.Client(timeout=60) as client:
            statuses.append(client.get(service.base + "/sparql", headers=attacker,
                                       params={"query": CROSS_JOIN}).status_code)

    pool = ThreadPoolExecutor(40)
    futures = [pool.submit(attack, i) for i in range(40)]
    health, cheap = [], []
    other = {"Authorization": f"Bearer {service.token('developer', 'someone-else')}"}
    with httpx.Client(timeout=30) as client:
        time.sleep(0.5)  # the flood is in
        while not all(f.done() for f in futures):
            t0 = time.perf_counter()
            assert client.get(service.base + "/healthz").status_code == 200
            health.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            r = client.get(service.base + "/sparql", headers=other, params={"query": CHEAP})
            assert r.status_code == 200, r.text
            cheap.append(time.perf_counter() - t0)
            time.sleep(0.2)
    done.set()
    pool.shutdown()
    # The attacker got no answer and no error of ours: refusals (429) and time limits (503).
    assert len(statuses) == 40 and set(statuses) <= {429, 503}, statuses
    assert statuses.count(503) >= 2 and statuses.count(429) >= 30
    assert max(health) < 1.0, health
    assert max(cheap) < 2.0, cheap
    # Right after the limit, the CPU is idle again: the killed workers' queries are gone.
    time.sleep(0.5)
    before = cpu_seconds(service.process.pid)
    time.sleep(2.0)
    used = cpu_seconds(service.process.pid) - before
    assert used < 0.4, f"{used:.2f} s of CPU in 2 s after the flood"


def test_a_query_past_its_limit_stops_at_the_limit(service: Service):
    t0 = time.perf_counter()
    r = httpx.get(service.base + "/sparql", headers=service.auth("developer"),
                  params={"query": CROSS_JOIN}, timeout=60)
    elapsed = time.perf_counter() - t0
    assert r.status_code == 503 and r.json()["type"].endswith("query-timeout")
    assert TIMEOUT_S - 0.5 < elapsed < TIMEOUT_S + 3
    assert "stopped" in r.json()["detail"]


def _chunks(total: int, size: int = 1 << 20):
    block = b"x" * size
    for _ in range(total // size):
        yield block


def test_a_body_without_a_token_is_refused_before_it_is_read(service: Service):
    rss = psutil.Process(service.process.pid).memory_info().rss
    t0 = time.perf_counter()
    with httpx.Client(timeout=60) as client:
        try:
            r = client.post(service.base + "/api/persons/lookup", content=_chunks(400 << 20),
                            headers={"Content-Type": "application/json"})
            status = r.status_code
            assert r.headers["content-type"] == "application/problem+json"
        except httpx.HTTPError:  # the server may close the connection before we finish
            status = 401
    assert status == 401
    assert time.perf_counter() - t0 < 20
    grown = psutil.Process(service.process.pid).memory_info().rss - rss
    assert grown < 50 << 20, f"the service grew by {grown >> 20} MB"


def test_an_oversized_body_is_refused_before_it_is_read(service: Service):
    auth = service.auth("case_worker", "case-management")
    declared = httpx.post(service.base + "/api/persons/lookup", headers={
        **auth, "Content-Type": "application/json"}, content=b"{" + b" " * (1 << 20) + b"}")
    assert declared.status_code == 413 and "at most" in declared.json()["detail"]
    rss = psutil.Process(service.process.pid).memory_info().rss
    with httpx.Client(timeout=60) as client:
        try:  # chunked: no length declared, counted as it streams
            status = client.post(service.base + "/sparql", content=_chunks(200 << 20), headers={
                **service.auth("steward", "data-quality"),
                "Content-Type": "application/sparql-query"}).status_code
        except httpx.HTTPError:
            status = 413
    assert status == 413
    grown = psutil.Process(service.process.pid).memory_info().rss - rss
    assert grown < 50 << 20, f"the service grew by {grown >> 20} MB"


def test_killing_the_service_leaves_no_worker_behind(loaded: Loaded, tmp_path: Path):
    with running_service(loaded, tmp_path, sparql_workers=2) as svc:
        children = psutil.Process(svc.process.pid).children(recursive=True)
        assert len(children) >= 2  # the sandboxed query workers
        svc.process.kill()
        svc.process.wait()
        assert_all_gone(children)
