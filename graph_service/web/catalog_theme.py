"""The lineage and a theme's view in words, beside their pictures: every item of the picture
with its kind and a link to its page, and every arrow as a sentence ("X is derived from
Y"), so the page says all the picture shows without it."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.lineage import Lineage, LineageEdge, LineageNode, ThemeView
from graph_service.web.catalog_present import Named, Presenter, Text, choose


@dataclass(frozen=True)
class Entry:
    item: Named
    kind: str
    links: list[str]
    """The arrows at this item, as sentences."""
    member: bool = True
    """Theme view: has the theme itself (else: linked to an item that has)."""
    collapsed: int = 0
    """Theme view: extracts of a series folded into it."""


@dataclass(frozen=True)
class LineageLists:
    upstream: list[Entry]
    downstream: list[Entry]


@dataclass(frozen=True)
class Group:
    kind: str
    entries: list[Entry]


def _name(node: LineageNode, presenter: Presenter) -> Text:
    return choose(node.title, presenter.lang) or Text(node.iri)


def _named(node: LineageNode, presenter: Presenter) -> Named:
    return Named(_name(node, presenter), node.iri, presenter.href(node.iri))


def _sentence(edge: LineageEdge, names: dict[str, Text], presenter: Presenter) -> str:
    return presenter.messages.text(
        f"catalog.relation.{edge.relation}", down=names[edge.target].value,
        up=names[edge.source].value)


def lineage_lists(found: Lineage, presenter: Presenter) -> LineageLists:
    """The upstream and downstream items; each arrow is told once: at its upstream end
    for the items upstream, at its downstream end for those downstream."""
    names = {n.iri: _name(n, presenter) for n in found.nodes}
    up = {n.iri for n in found.upstream} | {found.focus.iri}
    down = {n.iri for n in found.downstream} | {found.focus.iri}

    def entry(node: LineageNode, edges: list[LineageEdge]) -> Entry:
        return Entry(_named(node, presenter), node.kind,
                     [_sentence(e, names, presenter) for e in edges])

    upstream = [entry(n, [e for e in found.edges if e.source == n.iri and e.target in up])
                for n in found.upstream]
    downstream = [entry(n, [e for e in found.edges if e.target == n.iri and e.source in down])
                  for n in found.downstream]
    return LineageLists(upstream, downstream)


def theme_groups(view: ThemeView, presenter: Presenter) -> list[Group]:
    """The theme's items by kind, each with the arrows that leave it."""
    names = {n.iri: _name(n, presenter) for n in view.nodes}
    groups = []
    for kind, nodes in view.groups.items():
        entries = [Entry(_named(n, presenter), n.kind,
                         [_sentence(e, names, presenter) for e in view.edges
                          if e.source == n.iri],
                         member=n.role == "member", collapsed=n.collapsed)
                   for n in nodes]
        groups.append(Group(kind, entries))
    return groups
