"""The catalogue page's search: what was asked (text, facet filters, page) read from the
address, the catalogue index's answer, and the links that narrow, widen and turn pages.

The address is the whole state (a GET form), so a search can be bookmarked, shared and
reloaded; the language switch carries it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from catalog.search import FACETS, MAX_FILTER_VALUES, MAX_TEXT_CHARS, SearchResult
from graph_service.web.catalog_present import CATALOG_PAGE, Presenter, Text, choose, page_path

PAGE_SIZE = 20
MAX_PAGE = 10_000
PAGE_WINDOW = 2
"""Pages either side of the current one that the pager links by number."""
OPEN_FACET_VALUES = 8
"""Values of a facet shown at once; the rest behind "show all"."""


@dataclass(frozen=True)
class Asked:
    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    page: int = 1

    @property
    def narrowed(self) -> bool:
        return bool(self.text.strip() or self.filters)

    def parameters(self, *, page: int | None = None,
                   filters: Mapping[str, tuple[str, ...]] | None = None
                   ) -> dict[str, str | list[str]]:
        """This search as URL parameters (``page`` and ``filters`` replaced if given)."""
        chosen = self.filters if filters is None else filters
        found: dict[str, str | list[str]] = {}
        if self.text:
            found["q"] = self.text
        for name in FACETS:
            values = list(chosen.get(name, ()))
            if values:  # one value as a plain string: any urlencode writes it right
                found[name] = values[0] if len(values) == 1 else values
        number = self.page if page is None else page
        if number > 1:
            found["page"] = str(number)
        return found

    def url(self, **changes) -> str:
        query = urlencode(self.parameters(**changes), doseq=True)
        return CATALOG_PAGE + ("?" + query if query else "")

    def without(self, name: str, value: str) -> str:
        rest = {k: tuple(v for v in values if not (k == name and v == value))
                for k, values in self.filters.items()}
        return self.url(page=1, filters={k: v for k, v in rest.items() if v})


def read_asked(query: QueryParams) -> tuple[Asked, str | None]:
    """The search in the address, and the message key of what had to be left out of it
    (too long a text, too many values, a page that is no number): the rest still runs."""
    problem = None
    text = query.get("q", "").strip()
    if len(text) > MAX_TEXT_CHARS:
        text, problem = "", "catalog.error.text_too_long"
    filters: dict[str, tuple[str, ...]] = {}
    for name in FACETS:
        values = tuple(dict.fromkeys(v for v in query.getlist(name) if v.strip()))
        if len(values) > MAX_FILTER_VALUES:
            values, problem = values[:MAX_FILTER_VALUES], "catalog.error.too_many_values"
        if values:
            filters[name] = values
    raw = query.get("page", "1").strip() or "1"
    page = int(raw) if raw.isdigit() and 0 < len(raw) <= 5 else 0
    if not 1 <= page <= MAX_PAGE:
        page, problem = 1, "catalog.error.page"
    return Asked(text, filters, page), problem


@dataclass(frozen=True)
class FacetChoice:
    value: str
    label: Text
    count: int
    selected: bool


@dataclass(frozen=True)
class FacetView:
    name: str
    shown: list[FacetChoice]
    more: list[FacetChoice]
    selected: int


@dataclass(frozen=True)
class ActiveFilter:
    facet: str
    label: Text
    remove: str


@dataclass(frozen=True)
class HitView:
    title: Text
    href: str
    kind: str
    publishers: list[Text]
    description: Text | None
    modified: str | None


@dataclass(frozen=True)
class PageLink:
    number: int
    href: str
    current: bool


@dataclass(frozen=True)
class Pager:
    previous: str | None
    next: str | None
    pages: list[PageLink | None]
    """Numbered pages; None where pages are left out (an ellipsis)."""
    last: int


def _label(labels: Mapping[str, str], value: str, lang: str) -> Text:
    return choose(dict(labels), lang) or Text(value)


def facets_view(result: SearchResult, lang: str) -> list[FacetView]:
    views = []
    for name in FACETS:
        choices = [FacetChoice(v.value, _label(v.label, v.value, lang), v.count, v.selected)
                   for v in result.facets.get(name, [])]
        if not choices:
            continue
        # The chosen ones stay in sight, whatever their count.
        shown = [c for i, c in enumerate(choices) if i < OPEN_FACET_VALUES or c.selected]
        more = [c for c in choices if c not in shown]
        views.append(FacetView(name, shown, more, sum(c.selected for c in choices)))
    return views


def active_filters(asked: Asked, result: SearchResult, lang: str) -> list[ActiveFilter]:
    labels = {(name, v.value): v.label for name, values in result.facets.items()
              for v in values}
    return [ActiveFilter(name, _label(labels.get((name, value), {}), value, lang),
                         asked.without(name, value))
            for name in FACETS for value in asked.filters.get(name, ())]


def _short(text: Text | None, limit: int = 240) -> Text | None:
    if text is None or len(text.value) <= limit:
        return text
    cut = text.value[:limit].rsplit(" ", 1)[0].rstrip(",.;:")
    return Text(cut + " …", text.lang)


def hits_view(result: SearchResult, presenter: Presenter) -> list[HitView]:
    lang = presenter.lang
    return [HitView(title=choose(hit.title, lang) or Text(hit.iri),
                    href=page_path(hit.iri) or hit.iri, kind=hit.kind,
                    publishers=presenter.publisher_names(hit.iri),
                    description=_short(choose(hit.description, lang)),
                    modified=hit.modified)
            for hit in result.hits]


def pager(asked: Asked, result: SearchResult) -> Pager | None:
    last = result.pages
    if last <= 1:
        return None
    current = min(asked.page, last)
    numbers = sorted({1, last, *range(max(1, current - PAGE_WINDOW),
                                       min(last, current + PAGE_WINDOW) + 1)})
    pages: list[PageLink | None] = []
    for i, number in enumerate(numbers):
        if i and number - numbers[i - 1] > 1:
            pages.append(None)
        pages.append(PageLink(number, asked.url(page=number), number == current))
    return Pager(previous=asked.url(page=current - 1) if current > 1 else None,
                 next=asked.url(page=current + 1) if current < last else None,
                 pages=pages, last=last)
