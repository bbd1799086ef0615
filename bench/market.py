"""A fast synthetic job market at scale, with each seeker's hidden truth.

``generate_market(seekers=300_000, postings=100_000)`` draws SeekerRecord and
PostingRecord lists straight from the real ESCO pool of the synthetic generator
(synthetic/esco_pool.py, synthetic/sectors.py: sectors, their occupations and weights,
licences, Finnish levels, municipality weights), without going through extracts and
ingest, so the matching benchmark can run at full scale in seconds.

Every seeker has a hidden truth: the sector and the occupation they really want, and
where they can work (home + search area). ``known_fit(truth, posting)`` is the graded
relevance the generator defines:

* 3: the wished occupation, in the area (or remote);
* 2: the same ISCO unit group in the area, or the wished occupation outside it;
* 1: the same sector in the area;
* 0: otherwise.

The profile shows the truth only noisily (a second wish, skills sampled from the
occupation's, a work history partly elsewhere), as real profiles do.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from matchers.esco_graph import EscoGraph
from matchers.records import Experience, PostingRecord, SeekerRecord
from synthetic.esco_pool import EscoPool, Occupation, load_pool
from synthetic.sectors import MUNICIPALITY_WEIGHT, SECTORS

TODAY = date(2026, 11, 1)
CEFR = ("A1", "A2", "B1", "B2", "C1", "C2")


@dataclass(frozen=True, slots=True)
class SeekerTruth:
    sector: str
    occupation: str
    unit_group: str
    area: frozenset[str]


@dataclass
class Market:
    seekers: list[SeekerRecord]
    postings: list[PostingRecord]
    truths: list[SeekerTruth]
    posting_sector: list[str]
    posting_unit: list[str]


def regions_from_codelists(path: Path) -> dict[str, str]:
    """Municipality -> region code from ontology/codelists.ttl (skos:broader)."""
    from rdflib import Graph, URIRef

    graph = Graph().parse(path)
    broader = URIRef("http://www.w3.org/2004/02/skos/core#broader")
    return {str(m).rsplit("/", 1)[-1]: str(r).rsplit("/", 1)[-1]
            for m, r in graph.subject_objects(broader) if "/municipality/" in str(m)}


def esco_graph_from_csv(esco_dir: Path) -> EscoGraph:
    """The EscoGraph of matchers.esco_graph, from the ESCO CSVs (no store needed)."""
    def rows(name: str):
        with (esco_dir / "en" / name).open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle)

    isco = {r["conceptUri"]: r["code"] for r in rows("ISCOGroups_en.csv")}
    broader = []
    for name in ("broaderRelationsOccPillar.csv", "broaderRelationsSkillPillar.csv"):
        for r in rows(name):
            up = r["broaderUri"]
            broader.append((r["conceptUri"], up, isco.get(up), up in isco))
    relations = [(r["occupationUri"], r["skillUri"], r["relationType"] == "essential")
                 for r in rows("occupationSkillRelations.csv")]
    return EscoGraph.from_rows("csv", broader, relations)


def _cumulative(weights: list[float]) -> np.ndarray:
    c = np.cumsum(weights, dtype=float)
    return c / c[-1]


class _Draw:
    def __init__(self, pool: EscoPool, regions: dict[str, str], rng: np.random.Generator):
        self.rng = rng
        self.sectors = [s.key for s in SECTORS]
        self.sector = {s.key: s for s in SECTORS}
        self.seeker_cdf = _cumulative([s.seeker_weight for s in SECTORS])
        self.posting_cdf = _cumulative([s.posting_weight for s in SECTORS])
        self.occupations = {k: pool.by_sector[k][0] for k in self.sectors}
        self.occupation_cdf = {k: np.asarray(pool.by_sector[k][1]) / pool.by_sector[k][1][-1]
                               for k in self.sectors}
        municipalities = sorted(set(MUNICIPALITY_WEIGHT) | set(regions))
        self.municipalities = municipalities
        self.municipality_cdf = _cumulative([MUNICIPALITY_WEIGHT.get(m, 20)
                                             for m in municipalities])
        self.same_region: dict[str, list[str]] = {}
        for m in municipalities:
            self.same_region[m] = [o for o in municipalities
                                   if regions.get(o) and regions.get(o) == regions.get(m)]

    def sector_of(self, cdf: np.ndarray) -> str:
        return self.sectors[int(np.searchsorted(cdf, self.rng.random(), side="right"))
                            if cdf[-1] > 0 else 0]

    def occupation(self, sector: str) -> Occupation:
        i = int(np.searchsorted(self.occupation_cdf[sector], self.rng.random(), side="right"))
        occs = self.occupations[sector]
        return occs[min(i, len(occs) - 1)]

    def municipality(self) -> str:
        i = int(np.searchsorted(self.municipality_cdf, self.rng.random(), side="right"))
        return self.municipalities[min(i, len(self.municipalities) - 1)]

    def sample(self, items: tuple[str, ...], n: int) -> tuple[str, ...]:
        if not items or n <= 0:
            return ()
        n = min(n, len(items))
        return tuple(sorted(items[i] for i in self.rng.choice(len(items), n, replace=False)))


def generate_market(seekers: int = 300_000, postings: int = 100_000, *, seed: int = 1,
                    esco_dir: Path, regions: dict[str, str]) -> Market:
    rng = np.random.default_rng(seed)
    pool = load_pool(esco_dir)
    draw = _Draw(pool, regions, rng)
    unit = {o.uri: o.isco for o in pool.occupations}
    seeker_records, truths = [], []
    for n in range(seekers):
        sector = draw.sector_of(draw.seeker_cdf)
        wish = draw.occupation(sector)
        home = draw.municipality()
        nearby = draw.same_region[home] or [home]
        extra = int(rng.integers(0, 3))
        areas = {home, *(nearby[int(i)] for i in rng.integers(0, len(nearby), extra))}
        wishes = {wish.uri}
        if rng.random() < 0.4:
            wishes.add(draw.occupation(sector).uri)
        if rng.random() < 0.1:
            wishes.add(draw.occupation(draw.sector_of(draw.seeker_cdf)).uri)
        skills = draw.sample(wish.essential, int(rng.integers(2, 7))) + \
            draw.sample(wish.optional, int(rng.integers(0, 4)))
        jobs = []
        end: date | None = None if rng.random() < 0.3 else TODAY - timedelta(
            days=int(rng.integers(30, 2000)))
        for _ in range(int(rng.integers(0, 4))):
            occ = wish if rng.random() < 0.5 else draw.occupation(
                sector if rng.random() < 0.7 else draw.sector_of(draw.seeker_cdf))
            start = (end or TODAY) - timedelta(days=int(rng.integers(90, 1500)))
            jobs.append(Experience(occ.uri, start, end))
            end = start - timedelta(days=int(rng.integers(0, 400)))
        finnish = CEFR[min(5, int(rng.integers(1, 7)) + (rng.random() < 0.7) * 2)]
        languages = {"fi": finnish}
        if rng.random() < 0.6:
            languages["en"] = CEFR[int(rng.integers(1, 6))]
        licences = tuple(sorted({lic for lic, p in draw.sector[sector].licences
                                 if rng.random() < p}))
        seeker_records.append(SeekerRecord(
            profile=f"https://tyodata.fi/id/tyomarkkinatori/profile/B{n:08d}",
            person=f"https://tyodata.fi/id/person/b{n:025d}",
            desired_occupations=tuple(sorted(wishes)), skills=tuple(sorted(set(skills))),
            experience=tuple(jobs), education_level=str(int(rng.choice([2, 3, 3, 3, 6, 7]))),
            languages=languages, licences=licences, municipality=home,
            search_areas=tuple(sorted(areas)),
            working_time=None if rng.random() < 0.3 else (
                "OSA_AIKA" if rng.random() < 0.2 else "KOKOAIKA"),
            contract=None if rng.random() < 0.5 else "VAKINAINEN",
            status="TYOTON" if rng.random() < 0.6 else "LOMAUTETTU",
            seeking_since=TODAY - timedelta(days=int(rng.integers(1, 1500)))))
        truths.append(SeekerTruth(sector, wish.uri, wish.isco, frozenset(areas)))
    posting_records, posting_sector, posting_unit = [], [], []
    for n in range(postings):
        sector = draw.sector_of(draw.posting_cdf)
        occ = draw.occupation(sector)
        spec = draw.sector[sector]
        essential = draw.sample(occ.essential, int(rng.integers(3, 7)))
        optional = tuple(s for s in draw.sample(occ.optional, int(rng.integers(0, 4)))
                         if s not in essential)
        posting_records.append(PostingRecord(
            posting=f"https://tyodata.fi/id/tyomarkkinatori/posting/B{n:08d}",
            identifier=f"B{n:08d}", title=occ.label_fi, occupation=occ.uri,
            essential_skills=essential, optional_skills=optional,
            education_level=None if rng.random() < 0.5 else str(int(rng.choice([3, 6, 7]))),
            languages={"fi": spec.finnish_level[int(rng.integers(0, len(spec.finnish_level)))]},
            licences=tuple(sorted({lic for lic, p in spec.licences if rng.random() < p / 2})),
            municipality=draw.municipality(), remote=bool(rng.random() < 0.03),
            working_time="OSA_AIKA" if rng.random() < spec.part_time else "KOKOAIKA",
            contract="VAKINAINEN" if rng.random() < 0.7 else "MAARAAIKAINEN",
            posted=TODAY - timedelta(days=int(rng.integers(0, 60))),
            valid_through=TODAY + timedelta(days=int(rng.integers(-10, 60)))))
        posting_sector.append(sector)
        posting_unit.append(unit.get(occ.uri, ""))
    return Market(seeker_records, posting_records, truths, posting_sector, posting_unit)


def known_fit(truth: SeekerTruth, posting: PostingRecord, sector: str, unit_group: str) -> int:
    """The generator's graded relevance of a posting for a seeker (0..3)."""
    in_area = posting.remote or posting.municipality in truth.area
    if posting.occupation == truth.occupation:
        return 3 if in_area else 2
    if not in_area:
        return 0
    if unit_group and unit_group == truth.unit_group:
        return 2
    return 1 if sector == truth.sector else 0


