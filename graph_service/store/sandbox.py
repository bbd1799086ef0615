"""Untrusted SPARQL runs where it can be stopped: a pool of sandboxed worker processes.

pyoxigraph cannot cancel a query, and checks no time limit while it builds a join, so a
query from a caller runs in a worker process (``sandbox_worker``) that the service
kills when the query runs past its time limit or the caller goes away: the CPU is free
again at once. Workers cannot open IP sockets (seccomp), die with the service, and read
a read-only snapshot of the store (hard links, made in milliseconds after each write),
because pyoxigraph forbids a second process on a store another process writes.

Admission, decided before any work: at most ``per_caller`` queries of one caller at a
time (BusyError, scope "caller": 429), at most ``queue`` queries waiting for a worker
(scope "service": 503). A remote store gets the same admission (``RemoteQueryRunner``);
the remote server runs the query, and a timeout closes the connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import shutil
import signal
import socket
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from core.private import private_dir
from graph_service.store.base import Dataset
from graph_service.store.errors import QueryEvaluationError, QueryLimitError, StoreError
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.remote_store import RemoteSparqlStore
from graph_service.store.results import serialize
from graph_service.store.sandbox_worker import FRAME, QueryRequest, receive, send

log = logging.getLogger("tyodata.sandbox")
WATCH_AFTER_S = 0.05


class BusyError(StoreError):
    """Too many queries at once, from this caller (``per_caller``) or from everyone."""

    def __init__(self, message: str, *, scope: str, retry_after_s: int = 1) -> None:
        super().__init__(message)
        self.scope = scope  # "caller" | "service"
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class QueryLimits:
    workers: int = 4
    per_caller: int = 2
    queue: int = 16
    timeout_s: float = 30.0
    max_bytes: int = 32 << 20


def _timed_out(timeout_s: float) -> QueryLimitError:
    return QueryLimitError(f"the query ran past the time limit of {timeout_s:g} s and was "
                           "stopped; narrow it", kind="timeout")


class QueryRunner(ABC):
    """Admission control shared by every way of running a caller's query."""

    def __init__(self, limits: QueryLimits) -> None:
        self.limits = limits
        self._by_caller: dict[str, int] = {}
        self._slots = asyncio.Semaphore(limits.workers)
        self._waiting = 0

    async def run(self, caller: str, query: str, dataset: Dataset, media: str, *,
                  timeout_s: float | None = None, max_bytes: int | None = None,
                  gone: Callable[[], Awaitable[object]] | None = None,
                  while_running: Callable[[], None] | None = None) -> bytes:
        """The serialized result of ``query`` (already checked by the guard) as ``media``.

        Raises BusyError before any work when the caller or the service is at its limit,
        QueryLimitError past the time limit (waiting included) or the size cap, SyntaxError
        for a query the engine refuses. ``gone()`` resolves when the caller disconnects.
        ``while_running()`` is called once the query is under way (the audit record is
        written while the engine works); if it raises, the query is stopped.
        """
        limits = self.limits
        timeout = limits.timeout_s if timeout_s is None else timeout_s
        size = limits.max_bytes if max_bytes is None else max_bytes
        if self._by_caller.get(caller, 0) >= limits.per_caller:
            raise BusyError(f"you already have {limits.per_caller} queries running; wait for "
                            "one to finish", scope="caller")
        if self._slots.locked() and self._waiting >= limits.queue:
            raise BusyError("the service is answering as many queries as it can; try again "
                            "shortly", scope="service", retry_after_s=2)
        self._by_caller[caller] = self._by_caller.get(caller, 0) + 1
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            if self._slots.locked():  # wait for a slot, within the time limit
                self._waiting += 1
                try:
                    await asyncio.wait_for(self._slots.acquire(), timeout)
                except TimeoutError:
                    raise _timed_out(timeout) from None
                finally:
                    self._waiting -= 1
            else:  # the common case: no timer, no task
                await self._slots.acquire()
            try:
                return await self._execute(query, dataset, media, timeout,
                                           max(deadline - loop.time(), 0.001), size, gone,
                                           while_running or _nothing)
            finally:
                self._slots.release()
        finally:
            self._by_caller[caller] -= 1
            if not self._by_caller[caller]:
                del self._by_caller[caller]

    def figures(self) -> dict[str, int]:
        """For /healthz: queries waiting, callers with queries running."""
        return {"waiting": self._waiting, "callers": len(self._by_caller)}

    @abstractmethod
    async def _execute(self, query: str, dataset: Dataset, media: str, limit_s: float,
                       remaining_s: float, max_bytes: int,
                       gone: Callable[[], Awaitable[object]] | None,
                       while_running: Callable[[], None]) -> bytes: ...

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Prepare (e.g. start workers)."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release what start() took."""


