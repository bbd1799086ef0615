"""The description of a model really trained on a generated, ingested population (the
`forecast_home` session fixture): it validates with zero violations inside the catalogue of
that store, its files carry their checksums, and every feature names its source dataset."""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import Graph, URIRef

from catalog.build import assemble
from catalog.forecast_model import MODEL_IRI, describe_forecast_model, section_terms
from catalog.terms import DCT, IT6, MODEL_CARD
from catalog.validate import validate_catalogue
from graph_service.store.oxigraph_store import OxigraphStore
from tests.conftest import ForecastHome

SPDX = "http://spdx.org/rdf/terms#"


def test_a_trained_model_s_description_conforms_in_its_catalogue(
        forecast_home: ForecastHome, vocab_dir: Path) -> None:
    run = forecast_home.run
    described = describe_forecast_model(run.report, directory=run.directory)
    store = OxigraphStore(forecast_home.settings.store_path, read_only=True)
    try:
        catalogue = assemble(store, products={}).graph
    finally:
        store.close()
    catalogue += described  # as a refresh copies the model graph in
    report = validate_catalogue(catalogue, vocab_dir)
    assert report.conforms, "\n".join(map(str, report.violations))
    for section, terms in section_terms().items():
        assert all(described.value(MODEL_IRI, t) is not None for t in terms
                   if t != MODEL_CARD.acceptanceCriterionMet or run.report["ceiling_ratio"]), \
            section
    features = [*described.objects(MODEL_IRI, MODEL_CARD.inputFeature),
                *described.objects(MODEL_IRI, MODEL_CARD.evaluationFeature)]
    assert len(features) == len(run.report["data"]["features"])
    assert all(described.value(f, DCT.source) is not None for f in features)


def test_each_file_has_the_checksum_of_what_training_wrote(forecast_home: ForecastHome) -> None:
    run = forecast_home.run
    described: Graph = describe_forecast_model(run.report, directory=run.directory)
    files = list(described.objects(MODEL_IRI, IT6.hasFile))
    assert len(files) == 2 + len(run.report["plots"])
    for node in files:
        name = str(described.value(node, DCT.identifier))
        checksum = described.value(node, URIRef(SPDX + "checksum"))
        value = str(described.value(checksum, URIRef(SPDX + "checksumValue")))
        assert value == hashlib.sha256((run.directory / name).read_bytes()).hexdigest()
