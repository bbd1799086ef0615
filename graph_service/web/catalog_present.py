"""What the catalogue's pages show of an item, read from the catalogue graph: its texts in
the page's language (else the other one, marked with its language so a screen reader
says it right), the names of what it refers to, its distributions and quality
measurements, and the pages and documents it links to. Only presentation: the catalogue
decided what it says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import urlencode

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDFS, SKOS
from rdflib.term import Node

from catalog.iris import BASE, CATALOG, THEME_NS
from catalog.search_items import Kind, Labels, kind_of, last_segment
from catalog.terms import ADMS, DCAT, DCATAP, DQV, ELI, VCARD
from graph_service.api.gatekeeper import UI_PREFIX
from graph_service.web.i18n import Catalogue

CATALOG_PAGE = UI_PREFIX + "/catalog"
THEME_PAGE = CATALOG_PAGE + "/theme"
RDF_FORMATS = ("ttl", "jsonld", "rdf")
_CHECK_LABEL = (SKOS.prefLabel, FOAF.name, DCTERMS.title, VCARD.fn, RDFS.label)
_NAMES = (DCTERMS.title, SKOS.prefLabel, FOAF.name, ELI.title, RDFS.label)
METRIC_ORDER = ("rows-read", "rows-rejected", "shape-conformance", "days-since-extracted",
                "days-since-loaded", "triples")
"""The catalogue's metrics (catalog/metadata.ttl) in the order a reader asks: how much,
how good, how fresh."""
SHARES = frozenset({"shape-conformance"})
DAYS_PREFIX = "days-"


@dataclass(frozen=True)
class Text:
    """A text and its language when that is not the page's (``lang`` attribute), else None."""

    value: str
    lang: str | None = None


@dataclass(frozen=True)
class Named:
    """Something an item refers to, by its name: a page of ours, or the thing's own IRI."""

    name: Text
    iri: str
    href: str | None = None


@dataclass(frozen=True)
class Contact:
    name: Text | None
    email: str | None
    url: str | None


@dataclass(frozen=True)
class Distribution:
    title: Text | None
    description: Text | None
    access_urls: tuple[str, ...]
    download_urls: tuple[str, ...]
    media_types: tuple[str, ...]
    formats: tuple[str, ...]
    licences: tuple[Named, ...]


@dataclass(frozen=True)
class Measurement:
    """One DQV quality measurement: what is measured (its name and definition), the value
    as the page writes it and in a sentence, when it was measured."""

    metric: Text
    explained: Text | None
    value: str
    says: str | None
    measured_at: str | None
    order: int = 0


@dataclass
class ItemView:
    iri: str
    kind: Kind
    title: Text
    description: Text | None
    publishers: list[Named] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    themes: list[Named] = field(default_factory=list)
    keywords: list[Text] = field(default_factory=list)
    access_rights: list[Named] = field(default_factory=list)
    licences: list[Named] = field(default_factory=list)
    legislation: list[Named] = field(default_factory=list)
    spatial: list[Named] = field(default_factory=list)
    temporal: list[tuple[str | None, str | None]] = field(default_factory=list)
    conforms_to: list[Named] = field(default_factory=list)
    landing_pages: list[str] = field(default_factory=list)
    endpoints: list[str] = field(default_factory=list)
    endpoint_descriptions: list[Named] = field(default_factory=list)
    version: str | None = None
    issued: str | None = None
    modified: str | None = None
    in_series: list[Named] = field(default_factory=list)
    members: list[Named] = field(default_factory=list)
    serves: list[ItemView] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)
    quality: list[Measurement] = field(default_factory=list)
    quality_of: Named | None = None
    """Whose measurements ``quality`` are when not the item's own (a series' newest
    extract)."""
    distributions_of: Named | None = None
    """Likewise for ``distributions``."""
    documents: dict[str, str] = field(default_factory=dict)
    """Format (ttl, jsonld, rdf) -> the address of the item's own description in it."""


def choose(texts: dict[str, str], lang: str) -> Text | None:
    """The text in ``lang``, else one without a language, else in another language
    (carrying that language)."""
    if texts.get(lang):
        return Text(texts[lang])
    if texts.get(""):
        return Text(texts[""])
    for other, value in sorted(texts.items()):
        if value:
            return Text(value, other)
    return None


