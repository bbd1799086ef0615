"""The catalogue's pages over the real catalogue of the generated store: public, searchable
with facets like the API (the same index), every item with a page, Finnish first and
English on request, escaped, and nothing fetched from elsewhere."""

from __future__ import annotations

import re
import shutil
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from catalog.harvest import items
from graph_service.web.app import create_service_app
from tests.conftest import Loaded
from tests.graph_service.api.conftest import make_settings
from tests.web.catalog.conftest import snapshot
from tests.web.conftest import Web

CATALOG = "/ui/catalog"
KELA = "https://tyodata.fi/catalog/dataset/kela"
PROFILE = "https://tyodata.fi/catalog/product/Person/JobApplicantProfile_v1.0"
SOCI = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
DCAT_THEME = URIRef("http://www.w3.org/ns/dcat#theme")
DCAT_IN_SERIES = URIRef("http://www.w3.org/ns/dcat#inSeries")
HITS = re.compile(r'<article class="card hit"[^>]*>\s*<h3[^>]*><a href="([^"]+)"')
CHECKBOX = re.compile(r'<input type="checkbox" id="[^"]+" name="([a-z_]+)" value="([^"]+)"'
                      r'\s*(checked)?>\s*<label[^>]*>(.*?)<span class="facet__count">\((\d+)\)',
                      re.S)


def _hits(html: str) -> list[str]:
    return [unescape(h) for h in HITS.findall(html)]


def _api(web: Web, **params) -> dict:
    response = web.browser().get("/api/catalog/search?" + urlencode(params, doseq=True))
    assert response.status_code == 200, response.text
    return response.json()


def _page_of(iri: str) -> str:
    """An item's page (a ``#part`` of an item is an anchor on its page)."""
    return "/ui" + iri.removeprefix("https://tyodata.fi")


def _iri_of(href: str) -> str:
    return "https://tyodata.fi" + href.removeprefix("/ui")


def _heading_count(html: str) -> int:
    found = re.search(r'<h2 id="results-heading">[^<(]*\((\d+)\)</h2>', html)
    assert found, "no results heading"
    return int(found.group(1))


def test_the_catalogue_is_public_and_lists_every_item(web: Web):
    anonymous = web.browser()
    page = anonymous.get(CATALOG)
    assert page.status_code == 200, page.text
    total = len(items(snapshot(web).graph))
    assert total >= 10
    assert _heading_count(page.text) == total
    assert f"Katalogissa on {total} kuvausta" in page.text
    assert 'href="/catalog.ttl"' in page.text and 'href="/catalog.jsonld"' in page.text
    assert 'href="/catalog.rdf"' in page.text and "/sparql" in page.text
    assert len(_hits(page.text)) == min(20, total)


def test_the_page_shows_what_the_search_api_answers(web: Web):
    for text in ("työnhakijoiden", "benefit decisions", "kela"):
        page = web.browser().get(CATALOG + "?" + urlencode({"q": text}))
        api = _api(web, q=text, size=20)
        assert api["total"] > 0, text
        assert _heading_count(page.text) == api["total"]
        assert _hits(page.text) == [_page_of(h["iri"]) for h in api["hits"]]


def test_a_search_narrows_and_keeps_its_text(web: Web):
    everything = _heading_count(web.browser().get(CATALOG).text)
    page = web.browser().get(CATALOG + "?q=työnhakija")
    assert 0 < _heading_count(page.text) < everything
    assert 'name="q" type="search" maxlength="256" value="työnhakija"' in page.text
    assert "Hakutulokset" in page.text


def test_a_facet_narrows_to_its_count_and_its_filter_can_be_removed(web: Web):
    page = web.browser().get(CATALOG)
    themes = [(value, int(count)) for name, value, _, _, count in CHECKBOX.findall(page.text)
              if name == "theme"]
    assert themes, "no theme facet"
    value, count = themes[0]
    value = unescape(value)
    narrowed = web.browser().get(CATALOG + "?" + urlencode({"theme": value}))
    assert _heading_count(narrowed.text) == count < _heading_count(page.text)
    assert f'value="{value}" checked' in narrowed.text
    graph = snapshot(web).graph
    for href in _hits(narrowed.text):  # every hit has the theme
        assert (URIRef(_iri_of(href)), DCAT_THEME, URIRef(value)) in graph
    chip = re.search(r'<a class="chip" href="([^"]+)"', narrowed.text)
    assert chip, "no removable filter"
    back = web.browser().get(unescape(chip.group(1)))
    assert _heading_count(back.text) == _heading_count(page.text)
    assert "checked" not in back.text


def test_facets_combine_as_the_api_does(web: Web):
    """AND across facets, OR within one: the page and the API agree on every count."""
    api = _api(web)
    publishers = [v["value"] for v in api["facets"]["publisher"]][:2]
    kinds = [v["value"] for v in api["facets"]["type"]][:1]
    assert len(publishers) == 2 and kinds
    for filters in ({"publisher": publishers}, {"publisher": publishers, "type": kinds},
                    {"publisher": publishers[:1], "theme": [SOCI]}):
        page = web.browser().get(CATALOG + "?" + urlencode(filters, doseq=True))
        assert _heading_count(page.text) == _api(web, **filters)["total"], filters
        for name, values in filters.items():
            for value in values:
                assert f'name="{name}" value="{value}" checked' in page.text


