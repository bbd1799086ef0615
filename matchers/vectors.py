"""Seekers and postings as sparse vectors: a pair's structured criteria are dot products.

Every feature belongs to one *block*, a criterion or a deduction of criteria.py. The
credit of criterion c for a pair is the dot product of the seeker's and the posting's
block-c features, so one sparse product scores a seeker against every posting (and
back), exactly. The seeker side carries the credit, the posting side what it asks for
(divided by how many things it asks, so a criterion's credit is a share in [0, 1]).

Credits (documented here; the weights are in weights.toml):

* occupation: 1.0 for a wished occupation, 0.6 for one in the same ISCO unit group as a
  wish, 0.3 in the same minor group; the best wish counts (MAX, not sum).
* essential / optional skills: per skill the posting asks, 1.0 if the seeker has it, 0.5
  if the seeker has a skill under the same broader skill (ESCO skill hierarchy, primary
  parent) or the skill is an essential skill of an occupation the seeker wishes or has
  worked in (occupation-skill relations); the best of these counts (MAX); the criterion's
  credit is the mean over the posting's skills.
* experience: the best job on the posting's occupation (1.0), its unit group (0.6) or
  minor group (0.3), times the job's recency: 0.5 ** (years since it ended / 5) (an
  ongoing job: 1), and 0.8 for every job but the most recent one.
* education: 1 if the seeker's level (code 1..8) is at least the posting's.
* languages: the share of the posting's (language, CEFR level) requirements met at that
  level or above (A1 < A2 < B1 < B2 < C1 < C2).
* licences: the share of required licences and cards held.
* location: 1.0 if the posting's municipality is in the seeker's search area or home
  municipality, 0.5 if in the same region (maakunta) as one of them, 1.0 if remote.
* working time, contract: 1 if as wished (no wish: anything is as wished).

Deductions: language_mismatch is the share of language requirements not met,
education_mismatch 1 when the level is below the one asked, location_mismatch 1 when
neither search area nor region matches and the job is not remote. They are encoded as
a constant 1 minus the met indicator (the seeker carries the constant and the indicators).

MAX over hierarchy levels is a dot product because the levels nest: every concept has
one chain of ancestors (minor group > unit group > occupation; broader skill > skill;
region > municipality). The seeker stores, at each node of a chain, how much the best
credit at that level exceeds the best credit at its parent (``_nested``), and the
posting puts a 1 on every node of its chain: the dot product telescopes to the MAX.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np

from matchers.criteria import CRITERIA, DEDUCTIONS
from matchers.esco_graph import EscoGraph
from matchers.records import PostingRecord, SeekerRecord

BLOCKS: tuple[str, ...] = CRITERIA + DEDUCTIONS
BLOCK = {name: i for i, name in enumerate(BLOCKS)}
OCCUPATION_LEVELS = (0.3, 0.6, 1.0)  # minor group, unit group, occupation
SKILL_LEVELS = (0.5, 1.0)  # broader skill, the skill itself
IMPLIED_SKILL = 0.5  # an essential skill of an occupation the seeker wishes or worked in
LOCATION_LEVELS = (0.5, 1.0)  # region, municipality
RECENCY_HALF_LIFE_YEARS = 5.0
EARLIER_JOB = 0.8
CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")
CEFR_RANK = {level: i + 1 for i, level in enumerate(CEFR)}
EDUCATION_LEVELS = tuple(str(n) for n in range(1, 9))

Key = tuple  # (block index, feature name...)
Features = dict[Key, float]


def _occupation_chain(esco: EscoGraph, occupation: str) -> list[tuple[str, ...]]:
    chain: list[tuple[str, ...]] = []
    if occupation in esco.minor_group:
        chain += [("isco", esco.minor_group[occupation]), ("isco", esco.unit_group[occupation])]
    return [*chain, ("occ", occupation)]


def _skill_chain(esco: EscoGraph, skill: str) -> list[tuple[str, ...]]:
    parent = esco.skill_parent.get(skill)
    return ([("skill-parent", parent)] if parent else []) + [("skill", skill)]


def _location_chain(regions: Mapping[str, str], municipality: str) -> list[tuple[str, ...]]:
    region = regions.get(municipality)
    return ([("region", region)] if region else []) + [("municipality", municipality)]


def _levels(chain: list[tuple[str, ...]], levels: tuple[float, ...]) -> list[float]:
    """The level credits of a chain (the deepest level is the concept itself)."""
    return list(levels[len(levels) - len(chain):])


def _nested(block: str, items: Iterable[tuple[list[tuple[str, ...]], list[float]]]
            ) -> Features:
    """Seeker features whose dot product with a posting's chain is the best credit."""
    best: dict[tuple[str, ...], float] = {}
    parent: dict[tuple[str, ...], tuple[str, ...] | None] = {}
    for chain, credits in items:
        for depth, (node, credit) in enumerate(zip(chain, credits, strict=True)):
            best[node] = max(best.get(node, 0.0), credit)
            parent[node] = chain[depth - 1] if depth else None
    cumulative: dict[tuple[str, ...], float] = {}

    def level(node: tuple[str, ...]) -> float:
        if node not in cumulative:
            up = parent[node]
            cumulative[node] = max(best[node], level(up) if up else 0.0)
        return cumulative[node]

    b = BLOCK[block]
    features: Features = {}
    for node in best:
        up = parent[node]
        gain = level(node) - (level(up) if up else 0.0)
        if gain > 0:
            features[(b, *node)] = gain
    return features


