"""Persons entering employment services in the cohort window, written from drawn histories.

A ``CohortChunk`` draws its persons' histories with ``forecast_cohort.draw_cohort`` and writes
each person wholly, in every source, dated so that the contract's measurement gives back
exactly the drawn features (tests check it):

- the population register: a person whose identity code's birth year fits the drawn age at
  entry, mother tongue fi / sv / another language (with migration facts when it needs them);
- an entry job-seeking period starting at E in the cohort window, earlier periods that ended
  in [E - 730, E) (``employment_spells_ended``: each return to job seeking follows a job that
  ended), and for some an older period or a later one outside every counted window;
- appointments, with ``missed_appointments`` no-shows in [E, I) and ordinary ones elsewhere;
- sickness-allowance periods starting in B = [I - 730, I), paid ``sickness_days`` in all,
  rehabilitation after them, doctor's (B) and other (A, C, E) statements in B;
- Koski study rights interrupted in [E - 730, E), before any job seeking;
- Kela decisions (unemployment benefit with or without a labour market subsidy overlapping B,
  sickness and rehabilitation allowances) and annual earnings (``annual_earnings`` in the year
  before E);
- a job-seeker profile, a household and enforcement like anyone else's.

The consistency rules of the population hold: studies end before the first job-seeking
period, sickness allowance ends before rehabilitation starts and a statement B precedes it,
date of entry <= first permit <= home municipality.
"""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from core import hetu as hetu_codes

from .benefits import PPR_CALENDAR_DAYS, REHAB_C, REHAB_LENGTH, REHAB_WITH_ALLOWANCE
from .cohort_measure import INDEX_DAYS, LOOKBACK_DAYS, MAX_AGE, MIN_AGE, Window
from .errors import GeneratorError
from .forecast_cohort import CohortPerson, age_weight, draw_cohort
from .lifecourse import EARNINGS_YEARS, NO, YEAR, YES, Period, StudyRight
from .population import FOREIGN_LANG_C, NEEDS_PERMIT, PopulationChunk
from .sectors import GENERAL_UPPER_SECONDARY, Sector
from .seeking import CLOSED_STATUS_C, CURRENT_STATUS_C
from .world import World, pick
from .writers import ChunkOut

INTERRUPTED_STATUS = (
    ("eronnut", 0.4),
    ("katsotaaneronneeksi", 0.3),
    ("valiaikaisestikeskeytynyt", 0.3),
)
_AGE_WEIGHT = {age: age_weight(age) for age in range(MIN_AGE, MAX_AGE + 1)}


def slot_span(count: int) -> int:
    """Identity-code slots a cohort chunk of ``count`` persons may scan (disjoint per chunk)."""
    return 4 * count + 200