def test_every_facet_of_the_brief_is_offered(web: Web):
    page = web.browser().get(CATALOG).text
    for legend in ("Teema", "Julkaisija", "Avainsana", "Tyyppi", "Lisenssi", "Käyttöoikeus",
                   "Lainsäädäntö"):
        assert f"<legend>{legend}</legend>" in page, legend


def test_nothing_found_says_so_with_a_hint(web: Web):
    page = web.browser().get(CATALOG + "?q=qwxyzzy")
    assert page.status_code == 200
    assert _heading_count(page.text) == 0 and not _hits(page.text)
    assert "Haullasi ei löytynyt yhtään kuvausta." in page.text
    assert "poista rajauksia" in page.text


def test_paging_walks_every_item_once(web: Web):
    total = len(items(snapshot(web).graph))
    seen: list[str] = []
    url: str | None = CATALOG
    while url:
        page = web.browser().get(url).text
        seen += _hits(page)
        found = re.search(r'<a href="([^"]+)" rel="next">', page)
        url = unescape(found.group(1)) if found else None
    assert len(seen) == total


def test_bad_parameters_are_told_and_the_rest_still_runs(web: Web):
    long_text = web.browser().get(CATALOG + "?" + urlencode({"q": "x" * 300}))
    assert long_text.status_code == 200 and "liian pitkä" in long_text.text
    assert "x" * 300 not in long_text.text
    bad_page = web.browser().get(CATALOG + "?page=abc")
    assert bad_page.status_code == 200 and "Sivunumero ei kelvannut" in bad_page.text
    past_the_end = web.browser().get(CATALOG + "?page=999")
    assert past_the_end.status_code == 200 and _hits(past_the_end.text)


def test_what_is_typed_is_escaped(web: Web):
    typed = '<script>alert("x")</script>'
    page = web.browser().get(CATALOG + "?" + urlencode({"q": typed, "keyword": typed}))
    assert page.status_code == 200
    assert typed not in page.text and "&lt;script&gt;" in page.text


def test_english_on_request_with_the_other_language_marked(web: Web):
    page = web.browser().get(CATALOG + "?lang=en")
    assert '<html lang="en">' in page.text and "Data catalogue" in page.text
    assert "Kela benefit and rehabilitation decisions" in page.text
    assert "<legend>Theme</legend>" in page.text
    finnish = web.browser().get(CATALOG)
    assert "Kelan etuus- ja kuntoutuspäätökset" in finnish.text


def test_the_language_switch_keeps_the_search(web: Web):
    page = web.browser().get(CATALOG + "?" + urlencode({"q": "kela", "theme": SOCI}))
    switch = re.search(r'<a href="([^"]+)" lang="en" hreflang="en"', page.text)
    assert switch, "no language switch"
    query = parse_qs(urlsplit(unescape(switch.group(1))).query)
    assert query == {"q": ["kela"], "theme": [SOCI], "lang": ["en"]}
    english = web.browser().get(unescape(switch.group(1)))
    assert _heading_count(english.text) == _heading_count(page.text)


def test_every_item_has_a_page(web: Web):
    graph = snapshot(web).graph
    for item in items(graph):
        page = web.browser().get(_page_of(str(item)).split("#")[0])
        assert page.status_code == 200, (item, page.text[-500:])
        assert 'class="lineage__picture"' in page.text


def test_a_series_page_tells_everything_the_catalogue_says(web: Web):
    page = web.browser().get(_page_of(KELA))
    assert page.status_code == 200
    text = page.text
    for label in ("Julkaisija", "Yhteyspiste", "Teemat", "Avainsanat", "Käyttöoikeus",
                  "Sovellettava lainsäädäntö", "Noudattaa", "Päivitetty"):
        assert f"<dt>{label}" in text, label
    assert "Kansaneläkelaitos (Kela)" in text
    assert 'href="http://data.finlex.fi/eli/sd/' in text  # the act as an ELI link
    assert f'href="/ui/catalog/theme?iri={SOCI.replace(":", "%3A").replace("/", "%2F")}"' \
        in text
    assert 'href="/catalog/dataset/kela.ttl"' in text
    assert 'id="quality"' in text and "Hylätyt rivit" in text
    assert re.search(r'<svg [^>]*role="group"', text)
    assert "Johdettu näistä" in text and "Riippuu tästä" in text
    # The lineage in words: what depends on the Kela series, each linked to its page.
    lists = text.split('id="downstream-heading"', 1)[1]
    assert 'href="/ui/catalog/dataset/kela/' in lists


