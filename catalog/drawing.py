"""The lineage picture and the theme picture: SVG drawn here, no script, style sheet or font
from elsewhere, the same SVG for the same input.

Columns run left to right in the order of the lineage (upstream ... focus ... downstream),
one per topological generation (`LineageNode.layer`); within a column the boxes follow
their upstream neighbours (barycentre), ties by kind and title. A box shows the kind and the
title (cut with "…"; the full title is the box's tooltip and accessible name) and links to
the item's page. Arrows differ by relation in colour and dash, explained in the legend.

Accessibility: the picture is named by its ``<title>`` and summarised by its ``<desc>`` in
the page's language ("Johdettu: …; Riippuvat: …"). With links it is a ``role="group"``
whose links a keyboard and a screen reader reach; axe-core rejects links inside
``role="img"`` (nested-interactive), so ``role="img"`` is used for a picture drawn without
links (``href=None``). Text is near black on light fills (contrast above 10:1, WCAG AA
asks 4.5:1), arrows and borders above 3:1 on white.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from catalog.iris import CATALOG, local_path
from catalog.lineage import (
    RELATION_LABELS,
    Lineage,
    LineageEdge,
    LineageError,
    LineageNode,
    ThemeView,
)
from catalog.search_items import KIND_LABELS
from catalog.text import Lang

Href = Callable[[str], str | None]

BOX_W, BOX_H = 220, 60
COL_GAP, ROW_GAP, MARGIN = 90, 18, 16
MAX_PER_COLUMN = 12
TITLE_CHARS = 30  # at 13 px a line of the box holds about this many characters
MAX_LISTED = 20

KIND_STYLE: dict[str, tuple[str, str]] = {  # kind: (fill, border)
    "series": ("#e3eefb", "#1f5fa8"),
    "dataset": ("#eef4fc", "#41709f"),
    "data-product": ("#e6f4ea", "#1b7a3a"),
    "data-service": ("#fff4e0", "#8a5a00"),
    "model": ("#f1e9fe", "#6b2fd6"),
    "external": ("#f2f2f2", "#6b6b6b"),
}
RELATION_STYLE: dict[str, tuple[str, str]] = {  # relation: (colour, dash pattern)
    "derived-from": ("#1f5fa8", ""),
    "generated-from": ("#1f5fa8", "4 3"),
    "in-series": ("#595959", "2 4"),
    "serves": ("#1b7a3a", "8 4"),
    "serves-model": ("#1b7a3a", "8 3 2 3"),
    "trained-on": ("#6b2fd6", "10 3 2 3"),
    "tested-on": ("#6b2fd6", "10 3 2 3"),
    "validated-on": ("#6b2fd6", "10 3 2 3"),
    "fine-tuned-from": ("#6b2fd6", ""),
}
TEXT, KIND_TEXT = "#111111", "#333333"
_WORDS: dict[str, dict[Lang, str]] = {
    "lineage": {"fi": "Sukulinja", "en": "Lineage"},
    "focus": {"fi": "Kohde", "en": "Focus"},
    "upstream": {"fi": "Johdettu", "en": "Derived from"},
    "downstream": {"fi": "Riippuvat", "en": "Depends on it"},
    "none": {"fi": "ei yhtään", "en": "none"},
    "more": {"fi": "ja {n} muuta", "en": "and {n} more"},
    "hidden": {"fi": "+{n} muuta", "en": "+{n} more"},
    "theme": {"fi": "Teema", "en": "Theme"},
    "empty": {"fi": "teemalla ei ole kohteita", "en": "nothing has this theme"},
    "extracts": {"fi": "{n} poimintaa", "en": "{n} extracts"},
    "extract": {"fi": "1 poiminta", "en": "1 extract"},
}
KIND_PLURALS: dict[str, dict[Lang, str]] = {
    "series": {"fi": "Aineistosarjat", "en": "Dataset series"},
    "dataset": {"fi": "Aineistot", "en": "Datasets"},
    "data-product": {"fi": "Datatuotteet", "en": "Data products"},
    "data-service": {"fi": "Rajapintapalvelut", "en": "Data services"},
    "model": {"fi": "Koneoppimismallit", "en": "Machine learning models"},
    "external": {"fi": "Ulkoiset lähteet", "en": "External resources"},
}


def default_href(iri: str) -> str | None:
    """The item's page: its service path for a catalogue IRI, the IRI itself otherwise
    (http and https only)."""
    if iri.startswith(CATALOG):  # a product's dataset keeps its fragment: #dataset
        return local_path(iri) + ("#" + iri.split("#", 1)[1] if "#" in iri else "")
    return iri if iri.startswith(("https://", "http://")) else None


def lineage_svg(lineage: Lineage, *, lang: Lang = "fi",
                href: Href | None = default_href) -> str:
    """The lineage as SVG: upstream on the left, the focus highlighted, dependants on the
    right; each box a link (``href(iri)``) unless ``href`` is None."""
    _check_lang(lang)
    focus = lineage.focus
    title = f"{_WORDS['lineage'][lang]}: {focus.title[lang]}"
    desc = (f"{_WORDS['focus'][lang]}: {focus.title[lang]} "
            f"({KIND_LABELS[focus.kind][lang]}). "
            f"{_WORDS['upstream'][lang]}: {_listing(_nearest(lineage.upstream, focus), lang)}; "
            f"{_WORDS['downstream'][lang]}: {_listing(_nearest(lineage.downstream, focus), lang)}.")
    return _draw(lineage.nodes, lineage.edges, title=title, desc=desc, focus=focus.iri,
                 lang=lang, href=href, key="lineage " + focus.iri)


def theme_svg(view: ThemeView, *, lang: Lang = "fi", href: Href | None = default_href) -> str:
    """The theme's knowledge-graph view as SVG: the items with the theme and their lineage
    neighbours (dashed border), by lineage order; each box a link unless ``href`` is None."""
    _check_lang(lang)
    title = f"{_WORDS['theme'][lang]}: {view.label[lang]}"
    parts = [f"{KIND_PLURALS[kind][lang]}: {_listing(nodes, lang)}"
             for kind, nodes in view.groups.items()]
    desc = "; ".join(parts) + "." if parts else _WORDS["empty"][lang] + "."
    return _draw(view.nodes, view.edges, title=title, desc=f"{title}. {desc}", focus=None,
                 lang=lang, href=href, key="theme " + view.theme)


@dataclass(frozen=True)
class _Box:
    node: LineageNode | None  # None: the "+N more" box of a full column
    x: int
    y: int
    hidden: int = 0


def _draw(nodes: Sequence[LineageNode], edges: Sequence[LineageEdge], *, title: str,
          desc: str, focus: str | None, lang: Lang, href: Href | None, key: str) -> str:
    ids = "lg" + hashlib.sha256(key.encode()).hexdigest()[:10]
    boxes = _layout(nodes, edges, focus)
    placed = {box.node.iri: box for box in boxes if box.node is not None}
    width = max((b.x for b in boxes), default=0) + BOX_W + 2 * MARGIN
    relations = sorted({e.relation for e in edges
                        if e.source in placed and e.target in placed})
    legend_y = max((b.y for b in boxes), default=0) + BOX_H + MARGIN + 10
    height = legend_y + 20 * len(_legend_rows(relations, lang)) + MARGIN
    role = 'role="group"' if href is not None else 'role="img"'
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" {role} aria-labelledby="{ids}-title" '
        f'aria-describedby="{ids}-desc" font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{ids}-title">{_text(title)}</title>',
        f'<desc id="{ids}-desc">{_text(desc)}</desc>',
        "<defs>",
    ]
    colours = sorted({RELATION_STYLE.get(r, ("#595959", ""))[0] for r in relations})
    for colour in colours:
        out.append(f'<marker id="{ids}-arrow-{colour[1:]}" viewBox="0 0 10 10" refX="10" '
                   f'refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
                   f'<path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>')
    out.append("</defs>")
    out.append(f'<rect width="{width}" height="{height}" fill="#ffffff"/>')
    out.append('<g class="edges" fill="none" stroke-width="1.6">')
    gaps = _gaps(boxes)
    for edge in _drawn_edges(edges, placed):
        out.append(_edge(edge, placed, gaps, ids, lang))
    out.append("</g>")
    out.append('<g class="nodes">')
    for box in boxes:
        out.append(_box(box, focus, lang, href))
    out.append("</g>")
    if relations:
        out.append(_legend(relations, legend_y, lang, ids))
    out.append("</svg>")
    return "\n".join(out) + "\n"


def _layout(nodes: Sequence[LineageNode], edges: Sequence[LineageEdge],
            focus: str | None) -> list[_Box]:
    """Boxes by column; within a column ordered by the mean row of their upstream
    neighbours (one sweep left to right), ties by the nodes' own order (kind, title)."""
    columns: dict[int, list[LineageNode]] = {}
    for node in nodes:
        columns.setdefault(node.layer, []).append(node)
    upstream: dict[str, list[str]] = {}
    for edge in edges:
        upstream.setdefault(edge.target, []).append(edge.source)
    row: dict[str, float] = {}
    boxes: list[_Box] = []
    tallest = min(MAX_PER_COLUMN, max((len(c) for c in columns.values()), default=0))
    for x_index, layer in enumerate(sorted(columns)):
        members = columns[layer]
        initial = {n.iri: i for i, n in enumerate(members)}

        def centre(node: LineageNode, initial: dict[str, int] = initial) -> tuple[float, int]:
            known = [row[u] for u in upstream.get(node.iri, ()) if u in row]
            return (sum(known) / len(known) if known else float(initial[node.iri]),
                    initial[node.iri])

        ordered = sorted(members, key=centre)
        hidden = 0
        if len(ordered) > MAX_PER_COLUMN:  # keep the focus, then the theme's own items
            ranked = sorted(ordered, key=lambda n: (n.iri != focus, n.role == "neighbour"))
            kept = {n.iri for n in ranked[: MAX_PER_COLUMN - 1]}
            keep = [n for n in ordered if n.iri in kept]
            hidden = len(ordered) - len(keep)
            ordered = [n for n in ordered if n.iri in kept]
        shown = len(ordered) + (1 if hidden else 0)
        top = MARGIN + (tallest - shown) * (BOX_H + ROW_GAP) // 2
        x = MARGIN + x_index * (BOX_W + COL_GAP)
        for i, node in enumerate(ordered):
            row[node.iri] = float(i)
            boxes.append(_Box(node, x, top + i * (BOX_H + ROW_GAP)))
        if hidden:
            boxes.append(_Box(None, x, top + len(ordered) * (BOX_H + ROW_GAP), hidden))
    return boxes


