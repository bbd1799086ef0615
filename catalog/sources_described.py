"""Each source as a ``dcat:DatasetSeries`` and its current extract as a ``dcat:Dataset`` in
the series, with distributions, quality measurements and lineage.

What is derived here rather than written in catalog/metadata.ttl: the publisher (the
source's organisation in mappings/sources.yaml), access rights (non-public for every
registry source: they hold personal data, even pseudonymised; public for ESCO, the ontology
and the code lists), applicable legislation (the acts the source's law text names, as
Finlex ELI IRIs, plus the GDPR for personal data), the legal basis, conformance to the
source's SHACL shapes, and everything about the extract: dates, files, counts, graph.
"""

from __future__ import annotations

import re
from datetime import datetime

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import FOAF

from catalog.iris import AGENT_NS, SERVICE_NS, dataset_iri
from catalog.provenance import ExtractRecord
from catalog.quality import ROWS_READ, TRIPLES, add_measurement, measure_extract
from catalog.rdf_helpers import (
    LANGS,
    add_all,
    add_missing,
    copy_values,
    date_literal,
    datetime_literal,
    fi_date,
    texts,
)
from catalog.terms import (
    ACCESS_RIGHT,
    COUNTRY,
    DCAT,
    DCATAP,
    DCT,
    DPV,
    FILE_TYPE,
    FINLEX_ELI,
    GDPR,
    IT6,
    MEDIA_TYPE,
    PLANNED_AVAILABILITY,
    PROV,
    SHAPES_NS,
    SPARQL_ENDPOINT,
)
from mappings.sources import SourceSpec
from ontology.files import shape_sources
from ontology.ns import EU_GDPR

SERVICE_AGENT = URIRef(AGENT_NS + "tyodata")
"""The Työdata service as publisher (of what it makes itself: the ontology, code lists,
products, endpoints and this catalogue)."""
SPARQL_SERVICE = URIRef(SERVICE_NS + "sparql")
INHERITED = (DCAT.keyword, DCAT.theme, DCT.language, DCT.publisher, DCAT.contactPoint,
             DCT.spatial, DCT.accessRights, DCT.license, DCT.rights,
             DCATAP.applicableLegislation, DCT.conformsTo, DCAT.landingPage)
"""What an extract dataset has because its series has it."""
_ACT = re.compile(r"\b(\d{1,4})/((?:19|20)\d{2})\b")
_FORMATS = {".csv": (FILE_TYPE.CSV, MEDIA_TYPE["text/csv"]),
            ".json": (FILE_TYPE.JSON, MEDIA_TYPE["application/json"])}


def agent_iri(organisation_id: str) -> URIRef:
    """``city:helsinki`` -> ``https://tyodata.fi/catalog/agent/city/helsinki``."""
    return URIRef(AGENT_NS + organisation_id.replace(":", "/"))


def acts_in(law: str | None) -> list[URIRef]:
    """The Finnish acts a law text cites by number, as Finlex ELI IRIs.

    >>> [str(a) for a in acts_in("Ulosottokaari 705/2007; laki ... velkajärjestelystä 57/1993")]
    ['http://data.finlex.fi/eli/sd/2007/705', 'http://data.finlex.fi/eli/sd/1993/57']
    """
    return [URIRef(f"{FINLEX_ELI}{year}/{number}") for number, year in _ACT.findall(law or "")]


def shapes_standard(source: str) -> URIRef | None:
    """The source's SHACL shapes file as a standard (None when it has none)."""
    return URIRef(SHAPES_NS + source) if source in shape_sources() else None


def _describe_standard(graph: Graph, standard: URIRef, source: str) -> None:
    graph.add((standard, RDF.type, DCT.Standard))
    graph.add((standard, DCT.title, Literal(f"Lähteen {source} SHACL-muodot", lang="fi")))
    graph.add((standard, DCT.title, Literal(f"SHACL shapes of source {source}", lang="en")))
    graph.add((standard, DCT.conformsTo, URIRef("https://www.w3.org/TR/shacl/")))


