"""Kela and the wellbeing county: sickness, rehabilitation, benefit decisions, earnings.

Sickness-allowance periods end before rehabilitation starts, and a medical
statement B precedes rehabilitation; days paid never exceed 300 in all.
"""

from __future__ import annotations

from datetime import date

from .lifecourse import EARNINGS_YEARS, NO, YEAR, YES, LifeWriter, Period, StudyRight, cumulative
from .sectors import Sector
from .world import pick

BENEFIT_STATUSES = frozenset({"TYOTON", "LOMAUTETTU", "LYHENNETTY", "PALVELUSSA"})

REHAB_TYPES = (
    ("AMMATILLINEN", 0.35),
    ("TYOKOKEILU", 0.2),
    ("TYOHONVALMENNUS", 0.15),
    ("KUNTOUTUSKURSSI", 0.15),
    ("PSYKOTERAPIA", 0.15),
)

REHAB_LENGTH = {
    "AMMATILLINEN": (90, 365),
    "TYOKOKEILU": (30, 180),
    "TYOHONVALMENNUS": (60, 200),
    "KUNTOUTUSKURSSI": (5, 20),
    "PSYKOTERAPIA": (365, 1095),
}

REHAB_WITH_ALLOWANCE = frozenset({"AMMATILLINEN", "TYOKOKEILU", "TYOHONVALMENNUS"})

UNEMPLOYMENT_REJECTION = (
    ("TYOVOIMAPOLIITTINEN", 0.4),
    ("SELVITYS_PUUTTUU", 0.25),
    ("TULOT", 0.2),
    ("MUU", 0.15),
)

PPR_CALENDAR_DAYS = 560  # 400 payment days of five a week

SICKNESS_MAX_DAYS = 300

REHAB_C = cumulative(REHAB_TYPES)

REJECTION_C = cumulative(UNEMPLOYMENT_REJECTION)


