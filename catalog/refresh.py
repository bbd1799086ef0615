"""Keeping the catalogue current: build it, validate it against the official shapes, write
it (the lead's CLI calls :func:`refresh_catalogue` after every ingest and training)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rdflib import RDF, Graph

from catalog.build import assemble
from catalog.iris import CATALOGUE_GRAPH
from catalog.store_io import write_catalogue
from catalog.terms import DCAT, DQV
from catalog.validate import ValidationReport, validate_catalogue
from core.settings import Settings
from graph_service.products.definition import ProductDefinition
from graph_service.store.base import GraphStore


@dataclass
class CatalogueReport:
    graph: str
    written: bool
    counts: dict[str, int] = field(default_factory=dict)
    """series, datasets (current extracts), products, services, models, distributions,
    measurements, triples."""
    validation: ValidationReport | None = None
    skipped_models: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    """build, validate, write."""

    @property
    def conforms(self) -> bool | None:
        return None if self.validation is None else self.validation.conforms

    def to_json(self) -> dict:
        validation = self.validation
        return {
            "graph": self.graph,
            "written": self.written,
            "counts": self.counts,
            "conforms": self.conforms,
            "violations": [] if validation is None else [vars(f) for f in validation.violations],
            "warnings": 0 if validation is None else len(validation.warnings),
            "dropped_shapes": [] if validation is None else validation.dropped,
            "skipped_models": self.skipped_models,
            "seconds": {k: round(v, 3) for k, v in self.seconds.items()},
        }


def _count(graph: Graph, rdf_type) -> int:
    return len(set(graph.subjects(RDF.type, rdf_type)))


def refresh_catalogue(store: GraphStore, *,
                      products: Mapping[str, ProductDefinition] | None = None,
                      now: datetime | None = None, vocab_dir: Path | None = None,
                      validate: bool = True, require_valid: bool = False) -> CatalogueReport:
    """Build the catalogue, validate it (unless ``validate`` is false) and write it.

    A catalogue with violations is still written (it is current, and the report names what
    is wrong) unless ``require_valid``: then the previous one stays.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    assembly = assemble(store, products=products, now=now)
    graph = assembly.graph
    seconds["build"] = time.perf_counter() - started
    report = CatalogueReport(
        graph=CATALOGUE_GRAPH, written=False, skipped_models=assembly.skipped_models,
        counts={"series": len(assembly.series), "datasets": len(assembly.datasets),
                "products": len(assembly.products), "services": len(assembly.services),
                "models": len(assembly.models),
                "distributions": _count(graph, DCAT.Distribution),
                "measurements": _count(graph, DQV.QualityMeasurement),
                "triples": len(graph)},
        seconds=seconds)
    if validate:
        started = time.perf_counter()
        report.validation = validate_catalogue(graph, vocab_dir or Settings().vocab_dir)
        seconds["validate"] = time.perf_counter() - started
    if require_valid and report.conforms is False:
        return report
    started = time.perf_counter()
    write_catalogue(store, graph)
    seconds["write"] = time.perf_counter() - started
    report.written = True
    return report
