"""The access policy of the situation view as one named graph: load, replace, history, cache.

The policy lives in ``https://tyodata.fi/graph/policy/situation`` (kind policy: never
garbage-collected, readable by everyone over SPARQL). A steward replaces it whole: the
upload is parsed, checked against our ODRL profile (SHACL, then the checks SHACL cannot
express, see ``odrl.read_policy``) and only then written, in ONE update: the old content
dropped, the new content inserted, the version counted up in the meta graph. Readers see
the old policy or the new one, never a mix, and a refused upload changes nothing.

History, in the meta graph (no personal data; the whole text of every upload is in the
audit log)::

    <graph/policy/situation> tyo:currentPolicyVersion <id/policy-version/situation/3> .
    <id/policy-version/situation/3> a prov:Entity ; tyo:policyVersion 3 ;
        prov:generatedAtTime "..." ; tyo:loadedBy "anna" ; tyo:loadedByOrganisation "dvv" ;
        tyo:contentHash "sha256:..." ; prov:wasRevisionOf <.../2> ;
        prov:specializationOf <graph/policy/situation> .

The version is counted inside the update itself, so two replacements never get one number.

Why one graph with a fixed name rather than a new graph per version: a steward's SPARQL
names one graph that is always the policy in force, and old versions need no
lifecycle of their own (policy graphs are never collected and every registered one is
visible, so an old version kept as a graph would stay in everyone's dataset).

The decision point reads the policy through :func:`policy_set`: the compiled PolicySet is
cached per store, keyed by the policy's version. The version is looked up again (one small
query) whenever the caller brings a new reading of the graph directory, which the service's
DirectoryCache makes at most every 2 s, so a change made by another process (``tyodata
policy load --store``, another service on the same remote store) counts within about 2 s.
A change made in this process (``replace_policy``) empties the cache at once: it counts
from the very next request.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph

from graph_service.policy.odrl import (
    DEFAULT_POLICY,
    ODRL,
    PolicyInvalid,
    PolicySet,
    Violation,
    read_policy,
)
from graph_service.queries import Literal as Bound
from graph_service.queries import bind, rq_loader
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.errors import StoreError
from graph_service.store.registry import GRAPH_NS, META_GRAPH, DirectoryCache, GraphDirectory
from ontology.files import SHAPES_DIR

load_query = rq_loader("graph_service.policy")

log = logging.getLogger("tyodata.policy")
POLICY_GRAPH = GRAPH_NS + "policy/situation"
VERSION_NS = "https://tyodata.fi/id/policy-version/situation/"
SHAPES = SHAPES_DIR / "policy" / "odrl_profile.ttl"
"""Our ODRL profile as SHACL: what an uploaded policy must look like."""
_XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#dateTime"
# IRIs we write into an update: no character that could end an IRI or a statement.
_SAFE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*")


@dataclass(frozen=True)
class PolicyVersion:
    """One loaded version of the policy: when, by whom, what (content hash)."""

    version: int
    iri: str
    loaded_at: datetime
    loaded_by: str
    organisation: str
    content_hash: str
    revision_of: str | None


# -- checking an upload ---------------------------------------------------------------


def parse_policy(text: str) -> Graph:
    """The Turtle of a policy as a graph; PolicyInvalid when it does not parse."""
    graph = Graph()
    try:
        graph.parse(data=text, format="turtle")
    except Exception as error:  # rdflib raises many kinds; all mean "not Turtle"
        raise PolicyInvalid([Violation("(the upload)", None,
                                       f"not valid Turtle: {_parse_error(error)}")]) from None
    unsafe = sorted({str(t) for triple in graph for t in triple
                     if isinstance(t, URIRef) and not _SAFE_IRI.fullmatch(str(t))})
    if unsafe:
        raise PolicyInvalid([Violation(iri, None, "not an absolute IRI (or holds a "
                                       "character IRIs may not hold)") for iri in unsafe])
    return graph


def _parse_error(error: Exception) -> str:
    """Where and why the Turtle parser stopped, without quoting the text (an upload may
    hold anything, and a problem document never repeats what was sent)."""
    lines = str(error).splitlines()
    if len(lines) >= 2 and lines[0].startswith("at line ") and lines[1].startswith("Bad "):
        where = lines[0].removesuffix(" of <>:").removeprefix("at ")
        return f"{where}: {lines[1].removesuffix(' at ^ in:')}"[:200]
    return "the text does not parse as Turtle"


def shape_violations(graph: Graph) -> list[Violation]:
    """What our ODRL profile's SHACL shapes find wrong with ``graph``."""
    import pyshacl  # only uploads need it

    shapes = Graph().parse(SHAPES, format="turtle")
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, inference="none",
                                           allow_warnings=True)
    if conforms:
        return []
    sh = "http://www.w3.org/ns/shacl#"
    found = []
    for result in report.subjects(RDF.type, URIRef(sh + "ValidationResult")):
        focus = report.value(result, URIRef(sh + "focusNode"))
        path = report.value(result, URIRef(sh + "resultPath"))
        message = report.value(result, URIRef(sh + "resultMessage"))
        found.append(Violation(str(focus), None if path is None else str(path),
                               str(message or "does not conform")))
    return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))


