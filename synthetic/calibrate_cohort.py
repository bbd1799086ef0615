"""Calibrate the forecast cohort's risk function on the cohort the generator writes.

    python -m synthetic.calibrate_cohort [--persons 100000] [--seed 20261128] [--esco-dir DIR]

Generates the extracts (into a temporary folder), reads the measured features of every
cohort member from the truth file (the cohort's own persons and the population's members
together), finds the intercept and scale at which the true probability's expected ROC AUC and
average precision hit the pilot's figures, and prints them with the constants in force. The
features do not depend on the constants (outcomes are drawn from a random stream of their
own), so one generation suffices. Copy the printed constants into ``forecast_cohort``.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from .cohort_outcome import read_truth
from .forecast_cohort import CALIBRATION_SEED, INTERCEPT, SCALE, calibrate, expected_figures
from .run import TRUTH_FILE, generate

CALIBRATION_PERSONS = 100_000


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persons", type=int, default=CALIBRATION_PERSONS)
    parser.add_argument("--seed", type=int, default=CALIBRATION_SEED)
    parser.add_argument("--esco-dir", type=Path, default=Path("../shared/esco"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        generate(Path(folder), persons=args.persons, jobs=0, seed=args.seed, esco_dir=args.esco_dir)
        cohort = read_truth(Path(folder) / TRUTH_FILE).cohort
    found = calibrate(cohort)
    auc, ap, prevalence = expected_figures(cohort)
    print(f"members {len(cohort)}")
    print(
        f"in force: INTERCEPT = {INTERCEPT}, SCALE = {SCALE}: "
        f"ROC AUC {auc:.4f}, PR AUC {ap:.4f}, prevalence {prevalence:.4f}"
    )
    print(
        f"found:    INTERCEPT = {found.intercept:.4f}, SCALE = {found.scale:.4f}: "
        f"ROC AUC {found.roc_auc:.4f}, PR AUC {found.pr_auc:.4f}, "
        f"prevalence {found.prevalence:.4f}"
    )


if __name__ == "__main__":
    main()
