"""Catalogue search on real rdflib graphs: inflection-robust text in Finnish and English,
ranking, facets and their counts, filters, paging, and the errors of bad requests."""

from __future__ import annotations

import json

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from bench.catalogue_synthetic import generate_catalogue
from catalog.search import CatalogueIndex, SearchError
from catalog.search_items import DCATAP
from catalog.text import title_key
from core.errors import TyodataError
from tests.catalog.search_support import (
    ACCESS,
    AGENT,
    ALL_ITEMS,
    BENEFITS,
    BENEFITS_DATA,
    DATASET,
    DCAT,
    DISTRIBUTION,
    ESCO,
    EXTRACT,
    FORECAST_API,
    KELA,
    KELA_EXTRACT,
    KUNTA,
    MODEL,
    PROFILE,
    PROFILE_DATA,
    SERIES,
    SPARQL_API,
    THEME,
    fixture_graph,
)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return fixture_graph()


@pytest.fixture(scope="module")
def index(graph: Graph) -> CatalogueIndex:
    return CatalogueIndex.build(graph)


def iris(result) -> list[str]:
    return [hit.iri for hit in result.hits]


def test_items_are_datasets_series_services_products_and_models(index: CatalogueIndex):
    kinds = {item.iri: item.kind for item in index.items}
    assert set(kinds) == ALL_ITEMS  # no distribution, no catalogue
    assert DISTRIBUTION not in kinds and "https://tyodata.fi/catalog" not in kinds
    assert kinds[SERIES] == "series" and kinds[EXTRACT] == "dataset"
    assert kinds[PROFILE] == "data-product" and kinds[PROFILE_DATA] == "dataset"
    assert kinds[SPARQL_API] == "data-service" and kinds[MODEL] == "model"


@pytest.mark.parametrize("text", ["työnhakija", "työnhakijan", "työnhakijoiden", "työnhakijat",
                                  "Työnhakijalle"])
def test_finnish_inflections_and_compounds_find_the_same_items(index: CatalogueIndex, text: str):
    found = set(iris(index.search(text, size=100)))
    # the series (title), the municipal clients (description only) and the product whose
    # only mention is the compound "työnhakijaprofiili"
    assert found == {SERIES, KUNTA, PROFILE, PROFILE_DATA}
    assert EXTRACT not in found  # its distribution's title is not the extract's text


@pytest.mark.parametrize("text", ["seekers", "job seeker", "Job Seekers"])
def test_english_inflections_find_job_seekers(index: CatalogueIndex, text: str):
    assert set(iris(index.search(text, lang="en"))) == {SERIES, KUNTA}


def test_gradation_and_english_plurals(index: CatalogueIndex):
    # "etuuspäätösten" stems to "etuuspäätöst", the title's "etuuspäätökset" to "etuuspäätöks"
    assert KELA in iris(index.search("etuuspäätösten"))
    assert {KELA, BENEFITS, BENEFITS_DATA} <= set(iris(index.search("benefit decisions")))
    assert iris(index.search("ennusteet"))[0] == MODEL


def test_a_title_match_ranks_first_and_description_only_last(index: CatalogueIndex):
    hits = index.search("työnhakija").hits
    assert hits[0].iri == SERIES
    assert hits[-1].iri == KUNTA  # the word only in its description
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert index.search("ESCO").hits[0].iri == ESCO


def test_ties_are_broken_by_title_in_finnish_order():
    graph = Graph()
    for name, title in (("z", "Ökyaineisto"), ("y", "Aineisto beta"), ("x", "Aineisto alfa"),
                        ("w", "Zeta-aineisto")):
        node = URIRef(DATASET + name)
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCTERMS.title, Literal(title, lang="fi")))
        graph.add((node, DCTERMS.description, Literal("Sama kuvaus.", lang="fi")))
    index = CatalogueIndex.build(graph)
    tied = [h.title["fi"] for h in index.search("kuvaus").hits]
    assert tied == ["Aineisto alfa", "Aineisto beta", "Zeta-aineisto", "Ökyaineisto"]
    assert [h.title["fi"] for h in index.search("").hits] == tied