def check_policy(text: str, *, shapes: bool = True) -> tuple[Graph, PolicySet]:
    """Parse and check an upload; PolicyInvalid lists every violation (focus, path, what)."""
    graph = parse_policy(text)
    problems = shape_violations(graph) if shapes else []
    try:
        policies = read_policy(graph)
    except PolicyInvalid as invalid:
        seen = {(v.focus, v.path) for v in problems}
        problems += [v for v in invalid.violations if (v.focus, v.path) not in seen]
        policies = None
    if problems or policies is None:
        raise PolicyInvalid(problems)
    return graph, policies


def content_hash(graph: Graph) -> str:
    """A digest of the graph's content, the same however the Turtle was written."""
    lines = sorted(to_canonical_graph(graph).serialize(format="nt").splitlines())
    return "sha256:" + hashlib.sha256("\n".join(lines).encode()).hexdigest()


# -- writing --------------------------------------------------------------------------

_writing = threading.Lock()


def replace_policy(store: GraphStore, text: str, *, by: str, organisation: str,
                   now: datetime | None = None, shapes: bool = True) -> PolicyVersion:
    """Check ``text`` (Turtle) and make it the policy in force, in one transaction.

    PolicyInvalid (nothing changed) lists every violation of our ODRL profile."""
    graph, _ = check_policy(text, shapes=shapes)
    return write_policy(store, graph, by=by, organisation=organisation, now=now)


def write_policy(store: GraphStore, graph: Graph, *, by: str, organisation: str,
                 now: datetime | None = None) -> PolicyVersion:
    """Make ``graph`` (checked by :func:`check_policy`) the policy in force, in one
    transaction, and forget the compiled policy of ``store`` at once."""
    now = now or datetime.now(UTC)
    digest = content_hash(graph)
    update = bind(load_query("replace_policy"),
                  at=Bound(now.astimezone(UTC).isoformat(), _XSD_DATETIME), by=Bound(by),
                  organisation=Bound(organisation), hash=Bound(digest))
    # The content: N-Triples written by rdflib (escaped), IRIs checked by parse_policy.
    update += f" ;\nINSERT DATA {{ GRAPH <{POLICY_GRAPH}> {{\n{graph.serialize(format='nt')}\n}} }}"
    with _writing:
        store.update(update)
        invalidate(store)
    version = current_version(store)
    if version is None:  # the store took the update but does not show it: say so
        raise StoreError("the store accepted the policy but does not return its version; "
                         "check that the store is a SPARQL 1.1 store we may write to")
    return version


