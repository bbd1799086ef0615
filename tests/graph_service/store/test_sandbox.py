"""The query sandbox: untrusted SPARQL runs in worker processes that cannot reach the
network, are killed at the time limit, see every committed write, and are admitted by
per-caller and overall limits."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from pathlib import Path

import psutil
import pyoxigraph as ox
import pytest

from graph_service.store.base import Dataset
from graph_service.store.errors import QueryLimitError, StoreError
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.sandbox import BusyError, QueryLimits, QuerySandbox, run_confined

JSON = "application/sparql-results+json"
GRAPH = "urn:test:g"
DATASET = Dataset.of([GRAPH])
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


class Listener:
    """A loopback TCP listener that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}/sparql"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


@pytest.fixture
def store(tmp_path: Path) -> OxigraphStore:
    store = OxigraphStore(tmp_path / "store")
    facts = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(2000))
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {facts} }} }}")
    yield store
    store.close()


def run(coroutine):
    return asyncio.run(coroutine)


def test_the_engine_in_a_worker_cannot_reach_any_host(store: OxigraphStore):
    listener = Listener()
    service = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError):  # the same query unconfined does connect: the test can fail
        list(ox.Store().query(service))
    time.sleep(0.2)
    assert listener.connections == 1

    async def scenario() -> None:
        sandbox = QuerySandbox(store, QueryLimits(workers=1))
        await sandbox.start()
        try:
            with pytest.raises(StoreError, match="reach another host"):
                await sandbox.run("mallory", service, DATASET, JSON)
        finally:
            await sandbox.close()

    run(scenario())
    store.close()
    with pytest.raises(StoreError, match="reach another host"):
        run_confined(store.path, service, DATASET, JSON, max_bytes=10_000)
    time.sleep(0.2)
    assert listener.connections == 1  # nothing more than the unconfined attempt


def test_a_query_past_its_limit_is_killed_and_the_pool_recovers(store: OxigraphStore):
    async def scenario() -> None:
        sandbox = QuerySandbox(store, QueryLimits(workers=1, timeout_s=1.5))
        await sandbox.start()
        try:
            pids = {p.pid for p in psutil.Process().children()
                    if "sandbox_worker" in " ".join(p.cmdline())}
            t0 = time.perf_counter()
            with pytest.raises(QueryLimitError) as stopped:
                await sandbox.run("mallory", CROSS_JOIN, DATASET, JSON)
            assert stopped.value.kind == "timeout" and time.perf_counter() - t0 < 3
            for pid in pids:  # the worker that ran it is gone
                assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == "zombie"
            body = await sandbox.run("alice", "SELECT ?s WHERE { ?s ?p 7 }", DATASET, JSON)
            assert b"urn:s7" in body  # a fresh worker took its place
        finally:
            await sandbox.close()

    run(scenario())


def test_every_committed_write_is_seen_by_the_next_query(store: OxigraphStore):
    async def scenario() -> None:
        sandbox = QuerySandbox(store, QueryLimits(workers=2))
        await sandbox.start()
        try:
            query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
            for expected in range(2000, 2005):
                body = await sandbox.run("alice", query, DATASET, "text/csv")
                assert body.split()[-1] == str(expected).encode()
                store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:n{expected}> <urn:p> 1 }} }}")
            snapshots = list(store.path.with_name("store.snapshots").iterdir())
            assert len(snapshots) <= 3  # old snapshots are removed once no worker reads them
        finally:
            await sandbox.close()
        assert not store.path.with_name("store.snapshots").exists()

    run(scenario())


def test_admission_per_caller_and_overall(store: OxigraphStore):
    async def scenario() -> None:
        sandbox = QuerySandbox(store, QueryLimits(workers=2, per_caller=1, queue=1,
                                                  timeout_s=1.0))
        await sandbox.start()
        try:
            first = asyncio.create_task(sandbox.run("mallory", CROSS_JOIN, DATASET, JSON))
            await asyncio.sleep(0.1)
            with pytest.raises(BusyError) as mine:  # one at a time for this caller
                await sandbox.run("mallory", CROSS_JOIN, DATASET, JSON)
            assert mine.value.scope == "caller"
            second = asyncio.create_task(sandbox.run("bob", CROSS_JOIN, DATASET, JSON))
            third = asyncio.create_task(sandbox.run("carol", CROSS_JOIN, DATASET, JSON))
            await asyncio.sleep(0.1)  # both workers busy, carol waits in the queue
            with pytest.raises(BusyError) as full:
                await sandbox.run("dave", CROSS_JOIN, DATASET, JSON)
            assert full.value.scope == "service"
            for task in (first, second, third):
                with pytest.raises(QueryLimitError):
                    await task
        finally:
            await sandbox.close()

    run(scenario())
