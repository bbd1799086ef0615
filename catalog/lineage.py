"""Lineage and impact: what a catalogue item was derived from, and everything that depends
on it, over the PROV, DCAT and MLDCAT-AP links of the catalogue graph (networkx).

Every link becomes an edge from upstream to downstream:

=========================================  ==================  =================
triple                                     edge                relation
=========================================  ==================  =================
``X prov:wasDerivedFrom Y``                Y -> X              derived-from
``X prov:wasGeneratedBy A . A prov:used Y`` Y -> X             generated-from
``D dcat:inSeries S``                      S -> D              in-series
``S dcat:servesDataset D``                 D -> S              serves
``M it6:trainedOn D`` (testedOn,           D -> M              trained-on, ...
validatedOn)
``M it6:fineTunedFrom M0``                 M0 -> M             fine-tuned-from
``S it6:servesModel M``                    M -> S              serves-model
=========================================  ==================  =================

Cycles (a careless ``prov:wasDerivedFrom`` loop) are walked once: breadth-first with a
visited set, and the drawing's columns come from the condensation, which has none.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, PROV, SKOS

from catalog.search_items import (
    DCAT,
    IT6,
    KINDS,
    Labels,
    item_iris,
    kind_of,
    last_segment,
    one_by_lang,
    pick,
)
from catalog.text import LANGS, title_key
from core.errors import TyodataError

_LINKS: tuple[tuple[URIRef, str], ...] = (
    # (predicate, relation): the subject is downstream of the object.
    (PROV.wasDerivedFrom, "derived-from"),
    (DCAT.inSeries, "in-series"),
    (IT6.trainedOn, "trained-on"),
    (IT6.testedOn, "tested-on"),
    (IT6.validatedOn, "validated-on"),
    (IT6.fineTunedFrom, "fine-tuned-from"),
)
_SERVES: tuple[tuple[URIRef, str], ...] = (
    # (predicate, relation): the object is upstream of the subject, the service.
    (DCAT.servesDataset, "serves"),
    (IT6.servesModel, "serves-model"),
)
RELATION_LABELS: dict[str, dict[str, str]] = {
    "derived-from": {"fi": "johdettu", "en": "derived from"},
    "generated-from": {"fi": "tuotettu", "en": "generated from"},
    "in-series": {"fi": "sarjan osa", "en": "in series"},
    "serves": {"fi": "tarjoaa", "en": "serves"},
    "trained-on": {"fi": "opetettu", "en": "trained on"},
    "tested-on": {"fi": "testattu", "en": "tested on"},
    "validated-on": {"fi": "validoitu", "en": "validated on"},
    "fine-tuned-from": {"fi": "hienosäädetty", "en": "fine-tuned from"},
    "serves-model": {"fi": "tarjoaa mallin", "en": "serves model"},
}
ORDER = (*KINDS, "external")
MAX_IRI_IN_MESSAGE = 200


class LineageError(TyodataError):
    """A lineage or theme request the catalogue cannot answer (unknown item or theme, bad
    depth); the message names it."""


@dataclass(frozen=True)
class LineageNode:
    iri: str
    kind: str
    title: dict[str, str]
    role: str
    """Lineage: focus, upstream, downstream, or both (on a cycle through the focus).
    Theme view: member (has the theme) or neighbour (linked to a member)."""
    layer: int
    """Column in the picture, left to right, from 0."""
    collapsed: int = 0
    """Extracts of a series folded into it (theme view)."""

    def to_json(self) -> dict[str, Any]:
        found = {"iri": self.iri, "kind": self.kind, "title": dict(self.title),
                 "role": self.role, "layer": self.layer}
        if self.collapsed:
            found["collapsed"] = self.collapsed
        return found


@dataclass(frozen=True)
class LineageEdge:
    source: str
    """Upstream end."""
    target: str
    """Downstream end."""
    relation: str

    def to_json(self) -> dict[str, str]:
        return {"source": self.source, "target": self.target, "relation": self.relation}


@dataclass(frozen=True)
class Lineage:
    focus: LineageNode
    nodes: list[LineageNode]
    edges: list[LineageEdge]
    depth: int | None = None

    @property
    def upstream(self) -> list[LineageNode]:
        """What the focus was derived from, transitively (nearest first in ``nodes`` order)."""
        return [n for n in self.nodes if n.role in ("upstream", "both")]

    @property
    def downstream(self) -> list[LineageNode]:
        """Everything that depends on the focus: products, models, services, members."""
        return [n for n in self.nodes if n.role in ("downstream", "both")]

    def to_json(self) -> dict[str, Any]:
        return {"focus": self.focus.iri, "depth": self.depth,
                "upstream": [n.iri for n in self.upstream],
                "downstream": [n.iri for n in self.downstream],
                "nodes": [n.to_json() for n in self.nodes],
                "edges": [e.to_json() for e in self.edges]}


@dataclass(frozen=True)
class ThemeView:
    theme: str
    label: dict[str, str]
    nodes: list[LineageNode]
    edges: list[LineageEdge]

    @property
    def groups(self) -> dict[str, list[LineageNode]]:
        """The view's items by kind (series, dataset, data-product, data-service, model,
        external), kinds without items left out."""
        found: dict[str, list[LineageNode]] = {}
        for kind in ORDER:
            members = [n for n in self.nodes if n.kind == kind]
            if members:
                found[kind] = sorted(members, key=lambda n: (title_key(pick(n.title, "fi")),
                                                             n.iri))
        return found

    def to_json(self) -> dict[str, Any]:
        return {"theme": self.theme, "label": dict(self.label),
                "groups": {kind: [n.iri for n in nodes] for kind, nodes in self.groups.items()},
                "nodes": [n.to_json() for n in self.nodes],
                "edges": [e.to_json() for e in self.edges]}


class LineageGraph:
    """The catalogue's lineage links as a networkx multigraph, built once and asked many
    times (an item page asks for one item's lineage)."""

    def __init__(self, network: nx.MultiDiGraph, titles: dict[str, dict[str, str]],
                 kinds: dict[str, str], themes: dict[str, set[str]],
                 theme_labels: dict[str, dict[str, str]]) -> None:
        self.network = network
        self._titles = titles
        self._kinds = kinds
        self._themes = themes
        self._theme_labels = theme_labels

    @classmethod
    def build(cls, graph: Graph) -> LineageGraph:
        network = nx.MultiDiGraph()
        kinds: dict[str, str] = {}
        titles: dict[str, dict[str, str]] = {}
        themes: dict[str, set[str]] = {}
        for iri in item_iris(graph):
            kinds[str(iri)] = kind_of(graph, iri) or "external"
            network.add_node(str(iri))
            for theme in graph.objects(iri, DCAT.theme):
                themes.setdefault(str(theme), set()).add(str(iri))
        for predicate, relation in _LINKS:
            for downstream, upstream in graph.subject_objects(predicate):
                _link(network, upstream, downstream, relation)
        for predicate, relation in _SERVES:
            for service, served in graph.subject_objects(predicate):
                _link(network, served, service, relation)
        for generated, activity in graph.subject_objects(PROV.wasGeneratedBy):
            for used in graph.objects(activity, PROV.used):
                _link(network, used, generated, "generated-from")
        for node in network.nodes:
            kinds.setdefault(node, "external")
            titles[node] = one_by_lang(graph.objects(URIRef(node), DCTERMS.title))
        labels = Labels(graph)  # the labels search shows
        named = {str(s) for s in graph.subjects(SKOS.prefLabel, None) if isinstance(s, URIRef)}
        theme_labels = {theme: dict(labels(theme)) for theme in {*themes, *named}}
        return cls(network, titles, kinds, themes, theme_labels)

    def lineage(self, iri: str, depth: int | None = None) -> Lineage:
        """The item's upstream and downstream, ``depth`` links each way (None: all).

        :raises LineageError: the IRI is no item of the catalogue, or depth is negative.
        """
        iri = str(iri)
        _check_depth(depth)
        if iri not in self.network:
            raise LineageError(f"no catalogue item {_shown(iri)}")
        up = _reach(self.network.predecessors, iri, depth)
        down = _reach(self.network.successors, iri, depth)
        roles = {node: ("both" if node in up and node in down else
                        "upstream" if node in up else "downstream")
                 for node in {*up, *down} - {iri}}
        roles[iri] = "focus"
        layers = _layers(self.network.subgraph(roles))
        nodes = self._nodes(roles, layers)
        focus = next(n for n in nodes if n.iri == iri)
        return Lineage(focus=focus, nodes=nodes, edges=_edges(self.network, roles), depth=depth)

    def theme_view(self, theme_iri: str, *, depth: int = 1,
                   collapse_series: bool = True) -> ThemeView:
        """The items with the theme and their lineage neighbours ``depth`` links away, by
        kind; with ``collapse_series`` a series stands for the extracts in it.

        :raises LineageError: nothing in the catalogue has or names the theme; depth < 0.
        """
        theme_iri = str(theme_iri)
        _check_depth(depth)
        if theme_iri not in self._themes and theme_iri not in self._theme_labels:
            raise LineageError(f"no theme {_shown(theme_iri)} in the catalogue")
        members = self._themes.get(theme_iri, set())
        roles: dict[str, str] = {}
        for member in sorted(members):
            roles[member] = "member"
            for reach in (self.network.predecessors, self.network.successors):
                for node in _reach(reach, member, depth):
                    roles.setdefault(node, "neighbour")
        network: nx.MultiDiGraph = self.network.subgraph(roles).copy()
        folded: dict[str, int] = {}
        if collapse_series:
            network, roles, folded = _fold_series(network, roles, self._kinds)
        layers = _layers(network)
        nodes = self._nodes(roles, layers, folded)
        return ThemeView(theme=theme_iri,
                         label=self._theme_labels.get(theme_iri) or {
                             lang: last_segment(theme_iri) for lang in LANGS},
                         nodes=nodes, edges=_edges(network, roles))

    def _nodes(self, roles: dict[str, str], layers: dict[str, int],
               folded: dict[str, int] | None = None) -> list[LineageNode]:
        folded = folded or {}
        nodes = [LineageNode(iri=node, kind=self._kinds.get(node, "external"),
                             title={lang: pick(self._titles.get(node, {}), lang)
                                    or last_segment(node) for lang in LANGS},
                             role=role, layer=layers[node], collapsed=folded.get(node, 0))
                 for node, role in roles.items()]
        return sorted(nodes, key=lambda n: (n.layer, ORDER.index(n.kind),
                                            title_key(n.title["fi"]), n.iri))


def lineage(graph: Graph | LineageGraph, iri: str, depth: int | None = None) -> Lineage:
    """What ``iri`` was derived from and everything that depends on it (see
    `LineageGraph.lineage`); pass a built `LineageGraph` to ask many times."""
    built = graph if isinstance(graph, LineageGraph) else LineageGraph.build(graph)
    return built.lineage(iri, depth)


def theme_view(graph: Graph | LineageGraph, theme_iri: str, *, depth: int = 1,
               collapse_series: bool = True) -> ThemeView:
    """The knowledge-graph view of a theme (see `LineageGraph.theme_view`)."""
    built = graph if isinstance(graph, LineageGraph) else LineageGraph.build(graph)
    return built.theme_view(theme_iri, depth=depth, collapse_series=collapse_series)


def _link(network: nx.MultiDiGraph, upstream: object, downstream: object,
          relation: str) -> None:
    if isinstance(upstream, URIRef) and isinstance(downstream, URIRef) and upstream != downstream:
        network.add_edge(str(upstream), str(downstream), key=relation)


def _check_depth(depth: object) -> None:
    if depth is not None and (not isinstance(depth, int) or isinstance(depth, bool)
                              or depth < 0):
        raise LineageError(f"depth must be a whole number from 0 (or none), not {depth!r}")


def _shown(iri: str) -> str:
    return iri if len(iri) <= MAX_IRI_IN_MESSAGE else iri[:MAX_IRI_IN_MESSAGE] + "…"


def _reach(neighbours, start: str, depth: int | None) -> dict[str, int]:
    """Nodes reachable from ``start`` (itself excluded) with their distance; each node is
    visited once, so a cycle ends the walk instead of looping."""
    found: dict[str, int] = {}
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        node, distance = queue.popleft()
        if depth is not None and distance >= depth:
            continue
        for nxt in sorted(neighbours(node)):
            if nxt not in seen:
                seen.add(nxt)
                found[nxt] = distance + 1
                queue.append((nxt, distance + 1))
    return found


def _layers(network: nx.MultiDiGraph) -> dict[str, int]:
    """Column of each node: the topological generation of its strongly connected component
    (a cycle shares one column)."""
    condensed = nx.condensation(nx.DiGraph(network))
    layers: dict[str, int] = {}
    for layer, components in enumerate(nx.topological_generations(condensed)):
        for component in components:
            for node in condensed.nodes[component]["members"]:
                layers[node] = layer
    return layers


def _edges(network: nx.MultiDiGraph, nodes: Iterable[str]) -> list[LineageEdge]:
    wanted = set(nodes)
    return sorted((LineageEdge(u, v, key) for u, v, key in network.edges(keys=True)
                   if u in wanted and v in wanted),
                  key=lambda e: (e.source, e.target, e.relation))


def _fold_series(network: nx.MultiDiGraph, roles: dict[str, str], kinds: dict[str, str]
                 ) -> tuple[nx.MultiDiGraph, dict[str, str], dict[str, int]]:
    """Each dataset in a series of the view folds into the series: its links become the
    series' links, and the series counts it."""
    folded: dict[str, int] = {}
    into: dict[str, str] = {}
    for series, member, key in network.edges(keys=True):
        if key == "in-series" and kinds.get(series) == "series" and \
                kinds.get(member) == "dataset" and member not in into:
            into[member] = series
    result = nx.MultiDiGraph()
    for node in network.nodes:
        if node not in into:
            result.add_node(node)
    for u, v, key in network.edges(keys=True):
        a, b = into.get(u, u), into.get(v, v)
        if a != b:
            result.add_edge(a, b, key=key)
    kept = {node: roles[node] for node in result.nodes}
    for member, series in into.items():
        folded[series] = folded.get(series, 0) + 1
        if roles[member] == "member":  # the series stands for a member: it is one
            kept[series] = "member"
    return result, kept, folded
