"""Synthetic persons and their life histories, written consistently to every source.

One ``PopulationChunk`` builds a slice of the population with its own seeded
random generator. Each person's history is drawn in time order: birth and
migration, home and household, studies, job seeking, sickness and
rehabilitation, benefits, earnings, enforcement and a job-seeker profile, so
that the dates agree across sources:

- every study right has ended (or been interrupted) before the person's first
  job-seeking period starts (self-motivated studies begun later stay ongoing);
- date of entry <= first residence permit <= start of the home municipality;
- sickness-allowance periods end before rehabilitation starts, and a medical
  statement B precedes rehabilitation.

All dates are day ordinals until they are written.
"""

from __future__ import annotations

from bisect import bisect
from datetime import date
from itertools import accumulate

from core import hetu as hetu_codes

from .benefits import BenefitsMixin
from .lifecourse import NO, YEAR, YES, Period, cumulative
from .sectors import (
    FOREIGN_LANGUAGES,
    NATIVE_LANGUAGES,
    PROTECTION_LANGUAGES,
    TEMPORARY_PROTECTION_LANGUAGES,
)
from .seeking import SeekingMixin
from .studies import StudiesMixin
from .world import World, pick
from .writers import ChunkOut

# Codes this module writes, checked against the code lists by ``check_population_codes``.
USED_CODES = {
    "benefit-type": ("TMT", "PPR", "SPR", "KR", "YAT", "PTT", "LL"),
    "decision": ("MYON", "HYL", "VIREILLA"),
    "rejection-reason": (
        "TYOVOIMAPOLIITTINEN",
        "SELVITYS_PUUTTUU",
        "TULOT",
        "MUU",
        "TYOKYKY",
        "EI_ASUMISPERUSTETTA",
    ),
    "rehabilitation-type": (
        "AMMATILLINEN",
        "TYOKOKEILU",
        "TYOHONVALMENNUS",
        "KUNTOUTUSKURSSI",
        "PSYKOTERAPIA",
    ),
    "employment-status": (
        "TYOTON",
        "LOMAUTETTU",
        "LYHENNETTY",
        "PALVELUSSA",
        "TYOSSA",
        "OPISKELIJA",
        "ULKOPUOLELLA",
    ),
    "appointment-status": ("TOTEUTUNUT", "PERUTTU", "EI_SAAPUNUT"),
    "study-right-status": (
        "lasna",
        "loma",
        "valmistunut",
        "eronnut",
        "katsotaaneronneeksi",
        "valiaikaisestikeskeytynyt",
    ),
    "permit-type": ("A", "B", "P", "P-EU"),
    "permit-ground": ("TYO", "PERHE", "OPISKELU", "KANSAINVALINEN_SUOJELU", "TILAPAINEN_SUOJELU"),
    "household-relation": ("PUOLISO", "LAPSI", "VANHEMPI", "MUU"),
    "medical-statement-type": ("A", "B", "C", "E"),
    "enforcement-type": ("ULOSOTTO", "VELKAJARJESTELY"),
    "enforcement-status": ("VIREILLA", "VAHVISTETTU", "PAATTYNYT"),
    "cefr-level": ("A1", "A2", "B1", "B2", "C1", "C2"),
    "working-time": ("KOKOAIKA", "OSA_AIKA"),
    "contract-type": ("VAKINAINEN", "MAARAAIKAINEN"),
}

KIDS_NATIVE = (0.35, 0.2, 0.25, 0.13, 0.05, 0.02)  # probability of 0..5 children

KIDS_FOREIGN = (0.25, 0.15, 0.22, 0.18, 0.12, 0.08)

TEMPORARY_PROTECTION_FROM = date(2022, 3, 4).toordinal()

FOREIGN_LANG_C = cumulative(tuple((code, w) for code, w, _ in FOREIGN_LANGUAGES))

NEEDS_PERMIT = {code: needs for code, _, needs in FOREIGN_LANGUAGES}

NATIVE_LANG_C = cumulative(NATIVE_LANGUAGES)

KIDS_NATIVE_CUM = tuple(accumulate(KIDS_NATIVE))

KIDS_FOREIGN_CUM = tuple(accumulate(KIDS_FOREIGN))


def check_population_codes(world: World) -> None:
    for codelist, codes in USED_CODES.items():
        world.contract.codelists.require(codelist, codes)


