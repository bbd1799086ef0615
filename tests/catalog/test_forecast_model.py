"""The work-ability forecast's description from a training report: valid MLDCAT-AP 3.1 plus
the pilot's model card inside the catalogue, every section answered, the report's figures
unchanged, and the extension's shapes catching a description that leaves a section out."""

from __future__ import annotations

import copy
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from catalog.build import assemble
from catalog.forecast_model import (
    MODEL_IRI,
    MODEL_NAME,
    describe_forecast_model,
    file_url,
    section_terms,
)
from catalog.iris import dataset_iri
from catalog.models import ModelDescriptionError
from catalog.store_io import write_model
from catalog.terms import DCAT, DCT, DQV, IT6, MODEL_CARD, PROV
from catalog.validate import ValidationReport, validate_catalogue
from graph_service.store.oxigraph_store import OxigraphStore

REPORT = json.loads((Path(__file__).parent / "fixtures" / "forecast_report.json").read_text())
NOW = datetime(2026, 11, 28, 2, tzinfo=UTC)
SOURCES = ("hyvinvointialue", "kela", "koski", "tyollisyyspalvelut", "vtj")


def in_catalogue(model_graph: Graph) -> Graph:
    """The catalogue as a refresh builds it, with ``model_graph`` as the model graph (over a
    store with nothing ingested: every source's series is still described)."""
    store = OxigraphStore()
    try:
        write_model(store, MODEL_NAME, model_graph)
        assembly = assemble(store, products={}, now=NOW)
    finally:
        store.close()
    assert assembly.models == [MODEL_IRI] and not assembly.skipped_models
    return assembly.graph


@pytest.fixture(scope="module")
def described() -> Graph:
    return describe_forecast_model(REPORT, now=NOW)


@pytest.fixture(scope="module")
def catalogued(described: Graph, vocab_dir: Path) -> tuple[Graph, ValidationReport]:
    graph = in_catalogue(described)
    return graph, validate_catalogue(graph, vocab_dir)


def test_the_description_validates_with_no_violation_in_the_catalogue(catalogued) -> None:
    graph, report = catalogued
    assert report.conforms, "\n".join(map(str, report.violations))
    assert report.violations == []
    # The model is a forecast model, so the extension's shapes did look at it.
    assert (MODEL_IRI, RDF.type, MODEL_CARD.ForecastModel) in graph
    assert (MODEL_IRI, RDF.type, IT6.MachineLearningModel) in graph
    assert not [w for w in report.warnings if w.focus.startswith(str(MODEL_IRI))]


def test_every_section_of_the_pilot_metadata_model_is_answered(described: Graph) -> None:
    sections = section_terms()
    assert len(sections) == 11
    assert list(sections)[5] == "Terms of use, data protection and security classification"
    for section, terms in sections.items():
        assert terms, section
        missing = [str(t) for t in terms if described.value(MODEL_IRI, t) is None]
        assert not missing, f"{section}: {missing}"
    # Own terms only where no standard one exists; the rest reuse MLDCAT-AP, DCAT, DQV...
    every = {t for terms in sections.values() for t in terms}
    own = {t for t in every if str(t).startswith(str(MODEL_CARD))}
    assert len(own) < len(every) / 2
    assert {IT6.intendedUse, IT6.limitations, DQV.hasQualityMeasurement, DCT.temporal,
            DCT.accrualPeriodicity, DCT.spatial, PROV.wasDerivedFrom} <= every


def test_texts_a_reader_needs_are_in_finnish_and_english(described: Graph) -> None:
    for term in (MODEL_CARD.principle, MODEL_CARD.humanOversight, MODEL_CARD.targetPopulation,
                 MODEL_CARD.exclusionCriterion, MODEL_CARD.dataProtection,
                 MODEL_CARD.qualityAssurance, MODEL_CARD.outcomeDefinition, IT6.intendedUse):
        languages = {o.language for o in described.objects(MODEL_IRI, term)}
        assert {"fi", "en"} <= languages, term
    oversight = " ".join(described.objects(MODEL_IRI, MODEL_CARD.humanOversight))
    assert "never decides" in oversight and "eikä koskaan päätä" in oversight


