"""Simulated job seekers' hidden preferences: what each one really wants from a job.

The matching's feedback learning (``matchers.learning``) is judged against seekers whose
taste the generator knows and the ranking does not. A preference is a weight per
criterion *name* (plain strings: this package never imports ``matchers``), drawn around an
archetype: some seekers care most about the location, some about full-time work, some
about their skills, some about staying in their career, some about a permanent contract.

A pair (seeker, posting) is described to a preference by ``credits_by_name``: a credit in
[0, 1] per criterion name that applies (a missing name counts 0), the deductions by their
names, and ``"text"`` for the text score over 100. From it:

- ``hidden_utility``: the weighted mean of the liked credits minus the disliked ones;
- ``thumb``: the seeker's thumbs up (True) or down, noisy around their own threshold;
- ``relevance``: a graded relevance 0-3 (how far above the threshold), for NDCG.

>>> import random
>>> pref = draw_preference(random.Random(1), archetype="location")
>>> pref.archetype, max(pref.likes, key=pref.likes.get)
('location', 'location')
>>> near = {"location": 1.0, "occupation": 1.0, "essential_skills": 0.5}
>>> far = {"location_mismatch": 1.0, "occupation": 1.0, "essential_skills": 0.5}
>>> hidden_utility(pref, near) > hidden_utility(pref, far)
True
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass

CRITERION_NAMES: tuple[str, ...] = (
    "occupation", "essential_skills", "optional_skills", "experience", "education",
    "languages", "licences", "location", "working_time", "contract",
)
"""The structured score's criteria, by the names matching uses."""
DEDUCTION_NAMES: tuple[str, ...] = ("language_mismatch", "education_mismatch",
                                    "location_mismatch")
TEXT = "text"
"""The name under which a pair's text score (0-1) reaches a preference."""

# What each kind of seeker weighs (likes) and what puts them off (dislikes). Every
# archetype cares a little about the occupation and the skills: nobody wants any job.
ARCHETYPES: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "location": ({"location": 4.0, "occupation": 1.0, "essential_skills": 1.0,
                  "working_time": 0.5}, {"location_mismatch": 2.0}),
    "full_time": ({"working_time": 4.0, "contract": 1.5, "occupation": 1.0,
                   "essential_skills": 1.0}, {}),
    "skills": ({"essential_skills": 3.0, "optional_skills": 2.0, TEXT: 1.5,
                "occupation": 0.5, "languages": 0.5}, {"language_mismatch": 1.0}),
    "career": ({"occupation": 3.0, "experience": 3.0, "essential_skills": 1.0,
                "education": 0.5}, {"education_mismatch": 0.5}),
    "security": ({"contract": 3.0, "working_time": 1.5, "location": 1.0,
                  "occupation": 1.0}, {"location_mismatch": 0.5}),
}


@dataclass(frozen=True)
class HiddenPreference:
    """One simulated seeker's taste, known to the generator only.

    ``threshold``: the utility above which they like a job; ``noise``: how sharply
    (a logistic temperature on the utility; 0 gives deterministic thumbs).
    """

    archetype: str
    likes: Mapping[str, float]
    dislikes: Mapping[str, float]
    threshold: float
    noise: float

    def __post_init__(self) -> None:
        if not self.likes or any(not v >= 0 for v in (*self.likes.values(),
                                                          *self.dislikes.values())):
            raise ValueError("a preference needs at least one like and weights >= 0")
        if sum(self.likes.values()) <= 0:
            raise ValueError("a preference needs a like with a weight above 0")
        if self.noise < 0:
            raise ValueError("noise must be >= 0")


def draw_preference(rng: random.Random, *, archetype: str | None = None,
                    spread: float = 0.3, noise: float = 0.04) -> HiddenPreference:
    """A seeker's preference: an archetype (drawn uniformly unless given) with each weight
    multiplied by a log-normal factor of sigma ``spread``, and a threshold in 0.30-0.50."""
    if archetype is None:
        archetype = rng.choice(sorted(ARCHETYPES))
    elif archetype not in ARCHETYPES:
        raise ValueError(f"unknown archetype {archetype!r}; known: {', '.join(ARCHETYPES)}")
    likes, dislikes = ARCHETYPES[archetype]

    def jitter(weights: Mapping[str, float]) -> dict[str, float]:
        return {k: round(v * math.exp(rng.gauss(0.0, spread)), 4) for k, v in weights.items()}

    return HiddenPreference(archetype, jitter(likes), jitter(dislikes),
                            threshold=round(rng.uniform(0.30, 0.50), 4), noise=noise)


def hidden_utility(pref: HiddenPreference, credits_by_name: Mapping[str, float]) -> float:
    """How much the seeker wants this job: liked credits' weighted mean minus dislikes
    (over the same total), so roughly in [-1, 1] and in [0, 1] without dislikes."""
    total = sum(pref.likes.values())
    gained = sum(w * float(credits_by_name.get(k, 0.0)) for k, w in pref.likes.items())
    lost = sum(w * float(credits_by_name.get(k, 0.0)) for k, w in pref.dislikes.items())
    return (gained - lost) / total


def like_probability(pref: HiddenPreference, credits_by_name: Mapping[str, float]) -> float:
    """The chance the seeker gives this job a thumbs up."""
    margin = hidden_utility(pref, credits_by_name) - pref.threshold
    if pref.noise == 0:
        return 1.0 if margin > 0 else 0.0
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, margin / pref.noise))))


def thumb(pref: HiddenPreference, credits_by_name: Mapping[str, float],
          rng: random.Random) -> bool:
    """The seeker's verdict on one shown job: True for thumbs up (noisy)."""
    return rng.random() < like_probability(pref, credits_by_name)


RELEVANCE_STEPS: tuple[float, ...] = (0.0, 0.1, 0.2)
"""Margins over the threshold at which a job becomes relevance 1, 2 and 3."""


def relevance(pref: HiddenPreference, credits_by_name: Mapping[str, float]) -> int:
    """Graded relevance 0-3 (the truth NDCG is measured against): 0 below the seeker's
    threshold, then one grade per step of ``RELEVANCE_STEPS`` above it."""
    margin = hidden_utility(pref, credits_by_name) - pref.threshold
    return sum(1 for step in RELEVANCE_STEPS if margin >= step)