class PopulationChunk(StudiesMixin, SeekingMixin, BenefitsMixin):
    """Persons ``first .. first+count-1`` of the population, written into a ``ChunkOut``."""

    def __init__(self, world: World, chunk: int, first: int, count: int) -> None:
        super().__init__(world, chunk)
        self.first = first
        self.count = count

    def run(self) -> ChunkOut:
        for index in range(self.first, self.first + self.count):
            self.person(index)
        return self.out

    def person(self, index: int) -> None:
        w, r, today = self.w, self.rng.random, self.today
        born, individual = w.slot(index)
        born_d = date.fromordinal(born)
        code = hetu_codes.make(born_d, individual)
        male = individual % 2 == 1
        age = (
            w.as_of.year - born_d.year - ((w.as_of.month, w.as_of.day) < (born_d.month, born_d.day))
        )
        adult = born + 18 * YEAR + 4

        foreign = r() < 0.15
        if foreign:
            mother = pick(r, *FOREIGN_LANG_C)
            service = "en" if (mother == "en" or r() < 0.18) else "fi"
        else:
            mother = pick(r, *NATIVE_LANG_C)
            service = mother

        # migration: entry <= first permit <= start of the home municipality
        entry = settled = born
        permits: list[tuple[str, str, int, int | None, bool]] = []
        if foreign:
            years_in = 0.4 + 24 * r() ** 1.7
            entry = max(born + 60, today - int(years_in * YEAR))
            settled = entry
            if NEEDS_PERMIT[mother]:
                permits = self._permits(entry, born, mother)
                settled = permits[0][2]

        municipality = pick(r, w.municipalities, w.municipality_cum)
        if foreign:
            home_from: int | None = self._between(settled, max(settled, today - 30))
        elif r() < 0.2:
            home_from = born
        elif r() < 0.03:
            home_from = None
        else:
            lo = max(born + 18 * YEAR, today - 25 * YEAR)
            home_from = lo + int(max(0, today - 30 - lo) * r() ** 0.7)

        members, kids = self._household(born_d.year, age, foreign)
        partner = any(rel == "PUOLISO" for rel, _ in members)

        sector = w.sectors[
            pick(r, range(len(w.sectors)), w.foreign_cum if foreign else w.seeker_cum)
        ]
        p_seek = 0.05 if age >= 65 else (0.5 if foreign else 0.33)
        seeker = r() < p_seek
        former = not seeker and 20 <= age <= 64 and r() < 0.12
        rights = self._studies(born, age, foreign, settled, sector)

        periods: list[Period] = []
        if seeker or former:
            periods = self._job_seeking(rights, adult, settled, current=seeker)
        seeker = bool(periods) and periods[-1].end is None
        if seeker and today - periods[0].start > YEAR and r() < 0.04:
            self._self_motivated_study(rights, periods[0].start, sector)

        work_from = max(adult, settled)
        sick = self._sickness(seeker, age, work_from)
        sick_days = sum(paid for _, _, paid in sick)
        rehabs = self._rehabilitation(sick, sick_days)

        self._vtj(code, municipality, home_from, mother, service, members)
        if permits:
            self._migri(code, permits, entry)
        if rights:
            self._koski(code, born_d, male, mother, rights)
        if periods:
            self._employment_services(code, municipality, periods, sick_days)
            self._earnings(code, sector, periods, sick, rehabs, work_from)
        self._benefits(
            code,
            periods,
            age,
            foreign,
            entry,
            settled,
            rights,
            kids,
            male and partner,
            sick,
            rehabs,
            seeker,
        )
        if sick:
            self._sickness_rows(code, sick)
            self._statements(code, sick, rehabs)
        if rehabs:
            self._rehab_rows(code, rehabs)
        if r() < (0.14 if seeker else 0.06):
            self._enforcement(code, work_from)
        if seeker and r() < 0.75:
            self._profile(
                code,
                sector,
                municipality,
                periods[-1],
                rights,
                mother,
                foreign,
                entry,
                adult,
                bool(sick),
            )

    def _permits(
        self, entry: int, born: int, mother: str
    ) -> list[tuple[str, str, int, int | None, bool]]:
        """(type, ground, start, valid until, pending extension) from the first permit on."""
        r, today = self.rng.random, self.today
        child = entry - born < 18 * YEAR
        if child:
            ground = "PERHE"
        elif mother in TEMPORARY_PROTECTION_LANGUAGES and entry >= TEMPORARY_PROTECTION_FROM:
            ground = "TILAPAINEN_SUOJELU"
        elif mother in PROTECTION_LANGUAGES:
            ground = pick(
                r, ("KANSAINVALINEN_SUOJELU", "PERHE", "TYO", "OPISKELU"), (0.5, 0.85, 0.95, 1.0)
            )
        else:
            ground = pick(
                r, ("TYO", "PERHE", "OPISKELU", "KANSAINVALINEN_SUOJELU"), (0.4, 0.75, 0.95, 1.0)
            )
        if ground == "KANSAINVALINEN_SUOJELU":
            start = entry + self._between(90, 600)
            kind = "A" if r() < 0.7 else "B"
        elif ground == "TILAPAINEN_SUOJELU":
            start, kind = entry + self._between(3, 30), "B"
        elif ground == "OPISKELU":
            start, kind = entry + self._between(0, 14), "B"
        else:
            start = entry + self._between(0, 14)
            kind = "A" if (ground == "PERHE" or r() < 0.6) else "B"
        start = min(start, max(entry, today - 20))

        rows: list[tuple[str, str, int, int | None, bool]] = []
        a_since: int | None = start if kind == "A" else None
        while True:
            if kind in ("P", "P-EU"):
                rows.append((kind, ground, start, None, False))
                if kind == "P" and start < today - 5 * YEAR and r() < 0.3:
                    start, kind = start + 5 * YEAR, "P-EU"
                    continue
                return rows
            if kind == "B" and ground == "TILAPAINEN_SUOJELU":
                d = date.fromordinal(start)
                end = date(d.year + (d.month >= 3), 3, 4).toordinal()
                if end - start < 120:
                    end = date(d.year + 1 + (d.month >= 3), 3, 4).toordinal()
            elif kind == "B":
                end = start + self._between(300, 730)
            else:
                end = start + YEAR * self._between(1, 4) - 1
            if end >= today + 90:
                rows.append((kind, ground, start, end, False))
                return rows
            if end >= today - 1 or end < today - 1 and end >= today - 120 and r() < 0.6:
                rows.append((kind, ground, start, end, end < today or r() < 0.5))
                return rows
            rows.append((kind, ground, start, end, False))
            start = end + 1
            if kind == "A" and a_since is not None and start - a_since >= 4 * YEAR:
                kind = "P"
            elif kind == "B" and ground in ("OPISKELU", "TYO"):
                kind, ground = "A", "TYO"
                a_since = start
            elif kind == "B" and ground == "KANSAINVALINEN_SUOJELU" and r() < 0.5:
                kind = "A"
                a_since = start

    def _migri(self, code: str, permits: list, entry: int) -> None:
        f = self.fmt["migri"]
        for n, (kind, ground, start, end, pending) in enumerate(permits):
            self.out.add(
                "migri",
                "oleskeluluvat.csv",
                {
                    "lupa_id": self.ids("OL"),
                    "hetu": code,
                    "lupatyyppi": kind,
                    "lupaperuste": ground,
                    "alkupvm": f(start),
                    "voimassa_asti": f(end) if end is not None else "",
                    "ensimmainen_lupa": YES if n == 0 else NO,
                    "jatkohakemus_vireilla": YES if pending else NO,
                    "maahantulopvm": f(entry),
                },
            )

    def _household(
        self, born_year: int, age: int, foreign: bool
    ) -> tuple[list[tuple[str, int]], list[int]]:
        """Other members of the person's household, and the birth years of their children."""
        r, year = self.rng.random, self.year
        members: list[tuple[str, int]] = []
        kids: list[int] = []
        if age < 26 and r() < 0.4:
            for _ in range(1 + (r() < 0.7)):
                members.append(("VANHEMPI", born_year - self._between(20, 40)))
            for _ in range(int(r() * 2.5)):
                members.append(("MUU", min(year, born_year + self._between(-8, 8))))
            return members, kids
        if r() < (0.25 if age < 26 else 0.55 if age < 60 else 0.6):
            members.append(("PUOLISO", born_year + self._between(-6, 6)))
        lo, hi = max(born_year + 20, year - 19), min(born_year + 44, year)
        if lo <= hi:
            cum = KIDS_FOREIGN_CUM if foreign else KIDS_NATIVE_CUM
            for _ in range(min(bisect(cum, r()), len(cum) - 1)):
                kid = self._between(lo, hi)
                kids.append(kid)
                members.append(("LAPSI", kid))
        return members, kids

    def _vtj(
        self,
        code: str,
        municipality: str,
        home_from: int | None,
        mother: str,
        service: str,
        members: list[tuple[str, int]],
    ) -> None:
        f = self.fmt["vtj"]
        self.out.add(
            "vtj",
            "henkilot.csv",
            {
                "hetu": code,
                "kotikunta": municipality,
                "kotikunta_alkaen": f(home_from) if home_from is not None else "",
                "aidinkieli": mother,
                "asiointikieli": service,
                "asuntokunta_koko": str(min(30, 1 + len(members))),
            },
        )
        for relation, year in members:
            self.out.add(
                "vtj",
                "asuntokunnan_jasenet.csv",
                {
                    "jasen_id": self.ids("JA"),
                    "hetu": code,
                    "suhde": relation,
                    "syntymavuosi": str(year),
                },
            )

    def _enforcement(self, code: str, lo: int) -> None:
        r, today, f = self.rng.random, self.today, self.fmt["ulosotto"]
        for _ in range(1 + (r() < 0.3) + (r() < 0.1)):
            end: int | None = None
            if r() < 0.12:
                kind = "VELKAJARJESTELY"
                start = max(lo, today - self._between(30, 3000))
                if today - start < 300 and r() < 0.6:
                    status = "VIREILLA"
                else:
                    end = start + YEAR * self._between(3, 5)
                    status = "PAATTYNYT" if end < today else "VAHVISTETTU"
            else:
                kind = "ULOSOTTO"
                start = min(today - 1, max(lo, today - self._between(10, 2900)))
                if start < today - 60 and r() < 0.5:
                    status, end = "PAATTYNYT", min(today - 1, start + self._between(30, 1200))
                else:
                    status = "VIREILLA"
            self.out.add(
                "ulosotto",
                "asiat.csv",
                {
                    "asia_id": self.ids("UO"),
                    "hetu": code,
                    "asiatyyppi": kind,
                    "alkupvm": f(start),
                    "loppupvm": f(end) if end is not None else "",
                    "tila": status,
                },
            )