def literals(graph: Graph, subject: Node, prop: URIRef) -> dict[str, str]:
    """One literal per language of ``subject``'s ``prop`` ("" for no language)."""
    found: dict[str, str] = {}
    for value in sorted(graph.objects(subject, prop), key=str):
        if isinstance(value, Literal):
            found.setdefault(value.language or "", str(value))
    return found


def page_path(iri: str) -> str | None:
    """The page of a catalogue item (``https://tyodata.fi/catalog/<kind>/<name>`` ->
    ``/ui/catalog/<kind>/<name>``, a ``#part`` kept as the page's anchor), else None."""
    if not iri.startswith(CATALOG + "/") or iri.startswith(THEME_NS):
        return None
    return UI_PREFIX + iri.removeprefix(BASE)


def theme_path(iri: str) -> str:
    return THEME_PAGE + "?" + urlencode({"iri": iri})


def served_path(iri: str) -> str | None:
    """This service's path of one of its own documents it names by its public address
    (``https://tyodata.fi/products/<key>/openapi.json`` -> ``/products/<key>/openapi.json``),
    so a link works on any host the service runs on; None for an address it does not serve."""
    if not iri.startswith(BASE + "/"):
        return None
    path = iri.removeprefix(BASE)
    if path in ("/catalog", "/catalog/"):
        return CATALOG_PAGE
    served = path == "/openapi.json" or (path.startswith("/products/")
                                         and path.endswith("/openapi.json"))
    return path if served else None


def item_iri(kind: str, name: str) -> str:
    """The IRI of the item a page path names (``dataset``, ``kela/x1`` -> its IRI)."""
    return f"{CATALOG}/{kind}/{name}"


