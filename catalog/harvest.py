"""The catalogue as a harvester reads it: pages of items, and one item's own description.

Like CKAN's DCAT endpoints (``/catalog.ttl?page=2&modified_since=...``): a page is the
``dcat:Catalog`` with the items of that page (datasets, series, data services, models,
each with its distributions, quality measurements and contact point), and a
``hydra:PagedCollection`` saying where the other pages are. Items are in IRI order, so a
page holds the same items until the catalogue changes.

An item's description is its own triples, those of the nodes it owns (blank nodes,
distributions, measurements, contact points, periods) and the labels of what it refers to
(themes, publishers, licences), so one document reads on its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pyoxigraph as ox
from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from catalog.formats import serialize, to_oxigraph
from catalog.iris import CATALOG
from catalog.search_items import item_iris as items
from catalog.terms import DCAT, DCT, DQV, HYDRA
from core.errors import TyodataError

OWNED = frozenset({DCAT.distribution, DQV.hasQualityMeasurement, DCAT.contactPoint,
                   DCT.temporal, DCAT.qualifiedRelation, DCT.provenance})
"""Links to nodes that belong to the item (described with it, not on their own)."""
LABELS = frozenset({URIRef("http://www.w3.org/2004/02/skos/core#prefLabel"),
                    URIRef("http://xmlns.com/foaf/0.1/name"), DCT.title, RDF.type,
                    URIRef("http://www.w3.org/2004/02/skos/core#inScheme"), DCT.type})
"""What is copied of a node an item merely refers to."""
CATALOG_LINKS = frozenset({DCAT.dataset, DCAT.service, DCAT.resource, DCAT.record,
                           DCAT.catalog})
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class HarvestError(TyodataError):
    """A page or filter that is not valid; the message names the parameter."""


class UnknownItemError(TyodataError):
    """No catalogue item has this IRI."""


@dataclass(frozen=True)
class PageInfo:
    page: int
    size: int
    total: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total // self.size))


def modified_at(catalogue: Graph, item: URIRef) -> datetime | None:
    """When the item last changed (dct:modified, else dct:issued), in UTC."""
    for prop in (DCT.modified, DCT.issued):
        for value in catalogue.objects(item, prop):
            if isinstance(value, Literal) and (moment := _as_datetime(value.toPython())):
                return moment
    return None


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def parse_since(text: str | None) -> datetime | None:
    """``modified_since`` as a datetime (a date means its midnight, UTC if no zone)."""
    if text is None or not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise HarvestError("modified_since: not an ISO 8601 date or date-time (e.g. "
                           "2026-01-31 or 2026-01-31T12:00:00Z)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe(catalogue: Graph, item: URIRef, into: Graph | None = None,
             known_items: frozenset[URIRef] | None = None) -> Graph:
    """``item``'s own description (see the module's docstring); ``known_items``: the
    catalogue's items, when the caller has them already."""
    out = into if into is not None else Graph()
    every_item = known_items if known_items is not None else frozenset(items(catalogue))
    if (item, None, None) not in catalogue:
        raise UnknownItemError(f"the catalogue has no item {item}")
    seen: set[Node] = set()
    todo: list[Node] = [item]
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in catalogue.predicate_objects(node):
            out.add((node, p, o))
            if isinstance(o, BNode) or (p in OWNED and isinstance(o, URIRef)):
                todo.append(o)
            elif isinstance(o, URIRef) and o not in seen:
                # Another item is named by its title only: it is described on its own.
                wanted = {DCT.title} if o in every_item else LABELS
                for label_p, label in catalogue.predicate_objects(o):
                    if label_p in wanted:
                        out.add((o, label_p, label))
    return out


