"""Reasons of one pair: criteria that gave and took points, skills matched and missing."""

from __future__ import annotations

import pytest

from matchers.explain import explain
from matchers.index import MatchIndex
from tests.matchers.structured_world import (
    CARER,
    COOK,
    COOKING,
    HYGIENE,
    NURSE,
    REGIONS,
    TODAY,
    WOUNDS,
    esco,
    posting,
    seeker,
)


def test_matched_partial_and_missing_essential_skills_with_labels() -> None:
    graph = esco()
    s = seeker(desired_occupations=(CARER,), skills=(HYGIENE,), languages={"fi": "B1"})
    p = posting(occupation=NURSE, essential_skills=(HYGIENE, WOUNDS, COOKING),
                languages={"fi": "C1"}, municipality="091")
    index = MatchIndex.build([s], [p], graph, REGIONS, today=TODAY)
    why = explain(index, graph, 0, 0)
    kinds = {m.skill.uri: m.kind for m in why.essential_skills}
    assert kinds == {HYGIENE: "exact", WOUNDS: "partial", COOKING: "missing"}
    wounds = next(m for m in why.essential_skills if m.skill.uri == WOUNDS)
    assert wounds.credit == 0.5 and [c.uri for c in wounds.via] == [HYGIENE]
    assert (wounds.skill.label_fi, wounds.skill.label_en) == ("haavanhoito", "wound care")
    assert [m.skill.uri for m in why.missing] == [COOKING]
    assert why.occupation == "same unit group"
    assert why.gave["occupation"] > 0 and why.gave["languages"] == 0
    assert why.took["language_mismatch"] > 0
    assert sum(why.gave.values()) - sum(why.took.values()) == pytest.approx(why.structured,
                                                                           abs=0.05)


def test_a_skill_through_an_occupation_the_seeker_wishes() -> None:
    graph = esco()
    s = seeker(desired_occupations=(COOK,))
    index = MatchIndex.build([s], [posting(essential_skills=(COOKING,))], graph, REGIONS,
                             today=TODAY)
    (match,) = explain(index, graph, 0, 0).essential_skills
    assert match.kind == "partial" and [c.uri for c in match.via] == [COOK]