class CohortChunk(PopulationChunk):
    """``count`` cohort persons with identity codes from the slots ``first_slot`` onwards."""

    def __init__(self, world: World, chunk: int, first_slot: int, count: int) -> None:
        super().__init__(world, chunk, first_slot, count)
        self.rng = random.Random(f"{world.seed}:cohort:{chunk}")
        self.window = Window.of(world.as_of)
        self.drawn: dict[str, CohortPerson] = {}  # identity code -> the history drawn

    def run(self) -> ChunkOut:
        persons = self._pick_slots()
        ages = np.array([age for _, _, _, age in persons], dtype=np.int64)
        cohort = draw_cohort(len(persons), seed=numpy_seed(self.w.seed, self.chunk), age=ages)
        for i, (born, individual, entry, _) in enumerate(persons):
            self.cohort_person(born, individual, entry, cohort.person(i))
        return self.out

    def _pick_slots(self) -> list[tuple[int, int, int, int]]:
        """(birth ordinal, individual number, E, age at E) of each person: a slot is kept
        when an entry date drawn in the window gives an age the age distribution favours."""
        r, w, window = self.rng.random, self.w, self.window
        picked: list[tuple[int, int, int, int]] = []
        for index in range(self.first, self.first + slot_span(self.count)):
            if len(picked) == self.count:
                return picked
            born, individual = w.slot(index)
            entry = window.lo + int(r() * (window.hi - window.lo))
            age = date.fromordinal(entry).year - date.fromordinal(born).year
            if MIN_AGE <= age <= MAX_AGE and r() < _AGE_WEIGHT[age]:
                picked.append((born, individual, entry, age))
        if len(picked) < self.count:
            raise GeneratorError("the cohort ran out of identity codes; use fewer persons")
        return picked

    # ------------------------------------------------------------------ one person
    def cohort_person(self, born: int, individual: int, entry: int, h: CohortPerson) -> None:
        w, r, today, between = self.w, self.rng.random, self.today, self._between
        born_d = date.fromordinal(born)
        code = hetu_codes.make(born_d, individual)
        self.drawn[code] = h
        male = individual % 2 == 1
        index = entry + INDEX_DAYS
        b_lo = index - LOOKBACK_DAYS
        age_now = (
            w.as_of.year - born_d.year - ((w.as_of.month, w.as_of.day) < (born_d.month, born_d.day))
        )

        foreign = h.language == "other"
        if foreign:
            mother = pick(r, *FOREIGN_LANG_C)
            service = "en" if (mother == "en" or r() < 0.18) else "fi"
        else:
            mother = h.language
            service = mother
        entry_fi = settled = born
        permits: list[tuple[str, str, int, int | None, bool]] = []
        if foreign:  # in Finland well before the two years that count
            latest = max(born + 60, entry - LOOKBACK_DAYS - 700)
            entry_fi = between(max(born + 60, latest - 18 * YEAR), latest)
            settled = entry_fi
            if NEEDS_PERMIT[mother]:
                permits = self._permits(entry_fi, born, mother)
                settled = permits[0][2]
        municipality = pick(r, w.municipalities, w.municipality_cum)
        if foreign:
            home_from: int | None = between(settled, max(settled, today - 30))
        elif r() < 0.2:
            home_from = born
        else:
            lo = max(born + 18 * YEAR, today - 25 * YEAR)
            home_from = lo + int(max(0, today - 30 - lo) * r() ** 0.7)
        members, _ = self._household(born_d.year, age_now, foreign)
        sector = w.sectors[
            pick(r, range(len(w.sectors)), w.foreign_cum if foreign else w.seeker_cum)
        ]
        earliest = max(born + 15 * YEAR, settled + 30)

        # Interrupted studies first, then the ended spells, then the entry period.
        split = entry - LOOKBACK_DAYS
        if h.interrupted_studies and h.employment_spells_ended:
            split += int(LOOKBACK_DAYS * (0.15 + 0.35 * r()))
        elif h.interrupted_studies:
            split = entry - 30
        rights = self._interrupted(
            h.interrupted_studies, entry - LOOKBACK_DAYS, split, earliest, sector, h.age
        )
        studied_until = max((sr.last_change for sr in rights), default=earliest)
        periods = self._spells(h.employment_spells_ended, entry, split, studied_until)
        if not rights and not h.employment_spells_ended and r() < 0.3:
            older = self._older_period(max(earliest, born + 17 * YEAR), entry - LOOKBACK_DAYS - 1)
            if older:
                periods.insert(0, older)
        current = self._entry_periods(entry, periods)
        first_seeking = periods[0].start
        if not foreign and age_now <= 46:
            before = min([first_seeking, *(sr.start for sr in rights)])
            self._youth_study(rights, born, sector, before)

        sick = self._cohort_sickness(h, b_lo, index)
        rehabs = self._cohort_rehabilitation(h, sick, index)

        self._vtj(code, municipality, home_from, mother, service, members)
        if permits:
            self._migri(code, permits, entry_fi)
        if rights:
            self._koski(code, born_d, male, mother, rights)
        self._seeking_rows(code, municipality, periods, entry, h.missed_appointments, bool(sick))
        self._unemployment_benefits(code, periods, entry, h.labour_market_subsidy)
        self._cohort_earnings(code, entry, h.annual_earnings)
        if sick:
            self._sickness_rows(code, sick)
            self._sickness_decisions(code, sick)
        self._cohort_statements(code, h, sick, rehabs, b_lo, index)
        if rehabs:
            self._rehab_rows(code, rehabs)
            self._rehab_decisions(code, rehabs)
        if r() < 0.1:
            self._enforcement(code, max(born + 18 * YEAR, settled))
        if current is not None and r() < 0.75:
            self._profile(
                code, sector, municipality, current, rights, mother, foreign, entry_fi,
                born + 18 * YEAR + 4, bool(sick),
            )  # fmt: skip

    # ------------------------------------------------------------------ studies
    def _interrupted(
        self, n: int, lo: int, hi: int, earliest: int, sector: Sector, age: int
    ) -> list[StudyRight]:
        """``n`` study rights whose final status (interrupted or resigned) is dated in
        [lo, hi), each begun after ``earliest``."""
        r, between = self.rng.random, self._between
        rights = []
        lo = max(lo, earliest + 31)
        for when in sorted(between(lo, hi - 1) for _ in range(n)):
            roll = r()
            if age < 25:
                level = "vocational" if roll < 0.8 else "general"
            else:
                level = "vocational" if roll < 0.6 else "higher"
            if level == "general":
                qualification = GENERAL_UPPER_SECONDARY[0]
            elif level == "higher":
                qualification = self.rng.choice(sector.higher or ("621101",))
            else:
                qualification = self._vocational(sector)
            start = max(earliest, when - between(120, 900))
            status = pick(r, *_INTERRUPTED_C)
            end = None if status == "valiaikaisestikeskeytynyt" else when
            rights.append(StudyRight(level, qualification, start, end, status, when))
        return rights

    def _youth_study(
        self, rights: list[StudyRight], born: int, sector: Sector, before: int
    ) -> None:
        """A qualification completed in youth, when it ends before ``before``."""
        r = self.rng.random
        if r() >= 0.65:
            return
        start = self.jan1[date.fromordinal(born).year + 16] + 212  # 1 August, turning 16
        end = start + 3 * YEAR + self._between(-60, 120)
        if end >= before - 30 or end >= self.today - 30:
            return
        if r() < 0.55:
            right = StudyRight(
                "vocational", self._vocational(sector), start, end, "valmistunut", end
            )
        else:
            right = StudyRight(
                "general", GENERAL_UPPER_SECONDARY[0], start, end, "valmistunut", end
            )
        rights.insert(0, right)

    # ------------------------------------------------------------------ job seeking
    def _spells(self, k: int, entry: int, after: int, studied_until: int) -> list[Period]:
        """``k`` closed job-seeking periods ending in [entry - 730, entry), all starting after
        ``after`` and ``studied_until``; each ends when a job begins."""
        if not k:
            return []
        r, between = self.rng.random, self._between
        lo = max(after, studied_until + 1)
        end_lo = max(entry - LOOKBACK_DAYS, lo + 7)
        hi = entry - 2
        width = (hi - end_lo) / k
        periods: list[Period] = []
        floor = lo
        for j in range(k):
            slot_lo = int(end_lo + j * width)
            slot_hi = max(slot_lo, int(end_lo + (j + 1) * width) - 1)
            end = between(slot_lo + (slot_hi - slot_lo) // 2, slot_hi)
            start = max(floor, end - between(14, 200))
            if start > end:
                start = end
            periods.append(Period(start, end, pick(r, *CLOSED_STATUS_C)))
            floor = end + 8  # at least a week's work before seeking again
        return periods

    def _older_period(self, lo: int, hi: int) -> Period | None:
        """An earlier job-seeking period that ended before the two years that count."""
        if hi - lo < 200:
            return None
        start = self._between(lo, hi - 120)
        end = min(hi - self._between(0, 30), start + self._between(30, 400))
        return Period(start, max(start, end), pick(self.rng.random, *CLOSED_STATUS_C))

    def _entry_periods(self, entry: int, periods: list[Period]) -> Period | None:
        """Append the entry period (and maybe a later one); returns the one going on now."""
        r, today, between = self.rng.random, self.today, self._between
        end = entry + between(100, 900)
        if r() < 0.55 and end < today - 30:
            periods.append(Period(entry, end, pick(r, *CLOSED_STATUS_C)))
            if r() < 0.35:
                again = max(self.window.hi, end + between(30, 400))
                if again < today - 15:
                    periods.append(Period(again, None, pick(r, *CURRENT_STATUS_C)))
                    return periods[-1]
            return None
        periods.append(Period(entry, None, pick(r, *CURRENT_STATUS_C)))
        return periods[-1]

    def _seeking_rows(
        self,
        code: str,
        municipality: str,
        periods: list[Period],
        entry: int,
        missed: int,
        sick: bool,
    ) -> None:
        r, today, between, f = (
            self.rng.random,
            self.today,
            self._between,
            self.fmt["tyollisyyspalvelut"],
        )
        index = entry + INDEX_DAYS
        for p in periods:
            last = p.end if p.end is not None else today - 1
            days = max(1, last - p.start)
            plan: int | None
            if p.end is None:
                plan = (
                    today + between(1, 180)
                    if r() < 0.75
                    else max(p.start + 14, today - between(1, 200))
                )
                typ = (days >= YEAR and r() < 0.4) or (sick and r() < 0.2)
            else:
                plan = p.end - between(0, 60) if days > 75 else None
                typ = r() < 0.03
            self.out.add(
                "tyollisyyspalvelut",
                "tyonhakijat.csv",
                {
                    "asiakkuus_id": self.ids("AS"),
                    "hetu": code,
                    "kunta": municipality,
                    "tyonhaku_alkupvm": f(p.start),
                    "tyonhaku_loppupvm": f(p.end) if p.end is not None else "",
                    "tyollisyystilanne": p.status,
                    "suunnitelma_voimassa_asti": f(plan) if plan is not None else "",
                    "typ_asiakas": YES if typ else NO,
                },
            )
            visits: list[tuple[int, str]] = []
            if p.start == entry:  # the first three months: the no-shows that count
                visits += [(between(entry, index - 1), "EI_SAAPUNUT") for _ in range(missed)]
                visits += [
                    (between(entry, index - 1), "TOTEUTUNUT") for _ in range(1 + (r() < 0.5))
                ]
                lo = index
            else:
                lo = p.start
            n = min(4, int((last - lo) / 200 * (0.5 + r())))
            for _ in range(n):
                if lo < last:
                    roll = r()
                    status = (
                        "EI_SAAPUNUT"
                        if roll < 0.05
                        else "PERUTTU"
                        if roll < 0.11
                        else ("TOTEUTUNUT")
                    )
                    visits.append((between(lo, last), status))
            if not visits:
                visits.append((between(p.start, last), "TOTEUTUNUT"))
            for when, status in sorted(visits):
                self.out.add(
                    "tyollisyyspalvelut",
                    "tapaamiset.csv",
                    {"tapaaminen_id": self.ids("TA"), "hetu": code, "pvm": f(when), "tila": status},
                )

    # ------------------------------------------------------------------ Kela
    def _unemployment_benefits(
        self, code: str, periods: list[Period], entry: int, subsidy: bool
    ) -> None:
        """A labour market subsidy overlaps B exactly when ``subsidy``: the entry period's
        benefit is the subsidy, or basic allowance (which turns into the subsidy only after
        560 days, past the index date); the spells in the two years get no subsidy unless
        the person had one anyway."""
        r, today, between, dec = self.rng.random, self.today, self._between, self._decision
        b_lo = entry + INDEX_DAYS - LOOKBACK_DAYS
        for p in periods:
            counted = p.end is None or p.end >= b_lo
            if p.start == entry:
                kind = "TMT" if subsidy else ("PPR" if r() < 0.8 else None)
            elif counted:
                kind = ("TMT" if subsidy and r() < 0.5 else "PPR") if r() < 0.6 else None
            else:
                kind = ("TMT" if r() < 0.5 else "PPR") if r() < 0.6 else None
            if kind is None:
                continue
            applied = min(today - 1, p.start + between(0, 20))
            decided = min(today - 1, applied + between(3, 35))
            begin = p.start + between(0, 7)
            until = p.end if p.end is not None else today
            if kind == "PPR" and begin + PPR_CALENDAR_DAYS < until - 30:
                ppr_end = begin + PPR_CALENDAR_DAYS
                dec(code, "PPR", applied, decided, "MYON", begin, ppr_end)
                again = ppr_end - between(10, 30)
                dec(
                    code,
                    "TMT",
                    again,
                    min(today - 1, again + between(3, 25)),
                    "MYON",
                    ppr_end + 1,
                    p.end,
                    paying=p.end is None,
                )
            else:
                dec(code, kind, applied, decided, "MYON", begin, p.end, paying=p.end is None)

    def _cohort_earnings(self, code: str, entry: int, last_full_year: float) -> None:
        """Seven years of earnings; the year before entry holds the drawn amount."""
        r = self.rng.random
        counted = date.fromordinal(entry).year - 1
        for year in range(self.year - EARNINGS_YEARS, self.year):
            if year == counted:
                amount = last_full_year
            elif last_full_year > 0 or r() < 0.3:
                base = last_full_year if last_full_year > 0 else 2500 * r()
                amount = base * (0.5 + 0.8 * r()) if r() < 0.9 else 0.0
            else:
                amount = 0.0
            self.out.add(
                "kela",
                "ansiotulot.csv",
                {
                    "tulo_id": self.ids("AT"),
                    "hetu": code,
                    "vuosi": str(year),
                    "ansiotulot_eur": f"{amount:.2f}".replace(".", ","),
                },
            )

    def _cohort_sickness(self, h: CohortPerson, lo: int, index: int) -> list[tuple[int, int, int]]:
        """``sickness_periods`` periods starting in B = [lo, index), ``sickness_days`` paid;
        with rehabilitation they all end well before the index date, leaving it room."""
        n = h.sickness_periods
        if not n:
            return []
        r, between = self.rng.random, self._between
        cuts = sorted(between(1, h.sickness_days - 1) for _ in range(n - 1)) if n > 1 else []
        paid = [b - a for a, b in zip([0, *cuts], [*cuts, h.sickness_days], strict=True)]
        paid = _at_least_one(paid)
        lengths = [round(p * 7 / 6) + (9 if k == 0 else 0) for k, p in enumerate(paid)]
        room = (index - 120 if h.rehabilitation else index - 1) - lo
        gaps = [between(14, 150) for _ in range(n - 1)]
        while sum(lengths) + sum(gaps) > room and any(g > 1 for g in gaps):
            gaps = [max(1, g // 2) for g in gaps]
        slack = max(0, room - sum(lengths) - sum(gaps))
        t = lo + int(slack * r())
        periods = []
        for k in range(n):
            periods.append((t, t + lengths[k] - 1, paid[k]))
            t += lengths[k] + (gaps[k] if k < n - 1 else 0)
        return periods

    def _cohort_rehabilitation(
        self, h: CohortPerson, sick: list[tuple[int, int, int]], index: int
    ) -> list[tuple[str, int, int | None]]:
        if not h.rehabilitation:
            return []
        r = self.rng.random
        last_end = max(e for _, e, _ in sick)
        start = self._between(last_end + 14, max(last_end + 14, index - 1))
        kind = pick(r, *REHAB_C)
        lo, hi = REHAB_LENGTH[kind]
        end = None if r() < 0.1 else start + self._between(lo, hi)
        return [(kind, start, end)]

    def _cohort_statements(
        self,
        code: str,
        h: CohortPerson,
        sick: list[tuple[int, int, int]],
        rehabs: list[tuple[str, int, int | None]],
        lo: int,
        index: int,
    ) -> None:
        """``doctor_statements`` of type B and ``other_statements`` of types A, C, E, all in
        B; a B precedes the rehabilitation, and the first statements follow sickness starts."""
        r, between = self.rng.random, self._between
        rows: list[tuple[str, int]] = []
        doctors = h.doctor_statements
        if rehabs:
            start = rehabs[0][1]
            first_sick = min(s for s, _, _ in sick)
            rows.append(("B", max(lo, first_sick, start - between(14, 60))))
            doctors -= 1
        anchors = [min(index - 1, s + between(0, 5)) for s, _, _ in sick]
        for k in range(h.other_statements):
            when = anchors[k] if k < len(anchors) else between(lo, index - 1)
            roll = r()
            kind = "A" if roll < 0.75 or not sick else ("C" if roll < 0.9 or not rehabs else "E")
            rows.append((kind, when))
        for k in range(doctors):
            rows.append(("B", anchors[-1 - k] if k < len(anchors) else between(lo, index - 1)))
        f = self.fmt["hyvinvointialue"]
        for kind, when in sorted(rows, key=lambda row: row[1]):
            self.out.add(
                "hyvinvointialue",
                "laakarinlausunnot.csv",
                {
                    "lausunto_id": self.ids("LL"),
                    "hetu": code,
                    "lausuntotyyppi": kind,
                    "pvm": f(when),
                },
            )

    def _sickness_decisions(self, code: str, sick: list[tuple[int, int, int]]) -> None:
        today, between = self.today, self._between
        for s, e, _ in sick:
            applied = min(today - 1, s + between(3, 30))
            self._decision(
                code,
                "SPR",
                applied,
                min(today - 1, applied + between(3, 25)),
                "MYON",
                s,
                e,
                paying=s <= today <= e,
            )

    def _rehab_decisions(self, code: str, rehabs: list[tuple[str, int, int | None]]) -> None:
        today, between = self.today, self._between
        for kind, s, e in rehabs:
            if kind in REHAB_WITH_ALLOWANCE:
                applied = s - between(10, 45)
                self._decision(
                    code,
                    "KR",
                    applied,
                    min(today - 1, applied + between(5, 30)),
                    "MYON",
                    s,
                    e,
                    paying=s <= today and (e is None or e >= today),
                )


_INTERRUPTED_C = (
    tuple(s for s, _ in INTERRUPTED_STATUS),
    tuple(np.cumsum([w for _, w in INTERRUPTED_STATUS]).tolist()),
)


def numpy_seed(seed: int, chunk: int) -> int:
    """The (non-negative) numpy seed of a run's cohort chunk: stable across processes."""
    return (seed % 2**32) * 100_003 + chunk


def _at_least_one(paid: list[int]) -> list[int]:
    """Move days so that every period has at least one (the total is at least the count)."""
    paid = list(paid)
    for k, days in enumerate(paid):
        if days < 1:
            donor = max(range(len(paid)), key=paid.__getitem__)
            paid[donor] -= 1 - days
            paid[k] = 1
    return paid