def spawn_worker() -> tuple[subprocess.Popen, socket.socket]:
    """Start a sandbox worker process; returns it and our end of its socket."""
    parent, child = socket.socketpair()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "graph_service.store.sandbox_worker",
             str(child.fileno()), str(os.getpid())],
            pass_fds=(child.fileno(),), stdin=subprocess.DEVNULL)
    finally:
        child.close()
    return process, parent


@dataclass(eq=False)  # identity, not value: workers live in a set
class _Worker:
    process: subprocess.Popen
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    snapshot: str | None = None

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGKILL)
        self.writer.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)

    async def receive(self) -> tuple:
        try:
            header = await self.reader.readexactly(FRAME.size)
            body = await self.reader.readexactly(FRAME.unpack(header)[0])
        except (asyncio.IncompleteReadError, ConnectionError):
            return ("error", "WorkerDied", "the worker process ended")
        return pickle.loads(body)  # noqa: S301 - our own child

    def send(self, message: object) -> None:
        payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self.writer.write(FRAME.pack(len(payload)) + payload)


@dataclass
class _Snapshots:
    """Read-only snapshots of the store, one per write generation, shared by the workers."""

    store: OxigraphStore
    root: Path
    _made: dict[int, Path] = field(default_factory=dict)
    _numbers: itertools.count = field(default_factory=itertools.count)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)  # left by an earlier run
        private_dir(self.root)

    async def current(self) -> Path:
        generation = self.store.generation  # read before the snapshot: a write meanwhile
        if generation in self._made:         # makes the next query take a newer one
            return self._made[generation]
        async with self._lock:
            if generation not in self._made:
                target = self.root / str(next(self._numbers))
                await asyncio.to_thread(self.store.snapshot, target)
                self._made[generation] = target
            return self._made[generation]

    def prune(self, in_use: set[str]) -> None:
        """Delete snapshots no worker has open and that are not the newest."""
        newest = max(self._made, default=None)
        for generation, path in list(self._made.items()):
            if generation != newest and str(path) not in in_use:
                del self._made[generation]
                shutil.rmtree(path, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class QuerySandbox(QueryRunner):
    """Runs checked queries on the embedded store in killable, network-less workers."""

    def __init__(self, store: OxigraphStore, limits: QueryLimits,
                 snapshot_root: Path | None = None) -> None:
        super().__init__(limits)
        if store.path is None:
            raise StoreError("the query sandbox needs an on-disk store (an in-memory store "
                             "cannot be shared with worker processes)")
        root = snapshot_root or store.path.with_name(store.path.name + ".snapshots")
        self._snapshots = _Snapshots(store, root)
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._closed = False

    async def start(self) -> None:
        await asyncio.gather(*(self._add_worker() for _ in range(self.limits.workers)))

    async def _add_worker(self) -> None:
        process, parent = spawn_worker()
        reader, writer = await asyncio.open_unix_connection(sock=parent)
        worker = _Worker(process, reader, writer)
        ready = await worker.receive()
        if ready[0] != "ready" or self._closed:
            worker.kill()
            if ready[0] != "ready":
                raise StoreError("a query worker could not start (see the log above)")
            return
        self._all.add(worker)
        self._idle.append(worker)

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        self._all.discard(worker)
        if not self._closed:
            task = asyncio.get_running_loop().create_task(self._add_worker())
            task.add_done_callback(_log_failure)

    async def _take_worker(self) -> _Worker:
        # A slot is held, so a worker is idle or being started in its place.
        while not self._idle:
            await asyncio.sleep(0.01)
        return self._idle.pop()

    async def _execute(self, query: str, dataset: Dataset, media: str, limit_s: float,
                       remaining_s: float, max_bytes: int,
                       gone: Callable[[], Awaitable[object]] | None,
                       while_running: Callable[[], None]) -> bytes:
        if self._idle:
            worker = self._idle.pop()
        else:  # a slot is held, so a replacement worker is starting
            try:
                worker = await asyncio.wait_for(self._take_worker(), remaining_s)
            except TimeoutError:
                raise _timed_out(limit_s) from None
        answer: tuple | None = None
        try:
            snapshot = str(await self._snapshots.current())
            worker.snapshot = snapshot
            worker.send(QueryRequest(snapshot, query, dataset.default, dataset.named, media,
                                     max_bytes))
            while_running()
            answer = await _first(worker.receive(), gone, remaining_s, limit_s)
        finally:
            if answer is not None and answer[0] != "error":
                self._idle.append(worker)
                self._snapshots.prune({w.snapshot for w in self._all if w.snapshot})
            else:  # stopped, cancelled or broken: the only way to stop pyoxigraph is a kill
                self._replace(worker)
        return _result(answer)

    def figures(self) -> dict[str, int]:
        return {**super().figures(), "workers": len(self._all), "idle": len(self._idle)}

    async def close(self) -> None:
        self._closed = True
        for worker in list(self._all):
            worker.kill()
        self._all.clear()
        self._idle.clear()
        self._snapshots.close()


class RemoteQueryRunner(QueryRunner):
    """The same admission in front of a remote SPARQL store, which runs the query itself."""

    def __init__(self, store: RemoteSparqlStore, limits: QueryLimits) -> None:
        super().__init__(limits)
        self._store = store

    async def _execute(self, query: str, dataset: Dataset, media: str, limit_s: float,
                       remaining_s: float, max_bytes: int,
                       gone: Callable[[], Awaitable[object]] | None,
                       while_running: Callable[[], None]) -> bytes:
        def work() -> bytes:
            result = self._store.execute(query, dataset=dataset, max_bytes=max_bytes,
                                         timeout_s=remaining_s)
            body = serialize(result, media)
            if len(body) > max_bytes:
                raise QueryLimitError(f"the result is larger than {max_bytes} bytes; add a "
                                      "LIMIT or narrow the query", kind="size")
            return body

        task = asyncio.ensure_future(asyncio.to_thread(work))
        try:
            while_running()
            return await _first(task, gone, remaining_s, limit_s)
        finally:
            task.cancel()  # the thread ends when the HTTP client times out


async def _first(answer: Awaitable, gone: Callable[[], Awaitable[object]] | None,
                 remaining_s: float, limit_s: float):
    """The answer, unless the time runs out (QueryLimitError) or the caller goes first."""
    current = asyncio.current_task()
    assert current is not None
    watcher: asyncio.Task | None = None
    started: asyncio.TimerHandle | None = None
    if gone is not None:
        async def cancel_when_gone() -> None:
            await gone()
            current.cancel("caller gone")

        def watch() -> None:
            nonlocal watcher
            watcher = asyncio.get_running_loop().create_task(cancel_when_gone())

        # Most queries answer in milliseconds: watch for a departed caller only after that.
        started = asyncio.get_running_loop().call_later(WATCH_AFTER_S, watch)
    try:
        async with asyncio.timeout(remaining_s):
            return await answer
    except TimeoutError:
        raise _timed_out(limit_s) from None
    except asyncio.CancelledError:
        if watcher is None or not watcher.done() or watcher.cancelled():
            raise  # cancelled from elsewhere: not ours to turn into an answer
        current.uncancel()
        raise QueryLimitError("the caller went away; the query was stopped",
                              kind="cancelled") from None
    finally:
        if started is not None:
            started.cancel()
        if watcher is not None:
            watcher.cancel()


def run_confined(store_path: Path, query: str, dataset: Dataset, media: str, *,
                 max_bytes: int) -> bytes:
    """Run one checked query in a fresh sandboxed worker on a store opened read-only
    (``tyodata sparql``): same confinement as the service, no time limit."""
    process, parent = spawn_worker()
    with parent:
        try:
            ready = receive(parent)
            if ready != ("ready",):
                raise StoreError("the query worker could not start (see the log above)")
            send(parent, QueryRequest(str(store_path), query, dataset.default, dataset.named,
                                      media, max_bytes))
            answer = receive(parent)
        finally:
            parent.close()
            process.wait(timeout=30)
    if answer is None:
        raise StoreError("the query worker ended without an answer")
    return _result(answer)


def _result(answer: tuple) -> bytes:
    """The body of a worker's answer, or the error it stands for."""
    kind = answer[0]
    if kind == "ok":
        return answer[1]
    if kind == "syntax":
        raise SyntaxError(answer[1])
    if kind == "limit":
        raise QueryLimitError(answer[2], kind=answer[1])
    if kind == "evaluation":
        raise QueryEvaluationError(f"the query could not be evaluated: {answer[1]}")
    log.error("a query worker failed: %s", answer[1])
    if answer[1] in ("PermissionError", "OSError") and "os error 13" in answer[2]:
        raise StoreError("the query tried to reach another host, which the sandbox forbids")
    raise StoreError("the query could not be run: the store failed")


def _nothing() -> None:
    pass


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("could not start a query worker: %s", task.exception().__class__.__name__)