class Harvest:
    """The catalogue ready for harvesting: its items in order, when each changed, and each
    one's description, worked out once per catalogue version (a page then only gathers)."""

    def __init__(self, catalogue: Graph) -> None:
        self.catalogue = catalogue
        self.items = items(catalogue)
        self._item_set = frozenset(self.items)
        self.modified = {i: modified_at(catalogue, i) for i in self.items}
        self._described: dict[URIRef, tuple[ox.Triple, ...]] = {}
        self._lock = threading.Lock()
        root = URIRef(CATALOG)
        own = Graph()
        for p, o in catalogue.predicate_objects(root):
            if p not in CATALOG_LINKS:
                own.add((root, p, o))
                if isinstance(o, (URIRef, BNode)):
                    _copy_labels(catalogue, o, own)
        self._catalog_triples = to_oxigraph(own)
        self._links = {o: ox.Triple(ox.NamedNode(CATALOG), ox.NamedNode(str(p)),
                                    ox.NamedNode(str(o)))
                       for p, o in catalogue.predicate_objects(root)
                       if p in CATALOG_LINKS and isinstance(o, URIRef)}

    def described(self, item: URIRef) -> tuple[ox.Triple, ...]:
        """``item``'s own description (see :func:`describe`), worked out once."""
        found = self._described.get(item)
        if found is None:
            found = tuple(to_oxigraph(describe(self.catalogue, item,
                                               known_items=self._item_set)))
            with self._lock:
                self._described[item] = found
        return found

    def warm(self) -> None:
        """Work out every item's description now (the service does this in the background
        after a catalogue rewrite, so harvesters find them ready)."""
        for item in self.items:
            self.described(item)

    def page(self, *, number: int = 1, size: int = DEFAULT_PAGE_SIZE,
             modified_since: datetime | None = None, page_url: str = CATALOG + ".ttl"
             ) -> tuple[list[ox.Triple], PageInfo]:
        """Page ``number`` of the catalogue (items modified since ``modified_since``), with
        its ``hydra:PagedCollection``; ``page_url`` is the pages' address, without query."""
        if number < 1:
            raise HarvestError("page: pages are numbered from 1")
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise HarvestError(f"page_size: between 1 and {MAX_PAGE_SIZE}")
        chosen = self.items
        if modified_since is not None:
            chosen = [i for i in chosen
                      if (m := self.modified[i]) is not None and m >= modified_since]
        info = PageInfo(number, size, len(chosen))
        on_page = chosen[(number - 1) * size: number * size]
        out = [*self._catalog_triples,
               *(self._links[i] for i in on_page if i in self._links)]
        for item in on_page:
            out.extend(self.described(item))
        out.extend(to_oxigraph(_hydra(info, page_url, modified_since)))
        return list(dict.fromkeys(out)), info


def page(catalogue: Graph, *, number: int = 1, size: int = DEFAULT_PAGE_SIZE,
         modified_since: datetime | None = None, page_url: str = CATALOG + ".ttl"
         ) -> tuple[Graph, PageInfo]:
    """Page ``number`` of ``catalogue`` as an rdflib graph (see :meth:`Harvest.page`; build
    a :class:`Harvest` once to serve many pages)."""
    triples, info = Harvest(catalogue).page(number=number, size=size,
                                            modified_since=modified_since, page_url=page_url)
    return Graph().parse(data=serialize(triples, "ttl"), format="turtle"), info


def _copy_labels(catalogue: Graph, node: Node, out: Graph) -> None:
    for p, o in catalogue.predicate_objects(node):
        if p in LABELS or isinstance(node, BNode):
            out.add((node, p, o))


def _hydra(info: PageInfo, url: str, since: datetime | None) -> list[tuple[Node, Node, Node]]:
    extra = f"&modified_since={since.isoformat()}" if since else ""
    size = f"&page_size={info.size}" if info.size != DEFAULT_PAGE_SIZE else ""

    def at(n: int) -> URIRef:
        return URIRef(f"{url}?page={n}{size}{extra}")

    node = at(info.page)
    out: list[tuple[Node, Node, Node]] = [
        (node, RDF.type, HYDRA.PagedCollection),
        (node, HYDRA.totalItems, Literal(info.total)),
        (node, HYDRA.itemsPerPage, Literal(info.size)),
        (node, HYDRA.firstPage, at(1)),
        (node, HYDRA.lastPage, at(info.last))]
    if info.page < info.last:
        out.append((node, HYDRA.nextPage, at(info.page + 1)))
    if info.page > 1:
        out.append((node, HYDRA.previousPage, at(min(info.page - 1, info.last))))
    return out
