"""Training, the report, the model files and the per-person forecast, on a cohort drawn from
the generator's own risk function (tests/forecasting/conftest.py)."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import pytest
import skops.io as sio

from forecasting.cohort import cohort_table
from forecasting.errors import (
    ModelFolderError,
    OutsidePopulationError,
    TooFewPositivesError,
    TruthFileError,
)
from forecasting.evaluate import roc_pr_auc
from forecasting.explain import Explainer, logistic_reference
from forecasting.features import FEATURES
from forecasting.model_store import (
    MODEL_FILE,
    REPORT_FILE,
    TrafficLight,
    load_current,
    load_version,
    new_version,
    versions,
)
from forecasting.models import boosted, decision, logistic, single_threaded
from forecasting.person import PersonFeatures, person_features
from forecasting.split import time_split
from forecasting.train import train
from forecasting.truth import HEADER, read_truth
from tests.forecasting.builder import GraphBuilder, person
from tests.forecasting.conftest import AS_OF

MODELS = ("dummy", "logistic", "boosted", "ceiling")


def test_report_has_the_contracts_keys(synthetic_run):
    report = synthetic_run.run.report
    assert set(report) >= {"model", "data", "outcome", "models", "chosen", "ceiling_ratio",
                           "traffic_light", "plots"}
    assert set(report["model"]) >= {"name", "version", "created", "algorithm", "library",
                                    "seed", "training_seconds"}
    data = report["data"]
    assert data["cohort"] == data["train"]["n"] + data["test"]["n"] == 5000
    assert data["positives"] == data["train"]["positives"] + data["test"]["positives"]
    assert data["train"]["entries_to"] < data["test"]["entries_from"]  # split by time
    assert 0.2 < data["test"]["n"] / data["cohort"] < 0.3
    assert [f["name"] for f in data["features"]][: len(FEATURES)] == list(FEATURES)
    assert len(data["graphs"]) == 5
    assert report["outcome"]["horizon_months"] == 24
    assert set(report["models"]) == set(MODELS)
    for name in MODELS:
        figures = report["models"][name]
        assert set(figures) >= {"roc_auc", "pr_auc", "brier", "reliability", "thresholds",
                                "fairness"}
        assert set(figures["roc_auc"]) == {"value", "low", "high"}
        assert figures["pr_auc"]["low"] <= figures["pr_auc"]["value"] <= figures["pr_auc"]["high"]
        assert [t["fpr_target"] for t in figures["thresholds"]] == [0.02, 0.075, 0.13]
        assert set(figures["fairness"]) == {"sex", "age_band", "language"}
        assert set(figures["fairness"]["age_band"]) == {"18-29", "30-49", "50-64"}
    assert report["chosen"] in ("logistic", "boosted")
    assert report["model"]["algorithm"] == {"logistic": "LogisticRegression",
                                            "boosted": "HistGradientBoostingClassifier"}[
        report["chosen"]]
    light = report["traffic_light"]
    assert light["amber"] < light["red"] and (light["amber_fpr"], light["red_fpr"]) == (0.13,
                                                                                        0.075)
    assert json.loads((synthetic_run.run.directory / REPORT_FILE).read_text()) == report


def test_models_beat_the_dummy_and_approach_the_ceiling(synthetic_run):
    models = synthetic_run.run.report["models"]
    prevalence = synthetic_run.run.report["data"]["test"]["positives"] / \
        synthetic_run.run.report["data"]["test"]["n"]
    assert models["dummy"]["roc_auc"]["value"] == 0.5
    for name in ("logistic", "boosted"):
        assert models[name]["roc_auc"]["value"] > 0.85
        assert models[name]["pr_auc"]["value"] > 4 * prevalence
        assert models[name]["brier"] < models["dummy"]["brier"]
    ratio = synthetic_run.run.report["ceiling_ratio"]
    # 5,000 persons leave ~100 positives in the test set: a loose bound here; the 95 % target
    # is measured at 100,000 persons by the benchmark
    assert ratio["pr_auc"] > 0.85 and ratio["roc_auc"] > 0.97
    ceiling = models["ceiling"]
    assert ceiling["roc_auc"]["value"] > 0.9


def test_the_choice_is_made_on_the_validation_slice(synthetic_run):
    selection = synthetic_run.run.report["selection"]
    chosen = synthetic_run.run.report["chosen"]
    scores = selection["validation_pr_auc"]
    assert scores[chosen] == max(scores.values())


def test_plots_are_pngs(synthetic_run):
    for name in synthetic_run.run.report["plots"].values():
        data = (synthetic_run.run.directory / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_model_file_round_trip_reproduces_the_test_figures(synthetic_run):
    model = load_current(synthetic_run.forecast_dir)
    assert model is not None and model.version == synthetic_run.run.version
    assert model.kind == synthetic_run.run.report["chosen"]
    cohort = cohort_table(synthetic_run.store, as_of=AS_OF)
    test = cohort.subset(time_split(cohort.entry).test)
    risk = model.estimator.predict_proba(test.X)[:, 1]
    _, ap = roc_pr_auc(test.y, risk)
    assert ap == pytest.approx(synthetic_run.run.report["models"][model.kind]["pr_auc"]["value"],
                               abs=1e-6)
    red = model.thresholds.red
    assert np.mean(risk[test.y == 0] >= red) <= 0.075


@pytest.mark.parametrize("kind", ["logistic", "boosted"])
def test_impacts_sum_to_the_models_log_odds(synthetic_run, kind):
    cohort = cohort_table(synthetic_run.store, as_of=AS_OF)
    X, y = cohort.X[:3000], cohort.y[:3000]
    with single_threaded():
        if kind == "logistic":
            model = logistic(0.1, 0).fit(X, y)
            explainer = Explainer(kind, model, logistic_reference(model, X))
        else:
            model = boosted({"max_leaf_nodes": 7, "min_samples_leaf": 20,
                             "l2_regularization": 1.0, "max_iter": 60}, 0).fit(X, y)
            explainer = Explainer(kind, model)
        impacts = explainer.explain(cohort.X[3000:3200])
        expected = decision(model, cohort.X[3000:3200])
    assert impacts.impacts.shape == (200, len(FEATURES))
    assert np.allclose(impacts.log_odds, expected, atol=1e-9)
    if kind == "logistic":  # mean impact over the training rows is zero by construction
        assert np.allclose(explainer.explain(X).impacts.mean(axis=0), 0, atol=1e-9)


def test_forecast_for_a_cohort_member(synthetic_run):
    model = load_current(synthetic_run.forecast_dir)
    who = max(synthetic_run.truth, key=lambda p: synthetic_run.truth[p]["probability"])
    entry = synthetic_run.truth[who]["entry"]
    features = person_features(synthetic_run.store, who, today=entry + timedelta(days=200))
    assert features is not None and features.index == entry + timedelta(days=90)
    forecast = model.forecast(features)
    assert forecast.model_version == model.version and forecast.index_date == features.index
    assert forecast.risk == pytest.approx(
        model.estimator.predict_proba(features.row())[0, 1])
    assert forecast.light == "red"  # the riskiest person of the cohort
    assert [f.name for f in forecast.factors] != [] and \
        sorted(f.name for f in forecast.factors) == sorted(FEATURES)
    impacts = [abs(f.impact) for f in forecast.factors]
    assert impacts == sorted(impacts, reverse=True)
    log_odds = forecast.base_log_odds + sum(f.impact for f in forecast.factors)
    assert 1 / (1 + math.exp(-log_odds)) == pytest.approx(forecast.risk, abs=1e-5)
    assert forecast.thresholds == model.thresholds
    low = min(synthetic_run.truth, key=lambda p: synthetic_run.truth[p]["probability"])
    low_features = person_features(synthetic_run.store, low, today=date(2026, 1, 1))
    assert model.forecast(low_features).light == "green"


def test_traffic_light():
    light = TrafficLight(amber=0.1, red=0.2)
    assert [light.light(r) for r in (0.05, 0.1, 0.15, 0.2, 0.9)] == \
        ["green", "amber", "amber", "red", "red"]


def test_a_client_outside_the_population_is_refused(synthetic_run):
    model = load_current(synthetic_run.forecast_dir)
    values = {name: 0.0 for name in FEATURES} | {"language": "fi", "age": 70.0}
    features = PersonFeatures(person(1), date(2026, 1, 1), date(2026, 3, 1), values)
    with pytest.raises(OutsidePopulationError, match="18-64"):
        model.forecast(features)


# -- model folders ---------------------------------------------------------------------


def test_versions_sort_by_time_and_never_collide(tmp_path):
    from datetime import UTC, datetime

    now = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    first = new_version(tmp_path, now)
    assert first == "2026-11-28T01-30-00Z"
    (tmp_path / first).mkdir()
    second = new_version(tmp_path, now)
    assert second == "2026-11-28T01-30-00Z-2"
    (tmp_path / second).mkdir()
    (tmp_path / ".2027-01-01T00-00-00Z.partial").mkdir()  # an unfinished write: not a version
    assert versions(tmp_path) == [first, second]
    assert load_current(tmp_path / "nothing-here") is None


def test_unreadable_model_folders_are_clear_errors(synthetic_run, tmp_path):
    import shutil

    good = synthetic_run.run.directory
    broken = tmp_path / "2026-01-01T00-00-00Z"
    shutil.copytree(good, broken)
    (broken / MODEL_FILE).write_bytes(b"not a zip")
    with pytest.raises(ModelFolderError, match="unreadable"):
        load_version(broken)
    (broken / MODEL_FILE).unlink()
    with pytest.raises(ModelFolderError, match="model.skops is missing"):
        load_version(broken)
    shutil.copy(good / MODEL_FILE, broken / MODEL_FILE)
    (broken / REPORT_FILE).unlink()
    with pytest.raises(ModelFolderError, match="report.json is missing"):
        load_version(broken)
    with pytest.raises(ModelFolderError, match="no such folder"):
        load_version(tmp_path / "absent")


@pytest.mark.parametrize("kind", ["logistic", "boosted"])
def test_both_kinds_round_trip_through_skops(synthetic_run, tmp_path, kind):
    import shutil

    from forecasting.model_store import save_model

    cohort = cohort_table(synthetic_run.store, as_of=AS_OF)
    X, y = cohort.X[:2000], cohort.y[:2000]
    with single_threaded():
        model = (logistic(0.1, 0) if kind == "logistic" else boosted(
            {"max_leaf_nodes": 7, "min_samples_leaf": 20, "l2_regularization": 1.0,
             "max_iter": 40}, 0)).fit(X, y)
    folder = tmp_path / "2026-01-01T00-00-00Z"
    shutil.copytree(synthetic_run.run.directory, folder)
    save_model(folder, kind, model,
               logistic_reference(model, X) if kind == "logistic" else None)
    loaded = load_version(folder)
    assert loaded.kind == kind
    assert np.array_equal(loaded.estimator.predict_proba(cohort.X)[:, 1],
                          model.predict_proba(cohort.X)[:, 1])
    row = cohort.X[2500:2501]
    assert np.allclose(loaded.explainer.explain(row).log_odds, decision(model, row))


class Smuggled:
    """Not a type a model file may hold: loading must refuse it, not run it."""


def test_a_model_file_with_untrusted_types_is_refused(synthetic_run, tmp_path):
    import shutil

    folder = tmp_path / "2026-01-01T00-00-00Z"
    shutil.copytree(synthetic_run.run.directory, folder)
    sio.dump({"kind": "logistic", "features": list(FEATURES), "estimator": Smuggled(),
              "reference": None}, folder / MODEL_FILE)
    with pytest.raises(ModelFolderError, match="not trusted"):
        load_version(folder)


# -- errors of training ------------------------------------------------------------------


def test_too_few_positives_says_how_many(tmp_path):
    b = GraphBuilder()
    for n in range(1, 60):
        b.person(person(n), 1980)
        b.seeking(person(n), date(2021, 1, 1) + timedelta(days=n * 7))
    b.benefit(person(3), "TKE", date(2021, 6, 1), None, amount=900.0)
    with pytest.raises(TooFewPositivesError, match="has 1 persons with the outcome.*at least 20"):
        train(b.store(), tmp_path, as_of=AS_OF, truth=None, pseudonym_of=None)
    assert versions(tmp_path) == []


def test_truth_file_errors_name_the_line_never_the_code(tmp_path):
    path = tmp_path / "truth.csv"
    path.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(TruthFileError, match="header must be"):
        read_truth(path, str)
    row = ["131052-308T", "2022-01-01", "2022-04-01", "1.5", "0", *["0"] * 10, "40", "fi",
           "male"]
    path.write_text(",".join(HEADER) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with pytest.raises(TruthFileError, match="line 2: probability") as caught:
        read_truth(path, str)
    assert "131052-308T" not in str(caught.value)

    def refuse(code: str) -> str:
        raise ValueError(f"bad code {code}")

    row[3] = "0.5"
    path.write_text(",".join(HEADER) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with pytest.raises(TruthFileError, match="line 2: not a valid identity code") as caught:
        read_truth(path, refuse)
    assert "131052-308T" not in str(caught.value)
    assert read_truth(path, lambda c: "p")["p"].probability == 0.5
    with pytest.raises(TruthFileError, match="cannot be read"):
        read_truth(tmp_path / "absent.csv", str)


def test_a_truth_file_of_other_persons_is_refused(synthetic_run, tmp_path):
    with pytest.raises(TruthFileError, match="not written for the extracts"):
        train(synthetic_run.store, tmp_path, as_of=AS_OF, truth=synthetic_run.truth_file,
              pseudonym_of=lambda code: person(10**6 + int(code[4:])))
    assert versions(tmp_path) == []


def test_quality_table_rows(synthetic_run):
    from forecasting.report import quality_table

    rows = quality_table(synthetic_run.run.report)
    assert [r["model"].split(" ")[0] for r in rows] == list(MODELS)
    assert sum("(chosen)" in r["model"] for r in rows) == 1
    assert set(rows[0]) == {"model", "roc_auc", "pr_auc", "brier", "recall@fpr0.02",
                            "recall@fpr0.075", "recall@fpr0.13"}
