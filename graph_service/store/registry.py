"""The graphs of the store, their kinds and their lifecycles: the one place that knows them.

Every named graph the service manages has a kind, recorded in the meta graph
(``<graph> tyo:graphKind <kind>``). Each kind has one owner and one lifecycle:

========================  ====================================  ==============================
kind                      IRI                                    lifecycle
========================  ====================================  ==============================
extract, reference        graph/<source>/<content hash>          ingest: Loading -> Current ->
                                                                 Superseded; garbage collection
                                                                 drops Loading and Superseded
identity                  graph/identity                         ingest adds, retirement and
                                                                 erasure delete; never
                                                                 registered, never visible
meta                      graph/meta                             ingest, service
policy, catalogue, model  graph/<kind>/<name>                    their owner; never collected
consent, client-reported  graph/<kind>/<random id>               one per person, created and
feedback, contact-request,                                       dropped by their owner (erase)
case
========================  ====================================  ==============================

A load that fails or is killed never becomes Current, so readers never see it; the
next ingest's garbage collection removes it. Only extract and reference graphs are
ever collected: graphs of other kinds survive every ingest.

Per-person graphs are named by a random id and say whose they are inside themselves
(``<graph> dpv:hasDataSubject <person>``), so the meta graph, which every role may
read, names no person.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from rdflib import Graph

from core.hetu import problem as hetu_problem
from core.pseudonyms import PERSON_NS, Pseudonymizer, person_iri
from graph_service.store.base import Dataset, GraphStore

GRAPH_NS = "https://tyodata.fi/graph/"
META_GRAPH = GRAPH_NS + "meta"
IDENTITY_GRAPH = GRAPH_NS + "identity"
EMPTY_GRAPH = "urn:tyodata:empty-graph"
"""A graph that never exists: a dataset whose default graph must be empty names it."""
TYO = "https://tyodata.fi/ontology#"
DPV_DATA_SUBJECT = "https://w3id.org/dpv#hasDataSubject"
REFERENCE_SOURCES = ("esco", "ontology", "codelists")


class GraphKind(StrEnum):
    EXTRACT = "extract"
    REFERENCE = "reference"
    IDENTITY = "identity"
    META = "meta"
    POLICY = "policy"
    CONSENT = "consent"
    CLIENT_REPORTED = "client-reported"
    FEEDBACK = "feedback"
    CONTACT_REQUEST = "contact-request"
    CATALOGUE = "catalogue"
    MODEL = "model"
    CASE = "case"
    """The client's case: what a case worker saved in it on purpose, e.g. a work-ability
    forecast, each marked as a model output with its model and version, never a
    registry fact."""

    @property
    def iri(self) -> str:
        """The kind as an individual of tyo:GraphKind, e.g. tyo:ExtractGraph."""
        return TYO + "".join(part.title() for part in self.value.split("-")) + "Graph"

    @classmethod
    def from_iri(cls, iri: str) -> GraphKind | None:
        return _KIND_OF_IRI.get(iri)


_KIND_OF_IRI = {kind.iri: kind for kind in GraphKind}
PERSONAL_KINDS = frozenset({GraphKind.CONSENT, GraphKind.CLIENT_REPORTED, GraphKind.FEEDBACK,
                            GraphKind.CONTACT_REQUEST, GraphKind.CASE})
"""Kinds with one graph per person: erasing a person drops theirs."""
COLLECTED_KINDS = frozenset({GraphKind.EXTRACT, GraphKind.REFERENCE})
"""The only kinds garbage collection may drop (and only when not Current)."""


class Status(StrEnum):
    LOADING = "Loading"
    CURRENT = "Current"
    SUPERSEDED = "Superseded"


@dataclass(frozen=True)
class GraphInfo:
    iri: str
    kind: GraphKind
    source: str | None = None  # source IRI, for extract and reference graphs
    status: Status | None = None  # for extract and reference graphs


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one per reading
class GraphDirectory:
    """What the meta graph says about every registered graph, read in one query."""

    graphs: dict[str, GraphInfo] = field(default_factory=dict)

    def of_kind(self, *kinds: GraphKind) -> list[str]:
        return [g.iri for g in self.graphs.values() if g.kind in kinds and self.is_live(g)]

    @staticmethod
    def is_live(info: GraphInfo) -> bool:
        """Extract and reference graphs are live only when Current; others once registered."""
        return info.kind not in COLLECTED_KINDS or info.status is Status.CURRENT

    def current(self) -> dict[str, str]:
        """Source IRI -> its current extract or reference graph."""
        return {g.source: g.iri for g in self.graphs.values()
                if g.kind in COLLECTED_KINDS and g.status is Status.CURRENT and g.source}

    def kind_of(self, iri: str) -> GraphKind | None:
        if iri == IDENTITY_GRAPH:
            return GraphKind.IDENTITY
        if iri == META_GRAPH:
            return GraphKind.META
        info = self.graphs.get(iri)
        return info.kind if info else None


_DIRECTORY = f"""
SELECT ?graph ?kind ?source ?status WHERE {{ GRAPH <{META_GRAPH}> {{
  {{ SELECT DISTINCT ?graph WHERE {{
      {{ ?graph <{TYO}graphKind> ?k }} UNION {{ ?graph <{TYO}extractStatus> ?s }} }} }}
  OPTIONAL {{ ?graph <{TYO}graphKind> ?kind }}
  OPTIONAL {{ ?graph <{TYO}source> ?source }}
  OPTIONAL {{ ?graph <{TYO}extractStatus> ?status }}
}} }}"""


def read_directory(store: GraphStore) -> GraphDirectory:
    """Every registered graph with its kind (one query over the meta graph)."""
    graphs: dict[str, GraphInfo] = {}
    for graph, kind_iri, source, status in store.select(
            _DIRECTORY, dataset=Dataset(named=(META_GRAPH,))).rows:
        iri = str(graph)
        if kind_iri is None:  # described before kinds were recorded
            reference = str(source).rsplit("/", 1)[-1] in REFERENCE_SOURCES
            kind: GraphKind | None = GraphKind.REFERENCE if reference else GraphKind.EXTRACT
        else:
            kind = GraphKind.from_iri(str(kind_iri))
        if kind is None or kind in (GraphKind.IDENTITY, GraphKind.META):
            # An unknown kind is left alone; the fixed graphs are never taken from the
            # meta graph's say-so (marking the identity graph current shows it to nobody).
            continue
        state = None if status is None else Status(str(status).removeprefix(TYO))
        graphs[iri] = GraphInfo(iri, kind, None if source is None else str(source), state)
    return GraphDirectory(graphs)


def current_graphs(store: GraphStore) -> dict[str, str]:
    """Source IRI -> its current extract graph."""
    return read_directory(store).current()


class DirectoryCache:
    """read_directory() for a busy service: re-read at most every ``ttl`` seconds, and at
    once after a write that went through this process (``invalidate``)."""

    def __init__(self, store: GraphStore, ttl: float = 2.0) -> None:
        self._store, self._ttl = store, ttl
        self._value: GraphDirectory | None = None
        self._read_at = 0.0

    def get(self) -> GraphDirectory:
        value = self.fresh()
        if value is None:
            value, self._read_at = read_directory(self._store), time.monotonic()
            self._value = value
        return value

    def fresh(self) -> GraphDirectory | None:
        """The cached directory if still fresh, else None (without touching the store, so
        an event loop can call it and read the store off the loop only when needed)."""
        if self._value is None or time.monotonic() - self._read_at > self._ttl:
            return None
        return self._value

    def invalidate(self) -> None:
        self._value = None


# -- extract and reference graphs ------------------------------------------------------


def extract_graph(source_id: str, extract_id: str) -> str:
    """The IRI of one loaded extract, e.g. https://tyodata.fi/graph/kela/3f2a..."""
    return f"{GRAPH_NS}{source_id}/{extract_id}"