def recency(experience_end: date | None, today: date) -> float:
    """How much a job counts by how long ago it ended (an ongoing job: 1)."""
    if experience_end is None or experience_end >= today:
        return 1.0
    years = (today - experience_end).days / 365.25
    return float(0.5 ** (years / RECENCY_HALF_LIFE_YEARS))


def _cefr(level: str | None) -> int:
    return CEFR_RANK.get((level or "").upper(), 0)


def _education(level: str | None) -> int:
    return int(level) if level in EDUCATION_LEVELS else 0


def seeker_features(seeker: SeekerRecord, esco: EscoGraph, regions: Mapping[str, str],
                    today: date) -> Features:
    """The seeker side: credits per block (see the module docstring)."""
    f: Features = {}
    f.update(_nested("occupation", (
        (chain := _occupation_chain(esco, o), _levels(chain, OCCUPATION_LEVELS))
        for o in seeker.desired_occupations)))
    jobs = sorted(seeker.experience, key=lambda e: e.end or date.max, reverse=True)
    f.update(_nested("experience", (
        (chain := _occupation_chain(esco, e.occupation),
         [c * recency(e.end, today) * (1.0 if i == 0 else EARLIER_JOB)
          for c in _levels(chain, OCCUPATION_LEVELS)])
        for i, e in enumerate(jobs))))
    held = set(seeker.skills)
    implied = {s for o in (*seeker.desired_occupations, *(e.occupation for e in jobs))
               for s in esco.essential_skills.get(o, ())} - held
    skill_items = [(chain := _skill_chain(esco, s), _levels(chain, SKILL_LEVELS)) for s in held]
    skill_items += [(chain := _skill_chain(esco, s), [IMPLIED_SKILL] * len(chain))
                    for s in implied]
    for block in ("essential_skills", "optional_skills"):
        f.update(_nested(block, skill_items))
    education = _education(seeker.education_level)
    for level in EDUCATION_LEVELS[:education]:
        f[(BLOCK["education"], level)] = 1.0
        f[(BLOCK["education_mismatch"], level)] = 1.0
    f[(BLOCK["education_mismatch"], "const")] = 1.0
    for language, level in seeker.languages.items():
        for rank in CEFR[:_cefr(level)]:
            f[(BLOCK["languages"], language, rank)] = 1.0
            f[(BLOCK["language_mismatch"], language, rank)] = 1.0
    f[(BLOCK["language_mismatch"], "const")] = 1.0
    for licence in seeker.licences:
        f[(BLOCK["licences"], licence)] = 1.0
    areas = {*seeker.search_areas, *([seeker.municipality] if seeker.municipality else [])}
    f.update(_nested("location", (
        (chain := _location_chain(regions, a), _levels(chain, LOCATION_LEVELS))
        for a in areas)))
    f[(BLOCK["location"], "remote")] = 1.0
    f[(BLOCK["location_mismatch"], "const")] = 1.0
    for a in areas:  # the top of each area's chain: its region, else itself
        f[(BLOCK["location_mismatch"], *_location_chain(regions, a)[0])] = 1.0
    for block, wish, options in (("working_time", seeker.working_time, ("KOKOAIKA", "OSA_AIKA")),
                                 ("contract", seeker.contract, ("VAKINAINEN", "MAARAAIKAINEN"))):
        for option in ([wish] if wish else options):
            f[(BLOCK[block], option)] = 1.0
    return f


