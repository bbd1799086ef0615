"""Ranking both ways over a MatchIndex: jobs for a seeker, candidates for a posting.

Every posting (or seeker) is scored exactly (one sparse product, see index.py), the
filters mask rows out, and ``np.argpartition`` picks the top k: no approximate candidate
generation, so the top k is the brute-force top k. The combined score is
``structured_share * structured + (1 - structured_share) * text`` (both 0-100); without
text vectors in the index it is the structured score. Ties break by row (stable).

Expired postings (``valid_through`` before the index's day) are never recommended.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from importlib import resources

import numpy as np

from core.errors import TyodataError
from matchers.criteria import Weights, load_weights
from matchers.index import MatchIndex


class RankingError(TyodataError):
    """A ranking request that cannot be answered (bad k, share or filter)."""


def default_structured_share() -> float:
    """``[combined] structured_share`` of weights.toml."""
    text = resources.files(__package__).joinpath("weights.toml").read_text("utf-8")
    return float(tomllib.loads(text).get("combined", {}).get("structured_share", 0.7))


@dataclass(frozen=True, slots=True)
class Ranked:
    row: int  # row of the posting (jobs) or seeker (candidates) in the index
    structured: float  # 0-100
    text: float  # 0-100
    combined: float
    rank: int  # 1 = best


@dataclass(frozen=True)
class JobFilters:
    municipalities: tuple[str, ...] = ()  # only postings in these municipalities
    working_time: str | None = None
    include_expired: bool = False


@dataclass(frozen=True)
class CandidateFilters:
    statuses: tuple[str, ...] = ()  # employment status codes, e.g. ("TYOTON",)
    min_unemployment_days: int | None = None
    max_unemployment_days: int | None = None
    search_area: str | None = None  # a municipality code in the seeker's search area
    full_time: bool | None = None  # True: wishes full time; False: wishes part time


def _check(k: int, share: float) -> None:
    if not 1 <= k <= 1000:
        raise RankingError(f"k must be between 1 and 1000, not {k}")
    if not 0.0 <= share <= 1.0:
        raise RankingError(f"structured_share must be between 0 and 1, not {share}")


def top_k(combined: np.ndarray, allowed: np.ndarray | None, k: int) -> np.ndarray:
    """Rows of the k best allowed scores, best first (ties: lower row first)."""
    scores = combined if allowed is None else np.where(allowed, combined, -np.inf)
    n = int(np.isfinite(scores).sum()) if allowed is not None else len(scores)
    k = min(k, n)
    if k == 0:
        return np.zeros(0, int)
    part = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    # the k-th best score may be tied beyond the partition: take every tied row, then cut
    threshold = scores[part].min()
    tied = np.flatnonzero(scores >= threshold)
    order = np.lexsort((tied, -scores[tied]))
    return tied[order][:k]


def top_k_rows(scores: np.ndarray, k: int, block: int = 128) -> np.ndarray:
    """Column indices of the k best scores of every row, best first (ties: lower column
    first): exact, and faster than argpartition over whole rows. The k-th best of the
    row's block maxima bounds its k-th best score from below (k blocks each hold a score
    at least that high), so only the scores at or above it are sorted."""
    n_rows, n = scores.shape
    if n <= max(k, block) * 4:
        order = np.lexsort((np.broadcast_to(np.arange(n), scores.shape), -scores), axis=1)
        return order[:, :k]
    blocks = n // block
    maxima = scores[:, :blocks * block].reshape(n_rows, blocks, block).max(axis=2)
    if n > blocks * block:
        maxima = np.concatenate([maxima, scores[:, blocks * block:].max(axis=1)[:, None]], 1)
    bound = -np.partition(-maxima, k - 1, axis=1)[:, k - 1]
    result = np.empty((n_rows, k), dtype=np.int64)
    row_of, column = np.nonzero(scores >= bound[:, None])
    starts = np.searchsorted(row_of, np.arange(n_rows + 1))
    for r in range(n_rows):
        cols = column[starts[r]:starts[r + 1]]
        chosen = cols[np.lexsort((cols, -scores[r, cols]))[:k]]
        result[r] = chosen
    return result


def _ranked(rows: np.ndarray, structured: np.ndarray, text: np.ndarray,
            combined: np.ndarray) -> list[Ranked]:
    return [Ranked(int(r), round(float(structured[r]), 2), round(float(text[r]), 2),
                   round(float(combined[r]), 2), i + 1) for i, r in enumerate(rows)]


NO_DATE = np.iinfo(np.int64).max


def _posting_array(index: MatchIndex, name: str) -> np.ndarray:
    def compute() -> np.ndarray:
        if name == "valid_through":
            return np.array([p.valid_through.toordinal() if p.valid_through else NO_DATE
                             for p in index.postings], np.int64)
        return np.array([getattr(p, name) or "" for p in index.postings], dtype=object)
    return index.attribute(f"posting:{name}", compute)


def _seeker_array(index: MatchIndex, name: str) -> np.ndarray:
    def compute() -> np.ndarray:
        if name == "seeking_since":
            return np.array([s.seeking_since.toordinal() if s.seeking_since else NO_DATE
                             for s in index.seekers], np.int64)
        return np.array([getattr(s, name) or "" for s in index.seekers], dtype=object)
    return index.attribute(f"seeker:{name}", compute)


def _seekers_by_area(index: MatchIndex) -> dict[str, np.ndarray]:
    def compute() -> dict[str, np.ndarray]:
        rows: dict[str, list[int]] = {}
        for i, s in enumerate(index.seekers):
            for area in {*s.search_areas, *([s.municipality] if s.municipality else [])}:
                rows.setdefault(area, []).append(i)
        return {area: np.array(r, np.int64) for area, r in rows.items()}
    return index.attribute("seeker:areas", compute)


def expired_mask(index: MatchIndex, today: date | None = None) -> np.ndarray:
    """True for postings whose application time is over."""
    today = today or index.today
    return _posting_array(index, "valid_through") < today.toordinal()


def job_mask(index: MatchIndex, filters: JobFilters | None, today: date | None = None
             ) -> np.ndarray:
    filters = filters or JobFilters()
    allowed = np.ones(len(index.postings), bool)
    if not filters.include_expired:
        allowed &= ~expired_mask(index, today)
    if filters.municipalities:
        allowed &= np.isin(_posting_array(index, "municipality"), list(filters.municipalities))
    if filters.working_time:
        allowed &= _posting_array(index, "working_time") == filters.working_time
    return allowed


def rank_jobs(index: MatchIndex, seeker_row: int, *, k: int = 20, weights: Weights | None = None,
              structured_share: float | None = None, filters: JobFilters | None = None,
              seeker_vector=None, today: date | None = None) -> list[Ranked]:
    """The k best postings for one seeker (``seeker_vector``: an edited seeker, see
    expert.py)."""
    weights = weights or load_weights()
    share = default_structured_share() if structured_share is None else structured_share
    _check(k, share)
    structured = index.job_scores(seeker_row, weights, seeker_vector)
    text = index.text_scores_for_seeker(seeker_row)
    combined = _combine(structured, text, share, index.posting_text is not None)
    rows = top_k(combined, job_mask(index, filters, today), k)
    return _ranked(rows, structured, text, combined)


def _combine(structured: np.ndarray, text: np.ndarray, share: float, has_text: bool
             ) -> np.ndarray:
    return share * structured + (1.0 - share) * text if has_text else structured.astype(float)


def candidate_mask(index: MatchIndex, filters: CandidateFilters | None,
                   today: date | None = None) -> np.ndarray | None:
    if filters is None or filters == CandidateFilters():
        return None
    today = today or index.today
    allowed = np.ones(len(index.seekers), bool)
    if filters.statuses:
        allowed &= np.isin(_seeker_array(index, "status"), list(filters.statuses))
    if filters.min_unemployment_days is not None or filters.max_unemployment_days is not None:
        if (filters.min_unemployment_days is not None and filters.max_unemployment_days
                is not None and filters.min_unemployment_days > filters.max_unemployment_days):
            raise RankingError("min_unemployment_days is above max_unemployment_days")
        since = _seeker_array(index, "seeking_since")
        days = np.where(since == NO_DATE, -1, today.toordinal() - since)
        allowed &= days >= 0
        if filters.min_unemployment_days is not None:
            allowed &= days >= filters.min_unemployment_days
        if filters.max_unemployment_days is not None:
            allowed &= days <= filters.max_unemployment_days
    if filters.search_area:
        in_area = np.zeros(len(index.seekers), bool)
        in_area[_seekers_by_area(index).get(filters.search_area, np.zeros(0, np.int64))] = True
        allowed &= in_area
    if filters.full_time is not None:
        wanted_time = "KOKOAIKA" if filters.full_time else "OSA_AIKA"
        allowed &= _seeker_array(index, "working_time") == wanted_time
    return allowed


def rank_candidates(index: MatchIndex, posting_row: int, *, k: int = 20,
                    weights: Weights | None = None, structured_share: float | None = None,
                    filters: CandidateFilters | None = None, today: date | None = None
                    ) -> list[Ranked]:
    """The k best seekers for one posting, among those the filters let through."""
    weights = weights or load_weights()
    share = default_structured_share() if structured_share is None else structured_share
    _check(k, share)
    structured = index.candidate_scores(posting_row, weights)
    text = index.text_scores_for_posting(posting_row)
    combined = _combine(structured, text, share, index.seeker_text is not None)
    rows = top_k(combined, candidate_mask(index, filters, today), k)
    return _ranked(rows, structured, text, combined)


def batch_top_jobs(index: MatchIndex, k: int = 20, *, weights: Weights | None = None,
                   structured_share: float | None = None, chunk: int = 512,
                   seeker_rows: np.ndarray | None = None,
                   progress: Callable[[int], None] | None = None,
                   today: date | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Top-k postings of every seeker (or ``seeker_rows``), in chunks: yields (seeker
    rows, (chunk, k) posting rows best first; -1 where fewer than k postings are open).
    One product per chunk, the postings' sparse matrix times the chunk's seekers as a
    dense block (the result is dense anyway: a sparse x sparse product builds it several
    times slower), then an exact top k per row (``top_k_rows``)."""
    weights = weights or load_weights()
    share = default_structured_share() if structured_share is None else structured_share
    _check(k, share)
    _, by_row = index.scaled(weights)
    open_rows = np.flatnonzero(job_mask(index, None, today))
    open_postings = by_row[open_rows].tocsr()
    text_t = None
    if index.posting_text is not None and index.seeker_text is not None:
        text_t = index.posting_text[open_rows].T.tocsr()
    rows_all = np.arange(len(index.seekers)) if seeker_rows is None else seeker_rows
    kk = min(k, len(open_rows))
    for start in range(0, len(rows_all), chunk):
        rows = rows_all[start:start + chunk]
        seekers = index.seeker_matrix[rows].toarray().T
        scores = np.ascontiguousarray((open_postings @ seekers).T)
        np.clip(scores, 0.0, 100.0, out=scores)
        if text_t is not None:
            text = (index.seeker_text[rows] @ text_t).toarray()
            scores = share * scores + (1.0 - share) * 100.0 * np.clip(text, 0.0, 1.0)
        best = np.full((len(rows), k), -1, dtype=np.int64)
        if kk:
            best[:, :kk] = open_rows[top_k_rows(scores, kk)]
        if progress is not None:
            progress(len(rows))
        yield rows, best
