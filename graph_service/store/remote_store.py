"""A remote store over the standard protocols: SPARQL 1.1 Protocol (query, update) and
the Graph Store HTTP Protocol (load, drop), e.g. `oxigraph serve` or a cluster.

Graphs are always addressed explicitly (``?graph=``): a bare POST to a graph store
would create a new graph of the server's choosing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from graph_service.store.base import Dataset, Table
from graph_service.store.errors import (
    QueryLimitError,
    ReadOnlyStoreError,
    StoreError,
    UpstreamAnswerError,
)
from graph_service.store.registry import EMPTY_GRAPH
from graph_service.store.results import QueryResult

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Endpoints:
    query: str
    update: str
    store: str
    identity: str | None = None
    """Where a Työdata service takes the identity-graph operations (add, retire, erase),
    which it refuses as SPARQL updates and graph store POSTs; absent (404) on a plain
    SPARQL server."""

    @classmethod
    def under(cls, base: str) -> Endpoints:
        """The layout of `oxigraph serve` and our service's /admin: /query, /update, /store
        (and /identity on our service)."""
        base = base.rstrip("/")
        return cls(f"{base}/query", f"{base}/update", f"{base}/store", f"{base}/identity")


def _term(value: dict | None) -> Node | None:
    if value is None:
        return None
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    return Literal(value["value"], datatype=URIRef(datatype) if datatype else None)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


class RemoteSparqlStore:
    """GraphStore over HTTP. ``token`` is sent as a bearer token when given."""

    def __init__(self, endpoints: Endpoints, *, token: str | None = None,
                 read_only: bool = False, timeout: float = 600.0,
                 client: httpx.Client | None = None) -> None:
        self.endpoints = endpoints  # may lose .identity once we learn it is a plain server
        self.read_only = read_only
        self.description = f"SPARQL endpoint {endpoints.query}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._client = client or httpx.Client(timeout=timeout, headers=headers)

    def _send(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.HTTPError as err:
            raise StoreError(f"the SPARQL endpoint at {url} did not answer: {err}") from err
        self._raise_for_status(response.status_code, response.text, url)
        return response

    @staticmethod
    def _raise_for_status(status: int, text: str, url: str) -> None:
        if status == 400:
            raise SyntaxError(text.strip() or "the endpoint refused the request")
        if status in (401, 403):
            raise StoreError(f"{url} refused the request ({status}): {text.strip()[:300]}")
        if status >= 400:
            raise StoreError(f"{url} answered {status}: {text[:300]}")

    @staticmethod
    def _form(query: str, dataset: Dataset | None) -> bytes:
        """The protocol form: the query and, when given, its dataset."""
        form: list[tuple[str, str]] = [("query", query)]
        if dataset is not None:
            # An empty default graph must still be explicit, or the server uses its own.
            form += [("default-graph-uri", g) for g in dataset.default or (EMPTY_GRAPH,)]
            form += [("named-graph-uri", g) for g in dataset.named]
        return urlencode(form).encode()

    def _query(self, query: str, accept: str, dataset: Dataset | None,
               timeout: float | None = None) -> httpx.Response:
        return self._send(
            "POST", self.endpoints.query, content=self._form(query, dataset),
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
            **({"timeout": timeout} if timeout else {}),
        )

    def select(self, query: str, *, dataset: Dataset | None = None) -> Table:
        data = self._query(query, "application/sparql-results+json", dataset).json()
        if "results" not in data:
            raise StoreError("select() needs a SELECT query")
        variables = data["head"]["vars"]
        rows = [tuple(_term(b.get(v)) for v in variables) for b in data["results"]["bindings"]]
        return Table(variables, rows)

    def ask(self, query: str, *, dataset: Dataset | None = None) -> bool:
        data = self._query(query, "application/sparql-results+json", dataset).json()
        if "boolean" not in data:
            raise StoreError("ask() needs an ASK query")
        return bool(data["boolean"])

    def query_serialized(self, query: str, media_type: str, *,
                         dataset: Dataset | None = None) -> bytes:
        response = self._query(query, media_type, dataset)
        got = response.headers.get("content-type", "").split(";")[0].strip()
        if got and got != media_type:
            raise StoreError(f"cannot serialize this query's results as {media_type}")
        return response.content

    def execute(self, query: str, *, dataset: Dataset | None = None,
                max_bytes: int = 32 << 20, timeout_s: float = 30.0) -> QueryResult:
        """Any query form, parsed; QueryLimitError past ``timeout_s`` or when the server's
        answer passes ``max_bytes`` (read as it streams, never held whole past that)."""
        accept = "application/sparql-results+json, application/n-triples;q=0.9"
        try:
            with self._client.stream(
                    "POST", self.endpoints.query, content=self._form(query, dataset),
                    headers={"Accept": accept,
                             "Content-Type": "application/x-www-form-urlencoded"},
                    timeout=None if math.isinf(timeout_s) else timeout_s) as response:
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise QueryLimitError(
                            f"the result is larger than {max_bytes} bytes; add a LIMIT or "
                            "narrow the query", kind="size")
                    chunks.append(chunk)
                body = b"".join(chunks)
        except httpx.TimeoutException:
            raise QueryLimitError(f"the query ran past the time limit of {timeout_s:g} s; "
                                  "narrow it", kind="timeout") from None
        except httpx.HTTPError as err:
            raise StoreError(f"the SPARQL endpoint at {self.endpoints.query} did not answer: "
                             f"{err}") from err
        self._raise_for_status(response.status_code, body.decode("utf-8", "replace"),
                               self.endpoints.query)
        kind = response.headers.get("content-type", "").split(";")[0].strip()
        try:
            if kind == "application/n-triples":
                return Graph().parse(data=body.decode("utf-8"), format="nt")
            data = json.loads(body)
            if "boolean" in data:
                return bool(data["boolean"])
            variables = data["head"]["vars"]
            return Table(variables, [tuple(_term(b.get(v)) for v in variables)
                                     for b in data["results"]["bindings"]])
        except Exception as err:  # the server's own words may quote the query: not repeated
            raise UpstreamAnswerError(
                f"the SPARQL endpoint's answer could not be read ({err.__class__.__name__}, "
                f"{kind or 'no content type'})") from None

    def delegate_identity(self, operation: str, body: dict | None = None,
                          file: Path | None = None) -> dict | None:
        """Run an identity-graph operation on a Työdata service (a JSON ``body``, or an
        N-Triples ``file`` streamed); None on a plain server, which then gets the operation
        as a SPARQL update or a graph store POST."""
        if self.endpoints.identity is None:
            return None
        self._writable()
        if file is not None:
            sent = {"content": _chunks(file),
                    "headers": {"Content-Type": "application/n-triples"}}
        else:
            sent = {"json": body or {}}
        try:
            response = self._client.post(f"{self.endpoints.identity}/{operation}", **sent)
        except httpx.HTTPError as err:
            raise StoreError(f"the endpoint at {self.endpoints.identity} did not answer: "
                             f"{err}") from err
        if response.status_code in (404, 405):
            self.endpoints = Endpoints(self.endpoints.query, self.endpoints.update,
                                       self.endpoints.store)  # not a Työdata service
            return None
        if response.status_code >= 400:
            raise StoreError(f"{self.endpoints.identity}/{operation} answered "
                             f"{response.status_code}: {response.text[:300]}")
        return response.json()

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnlyStoreError(f"the {self.description} is open read-only")

    def update(self, update: str) -> None:
        self._writable()
        self._send("POST", self.endpoints.update, content=update.encode(),
                   headers={"Content-Type": "application/sparql-update"})

    def load_file(self, path: Path, graph: str) -> None:
        self._writable()
        self._send("POST", self.endpoints.store, params={"graph": graph},
                   content=_chunks(path), headers={"Content-Type": "application/n-triples"})

    def load_graph(self, data: bytes, media_type: str, graph: str) -> None:
        self._writable()
        self._send("POST", self.endpoints.store, params={"graph": graph}, content=data,
                   headers={"Content-Type": media_type})

    def drop_graph(self, graph: str) -> None:
        self._writable()
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def named_graphs(self) -> list[str]:
        # An empty group lists graph names without scanning their triples.
        table = self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(str(g) for (g,) in table.rows if isinstance(g, URIRef))

    def close(self) -> None:
        self._client.close()