def posting_features(posting: PostingRecord, esco: EscoGraph, regions: Mapping[str, str]
                     ) -> Features:
    """The posting side: what it asks, each block summing to 1 over its requirements."""
    f: Features = {}
    if posting.occupation:
        for block in ("occupation", "experience"):
            for node in _occupation_chain(esco, posting.occupation):
                f[(BLOCK[block], *node)] = 1.0
    for block, skills in (("essential_skills", posting.essential_skills),
                          ("optional_skills", posting.optional_skills)):
        for skill in skills:
            for node in _skill_chain(esco, skill):
                key = (BLOCK[block], *node)
                f[key] = f.get(key, 0.0) + 1.0 / len(skills)
    education = _education(posting.education_level)
    if education:
        level = EDUCATION_LEVELS[education - 1]
        f[(BLOCK["education"], level)] = 1.0
        f[(BLOCK["education_mismatch"], "const")] = 1.0
        f[(BLOCK["education_mismatch"], level)] = -1.0
    required = {lang: lvl for lang, lvl in posting.languages.items() if _cefr(lvl) or lvl == ""}
    if required:
        f[(BLOCK["language_mismatch"], "const")] = 1.0
        for language, level in required.items():
            rank = CEFR[max(_cefr(level), 1) - 1]
            f[(BLOCK["languages"], language, rank)] = 1.0 / len(required)
            f[(BLOCK["language_mismatch"], language, rank)] = -1.0 / len(required)
    for licence in posting.licences:
        f[(BLOCK["licences"], licence)] = 1.0 / len(posting.licences)
    if posting.remote:
        f[(BLOCK["location"], "remote")] = 1.0
    elif posting.municipality:
        chain = _location_chain(regions, posting.municipality)
        for node in chain:
            f[(BLOCK["location"], *node)] = 1.0
        f[(BLOCK["location_mismatch"], "const")] = 1.0
        f[(BLOCK["location_mismatch"], *chain[0])] = -1.0
    for block, value in (("working_time", posting.working_time), ("contract", posting.contract)):
        if value:
            f[(BLOCK[block], value)] = 1.0
    return f


def posting_applies(posting: PostingRecord) -> np.ndarray:
    """Which criteria the posting states (a criterion counts only where it does)."""
    states = {
        "occupation": posting.occupation is not None,
        "essential_skills": bool(posting.essential_skills),
        "optional_skills": bool(posting.optional_skills),
        "experience": posting.occupation is not None,
        "education": _education(posting.education_level) > 0,
        "languages": bool(posting.languages),
        "licences": bool(posting.licences),
        "location": posting.remote or posting.municipality is not None,
        "working_time": posting.working_time is not None,
        "contract": posting.contract is not None,
    }
    return np.array([float(states[c]) for c in CRITERIA])
