"""The structured score's criteria and how they combine into one 0-100 score.

A pair (seeker, posting) is judged criterion by criterion. Each *criterion* gives a
credit in [0, 1] and counts only where the posting states it (``applies``): a posting
with no language requirement neither gives nor takes points for languages. Each
*deduction* is in [0, 1] and takes points away (language, education or location
mismatch). The score is

    100 * max(0, sum_c w_c * credit_c - sum_d w_d * deduction_d) / sum_{c applies} w_c

so the weights are plain configuration (``weights.toml``), documented there, and the
same numbers explain the score: criterion c gave ``w_c * credit_c / denominator`` points.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from core.errors import TyodataError

CRITERIA: tuple[str, ...] = (
    "occupation",  # same ESCO occupation / ISCO unit group / minor group as a wish
    "essential_skills",  # the posting's essential skills the seeker has (partial credit)
    "optional_skills",  # the posting's optional skills the seeker has
    "experience",  # work history on the posting's occupation, most recent weighted most
    "education",  # the seeker's education level meets the posting's
    "languages",  # language requirements met at their CEFR level
    "licences",  # licences and cards required that the seeker holds
    "location",  # in the seeker's search area, home municipality or region; or remote
    "working_time",  # full / part time as wished
    "contract",  # permanent / fixed term as wished
)
DEDUCTIONS: tuple[str, ...] = (
    "language_mismatch",  # a required language below the level asked for
    "education_mismatch",  # education below the level asked for
    "location_mismatch",  # outside the search area and region, and not remote
)


class WeightsError(TyodataError):
    """Matching weights that cannot be used (unknown name, negative, all zero)."""


@dataclass(frozen=True)
class Weights:
    """One weight per criterion and per deduction (all >= 0)."""

    criteria: Mapping[str, float]
    deductions: Mapping[str, float]

    def __post_init__(self) -> None:
        for kind, names, given in (
            ("criterion", CRITERIA, self.criteria),
            ("deduction", DEDUCTIONS, self.deductions),
        ):
            unknown = sorted(set(given) - set(names))
            if unknown:
                raise WeightsError(
                    f"unknown {kind} {', '.join(unknown)}; known: {', '.join(names)}"
                )
            negative = sorted(k for k, v in given.items() if not v >= 0)
            if negative:
                raise WeightsError(f"weights must be >= 0: {', '.join(negative)}")
        if not any(self.criteria.get(c, 0.0) > 0 for c in CRITERIA):
            raise WeightsError("at least one criterion needs a weight above 0")

    @property
    def criterion_vector(self) -> np.ndarray:
        return np.array([float(self.criteria.get(c, 0.0)) for c in CRITERIA])

    @property
    def deduction_vector(self) -> np.ndarray:
        return np.array([float(self.deductions.get(d, 0.0)) for d in DEDUCTIONS])

    def replace(self, changes: Mapping[str, float]) -> Weights:
        """These weights with some criteria or deductions changed (expert settings)."""
        criteria = dict(self.criteria)
        deductions = dict(self.deductions)
        for name, value in changes.items():
            if name in CRITERIA:
                criteria[name] = value
            elif name in DEDUCTIONS:
                deductions[name] = value
            else:
                raise WeightsError(
                    f"unknown weight {name!r}; known: {', '.join((*CRITERIA, *DEDUCTIONS))}"
                )
        return Weights(criteria, deductions)

    def as_dict(self) -> dict[str, float]:
        return {**dict(self.criteria), **dict(self.deductions)}


def load_weights(path: Path | None = None) -> Weights:
    """The weights in ``path``, or the documented defaults shipped beside this module."""
    if path is None:
        text = resources.files(__package__).joinpath("weights.toml").read_text("utf-8")
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise WeightsError(f"cannot read matching weights {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WeightsError(f"matching weights {path or 'weights.toml'}: {exc}") from exc
    return Weights(data.get("criteria", {}), data.get("deductions", {}))


def structured_scores(
    credits: np.ndarray, applies: np.ndarray, deductions: np.ndarray, weights: Weights
) -> np.ndarray:
    """0-100 structured scores of n pairs.

    ``credits`` and ``applies`` are (n, len(CRITERIA)), ``deductions`` (n, len(DEDUCTIONS)).

    >>> w = Weights({"occupation": 3, "location": 1}, {"location_mismatch": 1})
    >>> c = np.zeros((1, len(CRITERIA))); a = np.zeros_like(c)
    >>> c[0, 0] = 1.0; a[0, 0] = a[0, 7] = 1.0
    >>> d = np.zeros((1, len(DEDUCTIONS))); d[0, 2] = 1.0
    >>> structured_scores(c, a, d, w).round(1).tolist()
    [50.0]
    """
    wc, wd = weights.criterion_vector, weights.deduction_vector
    gained = (credits * applies) @ wc
    denominator = applies @ wc
    raw = gained - deductions @ wd
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(denominator > 0, 100.0 * raw / denominator, 0.0)
    return np.clip(score, 0.0, 100.0)


def contributions(
    credits: np.ndarray, applies: np.ndarray, deductions: np.ndarray, weights: Weights
) -> tuple[dict[str, float], dict[str, float]]:
    """Points each criterion gave and each deduction took for ONE pair (1-D inputs).

    They add up to the structured score before clipping to 0-100.
    """
    wc, wd = weights.criterion_vector, weights.deduction_vector
    denominator = float(applies @ wc)
    if denominator <= 0:
        return {}, {}
    gave = {
        name: round(100.0 * wc[i] * credits[i] / denominator, 2)
        for i, name in enumerate(CRITERIA)
        if applies[i] and wc[i] > 0
    }
    took = {
        name: round(100.0 * wd[i] * deductions[i] / denominator, 2)
        for i, name in enumerate(DEDUCTIONS)
        if deductions[i] > 0 and wd[i] > 0
    }
    return gave, took
