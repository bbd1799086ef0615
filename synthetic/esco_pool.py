"""The ESCO occupations and skills the synthetic job market uses.

Reads the official ESCO v1.1.1 CSV files from a folder given by the caller
(never copied into the repository) and keeps the occupations of the sectors in
``sectors.py``, each with its real essential and optional skills and the
Finnish labels.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

from .errors import EscoFileMissingError
from .sectors import SECTORS

OCCUPATIONS_EN = Path("en/occupations_en.csv")
RELATIONS = Path("en/occupationSkillRelations.csv")
SKILLS_EN = Path("en/skills_en.csv")
OCCUPATIONS_FI = Path("fi/occupations_fi.csv")
SKILLS_FI = Path("fi/skills_fi.csv")
ESCO_FILES = (OCCUPATIONS_EN, RELATIONS, SKILLS_EN, OCCUPATIONS_FI, SKILLS_FI)

MIN_ESSENTIAL_SKILLS = 3
HEADLINE_WEIGHT = 12.0
NICHE_WEIGHT = 0.5  # "myyjä, aseet ja ammukset": specialised variants are posted less
LOW_GROUP_WEIGHT = 0.2


@dataclass(frozen=True)
class Occupation:
    uri: str
    label_fi: str
    label_en: str
    isco: str
    sector: str
    essential: tuple[str, ...]
    optional: tuple[str, ...]


@dataclass(frozen=True)
class EscoPool:
    occupations: tuple[Occupation, ...]
    by_sector: dict[str, tuple[tuple[Occupation, ...], tuple[float, ...]]]  # cumulative weights
    skill_label_fi: dict[str, str]

    def by_label_en(self, label: str) -> Occupation:
        for occ in self.occupations:
            if occ.label_en == label:
                return occ
        raise KeyError(f"ESCO occupation {label!r} is not in the generator's pool")


def _read(esco_dir: Path, rel: Path) -> list[dict[str, str]]:
    path = esco_dir / rel
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def check_files(esco_dir: Path) -> None:
    for rel in ESCO_FILES:
        if not (esco_dir / rel).is_file():
            raise EscoFileMissingError(esco_dir / rel)


def load_pool(esco_dir: Path) -> EscoPool:
    """Read ESCO from ``esco_dir`` and build the pool.

    :raises EscoFileMissingError: when one of the five CSV files is missing.
    """
    esco_dir = Path(esco_dir)
    check_files(esco_dir)
    sector_of_group = {g: s.key for s in SECTORS for g in s.isco_groups}
    headline = {s.key: set(s.headline) for s in SECTORS}
    low_groups = {g for s in SECTORS for g in s.low_weight_groups}

    label_fi = {
        r["conceptUri"]: r["preferredLabel_fi"].strip() for r in _read(esco_dir, OCCUPATIONS_FI)
    }
    candidates: dict[str, tuple[str, str, str]] = {}
    for r in _read(esco_dir, OCCUPATIONS_EN):
        group = r["iscoGroup"]
        uri = r["conceptUri"]
        if group in sector_of_group and label_fi.get(uri):
            candidates[uri] = (r["preferredLabel"].strip(), group, sector_of_group[group])

    known_skills = {r["conceptUri"] for r in _read(esco_dir, SKILLS_EN)}
    essential: dict[str, list[str]] = {u: [] for u in candidates}
    optional: dict[str, list[str]] = {u: [] for u in candidates}
    with (esco_dir / RELATIONS).open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            occ_uri = r["occupationUri"]
            if occ_uri in candidates and r["skillUri"] in known_skills:
                target = essential if r["relationType"] == "essential" else optional
                target[occ_uri].append(r["skillUri"])

    occupations: list[Occupation] = []
    weights: dict[str, float] = {}
    for uri in sorted(candidates):
        label_en, group, sector = candidates[uri]
        if len(essential[uri]) < MIN_ESSENTIAL_SKILLS:
            continue
        occ = Occupation(
            uri, label_fi[uri], label_en, group, sector, tuple(essential[uri]), tuple(optional[uri])
        )
        occupations.append(occ)
        weight = 1.0
        if label_en in headline[sector]:
            weight = HEADLINE_WEIGHT
        elif "," in occ.label_fi:
            weight = NICHE_WEIGHT
        if group in low_groups and label_en not in headline[sector]:
            weight *= LOW_GROUP_WEIGHT
        weights[uri] = weight

    by_sector: dict[str, tuple[tuple[Occupation, ...], tuple[float, ...]]] = {}
    for s in SECTORS:
        occs = tuple(o for o in occupations if o.sector == s.key)
        if not occs:
            raise ValueError(f"no ESCO occupations found for sector {s.key}")
        by_sector[s.key] = (occs, tuple(accumulate(weights[o.uri] for o in occs)))

    used = {u for o in occupations for u in (*o.essential, *o.optional)}
    skill_fi = {}
    for r in _read(esco_dir, SKILLS_FI):
        if r["conceptUri"] in used and r["preferredLabel_fi"].strip():
            skill_fi[r["conceptUri"]] = r["preferredLabel_fi"].strip()
    return EscoPool(tuple(occupations), by_sector, skill_fi)
