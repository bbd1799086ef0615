"""Trained models on disk, one folder per version, and forecasting with the newest.

``<forecast_dir>/<version>/`` holds model.skops (the fitted model; skops files hold no code:
loading one runs nothing, and only the scikit-learn and numpy types listed in TRUSTED are
accepted), report.json and the PNG plots. A version is written into a hidden folder and renamed
into place when complete, so a reader never sees half a model. Versions are UTC times
(``2026-11-28T01-30-00Z``): their names sort by age.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np

from forecasting.errors import ModelFolderError, OutsidePopulationError
from forecasting.explain import Explainer
from forecasting.features import FEATURES
from forecasting.models import single_threaded
from forecasting.person import MAX_AGE, MIN_AGE, PersonFeatures

MODEL_FILE = "model.skops"
REPORT_FILE = "report.json"
TRUSTED = [
    "numpy.dtype", "numpy.ndarray", "numpy.float64", "numpy.int64", "numpy.log1p",
    "numpy.random.mtrand.RandomState", "builtins.float", "builtins.int",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.preprocessing._function_transformer.FunctionTransformer",
    "sklearn.preprocessing._encoders.OneHotEncoder",
    "sklearn.preprocessing._data.StandardScaler",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "sklearn._loss.loss.HalfBinomialLoss",
    "sklearn._loss.link.LogitLink",
    "sklearn._loss.link.Interval",
    "sklearn.utils._bunch.Bunch",
]
"""The only types a model file may hold (anything else is refused when loading)."""

Light = Literal["green", "amber", "red"]


@dataclass(frozen=True)
class TrafficLight:
    """Risk thresholds: red from ``red`` (test FPR 7.5 %), amber from ``amber`` (13 %)."""

    amber: float
    red: float

    def light(self, risk_: float) -> Light:
        return "red" if risk_ >= self.red else "amber" if risk_ >= self.amber else "green"


@dataclass(frozen=True)
class Factor:
    name: str  # a FEATURES name
    value: float | str
    impact: float  # log-odds contribution; + raises the risk


@dataclass(frozen=True)
class Forecast:
    risk: float
    light: Light
    model_version: str
    index_date: date
    factors: list[Factor]  # by |impact|, largest first
    thresholds: TrafficLight
    base_log_odds: float = 0.0  # the model's log-odds before any factor


@dataclass
class ForecastModel:
    """One trained version: its report and the fitted model."""

    version: str
    directory: Path
    report: dict[str, Any]
    kind: str  # "logistic" | "boosted"
    estimator: Any
    reference: np.ndarray | None = None
    _explainer: Explainer | None = field(default=None, repr=False)

    @property
    def thresholds(self) -> TrafficLight:
        light = self.report["traffic_light"]
        return TrafficLight(amber=float(light["amber"]), red=float(light["red"]))

    @property
    def explainer(self) -> Explainer:
        if self._explainer is None:
            self._explainer = Explainer(self.kind, self.estimator, self.reference)
        return self._explainer

    def forecast(self, features: PersonFeatures) -> Forecast:
        """The person's risk, traffic light and factors; :class:`OutsidePopulationError` for
        a client outside the population the model learned from."""
        if not features.in_population:
            raise OutsidePopulationError(
                f"the forecast covers clients aged {MIN_AGE}-{MAX_AGE} when they entered "
                f"employment services (the population it was trained on); this client was "
                f"{features.age}")
        row = features.row()
        with single_threaded():
            impacts = self.explainer.explain(row)
        # the model's own probability: the logistic link of its log-odds, which the impacts
        # and the base value sum to exactly (so the model is run once, not twice)
        probability = float(1.0 / (1.0 + np.exp(-impacts.log_odds[0])))
        factors = [Factor(name, features.values[name], round(float(impact), 6))
                   for name, impact in zip(FEATURES, impacts.impacts[0], strict=True)]
        factors.sort(key=lambda f: -abs(f.impact))
        thresholds = self.thresholds
        return Forecast(risk=probability, light=thresholds.light(probability),
                        model_version=self.version, index_date=features.index,
                        factors=factors, thresholds=thresholds,
                        base_log_odds=float(impacts.base[0]))


# -- writing ---------------------------------------------------------------------------


def new_version(forecast_dir: Path, now: datetime | None = None) -> str:
    """A version name for a model trained now, unused in ``forecast_dir``."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
    version, n = stamp, 1
    while (forecast_dir / version).exists():
        n += 1
        version = f"{stamp}-{n}"
    return version


def staging_dir(forecast_dir: Path, version: str) -> Path:
    """The hidden folder a version is written into before it is published."""
    forecast_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = forecast_dir / f".{version}.partial"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(mode=0o700)
    return path


def save_model(folder: Path, kind: str, estimator: Any, reference: np.ndarray | None) -> None:
    import skops.io as sio

    bundle = {"kind": kind, "features": list(FEATURES), "estimator": estimator,
              "reference": None if reference is None else np.asarray(reference, dtype=float)}
    sio.dump(bundle, folder / MODEL_FILE)


def publish(staged: Path, forecast_dir: Path, version: str) -> Path:
    final = forecast_dir / version
    os.replace(staged, final)
    return final


# -- reading ---------------------------------------------------------------------------


def versions(forecast_dir: Path) -> list[str]:
    """The published versions, oldest first."""
    if not forecast_dir.is_dir():
        return []
    return sorted(p.name for p in forecast_dir.iterdir()
                  if p.is_dir() and not p.name.startswith("."))


def load_version(directory: Path) -> ForecastModel:
    """One version's model and report; :class:`ModelFolderError` says what is wrong."""
    import skops.io as sio

    if not directory.is_dir():
        raise ModelFolderError(directory, "no such folder")
    try:
        report = json.loads((directory / REPORT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelFolderError(directory, f"{REPORT_FILE} is missing") from None
    except (OSError, ValueError) as error:
        raise ModelFolderError(directory, f"{REPORT_FILE} is unreadable ({error})") from None
    try:
        bundle = sio.load(directory / MODEL_FILE, trusted=TRUSTED)
    except FileNotFoundError:
        raise ModelFolderError(directory, f"{MODEL_FILE} is missing") from None
    except Exception as error:  # skops refuses untrusted types; zip or JSON errors
        raise ModelFolderError(directory, f"{MODEL_FILE} is unreadable or holds types "
                                          f"that are not trusted ({error})") from None
    if not isinstance(bundle, dict) or bundle.get("features") != list(FEATURES) \
            or bundle.get("kind") not in ("logistic", "boosted"):
        raise ModelFolderError(directory, f"{MODEL_FILE} is not a work-ability model of "
                                          "this version of the features")
    if "traffic_light" not in report or "model" not in report:
        raise ModelFolderError(directory, f"{REPORT_FILE} lacks the model or its thresholds")
    reference = bundle.get("reference")
    return ForecastModel(version=directory.name, directory=directory, report=report,
                         kind=bundle["kind"], estimator=bundle["estimator"],
                         reference=None if reference is None else np.asarray(reference))


def load_current(forecast_dir: Path) -> ForecastModel | None:
    """The newest version, or None when no model has been trained."""
    found = versions(forecast_dir)
    return load_version(forecast_dir / found[-1]) if found else None
