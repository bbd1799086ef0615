"""The ESCO hierarchy matching needs, read from the store's current ESCO graph by SPARQL.

* occupation -> its ISCO unit group (4-digit notation) and minor group (3 digits),
  walking ``skos:broader`` up through parent occupations (networkx DiGraph);
* skill -> its primary broader concept (a skill group or a broader skill): the first of
  its broader links in IRI order, so one skill has exactly one parent and partial skill
  credit stays a dot product (see vectors.py);
* occupation -> its essential and optional skills (ESCO's occupation-skill relations);
* preferred labels in Finnish and English (for explanations).

Read once per ESCO graph: the graph IRI carries ESCO's content hash, so it is the
version key of the cache (``esco_graph(store)`` returns the cached one while it is
current).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from graph_service.store.base import Dataset, GraphStore
from matchers.queries import load
from matchers.source import current_sources

ISCO_SCHEME = "http://data.europa.eu/esco/concept-scheme/isco"
OCCUPATION = "http://data.europa.eu/esco/occupation/"
SKILL = "http://data.europa.eu/esco/skill/"


class EscoMissingInStore(LookupError):
    """The store has no current ESCO graph (run an ingest with ESCO first)."""


@dataclass
class EscoGraph:
    """What the matching index needs of ESCO, keyed by concept IRI."""

    version: str
    unit_group: dict[str, str] = field(default_factory=dict)  # occupation -> ISCO 4-digit
    minor_group: dict[str, str] = field(default_factory=dict)  # occupation -> ISCO 3-digit
    skill_parent: dict[str, str] = field(default_factory=dict)  # skill -> primary broader
    essential_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    optional_skills: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # iri -> {lang: label}

    def label(self, iri: str, lang: str) -> str:
        found = self.labels.get(iri, {})
        return found.get(lang) or found.get("en") or iri

    @classmethod
    def from_rows(cls, version: str, broader: list[tuple[str, str, str | None, bool]],
                  relations: list[tuple[str, str, bool]],
                  labels: list[tuple[str, str, str]] = ()) -> EscoGraph:
        """Built from (concept, broader, broader's notation, broader is ISCO) rows,
        (occupation, skill, essential) rows and (iri, lang, label) rows."""
        tree = nx.DiGraph()
        isco: dict[str, str] = {}
        parents: dict[str, list[str]] = defaultdict(list)
        for concept, up, notation, is_isco in broader:
            tree.add_edge(concept, up)
            if is_isco and notation:
                isco[up] = notation
            if concept.startswith(SKILL):
                parents[concept].append(up)
        graph = cls(version)
        for node in tree.nodes:
            if not node.startswith(OCCUPATION):
                continue
            for ancestor in nx.descendants(tree, node):  # edges point to the broader
                code = isco.get(ancestor)
                if code and len(code) == 4:
                    graph.unit_group[node] = code
                    graph.minor_group[node] = code[:3]
                    break
        graph.skill_parent = {s: sorted(ups)[0] for s, ups in parents.items()}
        essential: dict[str, set[str]] = defaultdict(set)
        optional: dict[str, set[str]] = defaultdict(set)
        for occupation, skill, is_essential in relations:
            (essential if is_essential else optional)[occupation].add(skill)
        graph.essential_skills = {o: tuple(sorted(s)) for o, s in essential.items()}
        graph.optional_skills = {o: tuple(sorted(s)) for o, s in optional.items()}
        for iri, lang, text in labels:
            graph.labels.setdefault(iri, {})[lang] = text
        return graph


def read_esco_graph(store: GraphStore, esco_graph_iri: str) -> EscoGraph:
    """The ESCO hierarchy, relations and labels of one ESCO graph (three queries)."""
    dataset = Dataset.of((esco_graph_iri,))
    broader = [
        (str(r["concept"]), str(r["broader"]),
         None if r["notation"] is None else str(r["notation"]),
         r["scheme"] is not None and str(r["scheme"]) == ISCO_SCHEME)
        for r in store.select(load("esco_broader"), dataset=dataset).dicts()
    ]
    relations = [(str(r["occupation"]), str(r["skill"]), bool(r["essential"].toPython()))
                 for r in store.select(load("esco_occupation_skills"), dataset=dataset).dicts()]
    labels = [(str(r["concept"]), r["label"].language or "", str(r["label"]))
              for r in store.select(load("esco_labels"), dataset=dataset).dicts()]
    return EscoGraph.from_rows(esco_graph_iri.rsplit("/", 1)[-1], broader, relations, labels)


_CACHE: dict[str, EscoGraph] = {}
_LOCK = threading.Lock()


def esco_graph(store: GraphStore) -> EscoGraph:
    """The current ESCO graph's hierarchy, read once per ESCO version (process cache)."""
    graphs = current_sources(store).graphs
    if "esco" not in graphs:
        raise EscoMissingInStore("the store has no current ESCO graph; ingest with ESCO first")
    iri = graphs["esco"]
    with _LOCK:
        if iri not in _CACHE:
            _CACHE.clear()
            _CACHE[iri] = read_esco_graph(store, iri)
        return _CACHE[iri]
