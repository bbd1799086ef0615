"""The catalogue's items as search and lineage see them: kind, texts by language, facet
values with their labels, read from a DCAT-AP 3 / MLDCAT-AP 3.1 graph.

An item is every ``dcat:Dataset``, ``dcat:DatasetSeries``, ``dcat:DataService`` and
``it6:MachineLearningModel`` (never a distribution or the catalogue itself). A data service
under the product namespace is a data product.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal as KindName

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS

from catalog.iris import PRODUCT_ITEM_NS
from catalog.terms import DCAT, DCATAP, ELI, IT6
from catalog.text import LANGS, Lang

Kind = KindName["dataset", "series", "data-service", "data-product", "model"]
KINDS: tuple[Kind, ...] = ("series", "dataset", "data-product", "data-service", "model")
KIND_LABELS: dict[str, dict[Lang, str]] = {
    "series": {"fi": "Aineistosarja", "en": "Dataset series"},
    "dataset": {"fi": "Aineisto", "en": "Dataset"},
    "data-product": {"fi": "Datatuote", "en": "Data product"},
    "data-service": {"fi": "Rajapintapalvelu", "en": "Data service"},
    "model": {"fi": "Koneoppimismalli", "en": "Machine learning model"},
    "external": {"fi": "Ulkoinen lähde", "en": "External resource"},
}
_TYPE_KIND: tuple[tuple[URIRef, Kind], ...] = (
    (IT6.MachineLearningModel, "model"),
    (DCAT.DataService, "data-service"),
    (DCAT.DatasetSeries, "series"),
    (DCAT.Dataset, "dataset"),
)

_EU = "http://publications.europa.eu/resource/authority/"
# Labels of the EU authority tables the catalogue uses, for a graph that names the IRI
# without its skos:prefLabel (the graph's own labels win).
KNOWN_LABELS: dict[str, dict[Lang, str]] = {
    _EU + "access-right/PUBLIC": {"fi": "Julkinen", "en": "Public"},
    _EU + "access-right/RESTRICTED": {"fi": "Rajoitettu", "en": "Restricted"},
    _EU + "access-right/NON_PUBLIC": {"fi": "Ei julkinen", "en": "Non-public"},
    _EU + "access-right/CONFIDENTIAL": {"fi": "Luottamuksellinen", "en": "Confidential"},
    _EU + "data-theme/AGRI": {"fi": "Maatalous, kalastus, metsätalous ja elintarvikkeet",
                              "en": "Agriculture, fisheries, forestry and food"},
    _EU + "data-theme/ECON": {"fi": "Talous ja raha-asiat", "en": "Economy and finance"},
    _EU + "data-theme/EDUC": {"fi": "Koulutus, kulttuuri ja urheilu",
                              "en": "Education, culture and sport"},
    _EU + "data-theme/ENER": {"fi": "Energia", "en": "Energy"},
    _EU + "data-theme/ENVI": {"fi": "Ympäristö", "en": "Environment"},
    _EU + "data-theme/GOVE": {"fi": "Hallinto ja julkinen sektori",
                              "en": "Government and public sector"},
    _EU + "data-theme/HEAL": {"fi": "Terveys", "en": "Health"},
    _EU + "data-theme/INTR": {"fi": "Kansainväliset kysymykset", "en": "International issues"},
    _EU + "data-theme/JUST": {"fi": "Oikeus, oikeusjärjestelmä ja yleinen turvallisuus",
                              "en": "Justice, legal system and public safety"},
    _EU + "data-theme/REGI": {"fi": "Alueet ja kaupungit", "en": "Regions and cities"},
    _EU + "data-theme/SOCI": {"fi": "Väestö ja yhteiskunta", "en": "Population and society"},
    _EU + "data-theme/TECH": {"fi": "Tiede ja teknologia", "en": "Science and technology"},
    _EU + "data-theme/TRAN": {"fi": "Liikenne", "en": "Transport"},
}
_LABEL_PROPERTIES = (SKOS.prefLabel, FOAF.name, DCTERMS.title, ELI.title, RDFS.label)

FACETS: tuple[str, ...] = ("theme", "publisher", "keyword", "type", "licence", "access_rights",
                           "legislation")
_FACET_PROPERTY = {"theme": DCAT.theme, "publisher": DCTERMS.publisher,
                   "licence": DCTERMS.license, "access_rights": DCTERMS.accessRights,
                   "legislation": DCATAP.applicableLegislation}

Texts = dict[str, list[str]]
"""Literals of one property by language: "fi", "en", or "" for a literal without one."""


@dataclass
class Item:
    iri: str
    kind: Kind
    title: dict[str, str]
    description: dict[str, str]
    keywords: Texts
    modified: str | None
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Facet name -> the item's values (IRIs, or keyword texts)."""
    fields: dict[str, Texts] = field(default_factory=dict)
    """Searchable field -> its texts by language (title, keyword, description, theme,
    publisher)."""

    def title_in(self, lang: Lang) -> str:
        return pick(self.title, lang) or last_segment(self.iri)