def _measured(graph: Graph, metric_id: str) -> tuple[float, float | None, float | None]:
    node = URIRef(f"{MODEL_IRI}#{metric_id}")
    assert (MODEL_IRI, DQV.hasQualityMeasurement, node) in graph, metric_id

    def number(prop: URIRef) -> float | None:
        value = graph.value(node, prop)
        return None if value is None else float(value)

    return number(DQV.value), number(IT6.intervalStart), number(IT6.intervalEnd)


def test_the_figures_are_the_report_s(catalogued) -> None:
    graph, _ = catalogued  # as stored and read back: the figures survive the store
    for which, prefix in (("boosted", ""), ("ceiling", "ceiling-")):
        model = REPORT["models"][which]
        for key in ("roc_auc", "pr_auc"):
            figure = model[key]
            assert _measured(graph, prefix + key.replace("_", "-")) == (
                figure["value"], figure["low"], figure["high"])
        assert _measured(graph, prefix + "brier") == (model["brier"], None, None)
        recalls = {row["fpr_target"]: row["recall"] for row in model["thresholds"]}
        for rate, suffix in ((0.13, "13"), (0.075, "7-5"), (0.02, "2")):
            assert _measured(graph, f"{prefix}recall-at-fpr-{suffix}")[0] == recalls[rate]
    ratio = REPORT["ceiling_ratio"]
    assert _measured(graph, "pr-auc-share-of-ceiling")[0] == ratio["pr_auc"]
    assert _measured(graph, "roc-auc-share-of-ceiling")[0] == ratio["roc_auc"]
    assert (MODEL_IRI, MODEL_CARD.acceptanceCriterionMet, Literal(True)) in graph
    fairness = REPORT["models"]["boosted"]["fairness"]
    assert _measured(graph, "recall-age-band-50-64")[0] == fairness["age_band"]["50-64"]["recall"]
    assert _measured(graph, "fpr-language-sv")[0] == fairness["language"]["sv"]["fpr"]
    assert _measured(graph, "recall-sex-female")[0] == fairness["sex"]["female"]["recall"]
    fair = graph.value(URIRef(f"{MODEL_IRI}#metric-fpr-language-sv"), DQV.inDimension)
    assert str(fair).endswith("/dimension/fairness")
    assert str(graph.value(MODEL_IRI, DCAT.version)) == REPORT["model"]["version"]
    assert graph.value(MODEL_IRI, DCT.created).toPython() == date(2026, 11, 28)
    assert int(graph.value(MODEL_IRI, MODEL_CARD.cohortSize)) == REPORT["data"]["cohort"]
    assert float(graph.value(MODEL_IRI, MODEL_CARD.outcomePrevalence)) == pytest.approx(
        REPORT["data"]["prevalence"])
    horizon = graph.value(MODEL_IRI, MODEL_CARD.forecastHorizon)
    assert horizon.datatype == XSD.duration  # the store writes P24M as P2Y: the same span
    months = horizon.toPython()
    assert months.years * 12 + months.months == REPORT["outcome"]["horizon_months"]
    period = graph.value(MODEL_IRI, DCT.temporal)
    assert str(graph.value(period, DCAT.startDate)) == REPORT["data"]["train"]["entries_from"]
    assert str(graph.value(period, DCAT.endDate)) == REPORT["data"]["as_of"]