def source_iri(source_id: str) -> str:
    return f"https://tyodata.fi/id/source/{source_id}"


def _kind_of_source(source_id: str) -> GraphKind:
    return GraphKind.REFERENCE if source_id in REFERENCE_SOURCES else GraphKind.EXTRACT


def begin_extract(store: GraphStore, source_id: str, graph: str) -> None:
    """Record that ``graph`` is being loaded, so an interrupted load is found and removed."""
    kind = _kind_of_source(source_id)
    store.update(f"""
DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> <{TYO}extractStatus> ?s }} }} ;
INSERT DATA {{ GRAPH <{META_GRAPH}> {{
  <{graph}> <{TYO}graphKind> <{kind.iri}> ; <{TYO}source> <{source_iri(source_id)}> ;
            <{TYO}extractStatus> <{TYO}Loading> }} }}""")


def commit_extract(store: GraphStore, source_id: str, graph: str, description: Graph) -> None:
    """Make a loaded graph current for its source, in one transaction.

    ``description`` holds the new graph's provenance (with tyo:extractStatus tyo:Current);
    its kind is added here.
    """
    kind = _kind_of_source(source_id)
    data = description.serialize(format="nt")
    store.update(
        f"""
DELETE {{ GRAPH <{META_GRAPH}> {{ ?g <{TYO}extractStatus> <{TYO}Current> }} }}
INSERT {{ GRAPH <{META_GRAPH}> {{ ?g <{TYO}extractStatus> <{TYO}Superseded> }} }}
WHERE {{ GRAPH <{META_GRAPH}> {{
  ?g <{TYO}source> <{source_iri(source_id)}> ; <{TYO}extractStatus> <{TYO}Current> }} }} ;
DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }} ;
INSERT DATA {{ GRAPH <{META_GRAPH}> {{
<{graph}> <{TYO}graphKind> <{kind.iri}> .
{data}
}} }}"""
    )


