"""The evaluation's figures against hand-computed cases and scikit-learn's own."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from forecasting.evaluate import (
    bootstrap_auc,
    brier,
    evaluate,
    group_rates,
    reliability,
    roc_pr_auc,
    threshold_at,
)
from forecasting.split import latest_share, time_split


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_and_average_precision_equal_scikit_learns_with_ties(seed):
    rng = np.random.default_rng(seed)
    y = (rng.random(700) < 0.1).astype(int)
    score = np.round(rng.random(700) + y * 0.4, 1)  # rounded: many ties
    auc, ap = roc_pr_auc(y, score)
    assert auc == pytest.approx(roc_auc_score(y, score), abs=1e-12)
    assert ap == pytest.approx(average_precision_score(y, score), abs=1e-12)


def test_recall_at_a_false_positive_rate_by_hand():
    # 4 positives, 10 negatives; scores descending with the outcome:
    y = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0])
    s = np.array([14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]) / 14
    # FPR 2 %: not even one negative may be flagged -> flag the top two (both positive)
    assert threshold_at(y, s, 0.02) == {"fpr_target": 0.02, "fpr": 0.0, "recall": 0.5,
                                        "threshold": 13 / 14}
    # FPR 13 %: one negative of ten (10 %) -> flag down to 11/14: 3 of 4 positives
    assert threshold_at(y, s, 0.13) == {"fpr_target": 0.13, "fpr": 0.1, "recall": 0.75,
                                        "threshold": 11 / 14}
    # FPR 50 %: five negatives -> down to 6/14 (the 4th positive) with 5 negatives
    assert threshold_at(y, s, 0.5)["recall"] == 1.0


def test_threshold_keeps_ties_together():
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
    s = np.array([0.9, 0.9, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05, 0.01])
    # flagging 0.9 flags two negatives (25 %): over 13 %, so nothing can be flagged
    t = threshold_at(y, s, 0.13)
    assert t["recall"] == 0.0 and t["fpr"] == 0.0 and t["threshold"] > 0.9


def test_bootstrap_interval_is_seeded_and_holds_the_estimate():
    rng = np.random.default_rng(5)
    y = (rng.random(2000) < 0.08).astype(int)
    s = rng.random(2000) + y * 0.8
    (auc_low, auc_high), (ap_low, ap_high) = bootstrap_auc(y, s, seed=3)
    auc, ap = roc_pr_auc(y, s)
    assert auc_low < auc < auc_high and ap_low < ap < ap_high
    assert 0.01 < ap_high - ap_low < 0.3
    assert bootstrap_auc(y, s, seed=3) == ((auc_low, auc_high), (ap_low, ap_high))
    assert bootstrap_auc(y, s, seed=4) != ((auc_low, auc_high), (ap_low, ap_high))


def test_brier_and_reliability():
    y = np.array([0, 0, 1, 1, 0, 1])
    p = np.array([0.1, 0.2, 0.8, 0.6, 0.3, 0.9])
    assert brier(y, p) == pytest.approx(brier_score_loss(y, p))
    bins = reliability(y, p, bins=3)
    assert bins == [{"predicted": 0.15, "observed": 0.0, "n": 2},
                    {"predicted": 0.45, "observed": 0.5, "n": 2},
                    {"predicted": 0.85, "observed": 1.0, "n": 2}]


def test_group_rates_by_hand():
    y = np.array([1, 1, 0, 0, 1, 0, 0, 0])
    flagged = np.array([True, False, True, False, True, False, False, False])
    labels = np.array(["a", "a", "a", "a", "b", "b", "b", "c"])
    rates = group_rates(y, flagged, labels)
    assert rates["a"] == {"n": 4, "positives": 2, "recall": 0.5, "fpr": 0.5}
    assert rates["b"] == {"n": 3, "positives": 1, "recall": 1.0, "fpr": 0.0}
    assert rates["c"] == {"n": 1, "positives": 0, "recall": None, "fpr": 0.0}


def test_evaluate_has_every_figure_of_the_contract():
    rng = np.random.default_rng(1)
    y = (rng.random(1000) < 0.1).astype(int)
    s = np.clip(rng.random(1000) * 0.5 + y * 0.3, 0, 1)
    groups = {"sex": rng.choice(["female", "male"], 1000)}
    out = evaluate(y, s, groups, seed=0, resamples=50)
    assert set(out) == {"roc_auc", "pr_auc", "brier", "reliability", "thresholds", "fairness"}
    assert [t["fpr_target"] for t in out["thresholds"]] == [0.02, 0.075, 0.13]
    assert all(t["fpr"] <= t["fpr_target"] for t in out["thresholds"])
    assert len(out["reliability"]) == 10
    assert set(out["fairness"]["sex"]) == {"female", "male"}


def test_time_split_holds_out_the_latest_entries():
    entry = np.array(["2021-01-01"] * 3 + ["2022-01-01"] * 3 + ["2023-01-01"] * 2
                     + ["2024-01-01"] * 2, dtype="datetime64[D]")
    split = time_split(entry, test_share=0.2, validation_share=0.25)
    assert split.test.tolist() == [False] * 8 + [True] * 2
    assert entry[split.validation].tolist() == entry[6:8].tolist()
    assert (split.fit | split.validation).tolist() == split.train.tolist()
    assert not (split.fit & split.validation).any() and not (split.train & split.test).any()
    # a day is never split: all of 2023-01-01 falls on one side
    assert latest_share(entry, 0.15).tolist() == [False] * 8 + [True] * 2
