"""train(): read the cohort, split by time, tune, fit, judge against the ceiling, write a
model version (model.skops, report.json, the plots).

The model family (logistic or boosted) and its hyperparameters are chosen on the latest slice
of the TRAIN period; the test set (the latest quarter of entries) is only ever scored, so its
figures are an honest estimate of use on future entrants. Every model is then refitted on the
whole train period with the chosen hyperparameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from time import perf_counter
from typing import Any

import numpy as np

from forecasting import plots
from forecasting.cohort import GROUPS, CohortTable, cohort_table
from forecasting.errors import TooFewPositivesError
from forecasting.evaluate import evaluate
from forecasting.explain import Explainer, logistic_reference
from forecasting.features import FEATURES
from forecasting.model_store import REPORT_FILE, new_version, publish, save_model, staging_dir
from forecasting.models import (
    boosted,
    dummy,
    logistic,
    risk,
    single_threaded,
    tune_boosted,
    tune_logistic,
)
from forecasting.report import PLOTS, Selection, build_report, write_report
from forecasting.split import time_split
from forecasting.truth import ceiling_scores, read_truth
from graph_service.store.base import GraphStore

MIN_POSITIVES = {"train period": 20, "validation slice": 5, "test set": 10}


@dataclass(frozen=True)
class TrainingRun:
    version: str
    directory: Path
    report: dict[str, Any]


def train(store: GraphStore, forecast_dir: Path, *, as_of: date, truth: Path | None,
          pseudonym_of: Callable[[str], str] | None, seed: int = 0,
          progress: Callable[[str], None] | None = None) -> TrainingRun:
    """Train, evaluate and publish a new model version in ``forecast_dir``."""
    with single_threaded():
        return _train(store, forecast_dir, as_of=as_of, truth=truth,
                      pseudonym_of=pseudonym_of, seed=seed, progress=progress)


def _train(store: GraphStore, forecast_dir: Path, *, as_of: date, truth: Path | None,
           pseudonym_of: Callable[[str], str] | None, seed: int,
           progress: Callable[[str], None] | None) -> TrainingRun:
    say = progress or (lambda message: None)
    started = perf_counter()
    truth_rows = None
    if truth is not None:
        if pseudonym_of is None:
            raise ValueError("joining the truth file needs pseudonym_of")
        say("reading the truth file (evaluation only)")
        truth_rows = read_truth(truth, pseudonym_of)
    cohort = cohort_table(store, as_of=as_of, progress=say)
    feature_seconds = perf_counter() - started
    split = time_split(cohort.entry)
    train_set, test = cohort.subset(split.train), cohort.subset(split.test)
    fit, validation = cohort.subset(split.fit), cohort.subset(split.validation)
    for where, part in (("train period", train_set), ("validation slice", validation),
                        ("test set", test)):
        if part.positives < MIN_POSITIVES[where]:
            raise TooFewPositivesError(where, part.positives, MIN_POSITIVES[where])

    say(f"tuning on the train period's validation slice ({len(validation)} persons)")
    tuned = {"logistic": tune_logistic(fit.X, fit.y, validation.X, validation.y, seed),
             "boosted": tune_boosted(fit.X, fit.y, validation.X, validation.y, seed)}
    chosen = max(tuned, key=lambda name: tuned[name].validation_pr_auc)
    say(f"fitting on the train period ({len(train_set)} persons); chosen: {chosen}")
    fitted = {"dummy": dummy().fit(train_set.X, train_set.y),
              "logistic": logistic(tuned["logistic"].params["C"], seed)
              .fit(train_set.X, train_set.y),
              "boosted": boosted(tuned["boosted"].params, seed).fit(train_set.X, train_set.y)}
    reference = logistic_reference(fitted["logistic"], train_set.X)

    say(f"evaluating on the test set ({len(test)} persons)")
    groups = {name: test.groups[name] for name in GROUPS}
    scores = {name: risk(model, test.X) for name, model in fitted.items()}
    figures = {name: _figures(test.y, score, groups, seed) for name, score in scores.items()}
    if truth_rows is not None and truth is not None:
        ceiling = ceiling_scores(truth, truth_rows, test.persons)
        known = ~np.isnan(ceiling)
        figures["ceiling"] = _figures(test.y[known], ceiling[known],
                                      {k: v[known] for k, v in groups.items()}, seed)
        scores["ceiling"] = np.where(known, ceiling, np.nanmean(ceiling))
    training_seconds = perf_counter() - started

    created = datetime.now(UTC)
    version = new_version(forecast_dir, created)
    staged = staging_dir(forecast_dir, version)
    say(f"writing model version {version}")
    save_model(staged, chosen, fitted[chosen],
               reference if chosen == "logistic" else None)
    selection = Selection(chosen, {k: round(v.validation_pr_auc, 6) for k, v in tuned.items()},
                          {k: v.params for k, v in tuned.items()})
    report = build_report(
        version=version, created=created, seed=seed, training_seconds=training_seconds,
        feature_seconds=feature_seconds, as_of=as_of, cohort=cohort, train=train_set,
        test=test, figures=figures, selection=selection, truth_used=truth_rows is not None)
    _plot(staged, test, scores, figures, chosen, fitted[chosen], reference)
    write_report(staged / REPORT_FILE, report)
    directory = publish(staged, forecast_dir, version)
    return TrainingRun(version, directory, report)


def _figures(y: np.ndarray, score: np.ndarray, groups: dict[str, np.ndarray],
             seed: int) -> dict[str, Any]:
    figures = evaluate(y, score, groups, seed=seed)
    return {"n": int(len(y)), "positives": int(np.sum(y)), **figures}


def _plot(folder: Path, test: CohortTable, scores: dict[str, np.ndarray],
          figures: dict[str, dict[str, Any]], chosen: str, model: Any,
          reference: np.ndarray) -> None:
    plots.roc(folder / PLOTS["roc"], test.y, scores, figures)
    plots.precision_recall(folder / PLOTS["pr"], test.y, scores, figures)
    plots.calibration(folder / PLOTS["calibration"], figures)
    explainer = Explainer(chosen, model, reference if chosen == "logistic" else None)
    plots.feature_effects(folder / PLOTS["feature_effects"], list(FEATURES),
                          explainer.explain(test.X).impacts, test.X, chosen)
