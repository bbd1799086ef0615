"""City employment services and the job marketplace: job seeking, appointments, profiles."""

from __future__ import annotations

from .esco_pool import Occupation
from .lifecourse import NO, YEAR, YES, LifeWriter, Period, StudyRight, cumulative
from .sectors import BASIC_EDUCATION_LEVEL, EDUCATION_LEVEL_OF_DIGIT, SECTOR_BY_KEY, Sector
from .texts import employer_name, seeker_text
from .world import pick

CURRENT_STATUS = (
    ("TYOTON", 0.68),
    ("LOMAUTETTU", 0.08),
    ("LYHENNETTY", 0.02),
    ("PALVELUSSA", 0.11),
    ("TYOSSA", 0.06),
    ("OPISKELIJA", 0.03),
    ("ULKOPUOLELLA", 0.02),
)

CLOSED_STATUS = (("TYOSSA", 0.6), ("ULKOPUOLELLA", 0.15), ("OPISKELIJA", 0.1), ("TYOTON", 0.15))

FOREIGN_EDUCATION = (("2", 0.35), ("3", 0.35), ("6", 0.2), ("7", 0.1))

CURRENT_STATUS_C = cumulative(CURRENT_STATUS)

CLOSED_STATUS_C = cumulative(CLOSED_STATUS)

FOREIGN_EDU_C = cumulative(FOREIGN_EDUCATION)

# Length of the current job-seeking period: (cumulative share, shortest, longest days);
# about a third of job seekers have sought work for over a year.
DURATION = ((0.4, 15, 180), (0.7, 181, 365), (0.9, 366, 730), (1.0, 731, 2200))
# Fields a foreign-born job seeker's earlier jobs often come from.
FOREIGN_FALLBACK = ("cleaning", "restaurant", "logistics", "care", "transport")


