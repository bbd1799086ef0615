"""What the catalogue says is shown as text, never run as markup: a catalogue whose item has
a title, description and keyword full of markup (written to the store as a refresh writes
it) is shown escaped on every page that names the item, its picture included."""

from __future__ import annotations

import shutil
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from catalog.store_io import read_catalogue, write_catalogue
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.web.app import create_service_app
from tests.graph_service.api.conftest import make_settings
from tests.web.catalog.conftest import Catalogued

DCAT = Namespace("http://www.w3.org/ns/dcat#")
HOSTILE = "https://tyodata.fi/catalog/dataset/hostile"
SOCI = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
MARKUP = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TITLE = f'Tulot {MARKUP} & "menot"'


@pytest.fixture(scope="module")
def client(catalogued: Catalogued, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("catalog-hostile")
    shutil.copytree(catalogued.store_path, root / "store")
    store = OxigraphStore(root / "store")
    try:
        graph = read_catalogue(store)
        kela = next(s for s in graph.subjects(DCAT.inSeries,
                                              URIRef("https://tyodata.fi/catalog/dataset/kela")))
        item = URIRef(HOSTILE)
        graph.add((item, RDF.type, DCAT.Dataset))
        for lang in ("fi", "en"):
            graph.add((item, DCTERMS.title, Literal(TITLE, lang=lang)))
            graph.add((item, DCTERMS.description, Literal(MARKUP, lang=lang)))
            graph.add((item, DCAT.keyword, Literal(MARKUP, lang=lang)))
        graph.add((item, DCAT.theme, URIRef(SOCI)))
        graph.add((item, PROV.wasDerivedFrom, kela))
        write_catalogue(store, graph)
    finally:
        store.close()
    app = create_service_app(make_settings(root, root / "store"))
    with TestClient(app) as running:
        yield running


def _assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html and "<img src=x" not in html, where
    assert "&lt;script&gt;alert" in html, where


def test_markup_in_the_catalogue_is_shown_as_text_everywhere(client: TestClient):
    pages = {
        "search": "/ui/catalog?" + urlencode({"q": "tulot menot"}),
        "keyword facet": "/ui/catalog?" + urlencode({"keyword": MARKUP}),
        "the item": "/ui/catalog/dataset/hostile",
        "what it derives from": "/ui/catalog/dataset/kela",
        "its theme": "/ui/catalog/theme?" + urlencode({"iri": SOCI}),
    }
    for where, path in pages.items():
        page = client.get(path)
        assert page.status_code == 200, (where, page.text[-500:])
        _assert_escaped(page.text, where)
    assert "&lt;script&gt;alert" in client.get(pages["the item"]).text.split("<svg", 1)[1]