def describe_series(graph: Graph, source: str, spec: SourceSpec | None,
                    current: ExtractRecord | None, now: datetime) -> URIRef:
    """The source's series (its hand-written texts are already in ``graph``)."""
    series = URIRef(dataset_iri(source))
    graph.add((series, RDF.type, DCAT.DatasetSeries))
    graph.add((series, DCT.identifier, Literal(source)))
    if spec is not None:  # a registry: personal data, its organisation, its law
        agent = agent_iri(spec.organisation_id)
        graph.add((series, DCT.publisher, agent))
        if (agent, RDF.type, FOAF.Agent) not in graph:  # an organisation new to metadata.ttl
            graph.add((agent, RDF.type, FOAF.Agent))
            graph.add((agent, FOAF.name, Literal(spec.organisation)))
        graph.add((series, DCT.accessRights, ACCESS_RIGHT.NON_PUBLIC))
        add_all(graph, series, DCATAP.applicableLegislation, [*acts_in(spec.law), URIRef(GDPR)])
        add_all(graph, series, DPV.hasLegalBasis,
                [EU_GDPR[b.removeprefix("eu-gdpr:")] for b in spec.legal_basis])
        # Only a source the metadata file does not describe yet lacks these.
        add_missing(graph, series, DCT.title, Literal(spec.organisation))
        add_missing(graph, series, DCT.description,
                    Literal(f"Extracts of {spec.organisation}"))
    else:
        add_missing(graph, series, DCT.publisher, SERVICE_AGENT)
        add_missing(graph, series, DCT.accessRights, ACCESS_RIGHT.PUBLIC)
    publisher = graph.value(series, DCT.publisher)
    contact = graph.value(publisher, DCAT.contactPoint) if publisher is not None else None
    if contact is not None:
        add_missing(graph, series, DCAT.contactPoint, contact)
    add_missing(graph, series, DCT.spatial, COUNTRY.FIN)
    standard = shapes_standard(source)
    if standard is not None:
        graph.add((series, DCT.conformsTo, standard))
        _describe_standard(graph, standard, source)
    if current is not None:
        graph.add((series, DCT.modified, datetime_literal(current.loaded_at)))
        graph.add((series, DCAT.last, URIRef(dataset_iri(source, current.extract_id))))
    # MLDCAT-AP asks every dataset (a series is one) when its data was collected: the
    # current extract's date, or today when none is loaded yet.
    collected = (current.extracted_at or current.loaded_at) if current is not None else now
    graph.add((series, IT6.collectionDate, date_literal(collected)))
    return series


def _titles(graph: Graph, series: URIRef, record: ExtractRecord) -> None:
    dataset = URIRef(dataset_iri(record.source, record.extract_id))
    names = texts(graph, series, DCT.title)
    about = texts(graph, series, DCT.description)
    day = record.extracted_at or record.loaded_at
    if record.extracted_at is not None:
        suffix = {"fi": f"poiminta {fi_date(day)}", "en": f"extract of {day.date().isoformat()}"}
    else:
        suffix = {"fi": f"ladattu {fi_date(day)}", "en": f"loaded {day.date().isoformat()}"}
    loaded = {"fi": fi_date(record.loaded_at), "en": record.loaded_at.date().isoformat()}
    if record.rows_read:
        counts = {
            "fi": (f"Ladattu graafiin {loaded['fi']}: {record.rows_read} riviä luettu, "
                   f"{record.rows_loaded} ladattu, {record.rows_rejected} hylätty; "
                   f"{record.triples} kolmikkoa."),
            "en": (f"Loaded into the graph on {loaded['en']}: {record.rows_read} rows read, "
                   f"{record.rows_loaded} loaded, {record.rows_rejected} rejected; "
                   f"{record.triples} triples."),
        }
    else:
        counts = {"fi": f"Ladattu graafiin {loaded['fi']}: {record.triples} kolmikkoa.",
                  "en": f"Loaded into the graph on {loaded['en']}: {record.triples} triples."}
    for lang in LANGS:
        name = names.get(lang) or names.get("") or record.source
        graph.add((dataset, DCT.title, Literal(f"{name} – {suffix[lang]}", lang=lang)))
        text = about.get(lang) or about.get("") or ""
        graph.add((dataset, DCT.description,
                   Literal(f"{text}\n\n{counts[lang]}".strip(), lang=lang)))


def _activity(graph: Graph, dataset: URIRef, record: ExtractRecord) -> None:
    if record.activity is None:
        return
    activity = URIRef(record.activity)
    graph.add((dataset, PROV.wasGeneratedBy, activity))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal("Poiminnan lataus graafiin", lang="fi")))
    graph.add((activity, RDFS.label, Literal("Load of the extract into the graph", lang="en")))
    for prop, moment in ((PROV.startedAtTime, record.started), (PROV.endedAtTime, record.ended)):
        if moment is not None:
            graph.add((activity, prop, datetime_literal(moment)))
    if record.agent is not None:
        agent = URIRef(record.agent)
        graph.add((activity, PROV.wasAssociatedWith, agent))
        graph.add((agent, RDF.type, PROV.SoftwareAgent))
        graph.add((agent, RDFS.label, Literal("Työdata-lataus", lang="fi")))
        graph.add((agent, RDFS.label, Literal("Työdata ingest", lang="en")))