def collect_garbage(store: GraphStore) -> list[str]:
    """Drop extract and reference graphs that are not current: superseded ones, and those
    a failed or killed load left (status Loading, or never registered at all).

    Graphs of every other kind are never touched, whatever their state.
    """
    directory = read_directory(store)
    sources = {iri.rsplit("/", 1)[-1] for iri in (g.source for g in directory.graphs.values())
               if iri} | set(REFERENCE_SOURCES)
    keep = set(directory.current().values())
    dropped = []
    for graph in store.named_graphs():
        info = directory.graphs.get(graph)
        if info is not None:
            collect = info.kind in COLLECTED_KINDS and info.status is not Status.CURRENT
        else:  # unregistered: collect only what lies in an extract's IRI space
            rest = graph.removeprefix(GRAPH_NS)
            collect = (graph.startswith(GRAPH_NS) and rest.count("/") == 1
                       and rest.split("/")[0] in sources)
        if collect and graph not in keep:
            store.drop_graph(graph)
            dropped.append(graph)
    return dropped


# -- graphs of the other kinds ---------------------------------------------------------


def register_graph(store: GraphStore, kind: GraphKind, *, name: str | None = None,
                   person: str | None = None, data: str = "") -> str:
    """Create a graph of ``kind`` (not extract, reference, identity or meta), record its
    kind in the meta graph and add ``data`` (N-Triples) to it, in one transaction.

    Per-person kinds get a random name and hold ``<graph> dpv:hasDataSubject <person>``.
    """
    if kind in COLLECTED_KINDS or kind in (GraphKind.IDENTITY, GraphKind.META):
        raise ValueError(f"graphs of kind {kind} are not registered this way")
    if (kind in PERSONAL_KINDS) != (person is not None):
        raise ValueError(f"a {kind} graph {'needs' if kind in PERSONAL_KINDS else 'has no'} "
                         "person")
    graph = f"{GRAPH_NS}{kind.value}/{name or uuid.uuid4().hex}"
    subject = f"<{graph}> <{DPV_DATA_SUBJECT}> <{person}> .\n" if person else ""
    store.update(f"""CREATE SILENT GRAPH <{graph}> ; INSERT DATA {{
GRAPH <{META_GRAPH}> {{ <{graph}> <{TYO}graphKind> <{kind.iri}> }}
GRAPH <{graph}> {{ {subject}{data} }} }}""")
    return graph


def drop_registered_graph(store: GraphStore, graph: str) -> None:
    """Remove a graph of a non-collected kind and its record in the meta graph."""
    store.update(f"""DROP SILENT GRAPH <{graph}> ;
DELETE WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}""")


def graphs_of_person(store: GraphStore, person: str,
                     kinds: Iterable[GraphKind] = PERSONAL_KINDS) -> list[str]:
    """The per-person graphs (consent, client-reported, feedback, contact requests, case)
    that hold ``person``'s data."""
    person = person_iri(person)
    wanted = " ".join(f"<{kind.iri}>" for kind in set(kinds) & PERSONAL_KINDS)
    if not wanted:
        return []
    # Every graph that says it is this person's (an index look-up, whatever the number of
    # persons), and that the meta graph records as one of the per-person kinds asked for:
    # one query, however many graphs and persons the store holds.
    table = store.select(f"""SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?g <{DPV_DATA_SUBJECT}> <{person}> }}
  GRAPH <{META_GRAPH}> {{ ?g <{TYO}graphKind> ?kind }} VALUES ?kind {{ {wanted} }}
}} ORDER BY ?g""")
    return [str(g) for (g,) in table.rows]


