"""MLDCAT-AP 3.1 descriptions of models from plain values, valid against the official shapes
alone and inside the catalogue."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef

from catalog.build import assemble
from catalog.iris import CATALOG, dataset_iri
from catalog.models import (
    SUPERVISED_CLASSIFICATION,
    ModelDescriptionError,
    ModelFile,
    ModelMetric,
    describe_model,
    model_iri,
)
from catalog.store_io import write_model
from catalog.terms import DATA_THEME, DCAT, DCT, DQV, IT6, LICENCE, PROV
from catalog.validate import validate_catalogue
from graph_service.store.oxigraph_store import OxigraphStore

TRAINED_ON = [dataset_iri("kela"), dataset_iri("hyvinvointialue")]
MODEL = URIRef(model_iri("work-ability-risk"))
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def sample_model(**changes) -> Graph:
    values = dict(
        name="work-ability-risk", version="1.0", created=date(2026, 11, 20),
        titles={"fi": "Työkykyriskin ennuste", "en": "Work-ability risk forecast"},
        descriptions={"fi": "Arvioi työkyvyn heikkenemisen riskiä.",
                      "en": "Estimates the risk of reduced work ability."},
        trained_on=TRAINED_ON, tested_on=[dataset_iri("kela")],
        files=[ModelFile(url="https://tyodata.fi/models/work-ability-risk/1.0/model.joblib",
                         identifier="model.joblib", title="Model weights (joblib)",
                         sha256="ab" * 32)],
        metrics=[ModelMetric("roc-auc", 0.812, "ROC AUC",
                             labels={"fi": "ROC-käyrän alainen pinta-ala", "en": "ROC AUC"},
                             lower=0.78, upper=0.84),
                 ModelMetric("brier", 0.121, "Brier score")],
        keywords={"fi": ["työkyky", "ennuste"], "en": ["work ability", "forecast"]},
        themes=[str(DATA_THEME.HEAL)], task_type=SUPERVISED_CLASSIFICATION,
        licence=str(LICENCE.CC_BY_4_0), intended_use="Supports a case worker's judgement.",
        limitations="Trained on synthetic data.",
        extra={"https://tyodata.fi/ontology#forecastHorizonMonths": [Literal(12)]},
        now=NOW,
    )
    values.update(changes)
    return describe_model(**values)


def with_training_datasets(graph: Graph) -> Graph:
    """The training datasets described as MLDCAT-AP's example describes datasets."""
    for iri in TRAINED_ON:
        node = URIRef(iri)
        graph.add((node, RDF.type, DCAT.Dataset))
        graph.add((node, DCT.title, Literal(iri.rsplit("/", 1)[-1])))
        graph.add((node, DCT.description, Literal("training data")))
        graph.add((node, IT6.collectionDate, Literal("2026-11-01", datatype=XSD.date)))
    return graph


def test_a_sample_model_is_valid_mldcat_ap(vocab_dir):
    graph = sample_model()
    report = validate_catalogue(with_training_datasets(graph), vocab_dir)
    assert report.conforms, "\n".join(map(str, report.violations))
    assert (MODEL, RDF.type, IT6.MachineLearningModel) in graph
    assert {str(o) for o in graph.objects(MODEL, IT6.trainedOn)} == set(TRAINED_ON)
    assert {str(o) for o in graph.objects(MODEL, PROV.wasDerivedFrom)} == set(TRAINED_ON)
    assert str(graph.value(MODEL, DCAT.version)) == "1.0"
    file = graph.value(MODEL, IT6.hasFile)
    assert str(graph.value(file, IT6.url)).endswith("model.joblib")
    auc = URIRef(f"{MODEL}#roc-auc")
    assert (MODEL, DQV.hasQualityMeasurement, auc) in graph
    assert float(graph.value(auc, DQV.value)) == pytest.approx(0.812)
    assert float(graph.value(auc, IT6.intervalStart)) == pytest.approx(0.78)
    metric = graph.value(auc, DQV.isMeasurementOf)
    assert (metric, RDF.type, DQV.Metric) in graph and graph.value(metric, DQV.inDimension)
    assert "ROC AUC = 0.812 (0.78–0.84)" in str(graph.value(MODEL, IT6.evaluationResults))
    assert (MODEL, URIRef("https://tyodata.fi/ontology#forecastHorizonMonths"),
            Literal(12)) in graph


def test_a_model_lacking_what_mldcat_ap_requires_is_reported(vocab_dir):
    graph = with_training_datasets(sample_model())
    graph.remove((MODEL, DCAT.version, None))
    graph.remove((MODEL, IT6.hasFile, None))
    graph.remove((MODEL, IT6.trainedOn, None))
    report = validate_catalogue(graph, vocab_dir)
    paths = {f.path for f in report.violations if f.focus == str(MODEL)}
    assert {str(DCAT.version), str(IT6.hasFile), str(IT6.trainedOn)} <= paths


@pytest.mark.parametrize(("changes", "message"), [
    ({"titles": {"fi": "Ennuste"}}, "titles lack en"),
    ({"trained_on": []}, "training dataset"),
    ({"files": []}, "at least one file"),
    ({"name": "Work Ability"}, "lower-case words"),
    ({"version": " "}, "a version is required"),
    ({"metrics": [ModelMetric("auc", 0.8, "AUC"), ModelMetric("auc", 0.7, "AUC")]},
     "not unique"),
    ({"files": [ModelFile(url="https://x/m", identifier="m", title="m", sha256="xyz")]},
     "sha256"),
    ({"task_type": "http://openml.org/openml/task-type#astrology"}, "unknown task type"),
])
def test_a_description_mldcat_ap_would_refuse_is_refused_with_what_is_wrong(changes, message):
    with pytest.raises(ModelDescriptionError, match=message):
        sample_model(**changes)


def test_a_model_graph_is_copied_into_the_catalogue_and_it_validates(vocab_dir):
    store = OxigraphStore()  # nothing ingested yet: the catalogue still describes every source
    try:
        write_model(store, "work-ability-risk", sample_model())
        assembly = assemble(store, products={}, now=NOW)
    finally:
        store.close()
    graph = assembly.graph
    assert assembly.models == [MODEL]
    assert (URIRef(CATALOG), DCAT.resource, MODEL) in graph
    for series in TRAINED_ON:  # the model's training data are the catalogue's series
        assert (URIRef(series), RDF.type, DCAT.DatasetSeries) in graph
    report = validate_catalogue(graph, vocab_dir)
    assert report.conforms, "\n".join(map(str, report.violations))