def test_empty_text_browses_everything_by_title_in_the_page_language(index: CatalogueIndex):
    for lang in ("fi", "en"):
        result = index.search("", lang=lang, size=100)
        assert result.total == len(ALL_ITEMS) and result.sort == "title"
        titles = [h.title[lang] for h in result.hits]
        assert titles == sorted(titles, key=title_key)
    assert index.search("ja", size=100).total == len(ALL_ITEMS)  # only a stop word


def test_sort_by_modified_puts_the_newest_first_and_undated_last(index: CatalogueIndex):
    hits = index.search("", sort="modified", size=100).hits
    dated = [h.modified for h in hits if h.modified]
    assert dated == sorted(dated, reverse=True) and hits[0].iri == PROFILE
    assert all(h.modified is None for h in hits[len(dated):])


FACET_PROPERTY = {"publisher": DCTERMS.publisher, "theme": DCAT.theme,
                  "licence": DCTERMS.license, "access_rights": DCTERMS.accessRights,
                  "legislation": DCATAP.applicableLegislation}


@pytest.mark.parametrize("text", ["", "työnhakija", "tiedot", "benefit"])
def test_facet_counts_equal_the_hits_holding_each_value(graph: Graph, index: CatalogueIndex,
                                                        text: str):
    result = index.search(text, size=100)
    hits = iris(result)
    kinds = {h.iri: h.kind for h in result.hits}
    assert {v.value: v.count for v in result.facets["type"]} == {
        kind: list(kinds.values()).count(kind) for kind in set(kinds.values())}
    for name, prop in FACET_PROPERTY.items():
        expected: dict[str, int] = {}
        for hit in hits:
            for value in set(graph.objects(URIRef(hit), prop)):
                expected[str(value)] = expected.get(str(value), 0) + 1
        assert {v.value: v.count for v in result.facets[name]} == expected, name
    keywords: dict[str, int] = {}
    for hit in hits:
        for word in {str(k) for k in graph.objects(URIRef(hit), DCAT.keyword)
                     if k.language in ("fi", None)}:
            keywords[word] = keywords.get(word, 0) + 1
    assert {v.value: v.count for v in result.facets["keyword"]} == keywords
    counts = [v.count for v in result.facets["publisher"]]
    assert counts == sorted(counts, reverse=True)


def test_facet_labels_come_from_the_graph_or_the_eu_tables(index: CatalogueIndex):
    facets = index.search("", size=100).facets
    label = {name: {v.value: v.label for v in values} for name, values in facets.items()}
    assert label["theme"][THEME + "SOCI"] == {"fi": "Väestö ja yhteiskunta",
                                              "en": "Population and society"}
    assert label["theme"][THEME + "HEAL"] == {"fi": "Terveys", "en": "Health"}  # no graph label
    assert label["access_rights"][ACCESS + "NON_PUBLIC"] == {"fi": "Ei julkinen",
                                                             "en": "Non-public"}
    assert label["publisher"][AGENT + "kela"]["en"] == "Social Insurance Institution of Finland"
    assert label["legislation"]["http://data.finlex.fi/eli/sd/2002/1290/alkup"]["fi"] == \
        "Työttömyysturvalaki"
    assert label["type"]["data-product"] == {"fi": "Datatuote", "en": "Data product"}
    assert {"ESCO", "työnhakija"} <= set(label["keyword"])  # untagged and Finnish
    assert "job seeker" not in label["keyword"]  # English keywords in the English page
    assert "job seeker" in {v.value for v in index.search("", lang="en").facets["keyword"]}


def test_filters_and_across_facets_or_within_one(index: CatalogueIndex):
    kela = index.search("", filters={"publisher": [AGENT + "kela"]}, size=100)
    assert set(iris(kela)) == {KELA, KELA_EXTRACT}
    both = index.search("", filters={"theme": [THEME + "SOCI"], "type": ["series"]})
    assert set(iris(both)) == {SERIES, KELA}
    either = index.search("", filters={"type": ["series", "model"]}, size=100)
    assert set(iris(either)) == {SERIES, KELA, ESCO, MODEL}
    narrowed = index.search("työnhakija", filters={"type": ["data-product"]})
    assert iris(narrowed) == [PROFILE]
    services = index.search("", filters={"access_rights": [ACCESS + "RESTRICTED"],
                                         "type": ["data-service"]})
    assert iris(services) == [FORECAST_API]