def _sparql_distribution(graph: Graph, dataset: URIRef, record: ExtractRecord,
                         now: datetime) -> None:
    node = URIRef(f"{dataset}#sparql")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCT.title, Literal("Nimetty graafi SPARQL-rajapinnassa", lang="fi")))
    graph.add((node, DCT.title, Literal("Named graph through the SPARQL endpoint", lang="en")))
    restricted = graph.value(dataset, DCT.accessRights) != ACCESS_RIGHT.PUBLIC
    note = ({"fi": " Vain rooleille, joille graafi on sallittu; kyselyt kirjataan.",
             "en": " Only for roles the graph is permitted to; queries are audited."}
            if restricted else {"fi": "", "en": ""})
    graph.add((node, DCT.description, Literal(
        f"Nimetty graafi <{record.graph}> palvelun SPARQL-rajapinnassa.{note['fi']}",
        lang="fi")))
    graph.add((node, DCT.description, Literal(
        f"The named graph <{record.graph}> through the service's SPARQL endpoint.{note['en']}",
        lang="en")))
    graph.add((node, DCAT.accessURL, URIRef(SPARQL_ENDPOINT)))
    graph.add((URIRef(SPARQL_ENDPOINT), RDF.type, DCAT.Resource))
    graph.add((node, DCAT.accessService, SPARQL_SERVICE))
    graph.add((node, DCT.format, FILE_TYPE.SPARQLQ))
    graph.add((node, DCATAP.availability, PLANNED_AVAILABILITY.AVAILABLE))
    graph.add((node, DCT.issued, datetime_literal(record.loaded_at)))
    copy_values(graph, dataset, node, (DCT.license, DCT.conformsTo))
    if record.triples is not None:
        add_measurement(graph, str(node), TRIPLES, Literal(record.triples), now)


def _files_distribution(graph: Graph, dataset: URIRef, record: ExtractRecord,
                        now: datetime) -> None:
    if not record.files:
        return
    node = URIRef(f"{dataset}#files")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    listed = ", ".join(record.files)
    graph.add((node, DCT.title, Literal("Rekisterin toimittamat poimintatiedostot", lang="fi")))
    graph.add((node, DCT.title, Literal("Extract files as delivered by the registry",
                                        lang="en")))
    graph.add((node, DCT.description, Literal(
        f"Tiedostot {listed}. Eivät ladattavissa: henkilötietoja, toimitettu vain tälle "
        "palvelulle; sisältö on saatavilla nimettynä graafina.", lang="fi")))
    graph.add((node, DCT.description, Literal(
        f"Files {listed}. Not downloadable: personal data delivered to this service only; "
        "the contents are available as the named graph.", lang="en")))
    # The access URL is the dataset's own page: it says how the data can be had.
    graph.add((node, DCAT.accessURL, dataset))
    suffixes = {name[name.rfind("."):].lower() for name in record.files}
    if len(suffixes) == 1 and (known := _FORMATS.get(suffixes.pop())):
        graph.add((node, DCT.format, known[0]))
        graph.add((node, DCAT.mediaType, known[1]))
    if record.rows_read is not None:
        add_measurement(graph, str(node), ROWS_READ, Literal(record.rows_read), now)


def describe_extract(graph: Graph, record: ExtractRecord, now: datetime) -> URIRef:
    """The current extract of its source's series (describe the series first)."""
    series = URIRef(dataset_iri(record.source))
    dataset = URIRef(dataset_iri(record.source, record.extract_id))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCAT.inSeries, series))
    graph.add((dataset, DCT.identifier, Literal(record.graph)))
    _titles(graph, series, record)
    copy_values(graph, series, dataset, INHERITED)
    add_all(graph, dataset, DCATAP.applicableLegislation, acts_in(record.law))
    add_all(graph, dataset, DPV.hasLegalBasis, (URIRef(b) for b in record.legal_bases))
    graph.add((dataset, DCT.issued, datetime_literal(record.loaded_at)))
    graph.add((dataset, DCT.modified, datetime_literal(record.loaded_at)))
    graph.add((dataset, IT6.collectionDate,
               date_literal(record.extracted_at or record.loaded_at)))
    if record.extracted_at is not None:
        period = URIRef(f"{dataset}#period")
        graph.add((dataset, DCT.temporal, period))
        graph.add((period, RDF.type, DCT.PeriodOfTime))
        graph.add((period, DCAT.endDate, date_literal(record.extracted_at)))
    publisher = graph.value(series, DCT.publisher)
    if publisher is not None:
        graph.add((dataset, PROV.wasAttributedTo, publisher))
    _activity(graph, dataset, record)
    _sparql_distribution(graph, dataset, record, now)
    _files_distribution(graph, dataset, record, now)
    measure_extract(graph, str(dataset), record, now)
    return dataset
