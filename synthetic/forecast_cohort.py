"""A cohort entering employment services, with a risk of work disability the generator knows.

The pilot's outcome: a work-disability benefit of at least EUR 300 a month for at least
4 months within 2 years of entering employment services. Each person's probability of it is

    P(outcome) = sigmoid(INTERCEPT + SCALE * sum_k WEIGHTS[k] * feature_k(person))

with the features the pilot names, measured over the 2 years before entry: sickness-allowance
periods and days paid (log1p), vocational rehabilitation, interrupted studies, employment spells
ended, the employment-service doctor's and other statements, missed appointments, annual earnings
(log1p, lowers the risk), labour market subsidy, age (per decade over 18) and language group
(Swedish slightly lower, other languages slightly higher than Finnish). ``WEIGHTS`` fixes each
feature's direction and relative size; a shared health factor makes sickness, rehabilitation and
statements go together, as they do in life.

The drawn histories hang together the way the registries record them: rehabilitation only
follows sickness allowance, a doctor's statement B precedes it, sickness allowance always has a
medical statement, and every paid sickness period has a paid day.

Calibration: ``INTERCEPT`` and ``SCALE`` are set so that the best possible scorer, the true
probability itself, reaches the pilot's figures, ROC AUC 0.94 and PR AUC (average precision)
0.67, over the cohort the generator WRITES: the persons ``synthetic.cohort_persons`` writes from
these draws plus the population's persons (and personas) the cohort definition selects, with
the features measured from their rows. ``calibrate(cohort)`` finds the two numbers by nested
bisection on the *expected* AUC and AP (each person counted as a positive with weight p and a
negative with weight 1 - p, so no outcome noise enters the search); ``python -m
synthetic.calibrate_cohort`` runs it on a 100,000-person generation with ``CALIBRATION_SEED``
(34,746 members) and prints the constants. Two targets fix two numbers, and with them the
prevalence: 8.2 %. That is not a free choice: for a roughly normal logit, ROC AUC 0.94 with
AP 0.67 implies a prevalence near 8 %; heavier tails (rare, strong features) push it lower, so
the weights favour broad features (age, earnings, subsidy, ended spells) enough to stay inside
the 8-12 % a rare outcome like the pilot's suggests (earnings' weight -0.35, was -0.3, for
that). On drawn outcomes of 100,000-person generations (seeds 1-4) the ceiling measures ROC AUC
0.938-0.943 and PR AUC 0.667-0.688, prevalence 8.2-8.3 % (tests recheck on 20,000). The
drawn persons alone (``draw_cohort``, ages from its own Beta) land at 0.936 / 0.691 / 9.7 %.
The constants are stored here so generation never re-calibrates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

LANGUAGES = ("fi", "sv", "other")
LANGUAGE_SHARES = (0.86, 0.05, 0.09)
MAX_SICKNESS_DAYS = 300  # Kela pays at most 300 days; the extract's own limit

# Direction and relative size of each feature's effect (before SCALE).
WEIGHTS: dict[str, float] = {
    "sickness_periods": 0.15,
    "log_sickness_days": 0.25,
    "rehabilitation": 0.45,
    "interrupted_studies": 0.45,
    "employment_spells_ended": 0.45,
    "doctor_statements": 0.35,
    "other_statements": 0.3,
    "missed_appointments": 0.4,
    "log_earnings": -0.35,
    "labour_market_subsidy": 0.9,
    "age_decades": 0.7,
    "language_sv": -0.2,
    "language_other": 0.25,
}

# Found by python -m synthetic.calibrate_cohort (100,000 persons, seed 20261128): see above.
INTERCEPT = -3.9529
SCALE = 1.1125
EXPECTED_PREVALENCE = 0.0817
CALIBRATION_SEED = 20261128
TARGET_ROC_AUC = 0.94
TARGET_PR_AUC = 0.67


@dataclass(frozen=True)
class CohortPerson:
    """One person's history over the 2 years before entering employment services."""

    age: int
    language: str  # "fi", "sv" or "other"
    sickness_periods: int
    sickness_days: int
    rehabilitation: bool
    interrupted_studies: int
    employment_spells_ended: int
    doctor_statements: int
    other_statements: int
    missed_appointments: int
    annual_earnings: float  # EUR, the last full year
    labour_market_subsidy: bool


