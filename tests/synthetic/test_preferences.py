"""Simulated seekers' hidden preferences: named like matching's criteria, drawn around
their archetypes reproducibly, and turned into utilities, thumbs and graded relevance that
follow what each seeker cares about."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from matchers.criteria import CRITERIA, DEDUCTIONS
from synthetic.preferences import (
    ARCHETYPES,
    CRITERION_NAMES,
    DEDUCTION_NAMES,
    TEXT,
    HiddenPreference,
    draw_preference,
    hidden_utility,
    like_probability,
    relevance,
    thumb,
)


def test_names_are_the_criteria_and_deductions_matching_scores() -> None:
    assert CRITERION_NAMES == CRITERIA and DEDUCTION_NAMES == DEDUCTIONS
    for likes, dislikes in ARCHETYPES.values():
        assert set(likes) <= {*CRITERIA, TEXT} and set(dislikes) <= set(DEDUCTIONS)


def test_drawing_is_reproducible_and_covers_every_archetype() -> None:
    first = [draw_preference(random.Random(9)) for _ in range(3)]
    again = [draw_preference(random.Random(9)) for _ in range(3)]
    assert first == again
    rng = random.Random(1)
    drawn = Counter(draw_preference(rng).archetype for _ in range(500))
    assert set(drawn) == set(ARCHETYPES) and min(drawn.values()) > 60
    for archetype, (likes, _) in ARCHETYPES.items():
        pref = draw_preference(random.Random(2), archetype=archetype, spread=0.0)
        assert dict(pref.likes) == likes and 0.30 <= pref.threshold <= 0.50


def test_each_archetype_prefers_the_job_that_gives_what_it_cares_about() -> None:
    plain = {"occupation": 0.5, "essential_skills": 0.5}
    best_for = {
        "location": plain | {"location": 1.0},
        "full_time": plain | {"working_time": 1.0},
        "skills": plain | {"essential_skills": 1.0, "optional_skills": 1.0},
        "career": plain | {"occupation": 1.0, "experience": 1.0},
        "security": plain | {"contract": 1.0},
    }
    for archetype in ARCHETYPES:
        pref = draw_preference(random.Random(4), archetype=archetype)
        utilities = {job: hidden_utility(pref, credits) for job, credits in best_for.items()}
        assert max(utilities, key=utilities.get) == archetype


def test_dislikes_take_utility_away_and_missing_names_count_nothing() -> None:
    pref = HiddenPreference("location", {"location": 1.0, "occupation": 1.0},
                            {"location_mismatch": 1.0}, threshold=0.4, noise=0.05)
    assert hidden_utility(pref, {"occupation": 1.0}) == 0.5
    assert hidden_utility(pref, {"occupation": 1.0, "location_mismatch": 1.0}) == 0.0
    assert hidden_utility(pref, {}) == 0.0


def test_thumbs_follow_the_utility_with_noise() -> None:
    pref = HiddenPreference("full_time", {"working_time": 1.0}, {}, threshold=0.5, noise=0.1)
    rng = random.Random(3)
    good = sum(thumb(pref, {"working_time": 0.8}, rng) for _ in range(2000)) / 2000
    bad = sum(thumb(pref, {"working_time": 0.2}, rng) for _ in range(2000)) / 2000
    assert 0.9 < good < 0.99 and 0.01 < bad < 0.1  # mostly right, sometimes not
    assert like_probability(pref, {"working_time": 0.5}) == pytest.approx(0.5)
    sharp = HiddenPreference("full_time", {"working_time": 1.0}, {}, threshold=0.5, noise=0.0)
    assert [thumb(sharp, {"working_time": x}, rng) for x in (0.49, 0.51)] == [False, True]


def test_relevance_is_graded_by_the_margin_over_the_threshold() -> None:
    pref = HiddenPreference("skills", {"essential_skills": 1.0}, {}, threshold=0.4, noise=0.05)
    grades = [relevance(pref, {"essential_skills": x}) for x in (0.1, 0.45, 0.55, 0.9)]
    assert grades == [0, 1, 2, 3]


def test_a_preference_without_a_positive_like_is_refused() -> None:
    with pytest.raises(ValueError, match="like"):
        HiddenPreference("x", {}, {}, threshold=0.4, noise=0.05)
    with pytest.raises(ValueError, match=">= 0"):
        HiddenPreference("x", {"location": -1.0}, {}, threshold=0.4, noise=0.05)
    with pytest.raises(ValueError, match="unknown archetype"):
        draw_preference(random.Random(1), archetype="astronaut")
