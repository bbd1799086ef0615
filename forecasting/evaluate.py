"""Judging scores against outcomes: the figures report.json holds for every model and the
ceiling (the true probabilities).

- ROC AUC and PR AUC (average precision, as scikit-learn defines it) with bootstrap 95 %
  confidence intervals (percentiles of 500 seeded resamples of the test set);
- calibration: the Brier score and a reliability curve over 10 equal-count bins (equal-width
  bins would put nearly everyone in the first bin at an 8 % prevalence);
- the pilot's threshold table: the recall reached at false-positive rates of 2 %, 7.5 % and
  13 %, and the score threshold that gives it (flagged: score >= threshold);
- fairness: recall and false-positive rate per sex, age band and language group at the red
  threshold (FPR 7.5 %).

The curves are computed once per score ordering (ties kept together, as scikit-learn does);
a bootstrap resample only re-weights the ordered persons, so 500 resamples cost 500 cumulative
sums, not 500 sorts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

FPR_TARGETS = (0.02, 0.075, 0.13)
RED_FPR, AMBER_FPR = 0.075, 0.13
BOOTSTRAP = 500
BINS = 10


@dataclass(frozen=True)
class Ordered:
    """Outcomes in descending score order, and where each run of tied scores ends."""

    y: np.ndarray  # float 0/1, sorted by score descending
    score: np.ndarray  # sorted descending
    ends: np.ndarray  # positions of the last member of each tie group

    @classmethod
    def of(cls, y: np.ndarray, score: np.ndarray) -> Ordered:
        order = np.argsort(-np.asarray(score, dtype=float), kind="mergesort")
        s = np.asarray(score, dtype=float)[order]
        ends = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]
        return cls(np.asarray(y, dtype=float)[order], s, ends)

    def counts(self, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Weighted true and false positives flagged at each distinct threshold (rows of
        ``weights`` are resamples; without weights every person counts once)."""
        w = np.ones_like(self.y) if weights is None else weights
        tp = np.cumsum(w * self.y, axis=-1)[..., self.ends]
        fp = np.cumsum(w * (1 - self.y), axis=-1)[..., self.ends]
        return tp, fp