class BenefitsMixin(LifeWriter):
    """Sickness, rehabilitation, medical statements, Kela decisions and earnings."""

    def _sickness(self, seeker: bool, age: int, lo: int) -> list[tuple[int, int, int]]:
        """Sickness-allowance periods (start, end, days paid), at most 300 days in all."""
        r, today = self.rng.random, self.today
        if r() >= (0.13 if seeker else 0.05) * (0.6 + age / 60):
            return []
        roll = r()
        n = 1 if roll < 0.55 else 2 if roll < 0.75 else self._between(3, 5)
        t = max(lo, today - self._between(150, 1800))
        periods: list[tuple[int, int, int]] = []
        total = 0
        for k in range(n):
            if t >= today - 5:
                break
            length = self._between(9, 60) if r() < 0.6 else self._between(61, 200)
            elapsed = min(length, today - t)  # an ongoing period is paid up to the extract
            paid = max(1, round(elapsed * 6 / 7) - (9 if k == 0 else 0))  # waiting days first
            paid = min(paid, SICKNESS_MAX_DAYS - total)
            if paid <= 0:
                break
            total += paid
            periods.append((t, t + length - 1, paid))
            t += length + self._between(30, 400)
        return periods

    def _rehabilitation(
        self, sick: list[tuple[int, int, int]], sick_days: int
    ) -> list[tuple[str, int, int | None]]:
        """Rehabilitation that follows a long sickness-allowance history."""
        r, today = self.rng.random, self.today
        if not sick or sick_days < 100 or r() >= 0.6:
            return []
        last_end = max(e for _, e, _ in sick)
        if last_end >= today - 20:
            return []
        start = last_end + self._between(14, min(240, today - last_end - 1))
        kind = pick(r, *REHAB_C)
        lo, hi = REHAB_LENGTH[kind]
        end: int | None = None if r() < 0.1 else start + self._between(lo, hi)
        rehabs = [(kind, start, end)]
        if end is not None and end < today - 60 and r() < 0.25:
            s2 = end + self._between(14, min(120, today - end - 1))
            rehabs.append(("TYOKOKEILU", s2, s2 + self._between(30, 150)))
        return rehabs

    def _statements(
        self, code: str, sick: list[tuple[int, int, int]], rehabs: list[tuple[str, int, int | None]]
    ) -> None:
        r, today, f = self.rng.random, self.today, self.fmt["hyvinvointialue"]
        rows: list[tuple[str, int]] = []
        for s, e, _ in sick:
            rows.append(("A" if e - s < 60 else "B", min(today - 1, s + self._between(0, 5))))
        for _, s, _ in rehabs[:1]:
            before = max(st for st, _, _ in sick if st < s)
            rows.append(("B", max(before, s - self._between(14, 60))))
        if sum(p for _, _, p in sick) >= 200 and r() < 0.1:
            rows.append(("C", self._between(sick[-1][0], today - 1)))
        if rehabs and r() < 0.1:
            rows.append(("E", self._between(rehabs[0][1], today - 1)))
        for kind, when in rows:
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

    def _decision(
        self,
        code: str,
        kind: str,
        applied: int,
        decided: int | None,
        outcome: str,
        start: int | None = None,
        end: int | None = None,
        reason: str = "",
        paying: bool = False,
        monthly: float | None = None,
    ) -> None:
        f = self.fmt["kela"]
        self.out.add(
            "kela",
            "etuuspaatokset.csv",
            {
                "paatos_id": self.ids("EP"),
                "hetu": code,
                "etuuslaji": kind,
                "hakemus_pvm": f(applied),
                "alkupvm": f(start) if start is not None else "",
                "loppupvm": f(end) if end is not None else "",
                "ratkaisu": outcome,
                "hylkaysperuste": reason,
                "ratkaisu_pvm": f(decided) if decided is not None else "",
                "maksussa": YES if paying else NO,
                "kuukausimaara_eur": (
                    f"{monthly:.2f}".replace(".", ",") if monthly is not None else ""
                ),
            },
        )

    def _benefits(
        self,
        code: str,
        periods: list[Period],
        age: int,
        foreign: bool,
        entry: int,
        settled: int,
        rights: list[StudyRight],
        kids: list[int],
        partnered_father: bool,
        sick: list[tuple[int, int, int]],
        rehabs: list[tuple[str, int, int | None]],
        seeker: bool,
    ) -> None:
        r, today, between, dec = self.rng.random, self.today, self._between, self._decision
        vocational = any(sr.status == "valmistunut" and sr.level != "general" for sr in rights)
        for p in periods:  # unemployment benefit per job-seeking period
            if p.status not in BENEFIT_STATUSES or r() >= 0.82:
                continue
            tmt = (
                (age < 25 and not vocational)
                or (foreign and p.start - entry < 2 * YEAR)
                or r() < 0.3
            )
            kind = "TMT" if tmt else "PPR"
            applied = min(today - 1, p.start + between(0, 20))
            if p.end is None and applied >= today - 25 and r() < 0.6:
                dec(code, kind, applied, None, "VIREILLA")
                continue
            decided = min(today - 1, applied + between(3, 35))
            until = p.end if p.end is not None else today
            if r() < 0.12:
                dec(code, kind, applied, decided, "HYL", reason=pick(r, *REJECTION_C))
                again = decided + between(10, 60)
                if again < until - 10:
                    dec(
                        code,
                        kind,
                        again,
                        min(today - 1, again + between(3, 30)),
                        "MYON",
                        again,
                        p.end,
                        paying=p.end is None,
                    )
                continue
            begin = p.start + between(0, 7)
            if kind == "PPR" and begin + PPR_CALENDAR_DAYS < until - 30:
                ppr_end = begin + PPR_CALENDAR_DAYS  # basic allowance used up: subsidy follows
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

        if r() < (0.35 if seeker else 0.08):  # general housing allowance
            applied = max(settled + 30, today - between(20, 700))
            if applied < today:
                if applied >= today - 30 and r() < 0.5:
                    dec(code, "YAT", applied, None, "VIREILLA")
                elif r() < 0.12:
                    reason = (
                        "EI_ASUMISPERUSTETTA" if applied - entry < YEAR and foreign else "TULOT"
                    )
                    dec(
                        code,
                        "YAT",
                        applied,
                        min(today - 1, applied + between(5, 30)),
                        "HYL",
                        reason=reason,
                    )
                else:
                    begin = self._month_start_after(applied)
                    dec(
                        code,
                        "YAT",
                        applied,
                        min(today - 1, applied + between(5, 30)),
                        "MYON",
                        begin,
                        begin + 364,
                        paying=begin <= today <= begin + 364,
                    )

        if seeker and r() < 0.15:  # basic social assistance, month by month
            this = date.fromordinal(today)
            for k in range(between(1, 3), 0, -1):
                month = date(this.year - (this.month <= k), (this.month - k - 1) % 12 + 1, 1)
                begin = month.toordinal()
                end = self._month_start_after(begin) - 1
                applied = max(settled + 1, begin - between(0, 10))
                decided = min(today - 1, applied + between(2, 10))
                if r() < 0.75:
                    dec(
                        code,
                        "PTT",
                        applied,
                        decided,
                        "MYON",
                        begin,
                        end,
                        paying=begin <= today <= end,
                    )
                else:
                    dec(
                        code,
                        "PTT",
                        applied,
                        decided,
                        "HYL",
                        reason="TULOT" if r() < 0.6 else "SELVITYS_PUUTTUU",
                    )

        if not partnered_father:  # child benefit goes to the mother or a single parent
            for kid in kids:
                if self.year - kid >= 17:
                    continue
                birth = self.jan1[kid] + between(0, 364)
                applied = max(birth + between(20, 90), settled + between(10, 60))
                end = self.jan1[kid + 17] - 1
                begin = self._month_start_after(applied)
                if applied >= today or begin > end:
                    continue
                dec(
                    code,
                    "LL",
                    applied,
                    min(today - 1, applied + between(5, 20)),
                    "MYON",
                    begin,
                    end,
                    paying=begin <= today <= end,
                )

        for s, e, _ in sick:
            applied = min(today - 1, s + between(3, 30))
            if applied >= today - 10 and r() < 0.5:
                dec(code, "SPR", applied, None, "VIREILLA")
                continue
            dec(
                code,
                "SPR",
                applied,
                min(today - 1, applied + between(3, 25)),
                "MYON",
                s,
                e,
                paying=s <= today <= e,
            )
        if sick and r() < 0.1:
            applied = between(sick[0][0], today - 1)
            dec(
                code,
                "SPR",
                applied,
                min(today - 1, applied + between(5, 30)),
                "HYL",
                reason="TYOKYKY",
            )
        for kind, s, e in rehabs:
            if kind in REHAB_WITH_ALLOWANCE:
                applied = s - between(10, 45)
                dec(
                    code,
                    "KR",
                    applied,
                    min(today - 1, applied + between(5, 30)),
                    "MYON",
                    s,
                    e,
                    paying=s <= today and (e is None or e >= today),
                )

    def _rehab_rows(self, code: str, rehabs: list[tuple[str, int, int | None]]) -> None:
        f = self.fmt["kela"]
        for kind, s, e in rehabs:
            self.out.add(
                "kela",
                "kuntoutus.csv",
                {
                    "kuntoutus_id": self.ids("KU"),
                    "hetu": code,
                    "kuntoutuslaji": kind,
                    "alkupvm": f(s),
                    "loppupvm": f(e) if e is not None else "",
                },
            )

    def _sickness_rows(self, code: str, sick: list[tuple[int, int, int]]) -> None:
        f = self.fmt["kela"]
        for s, e, paid in sick:
            self.out.add(
                "kela",
                "sairauspaivarahat.csv",
                {
                    "jakso_id": self.ids("SP"),
                    "hetu": code,
                    "alkupvm": f(s),
                    "loppupvm": f(e),
                    "maksetut_paivat": str(paid),
                },
            )

    def _earnings(
        self,
        code: str,
        sector: Sector,
        periods: list[Period],
        sick: list[tuple[int, int, int]],
        rehabs: list[tuple[str, int, int | None]],
        work_from: int,
    ) -> None:
        """Annual earnings for the seven full years before the extract."""
        r, today = self.rng.random, self.today
        wage = sector.wage * (0.55 + 0.6 * r())
        steadiness = 0.35 + 0.65 * r()  # share of the free time actually in paid work
        busy = [(p.start, p.end if p.end is not None else today) for p in periods]
        busy += [(s, e) for s, e, _ in sick]
        busy += [(s, e if e is not None else today) for _, s, e in rehabs]
        for year in range(self.year - EARNINGS_YEARS, self.year):
            ys, ye = self.jan1[year], self.jan1[year + 1] - 1
            free = max(0, ye - max(ys, work_from) + 1)
            for s, e in busy:
                free -= max(0, min(e, ye) - max(s, ys) + 1)
            share = max(0, free) / 365
            amount = wage * share * steadiness * (0.85 + 0.3 * r())
            if share == 0 and r() < 0.3:
                amount = 2500 * r()  # odd jobs
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
