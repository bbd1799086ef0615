"""The catalogue, for harvesters and developers: DCAT-AP as RDF, search, lineage.

Like CKAN's DCAT endpoints: ``/catalog.ttl`` (``.jsonld``, ``.rdf``, or ``/catalog`` with
content negotiation) in pages (Hydra), ``?modified_since=`` for incremental harvesting;
every item at its own IRI, ``/catalog/<kind>/<name>`` (RDF by negotiation, a browser is
sent to its page) and ``.ttl`` / ``.jsonld`` / ``.rdf``. The catalogue holds no personal
data: anyone may read it, with or without a token.
"""

from __future__ import annotations

from typing import Annotated, Any

import pyoxigraph as ox
from fastapi import APIRouter, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from catalog.formats import MEDIA_TYPES, negotiate, serialize
from catalog.harvest import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    HarvestError,
    parse_since,
)
from catalog.iris import BASE
from catalog.lineage import LineageError
from catalog.search import (
    FACETS,
    MAX_FILTER_VALUES,
    MAX_TEXT_CHARS,
    SearchError,
)
from catalog.search import (
    MAX_PAGE_SIZE as MAX_SEARCH_SIZE,
)
from graph_service.api.deps import ServicesDep
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem

router = APIRouter(tags=["catalogue"])
UI_CATALOG = "/ui/catalog"
_RDF_CONTENT = {"content": {media.split(";")[0]: {"schema": {"type": "string"}}
                            for media in MEDIA_TYPES.values()}}
_ACCEPT = Annotated[str | None, Header(description="text/turtle (default), "
                                       "application/ld+json or application/rdf+xml; a "
                                       "browser (text/html) is sent to the page")]


def _format(fmt: str | None, accept: str | None, page_path: str) -> str | Response:
    """The format asked for, or the redirect a browser gets, or a 406."""
    chosen = fmt or negotiate(accept)
    if chosen == "html":
        return RedirectResponse(page_path, status_code=303)
    if chosen not in MEDIA_TYPES:
        raise Problem(406, "Not acceptable", "the catalogue is served as text/turtle, "
                      "application/ld+json or application/rdf+xml (or add .ttl, .jsonld, "
                      ".rdf to the path)", "not-acceptable")
    return chosen