def test_the_data_it_read_are_the_catalogue_s_datasets(catalogued) -> None:
    graph, _ = catalogued
    series = {URIRef(dataset_iri(s)) for s in SOURCES}
    assert set(graph.objects(MODEL_IRI, IT6.trainedOn)) == series
    assert set(graph.objects(MODEL_IRI, IT6.testedOn)) == series
    for node in series:  # the series are in the catalogue whatever was ingested since
        assert (node, RDF.type, DCAT.DatasetSeries) in graph
    extracts = {URIRef(dataset_iri(g.rsplit("/", 2)[1], g.rsplit("/", 1)[1]))
                for g in REPORT["data"]["graphs"]}
    assert extracts <= set(graph.objects(MODEL_IRI, PROV.wasDerivedFrom))
    def names(prop: URIRef) -> set[str]:
        return {str(graph.value(f, DCT.title)) for f in graph.objects(MODEL_IRI, prop)}

    features = REPORT["data"]["features"]
    assert names(MODEL_CARD.inputFeature) == {
        f["name"] for f in features if f["use"] == "model input"}
    # data minimisation: what only the fairness figures read is listed apart, never an input
    assert names(MODEL_CARD.evaluationFeature) == {"sex", "age_band", "language_group"}
    sex = URIRef(f"{MODEL_IRI}#feature-sex")
    assert graph.value(sex, DCT.source) == URIRef(dataset_iri("vtj"))
    sickness = URIRef(f"{MODEL_IRI}#feature-sickness_days")
    assert graph.value(sickness, DCT.source) == URIRef(dataset_iri("kela"))
    assert graph.value(sickness, DCT.type) == MODEL_CARD.amount
    assert "incapacity" in str(graph.value(sickness, MODEL_CARD.necessity))
    library = URIRef("https://pypi.org/project/scikit-learn/1.6.1/")
    assert (MODEL_IRI, DCT.requires, library) in graph
    assert str(graph.value(library, IT6.version)) == "1.6.1"


def test_the_files_are_listed_at_the_service_s_urls(described: Graph) -> None:
    version = REPORT["model"]["version"]
    urls = {str(described.value(f, IT6.url)) for f in described.objects(MODEL_IRI, IT6.hasFile)}
    names = ["model.skops", "report.json", "roc.png", "pr.png", "calibration.png",
             "feature_effects.png"]
    assert urls == {file_url(version, name) for name in names}
    assert file_url(version, "roc.png") == ("https://tyodata.fi/catalog/model/"
                                            f"work-ability-forecast/files/{version}/roc.png")


def test_a_run_folder_gives_every_file_its_checksum(tmp_path: Path) -> None:
    names = ["model.skops", "report.json", "roc.png", "pr.png", "calibration.png",
             "feature_effects.png"]
    for name in names:
        (tmp_path / name).write_bytes(name.encode() * 3)
    graph = describe_forecast_model(REPORT, directory=tmp_path, now=NOW)
    node = URIRef(f"{MODEL_IRI}#file-roc.png")
    checksum = graph.value(node, URIRef("http://spdx.org/rdf/terms#checksum"))
    value = graph.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))
    assert str(value) == hashlib.sha256(b"roc.png" * 3).hexdigest()
    (tmp_path / "pr.png").unlink()
    with pytest.raises(ModelDescriptionError, match="lacks pr.png"):
        describe_forecast_model(REPORT, directory=tmp_path, now=NOW)


def test_without_a_truth_file_there_is_no_ceiling_and_it_still_validates(vocab_dir) -> None:
    report = copy.deepcopy(REPORT)
    del report["models"]["ceiling"]
    report["ceiling_ratio"] = None
    graph = describe_forecast_model(report, now=NOW)
    assert graph.value(MODEL_IRI, MODEL_CARD.acceptanceCriterionMet) is None
    assert not [m for m in graph.objects(MODEL_IRI, DQV.hasQualityMeasurement)
                if "ceiling" in str(m)]
    result = validate_catalogue(in_catalogue(graph), vocab_dir)
    assert result.conforms, "\n".join(map(str, result.violations))


def _broken(graph: Graph, change: str) -> Graph:
    broken = Graph()
    broken += graph
    if change == "no horizon":
        broken.remove((MODEL_IRI, MODEL_CARD.forecastHorizon, None))
    elif change == "horizon not a duration":
        broken.set((MODEL_IRI, MODEL_CARD.forecastHorizon, Literal("two years")))
    elif change == "principle only in English":
        for text in list(broken.objects(MODEL_IRI, MODEL_CARD.principle)):
            if text.language == "fi":
                broken.remove((MODEL_IRI, MODEL_CARD.principle, text))
    elif change == "unknown security classification":
        broken.set((MODEL_IRI, MODEL_CARD.securityClassification,
                    URIRef("https://example.org/top-secret")))
    elif change == "no exclusions":
        broken.remove((MODEL_IRI, MODEL_CARD.exclusionCriterion, None))
    elif change == "feature without a reason":
        broken.remove((URIRef(f"{MODEL_IRI}#feature-age"), MODEL_CARD.necessity, None))
    return broken


