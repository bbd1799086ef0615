"""The lineage and theme pictures: well-formed SVG, a link for every box, hostile titles
escaped, an accessible name and summary in the page's language, contrast, determinism."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from catalog.drawing import (
    KIND_STYLE,
    MAX_PER_COLUMN,
    RELATION_STYLE,
    TEXT,
    default_href,
    lineage_svg,
    theme_svg,
)
from catalog.lineage import LineageError, LineageGraph, lineage
from tests.catalog.search_support import (
    DATASET,
    DCAT,
    ESCO,
    EXTRACT,
    FORECAST_API,
    HOSTILE_TITLE,
    KELA,
    KUNTA,
    MODEL,
    PROFILE,
    PROFILE_DATA,
    SERIES,
    THEME,
    fixture_graph,
    hostile_graph,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def built() -> LineageGraph:
    return LineageGraph.build(fixture_graph())


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def links(root: ET.Element) -> dict[str, str]:
    """data-iri -> href of every linked box."""
    return {a.get("data-iri"): a.get("href") for a in root.iter(SVG + "a")}


def test_the_picture_is_svg_with_a_link_for_every_node(built):
    found = built.lineage(EXTRACT)
    root = parse(lineage_svg(found))
    assert links(root) == {n.iri: default_href(n.iri) for n in found.nodes}
    assert links(root)[PROFILE_DATA] == \
        "/catalog/product/Person/JobApplicantProfile_v1.0#dataset"
    assert links(root)[SERIES] == "/catalog/dataset/tyomarkkinatori"
    custom = parse(lineage_svg(found, href=lambda iri: f"/page?item={iri}&lang=fi"))
    assert links(custom)[MODEL] == f"/page?item={MODEL}&lang=fi"  # & escaped in the SVG


def test_it_is_named_and_summarised_in_the_pages_language(built):
    root = parse(lineage_svg(built.lineage(EXTRACT), lang="fi"))
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert root.get("aria-labelledby") == title.get("id")
    assert root.get("aria-describedby") == desc.get("id")
    assert root.get("role") == "group"  # links inside: a group, not an img (axe)
    assert title.text == "Sukulinja: Työmarkkinatorin poiminta 2026-11-01"
    assert desc.text.startswith("Kohde: Työmarkkinatorin poiminta 2026-11-01 (Aineisto). "
                                "Johdettu: Työmarkkinatorin työnhakijat; Riippuvat: "
                                "Työnhakijaprofiilin tiedot, ")
    assert "Ennusterajapinta" in desc.text
    english = parse(lineage_svg(built.lineage(KELA), lang="en")).find(SVG + "desc").text
    assert english.startswith("Focus: Kela benefit decisions (Dataset series). "
                              "Derived from: none; Depends on it: Kela extract 2026-11-01")


def test_without_links_it_is_an_image(built):
    root = parse(lineage_svg(built.lineage(EXTRACT), href=None))
    assert root.get("role") == "img" and links(root) == {}
    assert {g.get("data-iri") for g in root.iter(SVG + "g") if g.get("data-iri")} == \
        {n.iri for n in built.lineage(EXTRACT).nodes}


def test_columns_run_left_to_right_and_the_focus_stands_out(built):
    found = built.lineage(PROFILE_DATA)
    root = parse(lineage_svg(found))
    x = {a.get("data-iri"): float(a.find(SVG + "rect").get("x")) for a in root.iter(SVG + "a")}
    assert x[SERIES] < x[EXTRACT] < x[PROFILE_DATA] < x[MODEL] < x[FORECAST_API]
    assert x[ESCO] < x[PROFILE_DATA] < x[PROFILE]
    current = [a for a in root.iter(SVG + "a") if a.get("aria-current") == "page"]
    assert [a.get("data-iri") for a in current] == [PROFILE_DATA]
    assert current[0].find(SVG + "rect").get("stroke-width") == "3.5"
    relations = {p.get("data-relation") for p in root.iter(SVG + "path") if p.get("data-relation")}
    assert relations == {"in-series", "derived-from", "serves", "trained-on", "serves-model"}


def test_hostile_titles_are_escaped():
    graph = hostile_graph()
    svg = lineage_svg(lineage(graph, KELA), lang="fi")
    assert "<script" not in svg and "\x07" not in svg
    root = parse(svg)
    box = next(a for a in root.iter(SVG + "a") if a.get("data-iri") == DATASET + "hostile")
    assert box.find(SVG + "title").text == f"Aineisto: {HOSTILE_TITLE}"  # the full title
    assert box.get("aria-label") == f"Aineisto: {HOSTILE_TITLE}"
    shown = " ".join(t.text for t in box.findall(SVG + "text")[1:])
    assert shown.endswith("…") and shown.startswith("Tulot <script>")  # cut, as text
    assert HOSTILE_TITLE in root.find(SVG + "desc").text
    assert "Etuudet & tiedot" in root.find(SVG + "desc").text  # the bell character dropped
    hostile_href = parse(lineage_svg(lineage(graph, KELA), href=lambda iri: '"><script>'))
    assert {a.get("href") for a in hostile_href.iter(SVG + "a")} == {'"><script>'}


def test_the_same_input_gives_the_same_svg(built):
    first = lineage_svg(built.lineage(EXTRACT))
    again = lineage_svg(LineageGraph.build(fixture_graph()).lineage(EXTRACT))
    assert first == again
    assert theme_svg(built.theme_view(THEME + "SOCI")) == theme_svg(
        LineageGraph.build(fixture_graph()).theme_view(THEME + "SOCI"))


def test_nothing_is_loaded_from_elsewhere(built):
    svg = lineage_svg(built.lineage(EXTRACT)) + theme_svg(built.theme_view(THEME + "SOCI"))
    for banned in ("<script", "<style", "@import", "<image", "<foreignObject", "xlink:href",
                   "url(http", "<link"):
        assert banned not in svg


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_and_arrows_meet_wcag_aa_contrast():
    for fill, border in KIND_STYLE.values():
        assert _contrast(TEXT, fill) >= 4.5 and _contrast("#333333", fill) >= 4.5
        assert _contrast(border, "#ffffff") >= 3.0  # non-text contrast (1.4.11)
    for colour, _ in RELATION_STYLE.values():
        assert _contrast(colour, "#ffffff") >= 3.0


def test_a_full_column_ends_in_a_count_of_the_rest():
    graph = fixture_graph()
    for day in range(1, 31):
        extract = URIRef(f"{DATASET}kela/2025-01-{day:02d}")
        graph.add((extract, RDF.type, DCAT.Dataset))
        graph.add((extract, DCAT.inSeries, URIRef(KELA)))
        graph.add((extract, DCTERMS.title, Literal(f"Kelan poiminta {day}", lang="fi")))
    found = lineage(graph, KELA, depth=1)
    root = parse(lineage_svg(found))
    assert len(links(root)) == 1 + MAX_PER_COLUMN - 1  # the focus and a full column
    texts = [t.text for t in root.iter(SVG + "text")]
    assert f"+{31 + 1 - (MAX_PER_COLUMN - 1)} muuta" in texts  # 31 extracts and the model


def test_the_theme_picture(built):
    view = built.theme_view(THEME + "SOCI")
    root = parse(theme_svg(view, lang="fi"))
    assert root.find(SVG + "title").text == "Teema: Väestö ja yhteiskunta"
    desc = root.find(SVG + "desc").text
    assert desc.startswith("Teema: Väestö ja yhteiskunta. Aineistosarjat: ")
    assert "Datatuotteet: Työnhakijaprofiili" in desc and "Koneoppimismallit: " in desc
    assert set(links(root)) == {n.iri for n in view.nodes}
    esco = next(a for a in root.iter(SVG + "a") if a.get("data-iri") == ESCO)
    assert esco.find(SVG + "rect").get("stroke-dasharray") == "5 3"  # a neighbour
    series = next(a for a in root.iter(SVG + "a") if a.get("data-iri") == SERIES)
    assert series.findall(SVG + "text")[0].text == "Aineistosarja · 1 poiminta"
    assert PROFILE in links(root)
    english = parse(theme_svg(view, lang="en")).find(SVG + "desc").text
    assert english.startswith("Theme: Population and society. Dataset series: ")


def test_an_unknown_language_is_an_error(built):
    with pytest.raises(LineageError, match="'sv'"):
        lineage_svg(built.lineage(EXTRACT), lang="sv")


def test_a_full_theme_column_keeps_the_themes_own_items_first():
    graph = fixture_graph()
    for n in range(15):
        source = URIRef(f"{DATASET}lahde-{n:02d}")
        graph.add((source, RDF.type, DCAT.Dataset))
        graph.add((source, DCTERMS.title, Literal(f"A-lähde {n:02d}", lang="fi")))
        graph.add((URIRef(KUNTA), PROV.wasDerivedFrom, source))
    view = LineageGraph.build(graph).theme_view(THEME + "SOCI")
    first = [n for n in view.nodes if n.layer == 0]
    assert len(first) == 18 and sum(n.role == "member" for n in first) == 2
    drawn = links(parse(theme_svg(view)))
    assert {SERIES, KELA} <= set(drawn)  # members, though last in the column's order
    roles = {n.iri: n.role for n in view.nodes}
    assert sum(1 for iri in drawn if roles[iri] == "neighbour" and iri in {
        n.iri for n in first}) == MAX_PER_COLUMN - 1 - 2  # the rest of the column