# -- the identity graph ----------------------------------------------------------------
# Read by nobody; written only here and by ingest's load. A Työdata service in front of
# the store refuses every SPARQL update that touches the identity graph, so these two
# operations are delegated to its own endpoints when the store is such a service
# (``delegate_identity``, see remote_store.py); on a store we hold, they run directly.

_PERSONS_IN_GRAPH = (f"{{ ?p a <{TYO}Person> }} UNION {{ ?fact <{TYO}concernsPerson> ?p }}")


def _identity_entries(store: GraphStore) -> int:
    table = store.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH <%s> { ?p ?x ?y } }"
                         % IDENTITY_GRAPH, dataset=Dataset(named=(IDENTITY_GRAPH,)))
    return int(table.rows[0][0])  # type: ignore[arg-type]


def _delegated(store: GraphStore, operation: str, body: dict | None = None,
               file: Path | None = None) -> dict | None:
    delegate = getattr(store, "delegate_identity", None)
    return None if delegate is None else delegate(operation, body, file)


_IDENTITY_ENTRY = re.compile(
    "<" + re.escape(PERSON_NS) + r'([a-z2-7]{26})> <' + re.escape(TYO) + r'identityCode> '
    r'"([^"\\]*)" \.\n?')


def identity_entry(pseudonym: str, code: str) -> str:
    """One identity entry as an N-Triples line: what ingest writes and the service checks."""
    return f'<{PERSON_NS}{pseudonym}> <{TYO}identityCode> "{code}" .\n'


def check_identity_entries(path: Path, pseudonymize: Pseudonymizer) -> tuple[int, str | None]:
    """How many identity entries ``path`` holds, or why it is refused: a line that is not
    exactly one entry, an invalid code, or a pair that does not match the pseudonym key
    (so nobody can give a person someone else's code)."""
    count = 0
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            match = _IDENTITY_ENTRY.fullmatch(line)
            if match is None:
                return count, f"line {number} is not one identity entry"
            pseudonym, code = match.groups()
            if hetu_problem(code) or pseudonymize(code) != pseudonym:
                return count, (f"line {number}: the identity code does not belong to the "
                               "person it is given for (or is not valid)")
            count += 1
    return count, None


def add_identities(store: GraphStore, path: Path) -> int | None:
    """Add the identity entries (N-Triples ``<person> tyo:identityCode "code"``) in ``path``;
    a Työdata service checks each pair against its pseudonym key first. Returns the count
    when the service reports it."""
    done = _delegated(store, "add", file=path)
    if done is not None:
        return int(done["added"])
    store.load_file(path, IDENTITY_GRAPH)
    return None


def retire_identities(store: GraphStore) -> int:
    """Delete the identity entries of persons that no current extract holds; how many."""
    done = _delegated(store, "retire")
    if done is not None:
        return int(done["retired"])
    extracts = read_directory(store).of_kind(GraphKind.EXTRACT)
    before = _identity_entries(store)
    values = " ".join(f"<{g}>" for g in extracts)
    store.update(f"""DELETE {{ GRAPH <{IDENTITY_GRAPH}> {{ ?p ?x ?y }} }}
WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ ?p ?x ?y }}
  FILTER NOT EXISTS {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {_PERSONS_IN_GRAPH} }} }} }}""")
    return before - _identity_entries(store)


@dataclass(frozen=True)
class Erasure:
    identity_entries: int
    graphs: list[str]
    by_service: bool = False  # done (and audited) by the Työdata service holding the store


def erase_person(store: GraphStore, person: str) -> Erasure:
    """Remove ``person``'s identity entry and the graphs that hold only their data."""
    person = person_iri(person)
    done = _delegated(store, "erase", {"person": person})
    if done is not None:
        return Erasure(int(done["identity_entries"]), list(done["graphs"]), by_service=True)
    held = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{IDENTITY_GRAPH}> "
                        f"{{ <{person}> ?x ?y }} }}", dataset=Dataset(named=(IDENTITY_GRAPH,)))
    graphs = graphs_of_person(store, person)
    store.update(f"DELETE WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ <{person}> ?x ?y }} }}")
    for graph in graphs:
        drop_registered_graph(store, graph)
    return Erasure(int(held.rows[0][0]), graphs)  # type: ignore[arg-type]
