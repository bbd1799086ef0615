"""The forecast cohort: reproducible, plausible, and its truth hits the pilot's ceiling figures."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from synthetic import forecast_cohort as fc

N = 100_000


@pytest.fixture(scope="module")
def cohort() -> fc.Cohort:
    return fc.draw_cohort(N, seed=11)


@pytest.fixture(scope="module")
def truth(cohort: fc.Cohort) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(fc.true_probability(cohort))
    return p, fc.draw_outcomes(p, seed=12)


def test_same_seed_same_cohort_and_outcomes() -> None:
    a, b, c = fc.draw_cohort(2_000, 5), fc.draw_cohort(2_000, 5), fc.draw_cohort(2_000, 6)
    assert a.persons() == b.persons()
    assert a.persons() != c.persons()
    p = np.asarray(fc.true_probability(a))
    assert np.array_equal(fc.draw_outcomes(p, 1), fc.draw_outcomes(p, 1))
    assert not np.array_equal(fc.draw_outcomes(p, 1), fc.draw_outcomes(p, 2))


def test_one_person_and_the_columns_agree(cohort: fc.Cohort) -> None:
    person = cohort.person(42)
    assert isinstance(person, fc.CohortPerson)
    assert fc.true_probability(person) == pytest.approx(fc.true_probability(cohort)[42])
    assert fc.Cohort.of(cohort.persons()[:10]).persons() == cohort.persons()[:10]


def test_feature_distributions_are_plausible(cohort: fc.Cohort) -> None:
    assert cohort.age.min() == 18 and cohort.age.max() == 64
    sick = cohort.sickness_days > 0
    assert 0.15 < sick.mean() < 0.4  # most have no sickness days
    assert np.array_equal(sick, cohort.sickness_periods > 0)
    days = cohort.sickness_days[sick]
    assert np.median(days) < 60 and days.max() == fc.MAX_SICKNESS_DAYS  # a heavy tail, capped
    assert 0.02 < cohort.rehabilitation.mean() < 0.1
    assert 0.1 < (cohort.annual_earnings == 0).mean() < 0.3
    assert 10_000 < np.median(cohort.annual_earnings[cohort.annual_earnings > 0]) < 25_000
    shares = {lang: (cohort.language == lang).mean() for lang in fc.LANGUAGES}
    assert shares["fi"] > 0.8 and 0.02 < shares["sv"] < 0.1 and 0.05 < shares["other"] < 0.15
    # sickness and rehabilitation go together (the shared health factor)
    assert cohort.rehabilitation[sick].mean() > 2 * cohort.rehabilitation[~sick].mean()


def test_the_drawn_cohort_alone_lands_near_the_ceiling(
    truth: tuple[np.ndarray, np.ndarray],
) -> None:
    """The constants are calibrated on the generated cohort (the drawn persons plus the
    population's members: see test_cohort.py); the drawn persons alone land close by."""
    p, y = truth
    assert 0.92 <= roc_auc_score(y, p) <= 0.95
    assert 0.64 <= average_precision_score(y, p) <= 0.72
    assert 0.08 <= fc.EXPECTED_PREVALENCE <= 0.12
    assert 0.07 <= y.mean() <= 0.12


def test_given_ages_are_kept_and_checked() -> None:
    ages = np.array([18, 30, 64, 45])
    assert fc.draw_cohort(4, seed=1, age=ages).age.tolist() == ages.tolist()
    with pytest.raises(ValueError, match="age"):
        fc.draw_cohort(2, seed=1, age=np.array([17, 30]))
    assert fc.age_weight(35) == pytest.approx(1.0, abs=0.05)
    assert fc.age_weight(64) < fc.age_weight(50) < fc.age_weight(35)


def test_the_drawn_histories_hang_together(cohort: fc.Cohort) -> None:
    """Rules the extracts must keep: rehabilitation follows sickness, a doctor's statement B
    precedes it, sickness allowance has a statement, every paid period a paid day."""
    sick = cohort.sickness_periods > 0
    assert not cohort.rehabilitation[~sick].any()
    assert (cohort.doctor_statements[cohort.rehabilitation] >= 1).all()
    assert (cohort.doctor_statements + cohort.other_statements)[sick].min() >= 1
    assert (cohort.sickness_days >= cohort.sickness_periods).all()


INCREASES = {
    "sickness_periods": 1,
    "sickness_days": 30,
    "rehabilitation": True,
    "interrupted_studies": 1,
    "employment_spells_ended": 1,
    "doctor_statements": 1,
    "other_statements": 1,
    "missed_appointments": 1,
    "annual_earnings": 20_000.0,
    "labour_market_subsidy": True,
    "age": 10,
}
RAISES_RISK = {name: True for name in INCREASES} | {"annual_earnings": False}


@pytest.mark.parametrize("name", sorted(INCREASES))
def test_each_feature_moves_the_risk_its_documented_way(name: str) -> None:
    base = fc.CohortPerson(
        age=40, language="fi", sickness_periods=1, sickness_days=10, rehabilitation=False,
        interrupted_studies=0, employment_spells_ended=1, doctor_statements=0,
        other_statements=0, missed_appointments=0, annual_earnings=15_000.0,
        labour_market_subsidy=False,
    )  # fmt: skip
    value = getattr(base, name)
    more = replace(
        base, **{name: value + INCREASES[name]} if not isinstance(value, bool) else {name: True}
    )
    before, after = fc.true_probability(base), fc.true_probability(more)
    assert (after > before) == RAISES_RISK[name], (name, before, after)


def test_language_groups_move_the_risk_as_documented() -> None:
    person = fc.CohortPerson(40, "fi", 0, 0, False, 0, 1, 0, 0, 0, 20_000.0, False)
    fi, sv, other = (fc.true_probability(replace(person, language=x)) for x in fc.LANGUAGES)
    assert sv < fi < other


def test_calibration_hits_both_targets_on_any_cohort(cohort: fc.Cohort) -> None:
    found = fc.calibrate(cohort)
    assert found.roc_auc == pytest.approx(fc.TARGET_ROC_AUC, abs=1e-6)
    assert found.pr_auc == pytest.approx(fc.TARGET_PR_AUC, abs=1e-6)
    assert fc.expected_figures(cohort, found.intercept, found.scale) == pytest.approx(
        (found.roc_auc, found.pr_auc, found.prevalence)
    )