def _rdf(triples: list[ox.Triple], fmt: str) -> Response:
    return Response(serialize(triples, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Vary": "Accept"})


async def _catalogue(services: Any) -> Any:
    return await run_in_threadpool(services.catalogue.snapshot)


_PAGE = Annotated[int, Query(alias="page", ge=1, description="Page number, from 1")]
_PAGE_SIZE = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Items per page")]
_SINCE = Annotated[str | None, Query(description="Only items modified since (ISO 8601 date "
                                     "or date-time)", max_length=40)]


@router.get("/catalog", summary="The catalogue (DCAT-AP 3), by content negotiation, paged",
            responses={200: _RDF_CONTENT, 303: {"description": "A browser: to the page"},
                       **problem_responses(400, 406, 422, public=True)})
async def catalogue(request: Request, services: ServicesDep, accept: _ACCEPT = None,
                    page_number: _PAGE = 1, page_size: _PAGE_SIZE = DEFAULT_PAGE_SIZE,
                    modified_since: _SINCE = None) -> Response:
    chosen = _format(None, accept, UI_CATALOG)
    if isinstance(chosen, Response):
        return chosen
    return await _page(request, services, chosen, page_number, page_size, modified_since)


@router.get("/catalog.{fmt}", summary="The catalogue as Turtle (ttl), JSON-LD (jsonld) or "
            "RDF/XML (rdf), paged", responses={200: _RDF_CONTENT,
                                              **problem_responses(400, 404, 422, public=True)})
async def catalogue_as(request: Request, services: ServicesDep, fmt: str,
                       page_number: _PAGE = 1, page_size: _PAGE_SIZE = DEFAULT_PAGE_SIZE,
                       modified_since: _SINCE = None) -> Response:
    if fmt not in MEDIA_TYPES:
        raise Problem(404, "Not found", "the catalogue is at /catalog.ttl, /catalog.jsonld "
                      "and /catalog.rdf", "not-found")
    return await _page(request, services, fmt, page_number, page_size, modified_since)


async def _page(request: Request, services: Any, fmt: str, number: int, size: int,
                modified_since: str | None) -> Response:
    try:
        since = parse_since(modified_since)
        snapshot = await _catalogue(services)
        triples, _ = snapshot.harvest.page(number=number, size=size, modified_since=since,
                                           page_url=str(request.url.replace(query=None)))
    except HarvestError as error:
        raise Problem(400, "Bad parameter", str(error), "bad-parameter") from None
    return _rdf(triples, fmt)


_SUFFIXES = {"." + fmt: fmt for fmt in MEDIA_TYPES}


@router.get("/catalog/{kind}/{name:path}",
            summary="One catalogue item at its own IRI (RDF by negotiation, or .ttl, "
                    ".jsonld, .rdf); a browser is sent to its page",
            responses={200: _RDF_CONTENT, 303: {"description": "A browser: to the page"},
                       **problem_responses(404, 406, 422, public=True)})
async def item(kind: str, name: str, services: ServicesDep,
               accept: _ACCEPT = None) -> Response:
    fmt = next((f for suffix, f in _SUFFIXES.items() if name.endswith(suffix)), None)
    if fmt:
        name = name[: -len(fmt) - 1]
    path = f"/catalog/{kind}/{name}"
    chosen = _format(fmt, accept, UI_CATALOG + path.removeprefix("/catalog"))
    if isinstance(chosen, Response):
        return chosen
    snapshot = await _catalogue(services)
    iri = BASE + path
    harvest = snapshot.harvest
    own = [i for i in harvest.items if str(i) == iri or str(i).startswith(iri + "#")]
    if not own:
        raise Problem(404, "No such item", "the catalogue has no item at this IRI; search "
                      "it at /api/catalog/search", "unknown-item")
    triples = dict.fromkeys(t for found in own for t in harvest.described(found))
    return _rdf(list(triples), chosen)


MAX_FACET_VALUE_CHARS = 500


def _facet_filters(request: Request) -> dict[str, list[str]]:
    """The facet filters of the query, each value checked against the documented limits."""
    filters = {facet: values for facet in FACETS
               if (values := request.query_params.getlist(facet))}
    for facet, values in filters.items():
        if len(values) > MAX_FILTER_VALUES or any(len(v) > MAX_FACET_VALUE_CHARS
                                                  for v in values):
            raise Problem(422, "Bad search", f"{facet}: at most {MAX_FILTER_VALUES} values "
                          f"of at most {MAX_FACET_VALUE_CHARS} characters", "bad-search")
    return filters


@router.get("/api/catalog/search", summary="Search the catalogue: free text (Finnish or "
            "English), facets with counts, paging",
            responses=problem_responses(422, public=True),
            openapi_extra={"parameters": [
                {"name": facet, "in": "query", "required": False,
                 "description": f"Only items with this {facet.replace('_', ' ')} (IRI or "
                                "keyword; repeat for any of several)",
                 "schema": {"type": "array", "maxItems": MAX_FILTER_VALUES,
                            "items": {"type": "string",
                                      "maxLength": MAX_FACET_VALUE_CHARS}},
                 "style": "form", "explode": True} for facet in FACETS]})
async def search(request: Request, services: ServicesDep,
                 q: Annotated[str, Query(max_length=MAX_TEXT_CHARS,
                                         description="Free text")] = "",
                 page_number: Annotated[int, Query(alias="page", ge=1, le=10_000)] = 1,
                 size: Annotated[int, Query(ge=1, le=MAX_SEARCH_SIZE)] = 20,
                 lang: Annotated[str, Query(pattern="^(fi|en)$")] = "fi") -> dict:
    snapshot = await _catalogue(services)
    try:
        result = snapshot.index.search(q, filters=_facet_filters(request), page=page_number,
                                       size=size, lang=lang)
    except SearchError as error:
        raise Problem(422, "Bad search", str(error), "bad-search") from None
    return result.to_json()


@router.get("/api/catalog/lineage", summary="What an item was derived from and everything "
            "that depends on it (products, models, services)",
            responses=problem_responses(404, 422, public=True))
async def item_lineage(services: ServicesDep,
                       iri: Annotated[str, Query(max_length=500,
                                                 description="The item's IRI")]) -> dict:
    snapshot = await _catalogue(services)
    try:
        return snapshot.lineage.lineage(iri, None).to_json()
    except LineageError:
        raise Problem(404, "No such item", "the catalogue has no item with this IRI",
                      "unknown-item") from None


@router.get("/api/catalog/themes", summary="The themes of the catalogue with the datasets, "
            "products, models and services around each", responses=problem_responses(
                404, 422, public=True))
async def theme(services: ServicesDep,
                iri: Annotated[str, Query(max_length=500,
                                          description="The theme's IRI (EU data theme)")]
                ) -> dict:
    snapshot = await _catalogue(services)
    try:
        return snapshot.lineage.theme_view(iri).to_json()
    except LineageError:
        raise Problem(404, "No such theme", "no catalogue item has this theme",
                      "unknown-theme") from None
