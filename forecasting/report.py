"""report.json: what a training run measured, in the shape the catalogue and the details
panel read (see /work/issue10-contracts.md, "report.json")."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import sklearn

from forecasting.cohort import CohortTable
from forecasting.evaluate import AMBER_FPR, RED_FPR
from forecasting.minimisation import report_features

MODEL_NAME = "work-ability-forecast"
ALGORITHMS = {"logistic": "LogisticRegression", "boosted": "HistGradientBoostingClassifier"}
PLOTS = {"roc": "roc.png", "pr": "pr.png", "calibration": "calibration.png",
         "feature_effects": "feature_effects.png"}
OUTCOME = (
    "A granted Kela work-disability benefit, a disability pension (TKE) or a rehabilitation "
    "subsidy (KT), of at least EUR 300 a month, starting after the index date and at most two "
    "years (730 days) after entry into employment services, and lasting at least 4 months "
    "(no end date, or ending at least 122 days after its start): the pilot's definition.")


@dataclass(frozen=True)
class Selection:
    """How the model family was chosen: on the train period's validation slice."""

    chosen: str
    validation_pr_auc: dict[str, float]
    hyperparameters: dict[str, dict[str, Any]]


def period(cohort: CohortTable) -> dict[str, Any]:
    entries = cohort.entry
    return {"n": len(cohort), "positives": cohort.positives,
            "entries_from": str(entries.min()) if len(entries) else None,
            "entries_to": str(entries.max()) if len(entries) else None}


def build_report(*, version: str, created: datetime, seed: int, training_seconds: float,
                 feature_seconds: float, as_of: date, cohort: CohortTable, train: CohortTable,
                 test: CohortTable, figures: dict[str, dict[str, Any]], selection: Selection,
                 truth_used: bool) -> dict[str, Any]:
    chosen = figures[selection.chosen]
    thresholds = {t["fpr_target"]: t["threshold"] for t in chosen["thresholds"]}
    ceiling = figures.get("ceiling")
    ratio = None
    if truth_used and ceiling is not None:
        ratio = {key: round(chosen[key]["value"] / ceiling[key]["value"], 4)
                 for key in ("roc_auc", "pr_auc")}
    return {
        "model": {
            "name": MODEL_NAME, "version": version, "created": created.isoformat(),
            "algorithm": ALGORITHMS[selection.chosen],
            "library": f"scikit-learn {sklearn.__version__}", "seed": seed,
            "training_seconds": round(training_seconds, 2),
            "feature_seconds": round(feature_seconds, 2),
            "hyperparameters": selection.hyperparameters[selection.chosen],
        },
        "data": {
            "as_of": as_of.isoformat(), "cohort": len(cohort), "positives": cohort.positives,
            "prevalence": round(cohort.positives / max(len(cohort), 1), 6),
            "cohort_window": {"entries_from": cohort.window[0].isoformat(),
                              "entries_before": cohort.window[1].isoformat()}
            if cohort.window else None,
            "train": period(train), "test": period(test),
            "split": "by entry date: the latest quarter of entries is the test set; "
                     "hyperparameters and the model family were chosen on the latest fifth "
                     "of the train period, never on the test set",
            "graphs": list(cohort.graphs),
            "features": report_features(),
        },
        "outcome": {"definition": OUTCOME, "horizon_months": 24, "index": "entry + 90 days"},
        "models": figures,
        "chosen": selection.chosen,
        "selection": {"on": "validation slice of the train period (PR AUC)",
                      "validation_pr_auc": selection.validation_pr_auc,
                      "hyperparameters": selection.hyperparameters},
        "ceiling_ratio": ratio,
        "traffic_light": {"amber": thresholds[AMBER_FPR], "red": thresholds[RED_FPR],
                          "amber_fpr": AMBER_FPR, "red_fpr": RED_FPR},
        "plots": dict(PLOTS),
    }


def write_report(path: Path, report: dict[str, Any]) -> None:
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=_plain) + "\n",
                    encoding="utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def quality_table(report: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per model and the ceiling: ROC AUC and PR AUC with their intervals, Brier,
    recall at FPR 2 %, 7.5 % and 13 % (for printing beside the pilot's figures)."""
    rows = []
    for name in ("dummy", "logistic", "boosted", "ceiling"):
        figures = report["models"].get(name)
        if figures is None:
            continue
        row: dict[str, Any] = {"model": name + (" (chosen)" if name == report["chosen"] else "")}
        for key in ("roc_auc", "pr_auc"):
            f = figures[key]
            row[key] = f"{f['value']:.3f} [{f['low']:.3f}-{f['high']:.3f}]"
        row["brier"] = f"{figures['brier']:.4f}"
        for t in figures["thresholds"]:
            row[f"recall@fpr{t['fpr_target']:g}"] = f"{t['recall']:.3f}"
        rows.append(row)
    return rows
