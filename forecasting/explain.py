"""Per-person factor impacts in log-odds: how much each feature raised (+) or lowered (-)
the person's risk, against the model's base value.

- boosted: exact SHAP values of the tree ensemble (``shap.TreeExplainer``, path-dependent:
  the trees' own cover counts, no background sample);
- logistic: coefficient * (transformed value - its training mean), summed over the columns a
  feature becomes (the language group's one-hot columns are one factor).

Either way ``base + impacts.sum(axis=1)`` is exactly the model's log-odds (``decision``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting.features import FEATURES
from forecasting.models import logistic_output_features


@dataclass(frozen=True)
class Impacts:
    """Impacts per person (rows) and feature (columns, FEATURES order), and base values."""

    impacts: np.ndarray
    base: np.ndarray

    @property
    def log_odds(self) -> np.ndarray:
        return self.base + self.impacts.sum(axis=1)


class Explainer:
    """Explains one fitted model (``kind`` "logistic" or "boosted")."""

    def __init__(self, kind: str, model: Any, reference: np.ndarray | None = None) -> None:
        self.kind, self.model = kind, model
        if kind == "boosted":
            with warnings.catch_warnings():  # shap's own colour maps use deprecated calls
                warnings.simplefilter("ignore", PendingDeprecationWarning)
                import shap  # heavy: only when a tree model is explained
            self._tree = shap.TreeExplainer(model)
        elif kind == "logistic":
            if reference is None:
                raise ValueError("a logistic model is explained against its training mean")
            self._reference = np.asarray(reference, dtype=float)
            owner = logistic_output_features()
            self._to_features = np.zeros((len(owner), len(FEATURES)))
            self._to_features[np.arange(len(owner)), owner] = 1.0
        else:
            raise ValueError(f"no explanation for a {kind} model")

    def explain(self, X: np.ndarray) -> Impacts:
        X = np.asarray(X, dtype=float)
        if self.kind == "boosted":
            values = np.asarray(self._tree.shap_values(X), dtype=float).reshape(len(X), -1)
            base = float(np.ravel(self._tree.expected_value)[0])
            return Impacts(values, np.full(len(X), base))
        transformed = self.model[:-1].transform(X)
        linear = self.model[-1]
        coef = linear.coef_[0]
        per_column = (transformed - self._reference) * coef
        base = float(linear.intercept_[0] + coef @ self._reference)
        return Impacts(per_column @ self._to_features, np.full(len(X), base))


def logistic_reference(model: Any, X_train: np.ndarray) -> np.ndarray:
    """The mean transformed training row a logistic model's impacts are measured from."""
    return np.asarray(model[:-1].transform(X_train), dtype=float).mean(axis=0)
