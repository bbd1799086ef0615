"""The three models (scikit-learn's fit / predict_proba contract) and their tuning.

- dummy: the prevalence for everyone (``DummyClassifier(strategy="prior")``): what any model
  must beat;
- logistic: logistic regression over sensible transforms: log1p of the sickness days and the
  earnings (a day or a euro more matters less the more there are), the language group one-hot,
  everything standardised so one penalty fits all;
- boosted: ``HistGradientBoostingClassifier`` over the raw features (trees need no transforms;
  the language group's index is split like a number, which with three values separates any
  group in two splits).

Hyperparameters are tuned on the validation slice of the TRAIN period only (see split.py),
scored by average precision (the PR AUC the pilot reports), with fixed seeds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler
from threadpoolctl import ThreadpoolController

from forecasting.features import FEATURES, LANGUAGES

LOG_FEATURES = ("sickness_days", "annual_earnings")
LOGISTIC_C = (0.01, 0.1, 1.0, 10.0)
BOOSTED_GRID: tuple[dict[str, Any], ...] = tuple(
    {"max_leaf_nodes": leaves, "min_samples_leaf": leaf, "l2_regularization": 1.0}
    for leaves in (3, 7, 15) for leaf in (20, 100))
BOOSTED_RATE = 0.05
BOOSTED_MAX_ITER = 600
BOOSTED_STAGE_STEP = 10  # iterations between validation checks


@cache
def _threadpools() -> ThreadpoolController:
    return ThreadpoolController()  # finds the loaded thread pools once (milliseconds)


def single_threaded() -> Any:
    """One OpenMP thread for the tree ensemble (a context manager): its fits here are small,
    and on a machine whose cores are busy, OpenMP's waiting threads made one fit a hundred
    times slower (58 s instead of 0.7 s measured on 2 shared cores)."""
    return _threadpools().limit(limits=1, user_api="openmp")


def _logistic_columns() -> tuple[list[int], int, list[int]]:
    log = [FEATURES.index(n) for n in LOG_FEATURES]
    language = FEATURES.index("language")
    rest = [i for i in range(len(FEATURES)) if i not in log and i != language]
    return log, language, rest


def logistic_output_features() -> np.ndarray:
    """For each column the logistic pipeline's transforms produce, the index (in FEATURES)
    of the feature it comes from (the language group gives one column per group)."""
    log, language, rest = _logistic_columns()
    return np.array([*log, *[language] * len(LANGUAGES), *rest])


def logistic(C: float, seed: int) -> Pipeline:
    log, language, rest = _logistic_columns()
    columns = ColumnTransformer([
        ("log1p", FunctionTransformer(np.log1p), log),
        ("language", OneHotEncoder(categories=[[float(i) for i in range(len(LANGUAGES))]],
                                   handle_unknown="ignore", sparse_output=False), [language]),
        ("linear", "passthrough", rest),
    ])
    return Pipeline([
        ("columns", columns),
        ("scale", StandardScaler()),
        ("model", LogisticRegression(C=C, max_iter=5000, random_state=seed)),
    ])


def boosted(params: dict[str, Any], seed: int) -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        learning_rate=BOOSTED_RATE, max_iter=int(params.get("max_iter", BOOSTED_MAX_ITER)),
        max_leaf_nodes=params["max_leaf_nodes"], min_samples_leaf=params["min_samples_leaf"],
        l2_regularization=params["l2_regularization"], early_stopping=False,
        random_state=seed)


def dummy() -> DummyClassifier:
    return DummyClassifier(strategy="prior")


@dataclass(frozen=True)
class Tuned:
    """The best hyperparameters of one model family and its validation PR AUC."""

    params: dict[str, Any]
    validation_pr_auc: float
    tried: list[dict[str, Any]] = field(default_factory=list)


def tune_logistic(X_fit: np.ndarray, y_fit: np.ndarray, X_val: np.ndarray,
                  y_val: np.ndarray, seed: int) -> Tuned:
    tried = []
    for C in LOGISTIC_C:
        score = logistic(C, seed).fit(X_fit, y_fit).predict_proba(X_val)[:, 1]
        tried.append({"C": C, "validation_pr_auc": float(average_precision_score(y_val, score))})
    best = max(tried, key=lambda t: t["validation_pr_auc"])
    return Tuned({"C": best["C"]}, best["validation_pr_auc"], tried)


def tune_boosted(X_fit: np.ndarray, y_fit: np.ndarray, X_val: np.ndarray,
                 y_val: np.ndarray, seed: int) -> Tuned:
    """Each grid point is fitted once with many iterations; the number of iterations is
    chosen from its staged predictions on the validation slice."""
    tried = []
    for params in BOOSTED_GRID:
        model = boosted(params, seed).fit(X_fit, y_fit)
        best_iter, best_ap = 0, -1.0
        for i, proba in enumerate(model.staged_predict_proba(X_val), start=1):
            if i % BOOSTED_STAGE_STEP and i != model.n_iter_:
                continue
            ap = float(average_precision_score(y_val, proba[:, 1]))
            if ap > best_ap:
                best_iter, best_ap = i, ap
        tried.append({**params, "max_iter": best_iter, "validation_pr_auc": best_ap})
    best = max(tried, key=lambda t: t["validation_pr_auc"])
    params = {k: v for k, v in best.items() if k != "validation_pr_auc"}
    return Tuned(params, best["validation_pr_auc"], tried)


def decision(model: Any, X: np.ndarray) -> np.ndarray:
    """The model's log-odds of the outcome."""
    if isinstance(model, DummyClassifier):
        p = model.predict_proba(X)[:, 1]
        return np.log(p / (1 - p))
    return model.decision_function(X)


def risk(model: Any, X: np.ndarray) -> np.ndarray:
    """The model's probability of the outcome."""
    return model.predict_proba(X)[:, 1]
