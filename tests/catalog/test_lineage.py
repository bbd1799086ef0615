"""Lineage and impact over the PROV, DCAT and MLDCAT-AP links of a real catalogue graph:
upstream and downstream, depth, cycles, the theme view, and the errors."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from catalog.lineage import LineageError, LineageGraph, lineage, theme_view
from core.errors import TyodataError
from tests.catalog.search_support import (
    BENEFITS,
    BENEFITS_DATA,
    DATASET,
    ESCO,
    EXTRACT,
    FORECAST_API,
    KELA,
    KELA_EXTRACT,
    KUNTA,
    MODEL,
    PRODUCT,
    PROFILE,
    PROFILE_DATA,
    SERIES,
    SPARQL_API,
    THEME,
    cycle_graph,
    fixture_graph,
)


@pytest.fixture(scope="module")
def built() -> LineageGraph:
    return LineageGraph.build(fixture_graph())


def iris(nodes) -> set[str]:
    return {n.iri for n in nodes}


def test_an_extract_from_its_series_to_the_product_the_model_and_its_service(built):
    found = built.lineage(EXTRACT)
    assert found.focus.iri == EXTRACT and found.focus.role == "focus"
    assert iris(found.upstream) == {SERIES}
    assert iris(found.downstream) == {PROFILE_DATA, PROFILE, MODEL, FORECAST_API}
    edges = {(e.source, e.target, e.relation) for e in found.edges}
    assert {(SERIES, EXTRACT, "in-series"), (EXTRACT, PROFILE_DATA, "derived-from"),
            (PROFILE_DATA, PROFILE, "serves"), (PROFILE_DATA, MODEL, "trained-on"),
            (MODEL, FORECAST_API, "serves-model")} == edges
    kinds = {n.iri: n.kind for n in found.nodes}
    assert kinds[PROFILE] == "data-product" and kinds[MODEL] == "model"
    assert kinds[FORECAST_API] == "data-service" and kinds[SERIES] == "series"


def test_a_product_knows_everything_it_was_derived_from(built):
    found = built.lineage(PROFILE)
    assert iris(found.upstream) == {PROFILE_DATA, EXTRACT, SERIES, ESCO}
    assert found.downstream == []


def test_everything_that_depends_on_a_series(built):
    found = built.lineage(KELA)
    assert found.upstream == []
    assert iris(found.downstream) == {KELA_EXTRACT, BENEFITS_DATA, BENEFITS, MODEL, FORECAST_API}
    esco = built.lineage(ESCO)
    assert iris(esco.downstream) == {PROFILE_DATA, PROFILE, MODEL, FORECAST_API, SPARQL_API}


def test_columns_run_from_upstream_through_the_focus_to_downstream(built):
    found = built.lineage(PROFILE_DATA)
    layer = {n.iri: n.layer for n in found.nodes}
    assert all(layer[e.source] < layer[e.target] for e in found.edges)
    assert all(n.layer < found.focus.layer for n in found.upstream)
    assert all(n.layer > found.focus.layer for n in found.downstream)


def test_depth_limits_the_links_followed(built):
    one = built.lineage(EXTRACT, depth=1)
    assert iris(one.upstream) == {SERIES} and iris(one.downstream) == {PROFILE_DATA}
    assert one.depth == 1
    two = built.lineage(EXTRACT, depth=2)
    assert iris(two.downstream) == {PROFILE_DATA, PROFILE, MODEL}
    alone = built.lineage(EXTRACT, depth=0)
    assert iris(alone.nodes) == {EXTRACT} and alone.edges == []


@pytest.mark.parametrize("iri", [DATASET + "nothing", "kela", ""])
def test_an_unknown_item_is_a_clear_error(built, iri: str):
    with pytest.raises(LineageError, match="no catalogue item") as caught:
        built.lineage(iri)
    assert isinstance(caught.value, TyodataError)
    assert iri in str(caught.value)


@pytest.mark.parametrize("depth", [-1, 1.5, True])
def test_a_bad_depth_is_a_clear_error(built, depth):
    with pytest.raises(LineageError, match="depth"):
        built.lineage(EXTRACT, depth=depth)


@pytest.mark.timeout(20)
def test_a_derivation_cycle_is_walked_once():
    graph = cycle_graph()
    found = lineage(graph, DATASET + "a")
    loop_product = PRODUCT + "Test/Loop_v1.0"
    assert iris(found.upstream) == {DATASET + "b", DATASET + "c"}
    assert iris(found.downstream) == {DATASET + "b", DATASET + "c", loop_product + "#dataset",
                                      loop_product}
    roles = {n.iri: n.role for n in found.nodes}
    assert roles[DATASET + "b"] == roles[DATASET + "c"] == "both"
    layer = {n.iri: n.layer for n in found.nodes}
    assert layer[DATASET + "a"] == layer[DATASET + "b"] == layer[DATASET + "c"]
    assert layer[loop_product] > layer[loop_product + "#dataset"] > layer[DATASET + "a"]
    assert len(found.edges) == 5


def test_the_module_functions_accept_a_graph_or_a_built_lineage(built):
    graph = fixture_graph()
    assert lineage(graph, EXTRACT) == lineage(built, EXTRACT) == built.lineage(EXTRACT)
    assert theme_view(graph, THEME + "ECON") == built.theme_view(THEME + "ECON")


def test_a_theme_view_lists_what_is_around_the_theme_by_kind(built):
    view = built.theme_view(THEME + "SOCI")
    assert view.label == {"fi": "Väestö ja yhteiskunta", "en": "Population and society"}
    groups = {kind: iris(nodes) for kind, nodes in view.groups.items()}
    assert groups == {
        "series": {SERIES, KELA, ESCO},
        "dataset": {KUNTA, PROFILE_DATA},
        "data-product": {PROFILE},
        "model": {MODEL},
    }
    roles = {n.iri: n.role for n in view.nodes}
    assert roles[SERIES] == roles[KUNTA] == roles[PROFILE] == "member"
    assert roles[ESCO] == roles[MODEL] == "neighbour"  # linked to a member, not themed
    folded = {n.iri: n.collapsed for n in view.nodes}
    assert folded[SERIES] == 1 and folded[KELA] == 1  # their extracts
    edges = {(e.source, e.target, e.relation) for e in view.edges}
    assert (SERIES, PROFILE_DATA, "derived-from") in edges  # the extract's link, on its series
    assert (KELA, MODEL, "trained-on") in edges


def test_a_theme_view_without_folding_shows_the_extracts(built):
    view = built.theme_view(THEME + "SOCI", collapse_series=False)
    roles = {n.iri: n.role for n in view.nodes}
    assert roles[EXTRACT] == "member" and roles[KELA_EXTRACT] == "neighbour"
    assert all(n.collapsed == 0 for n in view.nodes)
    wider = built.theme_view(THEME + "HEAL", depth=2)
    assert {MODEL, FORECAST_API, KELA, PROFILE_DATA, EXTRACT, ESCO} <= iris(wider.nodes)


def test_unknown_and_empty_themes():
    graph = fixture_graph()
    graph.add((URIRef(THEME + "TRAN"), SKOS.prefLabel, Literal("Liikenne", lang="fi")))
    built = LineageGraph.build(graph)
    empty = built.theme_view(THEME + "TRAN")
    assert empty.nodes == [] and empty.groups == {} and empty.label["fi"] == "Liikenne"
    with pytest.raises(LineageError, match="no theme .*ENER"):
        built.theme_view(THEME + "ENER")


def test_lineage_and_theme_views_serialise_to_plain_json(built):
    data = json.loads(json.dumps(built.lineage(EXTRACT).to_json()))
    assert data["focus"] == EXTRACT and data["upstream"] == [SERIES]
    assert {"source": EXTRACT, "target": PROFILE_DATA, "relation": "derived-from"} in \
        data["edges"]
    node = next(n for n in data["nodes"] if n["iri"] == MODEL)
    assert node["kind"] == "model" and node["title"]["en"] == "Work-ability risk forecast model"
    view = json.loads(json.dumps(built.theme_view(THEME + "SOCI").to_json()))
    assert view["groups"]["data-product"] == [PROFILE]
    assert next(n for n in view["nodes"] if n["iri"] == SERIES)["collapsed"] == 1