def test_a_facets_own_filter_does_not_narrow_its_own_counts(index: CatalogueIndex):
    result = index.search("", filters={"type": ["series"]}, size=100)
    types = {v.value: (v.count, v.selected) for v in result.facets["type"]}
    assert types["series"] == (3, True) and types["model"] == (1, False)
    assert types["dataset"][0] == 5  # what choosing "dataset" too would add
    publishers = {v.value: v.count for v in result.facets["publisher"]}
    assert publishers == {AGENT + "kela": 1, AGENT + "tyomarkkinatori": 1, AGENT + "ec": 1}


def test_an_unknown_filter_value_gives_no_hits_and_stays_shown(index: CatalogueIndex):
    result = index.search("", filters={"publisher": [AGENT + "nobody"]})
    assert result.total == 0 and result.hits == []
    chosen = [v for v in result.facets["publisher"] if v.selected]
    assert [(v.value, v.count) for v in chosen] == [(AGENT + "nobody", 0)]


def test_paging_covers_every_hit_exactly_once(index: CatalogueIndex):
    for text in ("", "tiedot", "työnhakija"):
        whole = iris(index.search(text, size=100))
        pages = index.search(text, size=3)
        seen: list[str] = []
        for page in range(1, pages.pages + 1):
            result = index.search(text, size=3, page=page)
            assert result.total == len(whole)
            seen += iris(result)
        assert seen == whole
    past = index.search("", size=5, page=99)
    assert past.hits == [] and past.total == len(ALL_ITEMS)


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"filters": {"colour": ["red"]}}, "'colour'"),
    ({"page": 0}, "page"),
    ({"page": -3}, "-3"),
    ({"size": 0}, "size"),
    ({"size": 101}, "101"),
    ({"text": "työ " * 100}, "400 characters"),
    ({"lang": "sv"}, "'sv'"),
    ({"sort": "price"}, "'price'"),
    ({"filters": {"keyword": [f"k{i}" for i in range(51)]}}, "51 values"),
])
def test_bad_requests_get_a_specific_error(index: CatalogueIndex, kwargs: dict, named: str):
    with pytest.raises(SearchError, match=named.replace("(", r"\(")) as caught:
        index.search(**kwargs)
    assert isinstance(caught.value, TyodataError)


def test_results_serialise_to_plain_json(index: CatalogueIndex):
    result = index.search("työnhakija", filters={"type": ["series"]}, size=2)
    data = json.loads(json.dumps(result.to_json()))
    assert data["total"] == 1 and data["pages"] == 1 and data["filters"] == {"type": ["series"]}
    hit = data["hits"][0]
    assert hit["iri"] == SERIES and hit["kind"] == "series"
    assert hit["title"] == {"fi": "Työmarkkinatorin työnhakijat",
                            "en": "Job Market Finland job seekers"}
    assert hit["modified"] == "2026-11-01" and "job seeker" in hit["keywords"]["en"]
    assert set(data["facets"]) == {"theme", "publisher", "keyword", "type", "licence",
                                   "access_rights", "legislation"}
    assert {"value", "label", "count", "selected"} == set(data["facets"]["type"][0])


def test_the_synthetic_catalogue_at_small_scale():
    graph = generate_catalogue(items=120, seed=3)
    index = CatalogueIndex.build(graph)
    assert len(index) == 120
    assert {item.kind for item in index.items} == {"series", "dataset", "data-product",
                                                   "data-service", "model"}
    result = index.search("työnhakijoiden", size=100)
    assert result.total > 0
    assert sum(v.count for v in result.facets["type"]) == result.total
    assert all("työnhakij" in (h.title["fi"] + h.description["fi"] + " ".join(
        h.keywords["fi"])).lower() for h in result.hits)
    assert index.search("oleskelulupien").total > 0  # the extracts cover every source