def test_an_items_own_documents_are_there(web: Web):
    for suffix, fmt in ((".ttl", "turtle"), (".jsonld", "json-ld")):
        response = web.browser().get("/catalog/dataset/kela" + suffix)
        assert response.status_code == 200
        graph = Graph().parse(data=response.text, format=fmt)
        assert (URIRef(KELA), None, None) in graph


def test_a_browser_at_an_items_iri_lands_on_its_page(web: Web):
    response = web.browser().get("/catalog/dataset/kela", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/catalog/dataset/kela"


def test_a_data_products_page_says_how_to_call_it(web: Web):
    page = web.browser().get(_page_of(PROFILE))
    assert page.status_code == 200
    text = unescape(page.text)
    assert "Näin kutsut datatuotetta" in text
    basis = re.search(r'<pre class="curl curl--basis"[^>]*><code>(.*?)</code></pre>', text,
                      re.S)
    consent = re.search(r'<pre class="curl curl--consent"[^>]*><code>(.*?)</code></pre>', text,
                        re.S)
    assert basis and consent
    assert "curl -X POST http://testserver/products/Person/JobApplicantProfile_v1.0" in \
        basis.group(1)
    for part in ('-H "Authorization: Bearer $TOKEN"', "-H 'X-Purpose: job-matching'",
                 "-H 'Content-Type: application/json'", '$PERSON'):
        assert part in basis.group(1), part
    assert '-H "X-Consent-Token: $CONSENT_TOKEN"' in consent.group(1)
    assert "X-Consent-Token" not in basis.group(1)
    openapi = re.search(r'<a class="openapi-link" href="([^"]+)"', text)
    assert openapi and openapi.group(1) == "/products/Person/JobApplicantProfile_v1.0/openapi.json"
    document = web.browser().get(openapi.group(1))
    assert document.status_code == 200 and "paths" in document.json()
    assert 'id="dataset"' in text  # the dataset it serves, on the same page


@pytest.mark.parametrize("path", ["/ui/catalog/dataset/no-such", "/ui/catalog/nothing/here",
                                  "/ui/catalog/dataset/" + "x" * 400])
def test_an_unknown_item_is_a_404_page(web: Web, path: str):
    page = web.browser().get(path)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Katalogissa ei ole tällaista kuvausta" in page.text
    english = web.browser().get(path + "?lang=en")
    assert english.status_code == 404 and "The catalogue has no such description" in english.text


def test_the_theme_page_shows_what_is_around_the_theme_by_kind(web: Web):
    page = web.browser().get(CATALOG + "/theme?" + urlencode({"iri": SOCI}))
    assert page.status_code == 200
    text = page.text
    assert "Väestö ja yhteiskunta" in text
    assert re.search(r'<svg [^>]*role="group"', text)
    graph = snapshot(web).graph
    members = {str(s) for s in graph.subjects(DCAT_THEME, URIRef(SOCI))}
    assert members
    for iri in members:  # every item with the theme is listed (a series for its extracts)
        series = next(graph.objects(URIRef(iri), DCAT_IN_SERIES), None)
        shown = _page_of(str(series) if series is not None else iri)
        assert f'href="{shown}"' in text, iri
    assert 'id="kind-series-heading"' in text
    english = web.browser().get(CATALOG + "/theme?" + urlencode({"iri": SOCI, "lang": "en"}))
    assert "Population and society" in english.text


@pytest.mark.parametrize("query", ["", "?iri=https://example.org/no-theme"])
def test_an_unknown_theme_is_a_404_page(web: Web, query: str):
    page = web.browser().get(CATALOG + "/theme" + query)
    assert page.status_code == 404 and "Katalogissa ei ole tällaista teemaa" in page.text


def test_the_pages_run_no_script_and_fetch_nothing_from_elsewhere(web: Web):
    for path in (CATALOG, _page_of(KELA), _page_of(PROFILE),
                 CATALOG + "/theme?" + urlencode({"iri": SOCI})):
        page = web.browser().get(path)
        text = page.text.lower()
        assert "<script" not in text and " style=" not in text and "<style" not in text
        assert not re.search(r'\b(src|srcset)="(https?:)?//', text)
        assert not re.search(r'<link[^>]+href="(https?:)?//', text)
        assert page.headers["content-security-policy"].startswith("default-src 'none'")


def test_a_signed_in_user_reads_the_same_catalogue(web: Web):
    signed_in = web.browser("kela")
    page = signed_in.get(CATALOG)
    assert page.status_code == 200 and "Kirjaudu ulos" in page.text
    assert _heading_count(page.text) == len(items(snapshot(web).graph))


def test_a_store_without_a_catalogue_says_how_to_build_one(loaded: Loaded,
                                                           tmp_path_factory):
    root = tmp_path_factory.mktemp("uncatalogued")
    shutil.copytree(loaded.store_path, root / "store")
    with TestClient(create_service_app(make_settings(root, root / "store"))) as client:
        page = client.get(CATALOG)
        assert page.status_code == 200
        assert "Katalogia ei ole vielä laadittu" in page.text
        assert "tyodata catalog build" in page.text
        assert client.get("/ui/catalog/dataset/kela").status_code == 404