def ensure_default_policy(store: GraphStore) -> PolicyVersion | None:
    """Load the default policy when the store has none yet; the new version, or None when
    there was one already (or the store is read-only: then nothing can be loaded)."""
    if getattr(store, "read_only", False):
        if current_version(store) is None:
            log.warning("the store is read-only and holds no access policy: every section "
                        "of every situation view is denied until one is loaded")
        return None
    with _writing:
        if current_version(store) is not None:
            return None
    # The default is checked by its tests; skipping SHACL keeps start-up quick.
    return replace_policy(store, DEFAULT_POLICY.read_text(encoding="utf-8"),
                          by="tyodata (default policy)", organisation="tyodata", shapes=False)


# -- reading --------------------------------------------------------------------------


def _versions(store: GraphStore, current_only: bool) -> list[PolicyVersion]:
    query = load_query("current_policy_version" if current_only else "policy_history")
    table = store.select(query, dataset=Dataset(named=(META_GRAPH,)))
    return [PolicyVersion(int(row["version"]), str(row["iri"]), _time(row["at"]),
                          str(row["by"] or ""), str(row["organisation"] or ""),
                          str(row["hash"] or ""),
                          None if row["previous"] is None else str(row["previous"]))
            for row in table.dicts()]


def _time(value: object) -> datetime:
    when = value.toPython() if isinstance(value, Literal) else None
    if not isinstance(when, datetime):
        return datetime.fromtimestamp(0, UTC)  # written by hand without a time
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def current_version(store: GraphStore) -> PolicyVersion | None:
    """The version in force, or None when no policy was ever loaded."""
    found = _versions(store, current_only=True)
    return found[0] if found else None


def policy_history(store: GraphStore) -> list[PolicyVersion]:
    """Every version ever loaded, newest first."""
    return _versions(store, current_only=False)


def policy_graph(store: GraphStore) -> Graph:
    """The policy in force as an rdflib graph (empty when none is loaded)."""
    graph = Graph()
    table = store.select(load_query("policy_triples"), dataset=Dataset(named=(POLICY_GRAPH,)))
    for s, p, o in table.rows:
        graph.add((s, p, o))
    return graph


def policy_turtle(store: GraphStore) -> str:
    graph = policy_graph(store)
    for prefix, namespace in (("odrl", str(ODRL)), ("dpv", "https://w3id.org/dpv#"),
                              ("gdpr", "https://w3id.org/dpv/legal/eu/gdpr#"),
                              ("tyo", "https://tyodata.fi/ontology#"),
                              ("sit", "https://tyodata.fi/policy/situation/"),
                              ("section", "https://tyodata.fi/section/"),
                              ("purpose", "https://tyodata.fi/purpose/"),
                              ("party", "https://tyodata.fi/party/"),
                              ("org", "https://tyodata.fi/org/")):
        graph.bind(prefix, namespace)
    return graph.serialize(format="turtle")


# -- the cache ------------------------------------------------------------------------


class _PolicyCache:
    """The compiled policy of one store, keyed by its version."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.policies: PolicySet | None = None
        self.checked: GraphDirectory | None = None  # the directory reading last checked


_caches: weakref.WeakKeyDictionary[GraphStore, _PolicyCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def _cache_of(store: GraphStore) -> _PolicyCache:
    with _caches_lock:
        cache = _caches.get(store)
        if cache is None:
            cache = _caches[store] = _PolicyCache()
        return cache


def invalidate(store: GraphStore) -> None:
    """Forget the compiled policy of ``store``: the next decision reads the version again."""
    cache = _cache_of(store)
    with cache.lock:
        cache.checked = None


def policy_set(store: GraphStore, directory: GraphDirectory | DirectoryCache) -> PolicySet:
    """The policy in force, compiled; read again only when its version changed.

    An empty PolicySet (every section denied) when no policy is loaded."""
    reading = directory.get() if isinstance(directory, DirectoryCache) else directory
    cache = _cache_of(store)
    with cache.lock:
        if cache.policies is not None and cache.checked is reading:
            return cache.policies
        found = current_version(store)
        version = None if found is None else found.version
        if cache.policies is None or cache.policies.version != version:
            if found is None:
                cache.policies = PolicySet()
            else:
                policies = read_policy(policy_graph(store))
                cache.policies = PolicySet(policies.permissions, policies.labels, version)
        cache.checked = reading
        return cache.policies