@pytest.mark.parametrize(("change", "path", "focus"), [
    ("no horizon", MODEL_CARD.forecastHorizon, MODEL_IRI),
    ("horizon not a duration", MODEL_CARD.forecastHorizon, MODEL_IRI),
    ("principle only in English", MODEL_CARD.principle, MODEL_IRI),
    ("unknown security classification", MODEL_CARD.securityClassification, MODEL_IRI),
    ("no exclusions", MODEL_CARD.exclusionCriterion, MODEL_IRI),
    ("feature without a reason", MODEL_CARD.inputFeature, MODEL_IRI),
])
def test_the_extension_shapes_catch_a_section_left_out(described: Graph, vocab_dir: Path,
                                                       change: str, path: URIRef,
                                                       focus: URIRef) -> None:
    report = validate_catalogue(in_catalogue(_broken(described, change)), vocab_dir)
    assert not report.conforms
    found = [f for f in report.violations if f.path == str(path) and f.focus == str(focus)]
    assert found, "\n".join(map(str, report.violations))
    assert {f.source for f in found} == {"model_extension_shapes.ttl"}
    assert len(report.violations) == len(found)  # nothing else broke


def test_a_plain_mldcat_ap_model_is_not_held_to_the_model_card(vocab_dir: Path) -> None:
    graph = Graph()
    graph += describe_forecast_model(REPORT, now=NOW)
    graph.remove((MODEL_IRI, RDF.type, MODEL_CARD.ForecastModel))
    graph.remove((MODEL_IRI, MODEL_CARD.forecastHorizon, None))
    assert validate_catalogue(in_catalogue(graph), vocab_dir).conforms


@pytest.mark.parametrize(("change", "message"), [
    (lambda r: r["models"]["boosted"].pop("pr_auc"), "lacks models.boosted.pr_auc"),
    (lambda r: r.update(chosen="forest"), "lacks models.forest"),
    (lambda r: r["model"].update(name="other-model"), "not work-ability-forecast"),
    (lambda r: r["model"].update(version="../etc"), "version"),
    (lambda r: r["data"]["graphs"].append("https://tyodata.fi/graph/meta"),
     "not an extract graph"),
    (lambda r: r["models"]["boosted"]["thresholds"].pop(), "no row for a false-positive"),
    (lambda r: r["data"]["features"].append({"name": "Bad Name"}), "feature name"),
    (lambda r: r["data"]["features"].append({"name": "x", "use": "gossip"}), "use 'gossip'"),
])
def test_a_report_lacking_what_the_description_needs_is_refused(change, message) -> None:
    report = copy.deepcopy(REPORT)
    change(report)
    with pytest.raises(ModelDescriptionError, match=message):
        describe_forecast_model(report, now=NOW)


def test_the_extension_vocabulary_labels_every_own_term_in_both_languages() -> None:
    from catalog.forecast_model import extension

    vocab = extension()
    own = {s for s in vocab.subjects() if isinstance(s, URIRef)
           and str(s).startswith(str(MODEL_CARD)) and (s, SKOS.inScheme, None) not in vocab
           and (s, RDF.type, SKOS.ConceptScheme) not in vocab}
    assert len(own) >= 15
    for term in own:
        labels = {o.language for o in vocab.objects(term, URIRef(
            "http://www.w3.org/2000/01/rdf-schema#label"))}
        comments = {o.language for o in vocab.objects(term, URIRef(
            "http://www.w3.org/2000/01/rdf-schema#comment"))}
        assert labels >= {"fi", "en"} and comments >= {"fi", "en"}, term
