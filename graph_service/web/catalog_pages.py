"""The catalogue's pages for developers of other services: the catalogue with search and
facets, an item's page (description, distributions, quality, lineage picture, and for a
data product how to call it) and a theme's knowledge-graph view.

The pages are public, like the catalogue itself: it holds no personal data, and nobody
needs to sign in to read it (the gatekeeper lets ``GET /ui/catalog...`` through). They read
the same catalogue snapshot, index and lineage the API's catalogue routes answer from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from markupsafe import Markup

from catalog.drawing import lineage_svg, theme_svg
from catalog.formats import MEDIA_TYPES
from catalog.lineage import (
    LineageError,
)
from catalog.search import FACETS, SearchError
from graph_service.api.routes.products import products_of
from graph_service.web.catalog_call import product_call, sparql_call
from graph_service.web.catalog_present import (
    CATALOG_PAGE,
    Presenter,
    item_iri,
    theme_path,
)
from graph_service.web.catalog_search import (
    PAGE_SIZE,
    active_filters,
    facets_view,
    hits_view,
    pager,
    read_asked,
)
from graph_service.web.catalog_theme import lineage_lists, theme_groups
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, services_of
from graph_service.web.render import catalogue, render

if TYPE_CHECKING:
    from catalog.service import Snapshot

router = page_router()
SEARCH_LANGUAGES = ("fi", "en")
MAX_NAME = 300
MEDIA_TYPES_PLAIN = {fmt: media.split(";")[0] for fmt, media in MEDIA_TYPES.items()}


async def _snapshot(request: Request) -> Snapshot:
    return await run_in_threadpool(services_of(request).catalogue.snapshot)


def _search_language(language: str) -> str:
    """The catalogue's texts are in Finnish and English: another page language searches
    and labels as Finnish (the default) does."""
    return language if language in SEARCH_LANGUAGES else SEARCH_LANGUAGES[0]


@router.get("/catalog")
async def catalogue_page(request: Request) -> Response:
    messages = catalogue(request)
    lang = _search_language(messages.language)
    asked, problem = read_asked(request.query_params)
    snapshot = await _snapshot(request)
    presenter = Presenter(snapshot.graph, messages)
    filters = {name: list(values) for name, values in asked.filters.items()}
    try:
        result = snapshot.index.search(asked.text, filters=filters, page=asked.page,
                                       size=PAGE_SIZE, lang=lang)
    except SearchError:
        raise PageError(422, "catalog.error.search") from None
    if result.total and asked.page > result.pages:  # past the end: the last page
        result = snapshot.index.search(asked.text, filters=filters, page=result.pages,
                                       size=PAGE_SIZE, lang=lang)
    everything = snapshot.index.search("", size=1, lang=lang)
    return render(
        request, "catalog.html", asked=asked, result=result, problem=problem,
        unbuilt=snapshot.version is None,
        facets=facets_view(result, lang), active=active_filters(asked, result, lang),
        hits=hits_view(result, presenter), pager=pager(asked, result),
        themes=[(choice, theme_path(choice.value))
                for view in facets_view(everything, lang) if view.name == "theme"
                for choice in view.shown + view.more],
        items_total=len(snapshot.index), facet_names=FACETS, kind_name=presenter.kind_name,
        first_shown=(result.page - 1) * result.size + 1,
        sparql=sparql_call(str(request.base_url).rstrip("/"), lang),
        page=(CATALOG_PAGE, asked.parameters()))


@router.get("/catalog/theme")
async def theme_page(request: Request) -> Response:
    """The pilot's knowledge-graph view of one theme: what is around it, by kind."""
    iri = request.query_params.get("iri", "")
    if not iri or len(iri) > MAX_NAME:
        raise PageError(404, "catalog.error.unknown_theme")
    messages = catalogue(request)
    snapshot = await _snapshot(request)
    try:
        view = await run_in_threadpool(snapshot.lineage.theme_view, iri)
    except LineageError:
        raise PageError(404, "catalog.error.unknown_theme") from None
    lang = _search_language(messages.language)
    presenter = Presenter(snapshot.graph, messages)
    picture = theme_svg(view, lang=lang, href=presenter.href)
    return render(request, "catalog_theme.html", theme=presenter.name_of(iri), iri=iri,
                  groups=theme_groups(view, presenter), picture=Markup(picture),
                  kind_name=presenter.kind_name, page=(request.url.path, {"iri": iri}))


@router.get("/catalog/{kind}/{name:path}")
async def item_page(request: Request, kind: str, name: str) -> Response:
    """An item at its own address (its IRI's path under /ui)."""
    if len(kind) + len(name) > MAX_NAME:
        raise PageError(404, "catalog.error.unknown_item")
    iri = item_iri(kind, name)
    messages = catalogue(request)
    snapshot = await _snapshot(request)
    presenter = Presenter(snapshot.graph, messages)
    item = presenter.item(iri)
    if item is None or "#" in iri:
        raise PageError(404, "catalog.error.unknown_item")
    lang = _search_language(messages.language)
    found = await run_in_threadpool(snapshot.lineage.lineage, iri)
    picture = lineage_svg(found, lang=lang, href=presenter.href)
    call = (product_call(iri, str(request.base_url).rstrip("/"),
                         products_of(services_of(request)), lang)
            if item.kind == "data-product" else None)
    return render(request, "catalog_item.html", item=item, kind_name=presenter.kind_name,
                  picture=Markup(picture), lineage=lineage_lists(found, presenter),
                  call=call, media_types=MEDIA_TYPES_PLAIN)

