"""DQV quality measurements of the extracts, from the counts and dates ingest recorded.

Each measurement is a ``dqv:QualityMeasurement`` of one of the metrics defined in
catalog/metadata.ttl (``https://tyodata.fi/catalog/metric/<id>``, each with its
``dqv:inDimension``), computed on a dataset or a distribution, and named
``<computed-on>#<metric id>`` so a rebuild gives the same IRIs. MLDCAT-AP asks every
measurement for a ``dct:type`` (an ``it6:DataQuality``): the metric is both.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from rdflib import RDF, XSD, Graph, Literal, URIRef

from catalog.iris import CATALOG
from catalog.provenance import ExtractRecord
from catalog.terms import DCT, DQV, PROV

METRIC_NS = CATALOG + "/metric/"
ROWS_READ = "rows-read"
ROWS_REJECTED = "rows-rejected"
SHAPE_CONFORMANCE = "shape-conformance"
DAYS_SINCE_EXTRACTED = "days-since-extracted"
DAYS_SINCE_LOADED = "days-since-loaded"
TRIPLES = "triples"


def metric_iri(metric: str) -> URIRef:
    return URIRef(METRIC_NS + metric)


def measurement_iri(computed_on: str, metric: str) -> URIRef:
    return URIRef(f"{computed_on.split('#', 1)[0]}#{metric}")


def add_measurement(graph: Graph, computed_on: str, metric: str, value: Literal,
                    now: datetime) -> URIRef:
    """Add one measurement of ``metric`` on ``computed_on`` (a dataset, or a distribution
    ``<dataset>#<name>``: its measurements are fragments of the dataset's page too)."""
    node = measurement_iri(computed_on, metric)
    target = URIRef(computed_on)
    graph.add((node, RDF.type, DQV.QualityMeasurement))
    graph.add((node, DQV.computedOn, target))
    graph.add((node, DQV.isMeasurementOf, metric_iri(metric)))
    graph.add((node, DCT.type, metric_iri(metric)))
    graph.add((node, DQV.value, value))
    graph.add((node, PROV.generatedAtTime, Literal(now, datatype=XSD.dateTime)))
    graph.add((target, DQV.hasQualityMeasurement, node))
    return node


def _days(since: datetime, now: datetime) -> Literal:
    days = Decimal((now - since).total_seconds()) / Decimal(86400)
    return Literal(days.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), datatype=XSD.decimal)


def _share(part: int, whole: int) -> Literal:
    share = (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return Literal(share, datatype=XSD.decimal)


def measure_extract(graph: Graph, dataset: str, record: ExtractRecord, now: datetime) -> None:
    """Rows rejected, shape conformance (rows loaded / rows read) and freshness (days since
    extracted and since loaded) of one extract, on its dataset."""
    if record.rows_read:  # reference graphs read no rows
        add_measurement(graph, dataset, ROWS_REJECTED,
                        Literal(record.rows_rejected or 0, datatype=XSD.integer), now)
        add_measurement(graph, dataset, SHAPE_CONFORMANCE,
                        _share(record.rows_loaded or 0, record.rows_read), now)
    if record.extracted_at is not None:
        add_measurement(graph, dataset, DAYS_SINCE_EXTRACTED, _days(record.extracted_at, now),
                        now)
    add_measurement(graph, dataset, DAYS_SINCE_LOADED, _days(record.loaded_at, now), now)
