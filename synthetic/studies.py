"""Studies in Koski: study rights drawn by age and sector, written in Koski's transfer shape."""

from __future__ import annotations

from datetime import date

from .lifecourse import YEAR, LifeWriter, StudyRight
from .sectors import GENERAL_UPPER_SECONDARY, STUDY_RIGHT_TYPE, Sector
from .texts import person_name


class StudiesMixin(LifeWriter):
    """Study rights by age and sector, written as Koski records."""

    def _vocational(self, sector: Sector) -> str:
        if sector.vocational:
            return self.rng.choice(sector.vocational)
        return self.rng.choice(self.all_vocational)

    def _study(
        self, rights: list[StudyRight], level: str, qualification: str, start: int, length: int
    ) -> int | None:
        """Add one study right; returns when the next could start, None if it goes on."""
        r, today = self.rng.random, self.today
        if start >= today - 30:
            return None
        planned = start + length + self._between(-60, 120)
        if planned >= today:
            if r() < 0.8:
                rights.append(StudyRight(level, qualification, start, None, "lasna", start))
                return None
            at = start + int((today - start) * (0.2 + 0.6 * r()))
            status = "valiaikaisestikeskeytynyt" if r() < 0.5 else "eronnut"
        else:
            roll = r()
            if roll < 0.74:
                rights.append(
                    StudyRight(level, qualification, start, planned, "valmistunut", planned)
                )
                self._maybe_break(rights[-1])
                return planned + self._between(30, 700)
            at = start + int((planned - start) * (0.15 + 0.7 * r()))
            status = (
                "eronnut"
                if roll < 0.84
                else "katsotaaneronneeksi"
                if roll < 0.92
                else "valiaikaisestikeskeytynyt"
            )
        end = None if status == "valiaikaisestikeskeytynyt" else at
        rights.append(StudyRight(level, qualification, start, end, status, at))
        self._maybe_break(rights[-1])
        return at + self._between(60, 700)

    def _maybe_break(self, right: StudyRight) -> None:
        if right.last_change - right.start > 400 and self.rng.random() < 0.06:
            right.break_at = right.start + self._between(60, right.last_change - right.start - 200)

    def _studies(
        self, born: int, age: int, foreign: bool, settled: int, sector: Sector
    ) -> list[StudyRight]:
        r, today = self.rng.random, self.today
        rights: list[StudyRight] = []
        born_year = date.fromordinal(born).year
        if not foreign and age <= 46:
            # Koski holds the upper-secondary and higher studies of these cohorts
            t: int | None = self.jan1[born_year + 16] + 212  # 1 August of the year turning 16
            roll = r()
            if roll < 0.5:
                t = self._study(rights, "vocational", self._vocational(sector), t, 3 * YEAR)
                if t is not None and rights and rights[-1].status != "valmistunut" and r() < 0.4:
                    self._study(rights, "vocational", self._vocational(sector), t, 3 * YEAR)
            elif roll < 0.95:
                t = self._study(rights, "general", GENERAL_UPPER_SECONDARY[0], t, 3 * YEAR)
                if t is not None and rights[-1].status == "valmistunut":
                    if r() < 0.5:
                        higher = sector.higher or ("621101",)
                        qual = self.rng.choice(higher)
                        self._study(rights, "higher", qual, t, (5 if qual[0] == "7" else 4) * YEAR)
                    elif r() < 0.5:
                        self._study(rights, "vocational", self._vocational(sector), t, 2 * YEAR)
        elif not foreign and r() < 0.2:
            lo = max(today - 12 * YEAR, born + 25 * YEAR)
            if lo < today - 200:
                self._study(
                    rights,
                    "vocational",
                    self._vocational(sector),
                    self._between(lo, today - 200),
                    2 * YEAR,
                )
        if foreign and r() < 0.35 and settled + YEAR < today - 200:
            start = self._between(max(settled + YEAR, born + 17 * YEAR), today - 200)
            self._study(rights, "vocational", self._vocational(sector), start, 2 * YEAR)
        return rights

    def _self_motivated_study(
        self, rights: list[StudyRight], seeking_from: int, sector: Sector
    ) -> None:
        """Studies a job seeker began while unemployed (omaehtoinen opiskelu): ongoing."""
        start = self._between(seeking_from + 90, self.today - 60)
        if start < self.today - 60:
            rights.append(
                StudyRight("vocational", self._vocational(sector), start, None, "lasna", start)
            )

    def _koski(
        self, code: str, born_d: date, male: bool, mother: str, rights: list[StudyRight]
    ) -> None:
        f = self.fmt["koski"]
        first, last = person_name(self.rng, mother, male)
        records = []
        for sr in rights:
            oid, name = self.rng.choice(self.w.institutions[sr.level])
            periods = [{"alku": f(sr.start), "tila": _tila("lasna")}]
            if sr.break_at is not None:
                back = min(sr.break_at + self._between(30, 150), sr.last_change - 1)
                periods.append({"alku": f(sr.break_at), "tila": _tila("loma")})
                periods.append({"alku": f(back), "tila": _tila("lasna")})
            if sr.status != "lasna":
                periods.append({"alku": f(sr.last_change), "tila": _tila(sr.status)})
            record: dict = {
                "oid": self.ids.koski_oid(),
                "oppilaitos": {"oid": oid, "nimi": {"fi": name}},
                "tyyppi": {
                    "koodiarvo": STUDY_RIGHT_TYPE[sr.level],
                    "koodistoUri": "opiskeluoikeudentyyppi",
                },
                "alkamispäivä": f(sr.start),
            }
            if sr.end is not None:
                record["päättymispäivä"] = f(sr.end)
            record["tila"] = {"opiskeluoikeusjaksot": periods}
            suoritus: dict = {
                "koulutusmoduuli": {
                    "tunniste": {
                        "koodiarvo": sr.qualification,
                        "koodistoUri": "koulutus",
                        "nimi": {"fi": self.qual_label[sr.qualification]},
                    }
                }
            }
            if sr.status == "valmistunut" and sr.end is not None:
                suoritus["vahvistus"] = {"päivä": f(sr.end)}
            record["suoritukset"] = [suoritus]
            records.append(record)
        self.out.koski.append(
            {
                "henkilö": {
                    "hetu": code,
                    "syntymäaika": born_d.isoformat(),
                    "etunimet": first,
                    "sukunimi": last,
                },
                "opiskeluoikeudet": records,
            }
        )


def _tila(code: str) -> dict[str, str]:
    return {"koodiarvo": code, "koodistoUri": "koskiopiskeluoikeudentila"}