class SeekingMixin(LifeWriter):
    """Job-seeking periods, plans, appointments and the job-seeker profile."""

    def _job_seeking(
        self, rights: list[StudyRight], adult: int, settled: int, *, current: bool
    ) -> list[Period]:
        r, today = self.rng.random, self.today
        # Studies still going on end (or are interrupted) before job seeking starts.
        for sr in list(rights):
            if sr.status == "lasna":
                if today - sr.start > 240:
                    sr.last_change = sr.start + int((today - 60 - sr.start) * (0.3 + 0.5 * r()))
                    if r() < 0.5:
                        sr.status, sr.end = "katsotaaneronneeksi", sr.last_change
                    else:
                        sr.status = "valiaikaisestikeskeytynyt"
                    if sr.break_at is not None and sr.break_at + 200 > sr.last_change:
                        sr.break_at = None
                else:
                    rights.remove(sr)
        studied_until = max((sr.last_change for sr in rights), default=0)
        lo = max(adult, studied_until + 1, settled)
        closed = CLOSED_STATUS_C
        if not current:
            if today - 120 - lo < 60:
                return []
            s0 = self._between(lo, today - 120)
            return [Period(s0, min(today - 30, s0 + self._between(30, 600)), pick(r, *closed))]
        if lo > today - 15:
            return []
        u = r()
        shortest, longest = next((lo_, hi_) for share, lo_, hi_ in DURATION if u < share)
        start = today - self._between(shortest, longest)
        if start < lo:
            start = lo + int((today - 15 - lo) * r() * 0.5)
        periods = []
        if start - lo > 400 and r() < 0.25:
            s0 = self._between(lo, start - 300)
            periods.append(
                Period(s0, min(start - 30, s0 + self._between(60, 500)), pick(r, *closed))
            )
        periods.append(Period(start, None, pick(r, *CURRENT_STATUS_C)))
        return periods

    def _employment_services(
        self, code: str, municipality: str, periods: list[Period], sick_days: int
    ) -> None:
        r, today, f = self.rng.random, self.today, self.fmt["tyollisyyspalvelut"]
        miss = 0.3 if r() < 0.15 else 0.04
        for p in periods:
            last = p.end if p.end is not None else today - 1
            days = max(1, last - p.start)
            plan: int | None
            if p.end is None:
                if days < 14:
                    plan = None
                elif r() < 0.25:  # plan expired, not yet renewed
                    plan = max(p.start + 14, today - self._between(1, 200))
                else:
                    plan = today + self._between(1, 180)
                typ = (days >= YEAR and r() < 0.4) or (sick_days > 0 and r() < 0.2)
            else:
                plan = p.end - self._between(0, 60) if days > 75 else None
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
            n = min(10, 1 + int(days / 100 * (0.5 + r())))
            for when in sorted(p.start + int(r() * days) for _ in range(n)):
                status = "EI_SAAPUNUT" if r() < miss else "PERUTTU" if r() < 0.06 else "TOTEUTUNUT"
                self.out.add(
                    "tyollisyyspalvelut",
                    "tapaamiset.csv",
                    {
                        "tapaaminen_id": self.ids("TA"),
                        "hetu": code,
                        "pvm": f(when),
                        "tila": status,
                    },
                )

    def _profile(
        self,
        code: str,
        sector: Sector,
        municipality: str,
        period: Period,
        rights: list[StudyRight],
        mother: str,
        foreign: bool,
        entry: int,
        adult: int,
        sick: bool,
    ) -> None:
        r, rng, today, _f = self.rng.random, self.rng, self.today, self.fmt["tyomarkkinatori"]
        pool = self.w.pool
        occs, cum = pool.by_sector[sector.key]
        wish = pick(r, occs, cum)
        history: list[tuple[Occupation, int, int]] = []
        end = period.start - self._between(0, 60)
        lo = max(adult - 2 * YEAR, entry)
        for _ in range(self._between(0, 4)):
            start = end - self._between(90, 1500)
            if start < lo:
                break
            if r() < 0.7:
                occ = pick(r, occs, cum)
            else:
                other = rng.choice(FOREIGN_FALLBACK if foreign else tuple(SECTOR_BY_KEY))
                occ = pick(r, *pool.by_sector[other])
            history.append((occ, start, end))
            end = start - self._between(0, 200)
        history.reverse()
        if history and history[-1][0].sector == sector.key and r() < 0.5:
            wish = history[-1][0]

        skills = list(rng.sample(wish.essential, min(len(wish.essential), self._between(3, 8))))
        for occ, _, _ in history:
            skills += rng.sample(occ.essential, min(len(occ.essential), self._between(1, 2)))
        skills = list(dict.fromkeys(skills))[:12]

        languages = [(mother, "C2")]
        if mother != "fi":
            years_in = (today - entry) / YEAR if foreign else 30
            levels = (
                ("A1", "A2")
                if years_in < 2
                else ("A2", "B1")
                if years_in < 5
                else ("B1", "B2")
                if years_in < 10
                else ("B2", "C1")
            )
            languages.append(("fi", rng.choice(levels)))
        if mother != "en" and r() < (0.7 if not foreign else 0.4):
            languages.append(("en", rng.choice(("A2", "B1", "B1", "B2", "C1"))))
        if mother == "fi" and r() < 0.35:
            languages.append(("sv", rng.choice(("A1", "A2", "B1"))))

        wish_sector = SECTOR_BY_KEY[wish.sector]
        licences = [
            c
            for c, p in (*wish_sector.licences, *wish_sector.group_licences.get(wish.isco, ()))
            if r() < p
        ]
        if r() < (0.25 if foreign else 0.55):
            licences.append("AJOKORTTI_B")
        licences = list(dict.fromkeys(licences))

        areas = [municipality]
        for _ in range(int(r() * 3)):
            areas.append(pick(r, self.w.municipalities, self.w.municipality_cum))
        areas = list(dict.fromkeys(areas))

        levels_done = [
            EDUCATION_LEVEL_OF_DIGIT[sr.qualification[0]]
            for sr in rights
            if sr.status == "valmistunut" and sr.qualification[0] in EDUCATION_LEVEL_OF_DIGIT
        ]
        if levels_done:
            education = max(levels_done)
        else:
            education = pick(r, *FOREIGN_EDU_C) if foreign else BASIC_EDUCATION_LEVEL
        if r() < 0.1:
            education = ""
        years = sum(e - s for _, s, e in history) // YEAR
        text = ""
        if r() < 0.85:
            text = seeker_text(
                rng,
                sector=wish.sector,
                licences=licences,
                foreign=foreign and mother not in ("en", "sv"),
                years=years,
                health=sick,
            )
        self._write_profile(
            code,
            wish=wish,
            education=education,
            municipality=municipality,
            working_time="KOKOAIKA" if r() < 0.75 else "OSA_AIKA",
            contract="VAKINAINEN" if r() < 0.7 else "MAARAAIKAINEN",
            text=text,
            updated=period.start + int((today - 1 - period.start) * r()),
            skills=skills,
            history=[
                (occ, "" if r() < 0.05 else employer_name(rng, occ.sector), s, e)
                for occ, s, e in history
            ],
            languages=languages,
            licences=licences,
            areas=areas,
        )

    def _write_profile(
        self,
        code: str,
        *,
        wish: Occupation,
        education: str,
        municipality: str,
        working_time: str,
        contract: str,
        text: str,
        updated: int,
        skills: list[str],
        history: list[tuple[Occupation, str, int, int | None]],
        languages: list[tuple[str, str]],
        licences: list[str],
        areas: list[str],
    ) -> None:
        f, add, next_id = self.fmt["tyomarkkinatori"], self.out.add, self.ids
        pid = next_id("PR")
        add(
            "tyomarkkinatori",
            "tyonhakijaprofiilit.csv",
            {
                "profiili_id": pid,
                "hetu": code,
                "toivottu_ammatti": wish.uri,
                "koulutustaso": education,
                "kunta": municipality,
                "tyoaika": working_time,
                "tyosuhde": contract,
                "kuvaus": text,
                "paivitetty": f(updated),
            },
        )
        for skill in skills:
            add(
                "tyomarkkinatori",
                "profiilin_taidot.csv",
                {"rivi_id": next_id("PT"), "profiili_id": pid, "taito": skill},
            )
        for occ, employer, s, e in history:
            add(
                "tyomarkkinatori",
                "profiilin_tyohistoria.csv",
                {
                    "rivi_id": next_id("PH"),
                    "profiili_id": pid,
                    "ammatti": occ.uri,
                    "tyonantaja": employer,
                    "alkupvm": f(s),
                    "loppupvm": f(e) if e is not None else "",
                },
            )
        for language, level in languages:
            add(
                "tyomarkkinatori",
                "profiilin_kielet.csv",
                {"rivi_id": next_id("PK"), "profiili_id": pid, "kieli": language, "taso": level},
            )
        for licence in licences:
            add(
                "tyomarkkinatori",
                "profiilin_kortit.csv",
                {"rivi_id": next_id("PC"), "profiili_id": pid, "kortti": licence},
            )
        for area in areas:
            add(
                "tyomarkkinatori",
                "profiilin_hakualue.csv",
                {"rivi_id": next_id("PA"), "profiili_id": pid, "kunta": area},
            )
