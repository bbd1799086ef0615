"""Ranking both ways: exact top k, filters, expired postings, the batch."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matchers.criteria import load_weights
from matchers.index import MatchIndex
from matchers.ranking import (
    CandidateFilters,
    JobFilters,
    RankingError,
    batch_top_jobs,
    rank_candidates,
    rank_jobs,
    top_k,
    top_k_rows,
)
from tests.matchers.structured_world import (
    CARER,
    COOK,
    DRIVER,
    NURSE,
    REGIONS,
    TODAY,
    WOUNDS,
    esco,
    posting,
    seeker,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 20), min_size=1, max_size=60), st.integers(1, 25),
       st.lists(st.booleans(), min_size=60, max_size=60))
def test_top_k_equals_brute_force(values, k, allowed_bits) -> None:
    scores = np.array(values, float)
    allowed = np.array(allowed_bits[:len(values)])
    brute = sorted((i for i in range(len(values)) if allowed[i]),
                   key=lambda i: (-values[i], i))[:k]
    assert top_k(scores, allowed, k).tolist() == brute
    assert top_k(scores, None, k).tolist() == sorted(range(len(values)),
                                                     key=lambda i: (-values[i], i))[:k]


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 5), st.integers(1, 8), st.integers(40, 120), st.integers(0, 2**31))
def test_batch_top_k_rows_equals_brute_force(rows, k, n, seed) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.integers(0, 6, (rows, n)).astype(np.float32)  # many ties
    got = top_k_rows(scores, k, block=4)
    for r in range(rows):
        assert got[r].tolist() == sorted(range(n), key=lambda i: (-scores[r, i], i))[:k]


@pytest.fixture(scope="module")
def index() -> MatchIndex:
    seekers = [
        seeker(1, desired_occupations=(NURSE,), skills=(WOUNDS,), status="TYOTON",
               seeking_since=date(2026, 1, 1), working_time="KOKOAIKA"),
        seeker(2, desired_occupations=(CARER,), status="TYOTON",
               seeking_since=date(2026, 10, 1), working_time="OSA_AIKA",
               search_areas=("837",)),
        seeker(3, desired_occupations=(COOK,), status="TYOSSA", working_time="KOKOAIKA"),
        seeker(4, desired_occupations=(NURSE,), skills=(WOUNDS,), status="LOMAUTETTU"),
    ]
    postings = [
        posting(1, occupation=NURSE, essential_skills=(WOUNDS,), municipality="091"),
        posting(2, occupation=NURSE, essential_skills=(WOUNDS,), municipality="091",
                valid_through=date(2026, 10, 31)),  # expired on TODAY
        posting(3, occupation=COOK, municipality="837", working_time="OSA_AIKA"),
        posting(4, occupation=DRIVER, municipality="049"),
    ]
    return MatchIndex.build(seekers, postings, esco(), REGIONS, today=TODAY)


def test_jobs_best_first_and_expired_never_recommended(index: MatchIndex) -> None:
    ranked = rank_jobs(index, 0, k=10)
    rows = [r.row for r in ranked]
    assert rows[0] == 0 and 1 not in rows
    assert [r.rank for r in ranked] == list(range(1, len(ranked) + 1))
    assert all(a.combined >= b.combined for a, b in zip(ranked, ranked[1:], strict=False))
    assert all(0 <= r.structured <= 100 and r.text == 0 for r in ranked)
    assert 1 in [r.row for r in rank_jobs(index, 0, k=10,
                                          filters=JobFilters(include_expired=True))]
    assert [r.row for r in rank_jobs(index, 0, filters=JobFilters(municipalities=("837",)))
            ] == [2]


def test_candidate_filters_exclude(index: MatchIndex) -> None:
    everyone = [r.row for r in rank_candidates(index, 0, k=10)]
    assert sorted(everyone) == [0, 1, 2, 3] and everyone[0] in (0, 3)
    unemployed = rank_candidates(index, 0, filters=CandidateFilters(statuses=("TYOTON",)))
    assert sorted(r.row for r in unemployed) == [0, 1]
    long_term = rank_candidates(index, 0, filters=CandidateFilters(min_unemployment_days=180))
    assert [r.row for r in long_term] == [0]
    recent = rank_candidates(index, 0, filters=CandidateFilters(max_unemployment_days=60))
    assert [r.row for r in recent] == [1]
    tampere = rank_candidates(index, 0, filters=CandidateFilters(search_area="837"))
    assert [r.row for r in tampere] == [1]
    full_time = rank_candidates(index, 0, filters=CandidateFilters(full_time=True))
    assert sorted(r.row for r in full_time) == [0, 2]
    with pytest.raises(RankingError):
        rank_candidates(index, 0, filters=CandidateFilters(min_unemployment_days=9,
                                                           max_unemployment_days=1))


def test_bad_requests_get_clear_errors(index: MatchIndex) -> None:
    with pytest.raises(RankingError, match="k must be"):
        rank_jobs(index, 0, k=0)
    with pytest.raises(RankingError, match="structured_share"):
        rank_jobs(index, 0, structured_share=1.5)


def test_weights_change_the_ranking(index: MatchIndex) -> None:
    only_location = load_weights().replace(
        {c: 0.0 for c in load_weights().criteria if c != "location"})
    ranked = rank_jobs(index, 1, k=3, weights=only_location)
    # home Helsinki and search area Tampere: both in full; Espoo is in Helsinki's region
    assert [(r.row, r.structured) for r in ranked] == [(0, 100.0), (2, 100.0), (3, 50.0)]


def test_batch_equals_one_by_one(index: MatchIndex) -> None:
    done: list[int] = []
    for rows, best in batch_top_jobs(index, 3, chunk=3, progress=done.append):
        for row, top in zip(rows, best, strict=True):
            single = rank_jobs(index, int(row), k=3)
            assert sorted(t for t in top.tolist() if t >= 0) == sorted(r.row for r in single)
            assert 1 not in top.tolist()
    assert sum(done) == len(index.seekers)


def test_combined_mixes_text_by_share() -> None:
    from scipy import sparse

    class TwoConcepts:
        def encode(self, texts):
            rows = [[1.0, 0.0] if "hoita" in t else [0.0, 1.0] for t in texts]
            return sparse.csr_matrix(np.array(rows))

    s = [seeker(1, description="haluan hoitaa", desired_occupations=(COOK,))]
    p = [posting(1, title="hoitaja", occupation=NURSE), posting(2, title="kokki",
                                                                 occupation=COOK)]
    index = MatchIndex.build(s, p, esco(), REGIONS, encoder=TwoConcepts(), today=TODAY)
    text_only = rank_jobs(index, 0, structured_share=0.0)
    assert text_only[0].row == 0 and text_only[0].text == 100.0
    structured_only = rank_jobs(index, 0, structured_share=1.0)
    assert structured_only[0].row == 1
    mixed = rank_jobs(index, 0, structured_share=0.5)
    for r in mixed:
        assert r.combined == pytest.approx(0.5 * r.structured + 0.5 * r.text, abs=0.02)
