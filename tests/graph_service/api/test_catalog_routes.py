"""The catalogue over HTTP: harvesting (formats, negotiation, pages, modified_since), items
at their own IRIs, search and lineage; and that reading it needs no token while nothing
else opens up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rdflib import RDF, Graph, URIRef

from catalog.build import build_catalogue
from catalog.harvest import items
from catalog.iris import CATALOG, dataset_iri
from catalog.store_io import write_catalogue
from catalog.terms import DCAT, HYDRA
from tests.graph_service.api.conftest import Api

PARSE = {"ttl": "turtle", "jsonld": "json-ld", "rdf": "xml"}


@pytest.fixture(scope="module")
def catalogued(api: Api) -> Graph:
    services = api.client.app.state.services
    graph = build_catalogue(services.store)
    write_catalogue(services.store, graph)
    services.catalogue.check_every = 0.0
    return graph


def _parsed(response, fmt: str) -> Graph:
    assert response.status_code == 200, response.text
    return Graph().parse(data=response.content, format=PARSE[fmt])


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "rdf"])
def test_the_catalogue_is_harvested_in_every_format_without_a_token(
        api: Api, catalogued: Graph, fmt: str):
    graph = _parsed(api.request("GET", f"/catalog.{fmt}"), fmt)
    assert (URIRef(CATALOG), RDF.type, DCAT.Catalog) in graph
    assert set(items(graph)) == set(items(catalogued))  # one page holds them all


@pytest.mark.parametrize(("accept", "fmt"), [("text/turtle", "ttl"),
                                             ("application/ld+json", "jsonld"),
                                             ("application/rdf+xml", "rdf")])
def test_content_negotiation_picks_the_format(api: Api, catalogued: Graph, accept: str,
                                              fmt: str):
    response = api.request("GET", "/catalog", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    assert (URIRef(CATALOG), RDF.type, DCAT.Catalog) in _parsed(response, fmt)


def test_a_browser_is_sent_to_the_page_and_an_unknown_type_is_refused(api: Api,
                                                                      catalogued: Graph):
    page = api.client.get("/catalog", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/ui/catalog"
    assert api.request("GET", "/catalog", headers={"Accept": "image/png"}).status_code == 406
    assert api.request("GET", "/catalog.csv").status_code == 404


def test_pages_walk_the_whole_catalogue_by_their_hydra_links(api: Api, catalogued: Graph):
    seen: list[URIRef] = []
    url = "/catalog.ttl?page_size=7"
    while url:
        graph = _parsed(api.request("GET", url), "ttl")
        seen += items(graph)
        pages = list(graph.subjects(RDF.type, HYDRA.PagedCollection))
        assert len(pages) == 1
        following = graph.value(pages[0], HYDRA.nextPage)
        url = str(following).removeprefix("http://testserver") if following else ""
    assert sorted(seen) == items(catalogued)
    assert len(seen) > 7  # more than one page was walked


def test_modified_since_in_the_future_harvests_nothing(api: Api, catalogued: Graph):
    later = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    graph = _parsed(api.request("GET", f"/catalog.ttl?modified_since={later}"), "ttl")
    assert items(graph) == []
    bad = api.request("GET", "/catalog.ttl?modified_since=yesterday")
    assert bad.status_code == 400 and "modified_since" in bad.json()["detail"]


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_an_item_is_served_at_its_own_iri(api: Api, catalogued: Graph, fmt: str):
    iri = dataset_iri("kela")
    graph = _parsed(api.request("GET", f"/catalog/dataset/kela.{fmt}"), fmt)
    assert (URIRef(iri), RDF.type, DCAT.DatasetSeries) in graph
    negotiated = api.request("GET", "/catalog/dataset/kela", headers={"Accept": "text/turtle"})
    assert set(_parsed(negotiated, "ttl")) == set(_parsed(
        api.request("GET", "/catalog/dataset/kela.ttl"), "ttl"))
    page = api.client.get("/catalog/dataset/kela", headers={"Accept": "text/html"},
                          follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/ui/catalog/dataset/kela"


def test_an_unknown_item_is_a_404(api: Api, catalogued: Graph):
    assert api.request("GET", "/catalog/dataset/nobody.ttl").status_code == 404
    # A path that climbs out of the catalogue reaches nothing else without a token.
    climbing = api.request("GET", "/catalog/dataset/../../api/persons/x/situation")
    assert climbing.status_code in (401, 404)


def test_search_and_lineage_answer_without_a_token(api: Api, catalogued: Graph):
    found = api.request("GET", "/api/catalog/search", params={"q": "etuuspäätökset"})
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["total"] >= 1 and body["hits"]
    assert set(body["facets"]) >= {"theme", "publisher", "access_rights"}
    lineage = api.request("GET", "/api/catalog/lineage", params={"iri": dataset_iri("esco")})
    assert lineage.status_code == 200, lineage.text
    unknown = api.request("GET", "/api/catalog/lineage", params={"iri": dataset_iri("x")})
    assert unknown.status_code == 404
    bad = api.request("GET", "/api/catalog/search", params={"q": "x", "size": 1000})
    assert bad.status_code == 422


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/catalogue"), ("GET", "/catalog-admin"), ("GET", "/api/catalogx"),
    ("GET", "/api/persons/x/situation"), ("POST", "/products/Person/BasicInformation_v1.0"),
])
def test_only_reading_the_catalogue_is_open(api: Api, catalogued: Graph, method: str,
                                            path: str):
    assert api.request(method, path).status_code == 401


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/catalog.ttl"), ("DELETE", "/catalog/dataset/kela"), ("PUT", "/catalog"),
    ("POST", "/api/catalog/search"), ("POST", "/ui/catalog"), ("PATCH", "/products"),
])
@pytest.mark.parametrize("role", [None, "admin"])
def test_nothing_is_written_through_a_public_path_even_with_a_token(
        api: Api, catalogued: Graph, method: str, path: str, role: str | None):
    response = api.request(method, path, role=role)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD"
