"""The training report's pictures (PNG, matplotlib's Agg backend: no display needed).

ROC and PR curves of every model with the ceiling (the true probabilities) drawn beside them,
the reliability curves, and the chosen model's feature effects (mean absolute impact in
log-odds, coloured by the direction a higher value pushes the risk).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

from forecasting.evaluate import FPR_TARGETS, Ordered  # noqa: E402

STYLE = {"dummy": ("#999999", ":"), "logistic": ("#1f77b4", "-"), "boosted": ("#2ca02c", "-"),
         "ceiling": ("#d62728", "--")}
DPI = 110


def _curves(y: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, ...]:
    tp, fp = Ordered.of(y, score).counts()
    positives, negatives = max(tp[-1], 1), max(fp[-1], 1)
    fpr, tpr = np.r_[0, fp / negatives], np.r_[0, tp / positives]
    precision = np.r_[1, tp / np.maximum(tp + fp, 1)]
    return fpr, tpr, precision


def _label(name: str, figures: Mapping[str, dict], key: str) -> str:
    return f"{name} ({figures[name][key]['value']:.3f})" if name in figures else name


def roc(path: Path, y: np.ndarray, scores: Mapping[str, np.ndarray],
        figures: Mapping[str, dict]) -> None:
    fig, ax = plt.subplots(figsize=(6, 5.2))
    for name, score in scores.items():
        fpr, tpr, _ = _curves(y, score)
        color, line = STYLE.get(name, ("black", "-"))
        ax.plot(fpr, tpr, line, color=color, label=_label(name, figures, "roc_auc"))
    for target in FPR_TARGETS:
        ax.axvline(target, color="#cccccc", linewidth=0.8)
    ax.plot([0, 1], [0, 1], color="#eeeeee", linewidth=0.8)
    ax.set(xlabel="false-positive rate", ylabel="recall (true-positive rate)",
           title="ROC, test set (ROC AUC)", xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="lower right")
    _save(fig, path)


def precision_recall(path: Path, y: np.ndarray, scores: Mapping[str, np.ndarray],
                     figures: Mapping[str, dict]) -> None:
    fig, ax = plt.subplots(figsize=(6, 5.2))
    for name, score in scores.items():
        _, recall, precision = _curves(y, score)
        # "pre": each recall step is drawn at the precision reached there (the area is then
        # the average precision); tied scores, such as the dummy's, give one flat step
        color, line = STYLE.get(name, ("black", "-"))
        ax.step(recall, precision, line, where="pre", color=color,
                label=_label(name, figures, "pr_auc"))
    ax.axhline(float(np.mean(y)), color="#cccccc", linewidth=0.8)
    ax.set(xlabel="recall", ylabel="precision", title="Precision-recall, test set (PR AUC)",
           xlim=(0, 1), ylim=(0, 1.01))
    ax.legend(loc="upper right")
    _save(fig, path)


def calibration(path: Path, figures: Mapping[str, dict]) -> None:
    fig, ax = plt.subplots(figsize=(6, 5.2))
    top = 0.0
    for name, figure in figures.items():
        points = figure["reliability"]
        predicted = [p["predicted"] for p in points]
        observed = [p["observed"] for p in points]
        top = max(top, *predicted, *observed)
        color, line = STYLE.get(name, ("black", "-"))
        ax.plot(predicted, observed, line, marker="o", markersize=3, color=color,
                label=f"{name} (Brier {figure['brier']:.4f})")
    top = min(1.0, top * 1.05 or 1.0)
    ax.plot([0, top], [0, top], color="#cccccc", linewidth=0.8)
    ax.set(xlabel="predicted risk (mean of a tenth of the test set)", ylabel="observed rate",
           title="Calibration (reliability, 10 equal-count bins)", xlim=(0, top), ylim=(0, top))
    ax.legend(loc="upper left")
    _save(fig, path)


def feature_effects(path: Path, names: list[str], impacts: np.ndarray, values: np.ndarray,
                    model: str) -> None:
    """Mean |impact| per feature over the test set, red where higher values raise the risk
    (impact and value correlate positively), blue where they lower it."""
    strength = np.abs(impacts).mean(axis=0)
    direction = []
    for j in range(impacts.shape[1]):
        spread = np.std(values[:, j]) > 0 and np.std(impacts[:, j]) > 0
        direction.append(np.corrcoef(values[:, j], impacts[:, j])[0, 1] if spread else 0.0)
    order = np.argsort(strength)
    fig, ax = plt.subplots(figsize=(6.5, 5.2))
    colors = ["#d62728" if direction[j] > 0 else "#1f77b4" for j in order]
    ax.barh([names[j] for j in order], strength[order], color=colors)
    ax.set(xlabel="mean |impact| on the log-odds of the outcome (test set)",
           title=f"Feature effects, {model} model\n(red: higher values raise the risk; "
                 "blue: lower it)")
    _save(fig, path)


def _save(fig: plt.Figure, path: Path) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=DPI, format="png")
    plt.close(fig)