def _drawn_edges(edges: Sequence[LineageEdge], placed: dict[str, _Box]
                 ) -> list[tuple[str, str, tuple[str, ...]]]:
    """One arrow per pair of boxes, carrying every relation between them."""
    pairs: dict[tuple[str, str], list[str]] = {}
    for edge in edges:
        if edge.source in placed and edge.target in placed:
            pairs.setdefault((edge.source, edge.target), []).append(edge.relation)
    return [(u, v, tuple(sorted(rels))) for (u, v), rels in sorted(pairs.items())]


def _gaps(boxes: Sequence[_Box]) -> dict[int, list[int]]:
    """Per column (its x): the heights between and around its boxes where a long arrow
    may pass without crossing a box."""
    columns: dict[int, list[int]] = {}
    for box in boxes:
        columns.setdefault(box.x, []).append(box.y)
    return {x: [min(ys) - ROW_GAP // 2, *(y + BOX_H + ROW_GAP // 2 for y in sorted(ys))]
            for x, ys in columns.items()}


def _edge(edge: tuple[str, str, tuple[str, ...]], placed: dict[str, _Box],
          gaps: dict[int, list[int]], ids: str, lang: Lang) -> str:
    source, target, relations = edge
    a, b = placed[source], placed[target]
    colour, dash = RELATION_STYLE.get(relations[0], ("#595959", ""))
    y1, y2 = a.y + BOX_H // 2, b.y + BOX_H // 2
    half = COL_GAP // 2
    if b.x > a.x:  # forward: right side to left side, through the gaps of the columns between
        x, y = a.x + BOX_W, y1
        d = f"M{x},{y}"
        between = sorted(c for c in gaps if a.x < c < b.x)
        for i, column in enumerate(between):
            share = (i + 1) / (len(between) + 1)
            wanted = y1 + (y2 - y1) * share
            lane = min(gaps[column], key=lambda g: (abs(g - wanted), g))
            d += f" C{x + half},{y} {column - half},{lane} {column},{lane} L{column + BOX_W},{lane}"
            x, y = column + BOX_W, lane
        d += f" C{x + half},{y} {b.x - half},{y2} {b.x},{y2}"
    else:  # same column or backwards (a cycle): loop out on the right
        x1, x2 = a.x + BOX_W, b.x + BOX_W
        bend = max(x1, x2) + half
        d = f"M{x1},{y1} C{bend},{y1} {bend},{y2} {x2},{y2}"
    names = ", ".join(RELATION_LABELS.get(r, {}).get(lang, r) for r in relations)
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    kinds = _attr(" ".join(relations))
    return (f'<path d="{d}" stroke="{colour}"{dash_attr} '
            f'marker-end="url(#{ids}-arrow-{colour[1:]})" data-relation="{kinds}">'
            f"<title>{_text(names)}</title></path>")


def _box(box: _Box, focus: str | None, lang: Lang, href: Href | None) -> str:
    if box.node is None:
        label = _WORDS["hidden"][lang].format(n=box.hidden)
        return (f'<g><rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
                f'fill="#ffffff" stroke="#6b6b6b" stroke-dasharray="3 3"/>'
                f'<text x="{box.x + 10}" y="{box.y + 34}" fill="{TEXT}">{_text(label)}</text></g>')
    node = box.node
    fill, border = KIND_STYLE.get(node.kind, KIND_STYLE["external"])
    is_focus = node.iri == focus
    kind = KIND_LABELS.get(node.kind, KIND_LABELS["external"])[lang]
    if node.collapsed:
        word = "extract" if node.collapsed == 1 else "extracts"
        kind += " · " + _WORDS[word][lang].format(n=node.collapsed)
    full = node.title[lang]
    lines = _wrap(full, TITLE_CHARS, 2)
    stroke = f'stroke="{TEXT}" stroke-width="3.5"' if is_focus else (
        f'stroke="{border}" stroke-width="1.5"'
        + (' stroke-dasharray="5 3"' if node.role == "neighbour" else ""))
    weight = ' font-weight="bold"' if is_focus else ""
    parts = [
        f"<title>{_text(f'{kind}: {full}')}</title>",
        f'<rect x="{box.x}" y="{box.y}" width="{BOX_W}" height="{BOX_H}" rx="6" '
        f'fill="{fill}" {stroke}/>',
        f'<text x="{box.x + 10}" y="{box.y + 17}" font-size="11" fill="{KIND_TEXT}">'
        f"{_text(kind)}</text>",
    ]
    for i, line in enumerate(lines):
        parts.append(f'<text x="{box.x + 10}" y="{box.y + 35 + i * 16}" fill="{TEXT}"{weight}>'
                     f"{_text(line)}</text>")
    target = href(node.iri) if href is not None else None
    current = ' aria-current="page"' if is_focus else ""
    data = f'data-iri="{_attr(node.iri)}" data-kind="{_attr(node.kind)}"'
    if target is None:
        return f'<g {data}>{"".join(parts)}</g>'
    return (f'<a href="{_attr(target)}" {data} aria-label="{_attr(f"{kind}: {full}")}"'
            f'{current}>{"".join(parts)}</a>')


def _legend(relations: Sequence[str], top: int, lang: Lang, ids: str) -> str:
    out = ['<g class="legend">']
    for i, (style, names) in enumerate(_legend_rows(relations, lang)):
        colour, dash = style
        y = top + i * 20
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<path d="M{MARGIN},{y} L{MARGIN + 40},{y}" stroke="{colour}" '
                   f'stroke-width="1.6" fill="none"{dash_attr} '
                   f'marker-end="url(#{ids}-arrow-{colour[1:]})"/>')
        out.append(f'<text x="{MARGIN + 50}" y="{y + 4}" fill="{TEXT}">{_text(names)}</text>')
    out.append("</g>")
    return "".join(out)


