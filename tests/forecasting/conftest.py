"""A cohort drawn from the generator's risk function, written as graph facts by hand, and a
model trained on it with its truth file (fast: no generation or ingest)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest

from forecasting.train import TrainingRun, train
from forecasting.truth import HEADER
from graph_service.store.oxigraph_store import OxigraphStore
from tests.forecasting.builder import synthetic_cohort

AS_OF = date(2026, 11, 1)
PERSONS = 5000


@dataclass
class SyntheticRun:
    store: OxigraphStore
    forecast_dir: Path
    truth_file: Path
    truth: dict
    run: TrainingRun

    def pseudonym_of(self, code: str) -> str:
        return CODES[code]


CODES: dict[str, str] = {}


def write_truth(path: Path, truth: dict) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        for n, (who, t) in enumerate(truth.items()):
            code = f"code{n:06d}"
            CODES[code] = who
            c = t["person"]
            out.writerow([code, t["entry"], t["entry"] + timedelta(days=90),
                          f"{t['probability']:.6f}", t["outcome"],
                          c.sickness_periods, c.sickness_days, int(c.rehabilitation),
                          c.interrupted_studies, c.employment_spells_ended, c.doctor_statements,
                          c.other_statements, c.missed_appointments, c.annual_earnings,
                          int(c.labour_market_subsidy), c.age, c.language, "female"])


@pytest.fixture(scope="session")
def synthetic_run(tmp_path_factory: pytest.TempPathFactory) -> SyntheticRun:
    root = tmp_path_factory.mktemp("forecast-synthetic")
    builder, truth = synthetic_cohort(PERSONS, 7, AS_OF)
    store = builder.store()
    truth_file = root / "forecast_truth.csv"
    write_truth(truth_file, truth)
    run = train(store, root / "forecast", as_of=AS_OF, truth=truth_file,
                pseudonym_of=CODES.__getitem__, seed=0)
    return SyntheticRun(store, root / "forecast", truth_file, truth, run)
