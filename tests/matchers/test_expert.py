"""Expert settings: what counts, keywords and weights, and the before/after comparison."""

from __future__ import annotations

import pytest

from matchers.expert import ExpertSettings, ExpertSettingsError, compare, rerank
from matchers.index import MatchIndex
from matchers.ranking import Ranked
from tests.matchers.structured_world import (
    COOK,
    COOKING,
    DRIVER,
    DRIVING,
    NURSE,
    REGIONS,
    TODAY,
    WOUNDS,
    esco,
    posting,
    seeker,
)


@pytest.fixture(scope="module")
def world():
    graph = esco()
    s = seeker(desired_occupations=(NURSE, COOK), skills=(WOUNDS, COOKING))
    postings = [posting(1, occupation=NURSE, essential_skills=(WOUNDS,), municipality="837"),
                posting(2, occupation=COOK, essential_skills=(COOKING,), municipality="837"),
                posting(3, occupation=DRIVER, essential_skills=(DRIVING,), municipality="091")]
    return graph, MatchIndex.build([s], postings, graph, REGIONS, today=TODAY)


def test_dropping_a_wish_and_its_skill_moves_that_job_down(world) -> None:
    graph, index = world
    result = rerank(index, 0, ExpertSettings(desired_occupations=(NURSE,), skills=(WOUNDS,)),
                    graph, k=3)
    before = {r.row: r.rank for r in result.before}
    after = {r.row: r for r in result.after}
    assert after[1].structured < next(r for r in result.before if r.row == 1).structured
    assert after[0].rank == 1 and before[0] in (1, 2)
    assert all(m.after > m.before for m in result.moved_down)


def test_keywords_add_concepts_and_bring_new_jobs(world) -> None:
    graph, index = world

    def keyword_concepts(texts):
        assert texts == ["kuorma-auton kuljettaja"]
        return [DRIVER, DRIVING]

    result = rerank(index, 0, ExpertSettings(keywords=("kuorma-auton kuljettaja",)), graph,
                    k=2, keyword_concepts=keyword_concepts)
    assert result.keyword_concepts == (DRIVER, DRIVING)
    # occupation 3 + skills 3 + location 2 of 10 (no experience as a driver)
    assert result.after[0].row == 2 and result.after[0].structured == 80.0
    assert [m.row for m in result.new] == [2] and len(result.dropped) == 1


def test_weights_override_and_unknown_choices(world) -> None:
    graph, index = world
    result = rerank(index, 0, ExpertSettings(weights={"occupation": 0.0}), graph, k=3)
    # occupation no longer counts: skills 3, experience 2 and location 2 (not met) remain
    assert result.after[0].structured == pytest.approx(100 * 3 / 7 - 100 * 1 / 7, abs=0.01)
    with pytest.raises(ExpertSettingsError, match="skills not in the seeker"):
        rerank(index, 0, ExpertSettings(skills=(DRIVING,)), graph)
    with pytest.raises(ExpertSettingsError, match="keyword"):
        rerank(index, 0, ExpertSettings(keywords=("x",)), graph)


def test_compare_names_up_down_new_dropped() -> None:
    def r(row, rank):
        return Ranked(row, 0, 0, 0, rank)

    up, down, new, dropped = compare([r(1, 1), r(2, 2), r(3, 3)], [r(2, 1), r(1, 2), r(4, 3)])
    assert [(m.row, m.before, m.after) for m in up] == [(2, 2, 1)]
    assert [(m.row, m.before, m.after) for m in down] == [(1, 1, 2)]
    assert [m.row for m in new] == [4] and [m.row for m in dropped] == [3]
