"""Learning the ranking from thumbs: re-weighting the criteria, shrunk toward the config.

The ranking's combined score of a pair is (``matchers.ranking``)

    combined = share * structured + (1 - share) * text          (both 0-100)

with ``structured`` the configured formula of ``matchers.criteria`` (weights per criterion
and deduction). Learning keeps that form, so what it learns is plain configuration: a
``Weights`` and a structured share, readable and explainable like the defaults, and
``rank_jobs(index, row, weights=..., structured_share=...)`` ranks by them as it is.

The model of a thumb: P(up) = sigmoid(b + b_seeker + beta * combined / 100). The
intercepts absorb how picky each seeker is; ``beta`` (fixed, 10: ten combined points are
one unit of log-odds; ``LearningSettings.beta=None`` fits it) how sharply thumbs follow
the score. The weights are the configured ones times ``exp(z)`` (one log-factor z per
criterion and deduction, and one on the share's logit), so they stay >= 0 and a weight
switched off in the configuration stays off; without text scores the share stays as
configured (it would only scale the score). Fitted by L-BFGS-B with an analytic gradient
(deterministic: the same thumbs give the same weights) on

    sum of the thumbs' log-loss + prior_strength / 2 * |z|^2 + 1 / 2 * |b_seeker|^2

``prior_strength`` (20) is the documented pull toward the configuration: a log-factor of
1 (a weight e times its configured value) costs prior_strength / 2 = 10 nats, so a few
dozen thumbs move the weights only where they agree, and with no thumbs (or thumbs all of
one verdict, which say nothing about the weights) nothing moves at all.

Per seeker: one with at least ``min_seeker_feedback`` (8) thumbs of both verdicts gets
their own log-factors around the *global learned* weights, with their own intercept and
the global beta, shrunk with ``seeker_prior_strength`` (2: own thumbs count for more, as
seekers differ more than the average moves). A seeker who cares about location more than
most gets a heavier location weight; everyone else keeps the global weights. All seekers'
own fits are one separable L-BFGS-B problem (fast for thousands of seekers).

``learn`` works on pair-feature arrays; ``learn_with_index`` takes stored feedback
(``matchers.feedback.feedback_of``) and the matching index, uses each pair's latest
verdict, and leaves out pairs the index no longer holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from scipy import sparse
from scipy.optimize import minimize
from scipy.special import expit

from matchers.criteria import CRITERIA, DEDUCTIONS, Weights, structured_scores
from matchers.feedback import Feedback

_SHARE_LIMIT = 1e-3  # a configured share of exactly 0 or 1 is kept as it is
_INTERCEPT_SPREAD = 1.0  # seekers' pickiness: log-odds around the common intercept
_FREE_INTERCEPT = 100.0  # a seeker's own fit: their intercept is all theirs


class PairArrays(Protocol):
    """What learning needs of n pairs (``matchers.index.PairFeatures`` is one)."""

    credits: np.ndarray  # (n, len(CRITERIA)) in [0, 1]
    applies: np.ndarray  # (n, len(CRITERIA)) 0/1
    deductions: np.ndarray  # (n, len(DEDUCTIONS)) in [0, 1]
    text: np.ndarray  # (n,) 0-100


@dataclass(frozen=True)
class LearningSettings:
    """How strongly learning holds on to the configuration (see the module's docstring)."""

    prior_strength: float = 20.0
    seeker_prior_strength: float = 2.0
    min_seeker_feedback: int = 8
    beta: float | None = 10.0
    max_iterations: int = 500


def combined_scores(features: PairArrays, weights: Weights, structured_share: float
                    ) -> np.ndarray:
    """The combined 0-100 score of n pairs under ``weights`` and ``structured_share``."""
    structured = structured_scores(features.credits, features.applies, features.deductions,
                                   weights)
    return structured_share * structured + (1.0 - structured_share) * np.asarray(
        features.text, dtype=float)


@dataclass(frozen=True)
class LearnedRanking:
    """Weights and share learned from feedback, globally and for seekers with enough own."""

    weights: Weights
    structured_share: float
    per_seeker: Mapping[str, tuple[Weights, float]] = field(default_factory=dict)
    feedback_used: int = 0
    beta: float | None = None  # how sharply thumbs follow the combined score

    def for_seeker(self, seeker: str | None) -> tuple[Weights, float]:
        """The weights and share to rank ``seeker``'s jobs by."""
        if seeker is not None and seeker in self.per_seeker:
            return self.per_seeker[seeker]
        return self.weights, self.structured_share

    def score(self, features: PairArrays, seeker: str | None = None) -> np.ndarray:
        """Combined 0-100 scores of n pairs (all of ``seeker``, or under the global model)."""
        weights, share = self.for_seeker(seeker)
        return combined_scores(features, weights, share)


# -- the fit ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prior:
    """The point the log-factors are zero at: weights (w, v) and the share."""

    w: np.ndarray
    v: np.ndarray
    share: float
    has_text: bool = True

    @classmethod
    def of(cls, weights: Weights, share: float, has_text: bool = True) -> _Prior:
        return cls(weights.criterion_vector.astype(float),
                   weights.deduction_vector.astype(float), float(share), has_text)

    @property
    def free_share(self) -> bool:
        """Without text scores the share only scales the score: it stays as configured."""
        return self.has_text and _SHARE_LIMIT < self.share < 1.0 - _SHARE_LIMIT

    @property
    def share_logit(self) -> float:
        share = min(max(self.share, _SHARE_LIMIT), 1.0 - _SHARE_LIMIT)
        return float(np.log(share / (1.0 - share)))

    @property
    def frozen(self) -> np.ndarray:
        """Log-factors that never move: weights switched off, and a share of 0 or 1."""
        return np.concatenate([self.w == 0, self.v == 0, [not self.free_share]])


@dataclass
class _Data:
    """Thumbs of n pairs; each pair's log-factors are those of its ``factors`` group (one
    for the global fit, one per seeker for theirs), its intercept that of ``seeker``."""

    x: np.ndarray  # credits * applies
    a: np.ndarray
    d: np.ndarray
    text: np.ndarray
    y: np.ndarray
    factors: np.ndarray  # group of log-factors of each pair
    seeker: np.ndarray  # intercept group of each pair
    factor_groups: int
    seekers: int

    def one_hot(self) -> sparse.csr_matrix:
        n = len(self.y)
        return sparse.csr_matrix((np.ones(n), (self.factors, np.arange(n))),
                                 shape=(self.factor_groups, n))


_K = len(CRITERIA) + len(DEDUCTIONS) + 1  # log-factors per group: criteria, deductions, share


def _objective(theta: np.ndarray, data: _Data, prior: _Prior, tau: float, fit_beta: bool,
               spread: float, groups: sparse.csr_matrix) -> tuple[float, np.ndarray]:
    c, d, g = len(CRITERIA), len(DEDUCTIONS), data.factor_groups
    z = theta[:g * _K].reshape(g, _K) * ~prior.frozen
    beta, b0, delta = np.exp(theta[g * _K]), theta[g * _K + 1], theta[g * _K + 2:]
    zr = z[data.factors]  # each pair's log-factors
    w = prior.w * np.exp(zr[:, :c])
    v = prior.v * np.exp(zr[:, c:c + d])
    share = expit(prior.share_logit + zr[:, c + d]) if prior.free_share else np.full(
        len(data.y), prior.share)
    den = np.einsum("ij,ij->i", data.a, w)
    live = np.where(den > 0, 1.0 / np.where(den > 0, den, 1.0), 0.0)
    structured = 100.0 * (np.einsum("ij,ij->i", data.x, w)
                          - np.einsum("ij,ij->i", data.d, v)) * live
    combined = share * structured + (1.0 - share) * data.text
    logit = b0 + delta[data.seeker] + beta * combined / 100.0
    # log-loss of sigmoid(logit) against y, written to stay finite for large |logit|
    loss = float(np.sum(np.logaddexp(0.0, logit) - data.y * logit))
    r = expit(logit) - data.y
    q = r * beta / 100.0 * share * live  # d loss / d (weighted credits over the denominator)
    per_pair = np.empty((len(r), _K))
    per_pair[:, :c] = 100.0 * q[:, None] * (data.x - structured[:, None] / 100.0 * data.a) * w
    per_pair[:, c:c + d] = -100.0 * q[:, None] * data.d * v
    per_pair[:, c + d] = r * beta / 100.0 * (structured - data.text) * share * (1.0 - share)
    grad_z = np.asarray(groups @ per_pair) + tau * z
    grad = np.empty_like(theta)
    grad[:g * _K] = (grad_z * ~prior.frozen).ravel()
    grad[g * _K] = float(np.sum(r * combined / 100.0)) * beta if fit_beta else 0.0
    grad[g * _K + 1] = float(np.sum(r))
    grad[g * _K + 2:] = np.bincount(data.seeker, weights=r, minlength=data.seekers) + \
        delta / spread ** 2
    loss += tau / 2.0 * float(np.sum(z * z)) + float(delta @ delta) / (2.0 * spread ** 2)
    return loss, grad


def _fit(data: _Data, prior: _Prior, tau: float, beta: float | None, spread: float,
         settings: LearningSettings) -> tuple[list[tuple[Weights, float]], float]:
    """Weights and share of each factor group, and beta."""
    g = data.factor_groups
    theta = np.zeros(g * _K + 2 + data.seekers)
    theta[g * _K] = np.log(beta if beta is not None else 10.0)
    rate = float(np.clip(data.y.mean(), 0.02, 0.98))
    theta[g * _K + 1] = np.log(rate / (1 - rate))
    bounds = [(-6.0, 6.0)] * (g * _K) + [(np.log(2.0), np.log(500.0))] + \
        [(None, None)] * (1 + data.seekers)
    result = minimize(_objective, theta, jac=True, method="L-BFGS-B", bounds=bounds,
                      args=(data, prior, tau, beta is None, spread, data.one_hot()),
                      options={"maxiter": settings.max_iterations})
    z = result.x[:g * _K].reshape(g, _K) * ~prior.frozen
    c, d = len(CRITERIA), len(DEDUCTIONS)
    fitted = []
    for row in z:
        w, v = prior.w * np.exp(row[:c]), prior.v * np.exp(row[c:c + d])
        share = float(expit(prior.share_logit + row[c + d])) if prior.free_share else prior.share
        scale = float(prior.w.sum() / w.sum())  # the score is the same for any common scale
        fitted.append((Weights(
            {k: round(float(x) * scale, 4) for k, x in zip(CRITERIA, w, strict=True)},
            {k: round(float(x) * scale, 4) for k, x in zip(DEDUCTIONS, v, strict=True)}),
            round(share, 4)))
    return fitted, float(np.exp(result.x[g * _K]))


def _data(features: PairArrays, liked: np.ndarray, factors: np.ndarray, seeker: np.ndarray,
          rows: np.ndarray | slice = slice(None)) -> _Data:
    applies = np.asarray(features.applies, dtype=float)[rows]
    return _Data(np.asarray(features.credits, dtype=float)[rows] * applies, applies,
                 np.asarray(features.deductions, dtype=float)[rows],
                 np.asarray(features.text, dtype=float)[rows], liked[rows].astype(float),
                 factors, seeker, int(factors.max()) + 1, int(seeker.max()) + 1)


class LearningError(ValueError):
    """Feedback and its pair features that do not fit together."""


def learn(features: PairArrays, liked: Sequence[bool] | np.ndarray, seekers: Sequence[str], *,
          weights: Weights, structured_share: float,
          settings: LearningSettings | None = None) -> LearnedRanking:
    """Learn weights from thumbs: ``liked[i]`` is the verdict on pair i (of ``features``),
    given by (or for) ``seekers[i]``. No thumbs: the configured weights, unchanged."""
    settings = settings or LearningSettings()
    liked = np.asarray(liked, dtype=bool)
    n = len(liked)
    if len(seekers) != n or len(features.text) != n:
        raise LearningError(f"{n} verdicts, {len(seekers)} seekers and {len(features.text)} "
                            "pairs: give one seeker and one pair per verdict")
    if not 0.0 <= structured_share <= 1.0:
        raise LearningError("the structured share is between 0 and 1")
    if n == 0 or liked.all() or not liked.any():
        # Nothing to tell apart: all-up or all-down thumbs say nothing about the weights.
        return LearnedRanking(weights, structured_share, {}, n)
    names = sorted(set(seekers))
    index = {s: i for i, s in enumerate(names)}
    group = np.array([index[s] for s in seekers], dtype=int)
    data = _data(features, liked, np.zeros(n, dtype=int), group)
    has_text = bool(np.any(data.text > 0))
    [(global_weights, share)], beta = _fit(data, _Prior.of(weights, structured_share, has_text),
                                           settings.prior_strength, settings.beta,
                                           _INTERCEPT_SPREAD, settings)
    # Seekers with enough thumbs of both kinds: their own log-factors around the global
    # weights, all fitted at once (the problem is separable), each with their own intercept.
    counts = np.bincount(group, minlength=len(names))
    ups = np.bincount(group, weights=liked, minlength=len(names))
    eligible = np.flatnonzero((counts >= settings.min_seeker_feedback) & (ups > 0)
                              & (ups < counts))
    per_seeker: dict[str, tuple[Weights, float]] = {}
    if len(eligible):
        own = {int(s): i for i, s in enumerate(eligible)}
        rows = np.flatnonzero(np.isin(group, eligible))
        slot = np.array([own[int(s)] for s in group[rows]], dtype=int)
        fitted, _ = _fit(_data(features, liked, slot, slot, rows),
                         _Prior.of(global_weights, share, has_text),
                         settings.seeker_prior_strength,
                         beta, _FREE_INTERCEPT, settings)
        per_seeker = {names[int(s)]: fitted[i] for i, s in enumerate(eligible)}
    return LearnedRanking(global_weights, share, per_seeker, n, round(beta, 4))


def learn_from_feedback(feedback: Sequence[Feedback], features: PairArrays, *,
                        weights: Weights, structured_share: float,
                        settings: LearningSettings | None = None) -> LearnedRanking:
    """``learn`` from stored feedback; ``features`` are the pairs' current features, in the
    order of ``feedback`` (the index's ``pair_features`` of each profile and posting)."""
    return learn(features, [f.verdict == "up" for f in feedback],
                 [f.profile for f in feedback], weights=weights,
                 structured_share=structured_share, settings=settings)


class FeatureIndex(Protocol):
    """What ``learn_with_index`` needs of the matching index (``matchers.index.MatchIndex``)."""

    def seeker_row(self, profile_or_person: str) -> int: ...

    def posting_row(self, posting_or_identifier: str) -> int: ...

    def pair_features(self, seeker_rows: Sequence[int] | np.ndarray,
                      posting_rows: Sequence[int] | np.ndarray) -> PairArrays: ...


def learn_with_index(index: FeatureIndex, feedback: Sequence[Feedback], *, weights: Weights,
                     structured_share: float, settings: LearningSettings | None = None
                     ) -> LearnedRanking:
    """``learn`` from stored feedback with the pairs' features as the index has them now.

    A seeker may thumb the same job again: the latest verdict counts. Thumbs on profiles or
    postings the index no longer holds (a closed posting, an erased seeker) are left out.
    """
    latest: dict[tuple[str, str], Feedback] = {}
    for f in sorted(feedback, key=lambda f: (f.at, f.id or "")):
        latest[(f.profile, f.posting)] = f
    kept, seeker_rows, posting_rows = [], [], []
    for (profile, posting), f in sorted(latest.items()):
        try:
            rows = index.seeker_row(profile), index.posting_row(posting)
        except KeyError:
            continue
        kept.append(f)
        seeker_rows.append(rows[0])
        posting_rows.append(rows[1])
    if not kept:
        return LearnedRanking(weights, structured_share, {}, 0)
    return learn_from_feedback(kept, index.pair_features(seeker_rows, posting_rows),
                               weights=weights, structured_share=structured_share,
                               settings=settings)
