"""One sandbox worker: runs untrusted SPARQL on a read-only snapshot of the store.

Started by ``graph_service.store.sandbox`` as ``python -m graph_service.store.sandbox_worker
FD PARENT_PID``. Before anything else it asks the kernel to kill it when the service dies
and forbids itself IP sockets (``core.processes``), so the engine cannot reach another
host (SERVICE, LOAD) even if a query got past the guard. It then answers one request at a
time on the Unix socket FD: the service kills it when a query runs past its time limit,
which is the only way to stop pyoxigraph mid-query.

:func:`run_query` is also what ``tyodata sparql`` runs, in a process confined the same way.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import socket
import struct
import sys
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from core.hetu import redact
from graph_service.store.errors import QueryLimitError
from graph_service.store.results import ENGINE_RDF_FORMATS, ENGINE_RESULT_FORMATS, serialize

FRAME = struct.Struct("!I")
"""Each message: its length (4 bytes, network order), then the pickled message."""


@dataclass(frozen=True)
class QueryRequest:
    snapshot: str  # path of the read-only snapshot to query
    query: str  # already checked by the query guard
    default: tuple[str, ...]
    named: tuple[str, ...]
    media: str  # the negotiated result media type
    max_bytes: int


class _TooLarge(Exception):
    pass


class _BoundedBuffer(io.RawIOBase):
    """Where the engine writes its serialization; past ``limit`` bytes the write raises,
    which stops the engine: a result never grows past the limit in memory."""

    def __init__(self, limit: int) -> None:
        self.limit, self.size, self.chunks = limit, 0, []

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.size += len(data)
        if self.size > self.limit:
            raise _TooLarge
        self.chunks.append(bytes(data))
        return len(data)


@lru_cache(maxsize=64)
def _nodes(graphs: tuple[str, ...]) -> list[ox.NamedNode]:
    return [ox.NamedNode(g) for g in graphs]  # the same few datasets, query after query


def run_query(store: ox.Store, query: str, *, default: tuple[str, ...],
              named: tuple[str, ...], media: str, max_bytes: int) -> bytes:
    """Run ``query`` on exactly the given dataset and serialize it as ``media`` (by the
    engine itself: a Python serializer costs more than a small query).

    Raises SyntaxError (the engine's message, codes redacted) or QueryLimitError when the
    serialized result would pass ``max_bytes``.
    """
    try:
        result = store.query(query, default_graph=_nodes(default), named_graphs=_nodes(named))
    except SyntaxError as error:
        raise SyntaxError(redact(str(error))) from None
    if isinstance(result, ox.QueryBoolean):
        return serialize(bool(result), media)
    formats = (ENGINE_RESULT_FORMATS if isinstance(result, ox.QuerySolutions)
               else ENGINE_RDF_FORMATS)
    out = _BoundedBuffer(max_bytes)
    try:
        result.serialize(out, format=formats[media])
    except _TooLarge:
        raise QueryLimitError(f"the result is larger than {max_bytes} bytes; add a LIMIT "
                              "or narrow the query", kind="size") from None
    return b"".join(out.chunks)


def send(sock: socket.socket, message: object) -> None:
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.sendall(FRAME.pack(len(payload)) + payload)


def receive(sock: socket.socket) -> object | None:
    header = _recv_exactly(sock, FRAME.size)
    if header is None:
        return None
    body = _recv_exactly(sock, FRAME.unpack(header)[0])
    return None if body is None else pickle.loads(body)  # noqa: S301 - our own parent


def _recv_exactly(sock: socket.socket, size: int) -> bytes | None:
    chunks, remaining = [], size
    while remaining:
        chunk = sock.recv(min(remaining, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def serve(sock: socket.socket) -> None:
    """Answer requests until the service closes the socket."""
    send(sock, ("ready",))
    opened: tuple[str, ox.Store] | None = None
    while (request := receive(sock)) is not None:
        assert isinstance(request, QueryRequest)
        try:
            if opened is None or opened[0] != request.snapshot:
                opened = None  # close the old snapshot before opening the new one
                opened = (request.snapshot, ox.Store.read_only(request.snapshot))
            body = run_query(opened[1], request.query, default=request.default,
                             named=request.named, media=request.media,
                             max_bytes=request.max_bytes)
            send(sock, ("ok", body))
        except SyntaxError as error:
            send(sock, ("syntax", str(error)))
        except QueryLimitError as error:
            send(sock, ("limit", error.kind, str(error)))
        except RuntimeError as error:  # pyoxigraph's evaluation errors: the query's fault
            send(sock, ("evaluation", redact(str(error))))
        except Exception as error:  # reported to the service, which logs the class only
            send(sock, ("error", error.__class__.__name__, redact(str(error))))


def main(argv: list[str]) -> None:
    from core.processes import die_with_parent, forbid_network

    fd, parent = int(argv[1]), int(argv[2])
    die_with_parent(parent)
    forbid_network()
    # A broken pipe means the service went away or gave up on this worker: nothing to say.
    with contextlib.suppress(BrokenPipeError, ConnectionError):
        serve(socket.socket(fileno=fd))
    os._exit(0)


if __name__ == "__main__":
    # Run the imported module, not this __main__ copy: pickled requests name its classes.
    from graph_service.store.sandbox_worker import main as imported_main

    imported_main(sys.argv)