@dataclass(frozen=True)
class Cohort:
    """The cohort column-wise (one numpy array per ``CohortPerson`` field), fast at 100,000s."""

    age: np.ndarray
    language: np.ndarray
    sickness_periods: np.ndarray
    sickness_days: np.ndarray
    rehabilitation: np.ndarray
    interrupted_studies: np.ndarray
    employment_spells_ended: np.ndarray
    doctor_statements: np.ndarray
    other_statements: np.ndarray
    missed_appointments: np.ndarray
    annual_earnings: np.ndarray
    labour_market_subsidy: np.ndarray

    def __len__(self) -> int:
        return len(self.age)

    def person(self, i: int) -> CohortPerson:
        values = {f.name: getattr(self, f.name)[i].item() for f in fields(CohortPerson)}
        return CohortPerson(**values)

    def persons(self) -> list[CohortPerson]:
        return [self.person(i) for i in range(len(self))]

    @classmethod
    def of(cls, persons: list[CohortPerson]) -> Cohort:
        columns = {
            f.name: np.array([getattr(p, f.name) for p in persons]) for f in fields(CohortPerson)
        }
        return cls(**columns)


AGE_BETA = (1.3, 1.5)  # age at entry: 18 + 47 * Beta(1.3, 1.5), most entrants 25-45


def draw_ages(rng: np.random.Generator, n: int) -> np.ndarray:
    """Ages at entry (18-64) as ``draw_cohort`` draws them."""
    return np.clip(np.round(18 + rng.beta(*AGE_BETA, n) * 46.999), 18, 64).astype(np.int64)


def age_weight(age: int) -> float:
    """The age distribution's density at ``age`` relative to its highest (0-1]: the chance
    to keep a candidate of that age when ages are drawn by rejection (the extracts' persons
    take their ages from identity codes, so the cohort's persons are picked to fit)."""
    a, b = AGE_BETA

    def density(x: float) -> float:
        return x ** (a - 1) * (1 - x) ** (b - 1)

    x = min(max((age - 18 + 0.5) / 47, 1e-3), 1 - 1e-3)
    return density(x) / density((a - 1) / (a + b - 2))


def draw_cohort(n: int, seed: int, age: np.ndarray | None = None) -> Cohort:
    """Draw ``n`` persons; the same seed (and ages) gives the same cohort.

    :param age: ages at entry to use instead of drawing them (one per person, 18-64).
    """
    rng = np.random.default_rng(seed)
    health = rng.standard_normal(n)  # latent ill-health: sickness, rehab, statements go together
    if age is None:
        age = draw_ages(rng, n)
    else:
        age = np.asarray(age, dtype=np.int64)
        if age.shape != (n,) or (n and (age.min() < 18 or age.max() > 64)):
            raise ValueError("age must hold one age of 18-64 per person")
    older = (age - 18) / 46

    any_sickness = rng.random(n) < _sigmoid(-1.6 + 0.9 * health + 0.8 * older)
    periods = np.where(any_sickness, 1 + rng.poisson(np.exp(-0.6 + 0.4 * health)), 0)
    per_period = rng.lognormal(np.log(12) + 0.5 * np.maximum(health, 0), 1.0, n)
    days = np.minimum(np.round(periods * per_period), MAX_SICKNESS_DAYS).astype(np.int64)
    days = np.maximum(days, periods)  # every period paid at least a day

    # Rehabilitation follows sickness (the registries' order: sickness allowance ends, then
    # rehabilitation starts), and a doctor's statement B precedes it; sickness allowance
    # always has a medical statement behind it.
    rehabilitation = (rng.random(n) < _sigmoid(-3.0 + 1.0 * health + 0.09 * np.sqrt(days))) & (
        periods > 0
    )
    doctor = rng.poisson(np.exp(-3.0 + 1.1 * health + 0.6 * rehabilitation))
    doctor = np.maximum(doctor, rehabilitation)
    other = rng.poisson(np.exp(-1.9 + 0.4 * health))
    other = np.where((periods > 0) & (doctor + other == 0), 1, other)
    young = age < 30
    interrupted = rng.poisson(np.where(young, 0.35, 0.12) * np.exp(0.3 * health))
    spells = rng.poisson(0.8 * np.exp(0.15 * health))
    missed = rng.poisson(0.4 * np.exp(0.3 * health))

    no_earnings = rng.random(n) < _sigmoid(-1.5 + 0.5 * health)
    earnings = np.where(
        no_earnings, 0.0, np.round(rng.lognormal(np.log(17_000) - 0.2 * health, 0.8, n), 2)
    )
    subsidy = rng.random(n) < _sigmoid(-1.0 + 0.3 * health - earnings / 20_000)
    language = np.array(LANGUAGES)[rng.choice(3, size=n, p=LANGUAGE_SHARES)]
    return Cohort(
        age=age,
        language=language,
        sickness_periods=periods.astype(np.int64),
        sickness_days=days,
        rehabilitation=rehabilitation,
        interrupted_studies=interrupted.astype(np.int64),
        employment_spells_ended=spells.astype(np.int64),
        doctor_statements=doctor.astype(np.int64),
        other_statements=other.astype(np.int64),
        missed_appointments=missed.astype(np.int64),
        annual_earnings=earnings,
        labour_market_subsidy=subsidy,
    )