def known_fits(market: Market, seeker_row: int) -> np.ndarray:
    """known_fit of every posting for one seeker (vectorised over the postings)."""
    truth = market.truths[seeker_row]
    arrays = _posting_arrays(market)
    in_area = arrays["remote"] | np.isin(arrays["municipality"], list(truth.area))
    same_occ = arrays["occupation"] == truth.occupation
    same_unit = arrays["unit"] == truth.unit_group
    same_sector = arrays["sector"] == truth.sector
    fit = np.where(same_sector & in_area, 1, 0)
    fit = np.where(same_unit & in_area, 2, fit)
    fit = np.where(same_occ, np.where(in_area, 3, 2), fit)
    return fit


_ARRAYS: dict[int, dict[str, np.ndarray]] = {}


def _posting_arrays(market: Market) -> dict[str, np.ndarray]:
    key = id(market)
    if key not in _ARRAYS:
        _ARRAYS.clear()
        _ARRAYS[key] = {
            "remote": np.array([p.remote for p in market.postings]),
            "municipality": np.array([p.municipality or "" for p in market.postings]),
            "occupation": np.array([p.occupation or "" for p in market.postings]),
            "unit": np.array(market.posting_unit), "sector": np.array(market.posting_sector)}
    return _ARRAYS[key]