class Presenter:
    """Names and texts of one catalogue graph in one language."""

    def __init__(self, graph: Graph, messages: Catalogue) -> None:
        self.graph = graph
        self.messages = messages
        self.lang = messages.language
        self._labels = Labels(graph)

    def text(self, subject: Node, prop: URIRef) -> Text | None:
        return choose(literals(self.graph, subject, prop), self.lang)

    def name_of(self, iri: str) -> Text:
        """The name the graph gives a thing (its language kept), else the EU tables' name
        the search shows, else its IRI's end."""
        for prop in _NAMES:
            found = choose(literals(self.graph, URIRef(iri), prop), self.lang)
            if found is not None:
                return found
        labels = {k: v for k, v in self._labels(iri).items() if v}
        return choose(labels, self.lang) or Text(last_segment(iri))

    def href(self, iri: str) -> str | None:
        """Where a link to ``iri`` goes: an item's page, one of the service's own documents,
        another site's page; nothing for an IRI of ours that no page or document serves."""
        if self.kind_of(iri) is not None:
            return page_path(iri)
        if iri.startswith(BASE + "/"):
            return served_path(iri)
        return iri if iri.startswith(("https://", "http://")) else None

    def named(self, node: Node, *, facet: str | None = None) -> Named:
        """``node`` by its name, linked: a theme to its page, another facet's value to the
        catalogue narrowed by it, anything else where :meth:`href` says."""
        iri = str(node)
        if isinstance(node, BNode):
            name = next((t for p in _CHECK_LABEL if (t := self.text(node, p))), None)
            return Named(name or Text(self.messages.text("catalog.unnamed")), "")
        if facet == "theme":
            href: str | None = theme_path(iri)
        elif facet is not None:
            href = CATALOG_PAGE + "?" + urlencode({facet: iri})
        else:
            href = self.href(iri)
        return Named(self.name_of(iri), iri, href)

    def all_named(self, subject: Node, prop: URIRef, *, facet: str | None = None
                  ) -> list[Named]:
        found = [self.named(o, facet=facet) for o in self.graph.objects(subject, prop)
                 if isinstance(o, URIRef | BNode)]
        return sorted(found, key=lambda n: (n.name.value.casefold(), n.iri))

    def kind_of(self, iri: str) -> Kind | None:
        return kind_of(self.graph, URIRef(iri))

    def kind_name(self, kind: str) -> str:
        return self.messages.text_or(f"catalog.kind.{kind}", kind)

    def publisher_names(self, iri: str) -> list[Text]:
        return [n.name for n in self.all_named(URIRef(iri), DCTERMS.publisher)]

    def item(self, iri: str) -> ItemView | None:
        """Everything the item page shows of ``iri``; None when it is no item."""
        node = URIRef(iri)
        kind = kind_of(self.graph, node)
        if kind is None:
            return None
        g = self.graph
        view = ItemView(
            iri=iri, kind=kind,
            title=self.text(node, DCTERMS.title) or Text(last_segment(iri)),
            description=self.text(node, DCTERMS.description),
            publishers=self.all_named(node, DCTERMS.publisher, facet="publisher"),
            contacts=[self._contact(c) for c in g.objects(node, DCAT.contactPoint)],
            themes=self.all_named(node, DCAT.theme, facet="theme"),
            keywords=self._keywords(node),
            access_rights=self.all_named(node, DCTERMS.accessRights),
            licences=self.all_named(node, DCTERMS.license),
            legislation=self.all_named(node, DCATAP.applicableLegislation),
            spatial=self.all_named(node, DCTERMS.spatial),
            temporal=[self._period(p) for p in g.objects(node, DCTERMS.temporal)],
            conforms_to=self.all_named(node, DCTERMS.conformsTo),
            landing_pages=sorted(str(o) for o in g.objects(node, DCAT.landingPage)),
            endpoints=sorted(str(o) for o in g.objects(node, DCAT.endpointURL)),
            endpoint_descriptions=self.all_named(node, DCAT.endpointDescription),
            version=_first(g, node, DCAT.version) or _first(g, node, ADMS.version),
            issued=_first(g, node, DCTERMS.issued),
            modified=_first(g, node, DCTERMS.modified),
            in_series=self.all_named(node, DCAT.inSeries),
            members=sorted((self.named(s) for s in g.subjects(DCAT.inSeries, node)),
                           key=lambda n: n.iri, reverse=True),
        )
        view.distributions, view.distributions_of = self._distributions(node)
        view.quality, view.quality_of = self._quality(node)
        view.serves = [served for s in sorted(g.objects(node, DCAT.servesDataset), key=str)
                       if str(s).startswith(iri + "#") and (served := self.item(str(s)))]
        if page_path(iri) and "#" not in iri:
            path = iri.removeprefix(BASE)
            view.documents = {fmt: f"{path}.{fmt}" for fmt in RDF_FORMATS}
        return view

    def _keywords(self, node: URIRef) -> list[Text]:
        mine = [o for o in self.graph.objects(node, DCAT.keyword) if isinstance(o, Literal)]
        own = sorted(str(o) for o in mine if o.language in (self.lang, None))
        if own:
            return [Text(k) for k in own]
        return [Text(str(o), o.language) for o in sorted(mine, key=str)]

    def _contact(self, node: Node) -> Contact:
        g = self.graph
        email = next((str(o).removeprefix("mailto:") for o in g.objects(node, VCARD.hasEmail)),
                     None)
        url = next((str(o) for o in g.objects(node, VCARD.hasURL)), None)
        if url is not None and url.startswith(BASE + "/"):
            url = served_path(url)  # our own address: where this service serves it
        name = (self.text(node, VCARD.fn) or self.text(node, VCARD["organization-name"])
                or self.text(node, FOAF.name))
        return Contact(name, email, url)

    def _period(self, node: Node) -> tuple[str | None, str | None]:
        g = self.graph
        start = _first(g, node, DCAT.startDate) or _first(g, node, PROV.startedAtTime)
        end = _first(g, node, DCAT.endDate) or _first(g, node, PROV.endedAtTime)
        return start, end

    def _distribution(self, node: Node) -> Distribution:
        g = self.graph
        return Distribution(
            title=self.text(node, DCTERMS.title),
            description=self.text(node, DCTERMS.description),
            access_urls=tuple(sorted(str(o) for o in g.objects(node, DCAT.accessURL))),
            download_urls=tuple(sorted(str(o) for o in g.objects(node, DCAT.downloadURL))),
            media_types=tuple(sorted(_media(o) for o in g.objects(node, DCAT.mediaType))),
            formats=tuple(sorted(self.name_of(str(o)).value if isinstance(o, URIRef)
                                 else str(o) for o in g.objects(node, DCTERMS.format))),
            licences=tuple(self.all_named(node, DCTERMS.license)))

    def _own_or_newest(self, node: URIRef, prop: URIRef) -> tuple[list[Node], Named | None]:
        """The item's own ``prop`` values; for a series without any, its newest extract's
        (and which extract that is)."""
        g = self.graph
        own = sorted(g.objects(node, prop), key=str)
        if own:
            return own, None
        newest = max(g.subjects(DCAT.inSeries, node), default=None,
                     key=lambda m: (_first(g, m, DCTERMS.issued) or "", str(m)))
        if newest is None:
            return [], None
        found = sorted(g.objects(newest, prop), key=str)
        return found, self.named(newest) if found else None

    def _distributions(self, node: URIRef) -> tuple[list[Distribution], Named | None]:
        found, source = self._own_or_newest(node, DCAT.distribution)
        return [self._distribution(d) for d in found], source

    def _quality(self, node: URIRef) -> tuple[list[Measurement], Named | None]:
        measured, source = self._own_or_newest(node, DQV.hasQualityMeasurement)
        found = [self._measurement(m) for m in measured]
        return sorted(found, key=lambda m: (m.order, m.metric.value.casefold())), source

    def _measurement(self, node: Node) -> Measurement:
        g = self.graph
        metric = next(g.objects(node, DQV.isMeasurementOf), None)
        identifier = last_segment(str(metric)) if metric is not None else ""
        if metric is None:
            name, explained = Text(self.messages.text("catalog.quality.measurement")), None
        else:
            name = self.text(metric, SKOS.prefLabel) or self.name_of(str(metric))
            explained = (self.text(metric, SKOS.definition)
                         or self.text(metric, DCTERMS.description))
        value = next(g.objects(node, DQV.value), None)
        shown = self._metric_value(identifier, value)
        says_key = f"catalog.quality.says.{identifier}"
        says = (self.messages.text(says_key, value=shown)
                if value is not None and self.messages.has(says_key) else None)
        measured_at = (_first(g, node, PROV.generatedAtTime) or _first(g, node, DCTERMS.date)
                       or _first(g, node, DCTERMS.issued))
        order = (METRIC_ORDER.index(identifier) if identifier in METRIC_ORDER
                 else len(METRIC_ORDER))
        return Measurement(metric=name, explained=explained, value=shown, says=says,
                           measured_at=measured_at, order=order)

    def _metric_value(self, identifier: str, value: Node | None) -> str:
        """A share (0..1) as a percentage, days with one decimal, the rest as they are."""
        number = value.toPython() if isinstance(value, Literal) else None
        if isinstance(number, int | float | Decimal) and not isinstance(number, bool):
            if identifier in SHARES:
                return self.messages.number(float(number) * 100, 1) + " %"
            if identifier.startswith(DAYS_PREFIX):
                return self.messages.number(float(number), 1)
        return self.value_text(value)

    def value_text(self, value: Node | None) -> str:
        """A value in the page's way: numbers with the language's separators, a duration
        in days and hours, a date as a date."""
        if value is None:
            return "–"
        if not isinstance(value, Literal):
            return self.name_of(str(value)).value
        python = value.toPython()
        if isinstance(python, bool):
            return self.messages.boolean(python)
        if isinstance(python, int):
            return self.messages.number(python)
        if isinstance(python, float | Decimal):
            return self.messages.number(python, 2 if abs(python) < 100 else 1)
        if hasattr(python, "total_seconds"):  # xsd:duration, an isodate Duration or timedelta
            return _duration(self.messages, python)
        if hasattr(python, "isoformat"):
            return self.messages.datetime(python.isoformat())
        return str(value)


def _media(node: Node) -> str:
    """``https://www.iana.org/assignments/media-types/text/turtle`` -> ``text/turtle``."""
    text = str(node)
    marker = "/media-types/"
    return text.split(marker, 1)[1] if marker in text else text


def _first(graph: Graph, subject: Node, prop: URIRef) -> str | None:
    values = sorted(str(o) for o in graph.objects(subject, prop))
    return values[-1] if values else None


def _duration(messages: Catalogue, value: object) -> str:
    seconds = int(value.total_seconds())  # type: ignore[attr-defined]
    days, rest = divmod(seconds, 86_400)
    hours = rest // 3600
    if days:
        return messages.text("catalog.duration.days_hours", days=days, hours=hours)
    minutes = (rest % 3600) // 60
    return messages.text("catalog.duration.hours_minutes", hours=hours, minutes=minutes)