def risk_score(cohort: Cohort | CohortPerson) -> np.ndarray:
    """The weighted feature sum (before intercept and scale); higher means riskier."""
    c = cohort if isinstance(cohort, Cohort) else Cohort.of([cohort])
    features = {
        "sickness_periods": c.sickness_periods,
        "log_sickness_days": np.log1p(c.sickness_days),
        "rehabilitation": c.rehabilitation,
        "interrupted_studies": c.interrupted_studies,
        "employment_spells_ended": c.employment_spells_ended,
        "doctor_statements": c.doctor_statements,
        "other_statements": c.other_statements,
        "missed_appointments": c.missed_appointments,
        "log_earnings": np.log1p(c.annual_earnings),
        "labour_market_subsidy": c.labour_market_subsidy,
        "age_decades": (c.age - 18) / 10,
        "language_sv": c.language == "sv",
        "language_other": c.language == "other",
    }
    return sum(WEIGHTS[k] * np.asarray(v, dtype=float) for k, v in features.items())


def true_probability(
    cohort: Cohort | CohortPerson, intercept: float = INTERCEPT, scale: float = SCALE
) -> np.ndarray | float:
    """Each person's true probability of the outcome (a float for one ``CohortPerson``)."""
    p = _sigmoid(intercept + scale * risk_score(cohort))
    return float(p[0]) if isinstance(cohort, CohortPerson) else p


def draw_outcomes(probabilities: np.ndarray, seed: int) -> np.ndarray:
    """Draw each person's outcome (True: the work-disability benefit within 2 years)."""
    rng = np.random.default_rng(seed)
    return rng.random(len(probabilities)) < probabilities


def expected_figures(
    cohort: Cohort, intercept: float = INTERCEPT, scale: float = SCALE
) -> tuple[float, float, float]:
    """The ROC AUC, average precision and prevalence the true probability is expected to
    reach on ``cohort`` (each person a positive with weight p, a negative with 1 - p)."""
    return _expected(_score_groups(risk_score(cohort)), intercept, scale)


@dataclass(frozen=True)
class Calibration:
    """The constants ``calibrate`` found and the expected figures they give."""

    intercept: float
    scale: float
    roc_auc: float
    pr_auc: float
    prevalence: float


def calibrate(
    cohort: Cohort, roc_auc: float = TARGET_ROC_AUC, pr_auc: float = TARGET_PR_AUC
) -> Calibration:
    """Find the intercept and scale at which the true probability of ``cohort`` hits both
    targets (see ``synthetic.calibrate_cohort`` for the generated cohort it is run on).

    Deterministic: expected figures (no outcome draw), nested bisection. For a given intercept
    the scale that gives the ROC AUC target is found; the intercept is then moved until the
    average precision hits its target (a higher intercept, a higher prevalence, a higher AP).
    """
    groups = _score_groups(risk_score(cohort))

    def scale_for_auc(intercept: float) -> float:
        return _bisect(lambda s: _expected(groups, intercept, s)[0] - roc_auc, 0.01, 10.0)

    intercept = _bisect(lambda b: _expected(groups, b, scale_for_auc(b))[1] - pr_auc, -40.0, 10.0)
    scale = scale_for_auc(intercept)
    auc, ap, prevalence = _expected(groups, intercept, scale)
    return Calibration(intercept, scale, auc, ap, prevalence)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _score_groups(score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct scores from highest to lowest, and how many persons share each."""
    values, counts = np.unique(score, return_counts=True)
    return values[::-1], counts[::-1]


def _expected(
    groups: tuple[np.ndarray, np.ndarray], intercept: float, scale: float
) -> tuple[float, float, float]:
    """Expected ROC AUC, average precision and prevalence when the score is the truth."""
    values, counts = groups
    p = _sigmoid(intercept + scale * values)
    pos, neg = counts * p, counts * (1 - p)
    total_pos, total_neg = pos.sum(), neg.sum()
    neg_below = total_neg - np.cumsum(neg)
    auc = float(np.sum(pos * (neg_below + 0.5 * neg)) / (total_pos * total_neg))
    precision = np.cumsum(pos) / np.cumsum(counts)
    ap = float(np.sum(pos / total_pos * precision))
    return auc, ap, float(total_pos / counts.sum())


def _bisect(f: Callable[[float], float], low: float, high: float, steps: int = 40) -> float:
    """The root of an increasing ``f`` between ``low`` and ``high``."""
    for _ in range(steps):
        mid = (low + high) / 2
        if f(mid) < 0:
            low = mid
        else:
            high = mid
    return (low + high) / 2
