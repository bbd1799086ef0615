"""Why a posting and a seeker match: the reasons behind one pair's scores.

Per criterion, the points it gave and the points each deduction took (criteria.py's
``contributions``, which add up to the structured score before clipping); per essential
skill of the posting, whether the seeker has it (exact), has a skill under the same
broader skill or an occupation that needs it (partial, naming through what), or lacks
it; the occupation match level. ESCO labels in Finnish and English come from the
store's ESCO graph (``EscoGraph.labels``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matchers.criteria import Weights, contributions, load_weights
from matchers.esco_graph import EscoGraph
from matchers.index import MatchIndex
from matchers.records import PostingRecord, SeekerRecord
from matchers.vectors import IMPLIED_SKILL, OCCUPATION_LEVELS, SKILL_LEVELS


@dataclass(frozen=True)
class Concept:
    uri: str
    label_fi: str
    label_en: str


@dataclass(frozen=True)
class SkillMatch:
    skill: Concept
    kind: str  # "exact" | "partial" | "missing"
    credit: float
    via: tuple[Concept, ...] = ()  # the seeker's skills or occupations that gave the credit


@dataclass(frozen=True)
class Explanation:
    structured: float
    text: float
    gave: dict[str, float]  # criterion -> points
    took: dict[str, float]  # deduction -> points
    occupation: str  # "same occupation" | "same unit group" | "same minor group" | "none" | ...
    essential_skills: tuple[SkillMatch, ...] = field(default=())

    @property
    def matched(self) -> tuple[SkillMatch, ...]:
        return tuple(m for m in self.essential_skills if m.kind != "missing")

    @property
    def missing(self) -> tuple[SkillMatch, ...]:
        return tuple(m for m in self.essential_skills if m.kind == "missing")


def concept(esco: EscoGraph, uri: str) -> Concept:
    return Concept(uri, esco.label(uri, "fi"), esco.label(uri, "en"))


def occupation_level(esco: EscoGraph, wishes: tuple[str, ...], occupation: str | None) -> str:
    """How close the posting's occupation is to the closest wish."""
    if occupation is None:
        return "not stated"
    if occupation in wishes:
        return "same occupation"
    unit = esco.unit_group.get(occupation)
    if unit and unit in {esco.unit_group.get(w) for w in wishes}:
        return "same unit group"
    minor = esco.minor_group.get(occupation)
    if minor and minor in {esco.minor_group.get(w) for w in wishes}:
        return "same minor group"
    return "none"


def skill_match(esco: EscoGraph, seeker: SeekerRecord, skill: str) -> SkillMatch:
    """Whether and through what the seeker has one skill (the best way counts)."""
    if skill in seeker.skills:
        return SkillMatch(concept(esco, skill), "exact", 1.0, (concept(esco, skill),))
    parent = esco.skill_parent.get(skill)
    siblings = tuple(s for s in seeker.skills if parent and esco.skill_parent.get(s) == parent)
    occupations = tuple(dict.fromkeys(
        o for o in (*seeker.desired_occupations, *(e.occupation for e in seeker.experience))
        if skill in esco.essential_skills.get(o, ())))
    if siblings or occupations:
        credit = max(SKILL_LEVELS[0] if siblings else 0.0, IMPLIED_SKILL if occupations else 0.0)
        via = tuple(concept(esco, s) for s in (*siblings, *occupations))
        return SkillMatch(concept(esco, skill), "partial", credit, via)
    return SkillMatch(concept(esco, skill), "missing", 0.0)


def explain(index: MatchIndex, esco: EscoGraph, seeker_row: int, posting_row: int, *,
            weights: Weights | None = None) -> Explanation:
    """The reasons of one pair (rows of the index)."""
    weights = weights or load_weights()
    features = index.pair_features([seeker_row], [posting_row])
    structured = float(features.structured(weights)[0])
    gave, took = contributions(features.credits[0], features.applies[0],
                               features.deductions[0], weights)
    return explain_records(index.seekers[seeker_row], index.postings[posting_row], esco,
                           structured=structured, text=float(features.text[0]), gave=gave,
                           took=took)


def explain_records(seeker: SeekerRecord, posting: PostingRecord, esco: EscoGraph, *,
                    structured: float, text: float, gave: dict[str, float],
                    took: dict[str, float]) -> Explanation:
    return Explanation(
        structured=round(structured, 2), text=round(text, 2), gave=gave, took=took,
        occupation=occupation_level(esco, seeker.desired_occupations, posting.occupation),
        essential_skills=tuple(skill_match(esco, seeker, s) for s in posting.essential_skills),
    )


__all__ = ["OCCUPATION_LEVELS", "Concept", "Explanation", "SkillMatch", "explain",
           "explain_records", "occupation_level", "skill_match"]