def _legend_rows(relations: Sequence[str], lang: Lang) -> list[tuple[tuple[str, str], str]]:
    """One legend row per arrow style, naming every relation drawn in it."""
    rows: dict[tuple[str, str], list[str]] = {}
    for relation in relations:
        style = RELATION_STYLE.get(relation, ("#595959", ""))
        rows.setdefault(style, []).append(RELATION_LABELS.get(relation, {}).get(lang, relation))
    return [(style, ", ".join(names)) for style, names in rows.items()]


def _nearest(nodes: Sequence[LineageNode], focus: LineageNode) -> list[LineageNode]:
    """The summary reads outwards from the focus: nearest columns first."""
    return sorted(nodes, key=lambda n: abs(n.layer - focus.layer))


def _listing(nodes: Sequence[LineageNode], lang: Lang) -> str:
    if not nodes:
        return _WORDS["none"][lang]
    names = [n.title[lang] for n in nodes[:MAX_LISTED]]
    if len(nodes) > MAX_LISTED:
        names.append(_WORDS["more"][lang].format(n=len(nodes) - MAX_LISTED))
    return ", ".join(names)


def _wrap(text: str, width: int, lines: int) -> list[str]:
    """Up to ``lines`` lines of at most ``width`` characters, broken at spaces; cut with "…"
    where the text goes on."""
    out: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= width:
            current = candidate
        elif current and len(out) < lines - 1:
            out.append(current)
            current = word
        else:  # no line left, or one word wider than a line
            out.append(_cut(candidate, width))
            return out
    if current:
        out.append(_cut(current, width))
    return out or [""]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _check_lang(lang: str) -> None:
    if lang not in ("fi", "en"):
        raise LineageError(f"unknown language {lang!r}: use fi or en")


def _text(value: str) -> str:
    return escape(_printable(value))


def _attr(value: str) -> str:
    return escape(_printable(value), {'"': "&quot;", "'": "&apos;"})


def _printable(value: str) -> str:
    # XML 1.0 forbids most control characters even escaped: drop them.
    return "".join(c for c in value if c in "\t\n\r" or ord(c) >= 0x20)