def pick(texts: dict[str, str], lang: Lang) -> str:
    """The text in ``lang``, else without a language, else in the other language."""
    other = "en" if lang == "fi" else "fi"
    return texts.get(lang) or texts.get("") or texts.get(other) or next(iter(texts.values()),
                                                                         "")


def last_segment(iri: str) -> str:
    """``.../access-right/PUBLIC`` -> ``PUBLIC``: the readable end of an IRI without a label."""
    tail = iri.rstrip("/#")
    for separator in ("#", "/"):
        tail = tail.rsplit(separator, 1)[-1]
    return tail or iri


def kind_of(graph: Graph, iri: URIRef) -> Kind | None:
    """The item's kind, or None when the node is no catalogue item."""
    types = set(graph.objects(iri, RDF.type))
    for rdf_type, kind in _TYPE_KIND:
        if rdf_type in types:
            if kind == "data-service" and str(iri).startswith(PRODUCT_ITEM_NS):
                return "data-product"
            return kind
    return None


def item_iris(graph: Graph) -> list[URIRef]:
    """Every item of the graph, sorted by IRI (deterministic order)."""
    found: set[URIRef] = set()
    for rdf_type, _ in _TYPE_KIND:
        found.update(s for s in graph.subjects(RDF.type, rdf_type) if isinstance(s, URIRef))
    return sorted(found)


def texts_by_lang(values: Iterable[object]) -> Texts:
    found: Texts = {}
    for value in values:
        if isinstance(value, Literal):
            lang = value.language if value.language in LANGS else ""
            found.setdefault(lang, []).append(str(value))
    return {lang: sorted(texts) for lang, texts in sorted(found.items())}


def one_by_lang(values: Iterable[object]) -> dict[str, str]:
    """One text per language (the first in sort order, so the choice is stable)."""
    return {lang: texts[0] for lang, texts in texts_by_lang(values).items()}


class Labels:
    """Labels of the IRIs items point to (themes, publishers, licences, acts), from the graph
    (skos:prefLabel, foaf:name, dct:title, eli:title, rdfs:label), else the EU tables above,
    else the IRI's last segment; cached per IRI."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._cache: dict[str, dict[Lang, str]] = {}

    def __call__(self, iri: str) -> dict[Lang, str]:
        if iri not in self._cache:
            self._cache[iri] = self._find(iri)
        return self._cache[iri]

    def _find(self, iri: str) -> dict[Lang, str]:
        for prop in _LABEL_PROPERTIES:
            found = one_by_lang(self._graph.objects(URIRef(iri), prop))
            if found:
                known = KNOWN_LABELS.get(iri, {})
                return {lang: found.get(lang) or found.get("") or known.get(lang)
                        or pick(found, lang) for lang in LANGS}
        if iri in KNOWN_LABELS:
            return dict(KNOWN_LABELS[iri])
        tail = last_segment(iri)
        return {"fi": tail, "en": tail}


def read_items(graph: Graph, labels: Labels | None = None) -> Iterator[Item]:
    """Every item of the graph with its texts and facet values."""
    labels = labels or Labels(graph)
    for iri in item_iris(graph):
        kind = kind_of(graph, iri)
        assert kind is not None
        keywords = texts_by_lang(graph.objects(iri, DCAT.keyword))
        facets: dict[str, tuple[str, ...]] = {"type": (kind,)}
        for name, prop in _FACET_PROPERTY.items():
            facets[name] = tuple(sorted({str(o) for o in graph.objects(iri, prop)
                                         if isinstance(o, URIRef)}))
        facets["keyword"] = tuple(sorted({k for texts in keywords.values() for k in texts}))
        modified = max((str(m) for m in graph.objects(iri, DCTERMS.modified)), default=None)
        item = Item(
            iri=str(iri), kind=kind,
            title=one_by_lang(graph.objects(iri, DCTERMS.title)),
            description=one_by_lang(graph.objects(iri, DCTERMS.description)),
            keywords=keywords, modified=modified, facets=facets,
        )
        item.fields = {
            "title": texts_by_lang(graph.objects(iri, DCTERMS.title)),
            "keyword": keywords,
            "description": texts_by_lang(graph.objects(iri, DCTERMS.description)),
            "theme": _label_texts(labels, facets["theme"]),
            "publisher": _label_texts(labels, facets["publisher"]),
        }
        yield item


def _label_texts(labels: Labels, iris: Iterable[str]) -> Texts:
    found: Texts = {}
    for iri in iris:
        for lang, text in labels(iri).items():
            found.setdefault(lang, []).append(text)
    return found
