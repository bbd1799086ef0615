"""Exact criterion semantics of the structured score, on a hand-built ESCO hierarchy."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.criteria import CRITERIA, DEDUCTIONS, load_weights
from matchers.index import MatchIndex
from matchers.records import Experience
from matchers.vectors import recency
from tests.matchers.structured_world import (
    BAKING,
    CARER,
    COOK,
    COOKING,
    DRIVER,
    HYGIENE,
    NURSE,
    REGIONS,
    TODAY,
    WOUNDS,
    esco,
    posting,
    seeker,
)

C = {name: i for i, name in enumerate(CRITERIA)}
D = {name: i for i, name in enumerate(DEDUCTIONS)}


def features(s, p):
    index = MatchIndex.build([s], [p], esco(), REGIONS, today=TODAY)
    return index.pair_features([0], [0])


def credit(s, p, criterion: str) -> float:
    return round(float(features(s, p).credits[0, C[criterion]]), 4)


def deduction(s, p, name: str) -> float:
    return round(float(features(s, p).deductions[0, D[name]]), 4)


@pytest.mark.parametrize(("wish", "expected"), [
    (NURSE, 1.0), (CARER, 0.6), (COOK, 0.0), (DRIVER, 0.0)])
def test_occupation_credit_by_isco_group(wish: str, expected: float) -> None:
    assert credit(seeker(desired_occupations=(wish,)), posting(occupation=NURSE),
                  "occupation") == expected


def test_minor_group_gives_three_tenths() -> None:
    grill = "http://data.europa.eu/esco/occupation/grill-cook"
    graph = esco()
    graph.unit_group[grill], graph.minor_group[grill] = "5129", "512"
    index = MatchIndex.build([seeker(desired_occupations=(COOK,))], [posting(occupation=grill)],
                             graph, REGIONS, today=TODAY)
    assert index.pair_features([0], [0]).credits[0, C["occupation"]] == pytest.approx(0.3)


def test_the_best_wish_counts_not_the_sum() -> None:
    wishes = (CARER, NURSE, COOK)
    assert credit(seeker(desired_occupations=wishes), posting(occupation=NURSE),
                  "occupation") == 1.0
    assert credit(seeker(desired_occupations=(CARER, COOK)), posting(occupation=NURSE),
                  "occupation") == 0.6


def test_skills_exact_sibling_related_and_missing() -> None:
    p = posting(essential_skills=(WOUNDS, COOKING))
    assert credit(seeker(skills=(WOUNDS, COOKING)), p, "essential_skills") == 1.0
    assert credit(seeker(skills=(WOUNDS,)), p, "essential_skills") == 0.5
    # hygiene is a sibling of wounds (same broader skill): half credit for wounds
    assert credit(seeker(skills=(HYGIENE,)), p, "essential_skills") == 0.25
    # cooking is an essential skill of the cook occupation the seeker wishes
    assert credit(seeker(desired_occupations=(COOK,)), p, "essential_skills") == 0.25
    # MAX, not sum: sibling and related together still give half credit for cooking
    assert credit(seeker(skills=(BAKING,), desired_occupations=(COOK,)), p,
                  "essential_skills") == 0.25
    assert credit(seeker(skills=(WOUNDS, BAKING, HYGIENE)), p, "essential_skills") == 0.75


def test_the_most_recent_job_counts_more_than_an_older_one() -> None:
    p = posting(occupation=COOK)
    recent = seeker(experience=(Experience(COOK, date(2023, 1, 1), date(2026, 6, 1)),
                                Experience(DRIVER, date(2015, 1, 1), date(2018, 1, 1))))
    older = seeker(experience=(Experience(DRIVER, date(2023, 1, 1), date(2026, 6, 1)),
                               Experience(COOK, date(2015, 1, 1), date(2018, 1, 1))))
    ongoing = seeker(experience=(Experience(COOK, date(2020, 1, 1), None),))
    assert credit(ongoing, p, "experience") == 1.0
    assert 0.9 < credit(recent, p, "experience") < 1.0
    assert credit(older, p, "experience") < 0.4
    assert credit(older, p, "experience") == pytest.approx(
        0.8 * recency(date(2018, 1, 1), TODAY), abs=1e-4)


def test_language_levels_follow_cefr_order() -> None:
    c1 = posting(languages={"fi": "C1"})
    b1 = seeker(languages={"fi": "B1"})
    assert credit(b1, c1, "languages") == 0.0
    assert deduction(b1, c1, "language_mismatch") == 1.0
    assert credit(seeker(languages={"fi": "C2"}), c1, "languages") == 1.0
    assert deduction(seeker(languages={"fi": "C2"}), c1, "language_mismatch") == 0.0
    two = posting(languages={"fi": "B1", "en": "B2"})
    assert credit(b1, two, "languages") == 0.5
    assert deduction(b1, two, "language_mismatch") == 0.5
    assert deduction(seeker(), two, "language_mismatch") == 1.0


def test_a_b1_seeker_loses_the_language_deduction_points_on_a_c1_posting() -> None:
    weights = load_weights()
    s = seeker(languages={"fi": "B1"}, desired_occupations=(NURSE,))
    p = posting(occupation=NURSE, languages={"fi": "C1"})
    index = MatchIndex.build([s, seeker(2, languages={"fi": "C1"}, desired_occupations=(NURSE,))],
                             [p], esco(), REGIONS, today=TODAY)
    low, high = index.pair_features([0, 1], [0, 0]).structured(weights)
    applied = weights.criteria["occupation"] + weights.criteria["experience"] + \
        weights.criteria["languages"]
    assert high - low == pytest.approx(100 * (weights.criteria["languages"] +
                                              weights.deductions["language_mismatch"]) / applied,
                                       abs=0.01)


def test_education_and_its_deduction() -> None:
    p = posting(education_level="6")
    assert credit(seeker(education_level="7"), p, "education") == 1.0
    assert deduction(seeker(education_level="7"), p, "education_mismatch") == 0.0
    assert credit(seeker(education_level="3"), p, "education") == 0.0
    assert deduction(seeker(education_level="3"), p, "education_mismatch") == 1.0
    assert deduction(seeker(education_level="3"), posting(), "education_mismatch") == 0.0


def test_location_area_region_remote_and_mismatch() -> None:
    home = seeker(municipality="091", search_areas=("091",))
    assert credit(home, posting(municipality="091"), "location") == 1.0
    assert credit(home, posting(municipality="049"), "location") == 0.5
    assert deduction(home, posting(municipality="049"), "location_mismatch") == 0.0
    assert credit(home, posting(municipality="837"), "location") == 0.0
    assert deduction(home, posting(municipality="837"), "location_mismatch") == 1.0
    assert credit(home, posting(municipality="837", remote=True), "location") == 1.0
    assert deduction(home, posting(remote=True), "location_mismatch") == 0.0
    tampere_area = seeker(municipality="091", search_areas=("837",))
    assert credit(tampere_area, posting(municipality="837"), "location") == 1.0


def test_licences_working_time_contract_and_what_applies() -> None:
    p = posting(licences=("B", "HYGIENIAPASSI"), working_time="KOKOAIKA",
                contract="VAKINAINEN")
    s = seeker(licences=("B",), working_time="OSA_AIKA")
    f = features(s, p)
    assert f.credits[0, C["licences"]] == pytest.approx(0.5)
    assert f.credits[0, C["working_time"]] == 0.0
    assert f.credits[0, C["contract"]] == 1.0  # no wish: anything is as wished
    assert f.applies[0].tolist() == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]


seekers = st.builds(
    lambda occ, skills, lang, edu, area: seeker(
        desired_occupations=occ, skills=skills, languages=lang, education_level=edu,
        search_areas=area),
    st.lists(st.sampled_from([NURSE, CARER, COOK, DRIVER]), max_size=3, unique=True).map(tuple),
    st.lists(st.sampled_from([WOUNDS, HYGIENE, COOKING, BAKING]), max_size=4, unique=True
             ).map(tuple),
    st.dictionaries(st.sampled_from(["fi", "en", "sv"]),
                    st.sampled_from(["A1", "A2", "B1", "B2", "C1", "C2"]), max_size=3),
    st.sampled_from([None, "2", "4", "6", "8"]),
    st.lists(st.sampled_from(["091", "049", "837"]), max_size=2, unique=True).map(tuple))
postings = st.builds(
    lambda occ, ess, lang, edu, mun, remote: posting(
        occupation=occ, essential_skills=ess, languages=lang, education_level=edu,
        municipality=mun, remote=remote),
    st.sampled_from([None, NURSE, CARER, COOK, DRIVER]),
    st.lists(st.sampled_from([WOUNDS, HYGIENE, COOKING, BAKING]), max_size=3, unique=True
             ).map(tuple),
    st.dictionaries(st.sampled_from(["fi", "en"]), st.sampled_from(["A2", "B1", "C1"]),
                    max_size=2),
    st.sampled_from([None, "3", "6"]), st.sampled_from([None, "091", "049", "837"]),
    st.booleans())


@settings(max_examples=60, deadline=None)
@given(st.lists(seekers, min_size=1, max_size=4), st.lists(postings, min_size=1, max_size=4))
def test_scores_stay_0_to_100_and_equal_the_linear_product(ss, ps) -> None:
    ss = [replace(s, profile=f"{s.profile}-{i}") for i, s in enumerate(ss)]
    index = MatchIndex.build(ss, ps, esco(), REGIONS, today=TODAY)
    weights = load_weights()
    rows_s, rows_p = np.meshgrid(range(len(ss)), range(len(ps)), indexing="ij")
    pair = index.pair_features(rows_s.ravel(), rows_p.ravel())
    assert ((pair.credits >= 0) & (pair.credits <= 1)).all()
    assert ((pair.deductions >= 0) & (pair.deductions <= 1)).all()
    structured = pair.structured(weights).reshape(len(ss), len(ps))
    assert ((structured >= 0) & (structured <= 100)).all()
    for i in range(len(ss)):
        assert np.allclose(index.job_scores(i, weights), structured[i], atol=1e-3)
    for j in range(len(ps)):
        assert np.allclose(index.candidate_scores(j, weights), structured[:, j], atol=1e-3)
