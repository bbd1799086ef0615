"""Matching as the service runs it: one index per process, kept fresh, and the ranking
learned from feedback.

The index is read from ``<home>/matching`` when it was built from the graphs that are
current now, else built from the store over SPARQL and saved there, so a restart or a
second worker does not rebuild it. Whether an ingest changed the postings or profiles is
checked at most every ``check_every`` seconds (one meta-graph query). Learning from
feedback reruns only when the number of stored thumbs changed.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings
from graph_service.store.base import GraphStore
from matchers.criteria import Weights, load_weights
from matchers.esco_graph import EscoGraph, esco_graph
from matchers.esco_text.concepts import ConceptEncoder
from matchers.esco_text.matcher import matcher_for
from matchers.expert import Comparison, ExpertSettings, rerank
from matchers.explain import Explanation, explain
from matchers.feedback import feedback_of
from matchers.index import IndexError_, MatchIndex
from matchers.learning import LearnedRanking, learn_with_index
from matchers.queries import load
from matchers.ranking import (
    CandidateFilters,
    JobFilters,
    Ranked,
    default_structured_share,
    job_mask,
    rank_candidates,
    rank_jobs,
)
from matchers.records import PostingRecord, SeekerRecord
from matchers.source import current_sources

KEYWORD_MIN_SCORE = 0.35  # a keyword names an ESCO skill only above this match score


class UnknownSeekerError(LookupError):
    """The person has no job-seeker profile in the current marketplace extract."""


class UnknownPostingError(LookupError):
    """No posting with this id in the current marketplace extract."""


@dataclass(frozen=True)
class Recommendation:
    """One ranked pair with its reasons: a job for a seeker, or a seeker for a job."""

    ranked: Ranked
    seeker: SeekerRecord
    posting: PostingRecord
    why: Explanation


@dataclass(frozen=True)
class Ranking:
    """A ranked list and what it was ranked by."""

    items: list[Recommendation]
    weights: Weights
    structured_share: float
    learned_from: int  # thumbs the weights were learned from (0: the configured ones)
    index_built_at: str


def index_dir(settings: Settings) -> Path:
    return settings.home / "matching"


class MatchingService:
    """The process's matching: index, ESCO hierarchy, learned ranking, keyword look-up."""

    def __init__(self, store: GraphStore, settings: Settings, *, check_every: float = 2.0,
                 text: bool = True, log: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.settings = settings
        self.check_every = check_every
        self.text = text
        self.log = log or (lambda _message: None)
        self._lock = threading.RLock()
        self._index: MatchIndex | None = None
        self._checked = 0.0
        self._encoder: ConceptEncoder | None = None
        self._learned: tuple[tuple, LearnedRanking] | None = None

    # -- the index ------------------------------------------------------------------------

    def encoder(self) -> ConceptEncoder | None:
        if not self.text:
            return None
        with self._lock:
            if self._encoder is None:
                self._encoder = ConceptEncoder(self.settings.esco_dir)
            return self._encoder

    def index(self) -> MatchIndex:
        """The index of the current graphs (built or loaded on first use, then whenever an
        ingest has made other graphs current)."""
        with self._lock:
            now = time.monotonic()
            if self._index is not None and now - self._checked < self.check_every:
                return self._index
            fingerprint = current_sources(self.store).fingerprint()
            self._checked = now
            if (self._index is None
                    or self._index.manifest.get("source_fingerprint") != fingerprint):
                self._index = self._load_or_build(fingerprint)
                self._learned = None
            return self._index

    def refresh(self, *, force: bool = False) -> MatchIndex:
        """Bring the index up to date now (``force``: rebuild even if it is)."""
        with self._lock:
            if force:
                self._index = self._build()
                self._learned = None
                self._checked = time.monotonic()
                return self._index
            self._checked = 0.0
            return self.index()

    def _load_or_build(self, fingerprint: str) -> MatchIndex:
        folder = index_dir(self.settings)
        try:
            saved = MatchIndex.load(folder)
            if (saved.manifest.get("source_fingerprint") == fingerprint
                    and saved.manifest.get("text") == self.text):
                self.log(f"matching index loaded from {folder}")
                return saved
        except IndexError_:
            pass
        return self._build()

    def _build(self) -> MatchIndex:
        self.log("building the matching index from the store ...")
        index = MatchIndex.build_from_store(self.store, encoder=self.encoder())
        index.save(index_dir(self.settings))
        m = index.manifest
        self.log(f"matching index: {m['seekers']} seekers, {m['postings']} postings, "
                 f"{m['build_seconds']} s; saved in {index_dir(self.settings)}")
        return index

    def esco(self) -> EscoGraph:
        return esco_graph(self.store)

    # -- ranking learned from feedback --------------------------------------------------------

    def configured(self) -> tuple[Weights, float]:
        return load_weights(), default_structured_share()

    def ranking(self) -> LearnedRanking:
        """Weights and share learned from every stored thumb (the configured ones when
        there is none); relearned when a thumb was added or the index was rebuilt."""
        index = self.index()
        row = self.store.select(load("feedback_count")).dicts()[0]
        key = (id(index), str(row.get("n")), str(row.get("latest")))
        with self._lock:
            if self._learned is not None and self._learned[0] == key:
                return self._learned[1]
        weights, share = self.configured()
        learned = learn_with_index(index, feedback_of(self.store), weights=weights,
                                   structured_share=share)
        with self._lock:
            self._learned = (key, learned)
        return learned

    # -- keywords of the expert settings ----------------------------------------------------

    def keyword_concepts(self, texts: Sequence[str]) -> list[str]:
        """ESCO skills the keywords name (the lexical matcher: fast, no model)."""
        matcher = matcher_for(self.settings, embeddings=False, progress=False)
        found: list[str] = []
        for matches in matcher.match(list(texts), kind="skill", top=2):
            found += [m.uri for m in matches if m.score >= KEYWORD_MIN_SCORE]
        return list(dict.fromkeys(found))

    def open_postings(self) -> list[PostingRecord]:
        """The postings still open (by the index's day)."""
        index = self.index()
        still_open = job_mask(index, None)
        return [p for row, p in enumerate(index.postings) if still_open[row]]

    def busiest_employer(self) -> str | None:
        """The employer with the most open postings (ties: by name): the demo's employer."""
        counts = Counter(p.employer for p in self.open_postings() if p.employer)
        return min(counts, key=lambda e: (-counts[e], e)) if counts else None

    # -- the two directions ---------------------------------------------------------------

    def seeker_row(self, index: MatchIndex, person: str) -> int:
        try:
            return index.seeker_row(person)
        except KeyError:
            raise UnknownSeekerError("this person has no job-seeker profile in the current "
                                     "marketplace extract") from None

    def posting_row(self, index: MatchIndex, posting: str) -> int:
        try:
            return index.posting_row(posting)
        except KeyError:
            raise UnknownPostingError("no posting with this id in the current marketplace "
                                      "extract") from None

    def _items(self, index: MatchIndex, pairs: list[tuple[Ranked, int, int]],
               weights: Weights) -> list[Recommendation]:
        esco = self.esco()
        return [Recommendation(r, index.seekers[s], index.postings[p],
                               explain(index, esco, s, p, weights=weights))
                for r, s, p in pairs]

    def recommend(self, person: str, *, k: int = 20, filters: JobFilters | None = None
                  ) -> Ranking:
        """The person's best jobs, by the weights learned for them (or for everyone)."""
        index = self.index()
        row = self.seeker_row(index, person)
        learned = self.ranking()
        weights, share = learned.for_seeker(index.seekers[row].profile)
        ranked = rank_jobs(index, row, k=k, weights=weights, structured_share=share,
                           filters=filters)
        return Ranking(self._items(index, [(r, row, r.row) for r in ranked], weights),
                       weights, share, learned.feedback_used,
                       str(index.manifest.get("built_at", "")))

    def candidates(self, posting: str, *, k: int = 20,
                   filters: CandidateFilters | None = None) -> Ranking:
        """The posting's best candidates (the global learned weights)."""
        index = self.index()
        row = self.posting_row(index, posting)
        learned = self.ranking()
        ranked = rank_candidates(index, row, k=k, weights=learned.weights,
                                 structured_share=learned.structured_share, filters=filters)
        return Ranking(self._items(index, [(r, r.row, row) for r in ranked], learned.weights),
                       learned.weights, learned.structured_share, learned.feedback_used,
                       str(index.manifest.get("built_at", "")))

    def expert(self, person: str, settings: ExpertSettings, *, k: int = 20,
               filters: JobFilters | None = None) -> tuple[Comparison, Ranking, Ranking]:
        """The ranking before and after a case worker's expert settings."""
        index = self.index()
        row = self.seeker_row(index, person)
        learned = self.ranking()
        weights, share = learned.for_seeker(index.seekers[row].profile)
        comparison = rerank(index, row, settings, self.esco(), k=k, weights=weights,
                            structured_share=share, filters=filters,
                            keyword_concepts=self.keyword_concepts)
        after_weights = weights.replace(settings.weights)
        built = str(index.manifest.get("built_at", ""))
        before = Ranking(self._items(index, [(r, row, r.row) for r in comparison.before],
                                     weights), weights, share, learned.feedback_used, built)
        after = Ranking(self._items(index, [(r, row, r.row) for r in comparison.after],
                                    after_weights), after_weights, share,
                        learned.feedback_used, built)
        return comparison, before, after

    def pair_now(self, person: str, posting: str) -> tuple[SeekerRecord, PostingRecord,
                                                           float, float, int]:
        """The pair's structured and text scores and its rank among the person's jobs now
        (what a thumb is recorded with: computed here, never taken from the client)."""
        index = self.index()
        s_row = self.seeker_row(index, person)
        p_row = self.posting_row(index, posting)
        seeker = index.seekers[s_row]
        weights, share = self.ranking().for_seeker(seeker.profile)
        features = index.pair_features([s_row], [p_row])
        structured = float(features.structured(weights)[0])
        text = float(features.text[0])
        # Its place among the open postings, as the seeker's list ranks them now.
        combined = share * index.job_scores(s_row, weights) + (
            1.0 - share) * index.text_scores_for_seeker(s_row)
        open_rows = job_mask(index, None)
        rank = 1 + int((combined[open_rows] > combined[p_row]).sum())
        return seeker, index.postings[p_row], structured, text, rank