def _auc_ap(tp: np.ndarray, fp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """ROC AUC (trapezoids, ties as diagonal steps) and average precision from the
    cumulative counts (last axis: thresholds)."""
    positives, negatives = tp[..., -1:], fp[..., -1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        tpr = tp / positives
        fpr = fp / negatives
        zero = np.zeros_like(tpr[..., :1])
        tpr0, fpr0 = np.concatenate([zero, tpr], -1), np.concatenate([zero, fpr], -1)
        auc = np.sum(np.diff(fpr0, axis=-1) * (tpr0[..., 1:] + tpr0[..., :-1]) / 2, axis=-1)
        flagged = tp + fp
        precision = np.where(flagged > 0, tp / np.where(flagged > 0, flagged, 1), 0.0)
        ap = np.sum(np.diff(tpr0, axis=-1) * precision, axis=-1)
    return auc, ap


def roc_pr_auc(y: np.ndarray, score: np.ndarray) -> tuple[float, float]:
    """ROC AUC and average precision of ``score`` for outcomes ``y``.

    >>> roc_pr_auc(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    (0.75, 0.8333333333333333)
    """
    auc, ap = _auc_ap(*Ordered.of(y, score).counts())
    return float(auc), float(ap)


def bootstrap_auc(y: np.ndarray, score: np.ndarray, *, resamples: int = BOOTSTRAP,
                  seed: int = 0, batch: int = 100) -> tuple[tuple[float, float],
                                                            tuple[float, float]]:
    """95 % percentile intervals of ROC AUC and of PR AUC over ``resamples`` bootstrap
    resamples of the persons (resamples with one class only are skipped)."""
    ordered = Ordered.of(y, score)
    rng = np.random.default_rng(seed)
    n = len(ordered.y)
    aucs, aps = [], []
    for start in range(0, resamples, batch):
        size = min(batch, resamples - start)
        picks = rng.integers(0, n, size=(size, n))
        weights = np.zeros((size, n))
        np.add.at(weights, (np.arange(size)[:, None], picks), 1.0)
        tp, fp = ordered.counts(weights)
        keep = (tp[:, -1] > 0) & (fp[:, -1] > 0)
        auc, ap = _auc_ap(tp[keep], fp[keep])
        aucs.append(auc)
        aps.append(ap)
    auc_all, ap_all = np.concatenate(aucs), np.concatenate(aps)
    return ((float(np.percentile(auc_all, 2.5)), float(np.percentile(auc_all, 97.5))),
            (float(np.percentile(ap_all, 2.5)), float(np.percentile(ap_all, 97.5))))


def brier(y: np.ndarray, risk: np.ndarray) -> float:
    return float(np.mean((np.asarray(risk, dtype=float) - y) ** 2))


def reliability(y: np.ndarray, risk: np.ndarray, bins: int = BINS) -> list[dict[str, float]]:
    """Mean predicted risk against the observed rate in ``bins`` equal-count bins.

    >>> reliability(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.7, 0.9]), bins=2)
    [{'predicted': 0.15, 'observed': 0.5, 'n': 2}, {'predicted': 0.8, 'observed': 0.5, 'n': 2}]
    """
    order = np.argsort(np.asarray(risk, dtype=float), kind="mergesort")
    out = []
    for chunk in np.array_split(order, bins):
        if len(chunk):
            out.append({"predicted": round(float(np.mean(risk[chunk])), 6),
                        "observed": round(float(np.mean(y[chunk])), 6), "n": int(len(chunk))})
    return out


def threshold_at(y: np.ndarray, score: np.ndarray, fpr_target: float) -> dict[str, float]:
    """The lowest threshold whose false-positive rate stays within ``fpr_target``, with the
    recall and false-positive rate it gives (flagged: score >= threshold).

    >>> y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1])
    >>> s = np.array([.9, .8, .7, .6, .5, .4, .3, .2, .15, .1, .05, .01])
    >>> threshold_at(y, s, 0.2)  # 2 of 9 negatives is 22 %: stop above the second
    {'fpr_target': 0.2, 'fpr': 0.111111, 'recall': 0.666667, 'threshold': 0.7}
    """
    ordered = Ordered.of(y, score)
    tp, fp = ordered.counts()
    fpr, tpr = fp / max(fp[-1], 1), tp / max(tp[-1], 1)
    within = np.flatnonzero(fpr <= fpr_target + 1e-12)
    if len(within) == 0:  # even the highest score alone flags too many negatives
        return {"fpr_target": fpr_target, "fpr": 0.0, "recall": 0.0,
                "threshold": float(np.nextafter(ordered.score[0], np.inf))}
    k = within[-1]
    return {"fpr_target": fpr_target, "fpr": round(float(fpr[k]), 6),
            "recall": round(float(tpr[k]), 6), "threshold": float(ordered.score[ordered.ends[k]])}


def group_rates(y: np.ndarray, flagged: np.ndarray,
                labels: np.ndarray) -> dict[str, dict[str, Any]]:
    """Recall and false-positive rate of the flags in each group (None where a group has
    no positives, or no negatives)."""
    out: dict[str, dict[str, Any]] = {}
    for group in sorted(set(labels.tolist())):
        member = labels == group
        pos, neg = member & (y == 1), member & (y == 0)
        out[str(group)] = {
            "n": int(member.sum()), "positives": int(pos.sum()),
            "recall": round(float(flagged[pos].mean()), 6) if pos.any() else None,
            "fpr": round(float(flagged[neg].mean()), 6) if neg.any() else None,
        }
    return out


def evaluate(y: np.ndarray, risk: np.ndarray, groups: Mapping[str, np.ndarray], *,
             seed: int = 0, resamples: int = BOOTSTRAP) -> dict[str, Any]:
    """Every figure of one model (or the ceiling) on the test set, as report.json holds it."""
    y = np.asarray(y, dtype=float)
    risk = np.asarray(risk, dtype=float)
    auc, ap = roc_pr_auc(y, risk)
    (auc_low, auc_high), (ap_low, ap_high) = bootstrap_auc(y, risk, resamples=resamples,
                                                           seed=seed)
    thresholds = [threshold_at(y, risk, target) for target in FPR_TARGETS]
    red = next(t for t in thresholds if t["fpr_target"] == RED_FPR)
    flagged = risk >= red["threshold"]
    return {
        "roc_auc": {"value": round(auc, 6), "low": round(auc_low, 6), "high": round(auc_high, 6)},
        "pr_auc": {"value": round(ap, 6), "low": round(ap_low, 6), "high": round(ap_high, 6)},
        "brier": round(brier(y, risk), 6),
        "reliability": reliability(y, risk),
        "thresholds": thresholds,
        "fairness": {name: group_rates(y, flagged, labels) for name, labels in groups.items()},
    }
