"""Expert settings (the marketplace's expert view): a case worker re-ranks a client's jobs.

Per request: which of the seeker's desired occupations, skills and work experiences
count (subsets of the seeker's own; None keeps all), extra keywords (mapped to ESCO
skills and occupations by a ``keyword_concepts(texts) -> list[iri]`` callable the caller
supplies, e.g. the text -> ESCO matcher), and weight overrides (``Weights.replace``).
The edited seeker is encoded on the fly (the index is not touched), ranked, and the
answer compares the rankings before and after: moved up (by how many places), moved
down, new in the top k, dropped from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from scipy import sparse

from core.errors import TyodataError
from matchers.criteria import Weights, load_weights
from matchers.esco_graph import OCCUPATION, EscoGraph
from matchers.index import MatchIndex
from matchers.ranking import JobFilters, Ranked, rank_jobs
from matchers.records import SeekerRecord
from matchers.vectors import seeker_features


class ExpertSettingsError(TyodataError):
    """Expert settings naming something the seeker does not have."""


@dataclass(frozen=True)
class ExpertSettings:
    desired_occupations: tuple[str, ...] | None = None
    skills: tuple[str, ...] | None = None
    experience: tuple[int, ...] | None = None  # positions in the seeker's experience
    keywords: tuple[str, ...] = ()
    weights: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Movement:
    row: int
    before: int | None  # rank before (None: not in the top k)
    after: int | None


@dataclass(frozen=True)
class Comparison:
    before: list[Ranked]
    after: list[Ranked]
    moved_up: list[Movement]
    moved_down: list[Movement]
    new: list[Movement]
    dropped: list[Movement]
    keyword_concepts: tuple[str, ...] = ()


def _subset(name: str, chosen: Sequence | None, own: Sequence) -> tuple:
    if chosen is None:
        return tuple(own)
    unknown = [c for c in chosen if c not in own]
    if unknown:
        listed = ', '.join(map(str, unknown))
        raise ExpertSettingsError(f"{name} not in the seeker's profile: {listed}")
    return tuple(dict.fromkeys(chosen))


def edited_seeker(seeker: SeekerRecord, settings: ExpertSettings,
                  keyword_concepts: Callable[[list[str]], list[str]] | None = None
                  ) -> tuple[SeekerRecord, tuple[str, ...]]:
    """The seeker as the settings say, and the ESCO concepts the keywords added."""
    occupations = _subset("desired occupations", settings.desired_occupations,
                          seeker.desired_occupations)
    skills = _subset("skills", settings.skills, seeker.skills)
    positions = _subset("work experiences", settings.experience, range(len(seeker.experience)))
    added: tuple[str, ...] = ()
    if settings.keywords:
        if keyword_concepts is None:
            raise ExpertSettingsError("keywords need a keyword -> ESCO matcher")
        added = tuple(dict.fromkeys(keyword_concepts(list(settings.keywords))))
        occupations += tuple(c for c in added if c.startswith(OCCUPATION) and c not in occupations)
        skills += tuple(c for c in added if not c.startswith(OCCUPATION) and c not in skills)
    edited = replace(seeker, desired_occupations=occupations, skills=skills,
                     experience=tuple(seeker.experience[i] for i in positions))
    return edited, added


def seeker_vector(index: MatchIndex, seeker: SeekerRecord, esco: EscoGraph
                  ) -> sparse.csr_matrix:
    """An (edited) seeker as a row of the index's feature space."""
    columns = index.columns
    features = seeker_features(seeker, esco, index.regions, index.today)
    pairs = [(columns[k], v) for k, v in features.items() if k in columns]
    pairs.sort()
    data = np.array([v for _, v in pairs], np.float32)
    cols = np.array([c for c, _ in pairs], np.int32)
    return sparse.csr_matrix((data, cols, np.array([0, len(pairs)])),
                             shape=(1, index.seeker_matrix.shape[1]))


def compare(before: list[Ranked], after: list[Ranked]) -> tuple[list[Movement], ...]:
    """Moved up, moved down, new and dropped between two top-k rankings (by row)."""
    rank_before = {r.row: r.rank for r in before}
    rank_after = {r.row: r.rank for r in after}
    up, down, new, dropped = [], [], [], []
    for row, rank in rank_after.items():
        old = rank_before.get(row)
        if old is None:
            new.append(Movement(row, None, rank))
        elif rank < old:
            up.append(Movement(row, old, rank))
        elif rank > old:
            down.append(Movement(row, old, rank))
    dropped = [Movement(row, rank, None) for row, rank in rank_before.items()
               if row not in rank_after]
    up.sort(key=lambda m: m.before - m.after, reverse=True)  # type: ignore[operator]
    down.sort(key=lambda m: m.after - m.before, reverse=True)  # type: ignore[operator]
    return up, down, new, dropped


def rerank(index: MatchIndex, seeker_row: int, settings: ExpertSettings, esco: EscoGraph, *,
           k: int = 20,
           weights: Weights | None = None, structured_share: float | None = None,
           filters: JobFilters | None = None,
           keyword_concepts: Callable[[list[str]], list[str]] | None = None) -> Comparison:
    """The seeker's top-k jobs before and after the expert settings."""
    weights = weights or load_weights()
    before = rank_jobs(index, seeker_row, k=k, weights=weights,
                       structured_share=structured_share, filters=filters)
    edited, added = edited_seeker(index.seekers[seeker_row], settings, keyword_concepts)
    vector = seeker_vector(index, edited, esco)
    after = rank_jobs(index, seeker_row, k=k, weights=weights.replace(settings.weights),
                      structured_share=structured_share, filters=filters, seeker_vector=vector)
    up, down, new, dropped = compare(before, after)
    return Comparison(before, after, up, down, new, dropped, added)
