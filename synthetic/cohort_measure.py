"""The forecast cohort's definition and features, measured from the rows a chunk wrote.

The same rules the graph side applies (see the issue's contracts): a person is in the cohort
when their LATEST job-seeking period starting in the window [as_of - 6 years, as_of - 2 years)
starts at E and they are 18-64 at E (year(E) - year of birth). Index date I = E + 90 days;
window B = [I - 730, I). The features are counted from the person's rows before any fault is
injected, whichever chunk wrote them (the population, the cohort or the personas), so the
truth beside the extracts is exactly what a perfect reader of the clean rows would see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from core.hetu import birth_date

from .forecast_cohort import LANGUAGES, MAX_SICKNESS_DAYS, CohortPerson
from .world import World, years_before
from .writers import ChunkOut

INDEX_DAYS = 90  # the index date: the first plan review, three months into the service
LOOKBACK_DAYS = 730  # window B before the index date; also studies and spells before E
HORIZON_DAYS = 730  # the outcome: a benefit starting in (I, E + 730]
MIN_AGE, MAX_AGE = 18, 64
INTERRUPTED = frozenset({"valiaikaisestikeskeytynyt", "eronnut", "katsotaaneronneeksi"})
OTHER_STATEMENTS = frozenset({"A", "C", "E"})

SEEKING = ("tyollisyyspalvelut", "tyonhakijat.csv")
APPOINTMENTS = ("tyollisyyspalvelut", "tapaamiset.csv")
SICKNESS = ("kela", "sairauspaivarahat.csv")
REHABILITATION = ("kela", "kuntoutus.csv")
DECISIONS = ("kela", "etuuspaatokset.csv")
EARNINGS = ("kela", "ansiotulot.csv")
STATEMENTS = ("hyvinvointialue", "laakarinlausunnot.csv")
REGISTER = ("vtj", "henkilot.csv")
MEASURED_FILES = (APPOINTMENTS, SICKNESS, REHABILITATION, DECISIONS, EARNINGS, STATEMENTS)


@dataclass(frozen=True)
class Window:
    """The cohort window of one extract date, as day ordinals: entries in [lo, hi)."""

    lo: int
    hi: int

    @classmethod
    def of(cls, as_of: date) -> Window:
        return cls(years_before(as_of, 6).toordinal(), years_before(as_of, 2).toordinal())


@dataclass(frozen=True)
class Member:
    """A person the cohort definition selects, with the features measured from their rows."""

    hetu: str
    entry: int  # E, a day ordinal
    features: CohortPerson
    sex: str  # "female" / "male"

    @property
    def index(self) -> int:
        return self.entry + INDEX_DAYS


def entry_date(periods: Iterable[tuple[int, int | None]], window: Window) -> int | None:
    """E: the start of the latest job-seeking period that starts in the window, if any."""
    starts = [s for s, _ in periods if window.lo <= s < window.hi]
    return max(starts) if starts else None


def sex_of(hetu: str) -> str:
    """The population register's sex from the identity code: odd individual number male."""
    return "male" if int(hetu[7:10]) % 2 else "female"


class _Dates:
    """Text -> day ordinal in one date format, memoised (the same days recur a lot)."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self._cache: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        day = self._cache.get(text)
        if day is None:
            if self.fmt == "%Y-%m-%d":
                day = date.fromisoformat(text).toordinal()
            elif self.fmt == "%d.%m.%Y":
                d, m, y = text.split(".")
                day = date(int(y), int(m), int(d)).toordinal()
            elif self.fmt == "%Y%m%d":
                day = date(int(text[:4]), int(text[4:6]), int(text[6:])).toordinal()
            else:  # pragma: no cover - every source uses one of the three above
                from datetime import datetime

                day = datetime.strptime(text, self.fmt).date().toordinal()
            self._cache[text] = day
        return day


class _Columns:
    """Where each column the measurement reads sits in the chunk's rows (sources.yaml order)."""

    def __init__(self, out: ChunkOut) -> None:
        def at(key: tuple[str, str], name: str) -> int:
            return out.specs[key].column_names.index(name)

        self.hetu = {key: at(key, "hetu") for key in (SEEKING, *MEASURED_FILES, REGISTER)}
        self.seek_start, self.seek_end = (
            at(SEEKING, "tyonhaku_alkupvm"),
            at(SEEKING, "tyonhaku_loppupvm"),
        )
        self.sick_start, self.sick_paid = (at(SICKNESS, "alkupvm"), at(SICKNESS, "maksetut_paivat"))
        self.rehab_start = at(REHABILITATION, "alkupvm")
        self.statement_type, self.statement_date = (
            at(STATEMENTS, "lausuntotyyppi"),
            at(STATEMENTS, "pvm"),
        )
        self.visit_date, self.visit_status = at(APPOINTMENTS, "pvm"), at(APPOINTMENTS, "tila")
        self.year, self.earnings = at(EARNINGS, "vuosi"), at(EARNINGS, "ansiotulot_eur")
        self.benefit, self.decision, self.start, self.end = (
            at(DECISIONS, c) for c in ("etuuslaji", "ratkaisu", "alkupvm", "loppupvm")
        )
        self.mother_tongue = at(REGISTER, "aidinkieli")


def measure_chunk(out: ChunkOut, world: World, window: Window) -> list[Member]:
    """Every person of ``out`` the definition selects, in the order their rows were written,
    with the contract's features counted from their rows."""
    cols = _Columns(out)
    dates = {s.name: _Dates(s.date_format) for s in world.contract.sources.values()}
    day = dates[SEEKING[0]]
    hetu_at, start_at, end_at = cols.hetu[SEEKING], cols.seek_start, cols.seek_end
    periods: dict[str, list[tuple[int, int | None]]] = {}
    for row in out.rows[SEEKING]:
        end = row[end_at]
        periods.setdefault(row[hetu_at], []).append((day(row[start_at]), day(end) if end else None))

    entries: dict[str, int] = {}
    for hetu, spans in periods.items():
        entry = entry_date(spans, window)
        if entry is None:
            continue
        age = date.fromordinal(entry).year - birth_date(hetu).year
        if MIN_AGE <= age <= MAX_AGE:
            entries[hetu] = entry
    if not entries:
        return []

    rows: dict[tuple[str, str], dict[str, list[list[str]]]] = {}
    for key in (*MEASURED_FILES, REGISTER):
        at = cols.hetu[key]
        mine: dict[str, list[list[str]]] = {}
        for row in out.rows[key]:
            if row[at] in entries:
                mine.setdefault(row[at], []).append(row)
        rows[key] = mine
    koski = {
        e["henkilö"]["hetu"]: e["opiskeluoikeudet"]
        for e in out.koski
        if e["henkilö"]["hetu"] in entries
    }
    members = []
    for row in out.rows[REGISTER]:  # in the order the persons were written
        hetu = row[cols.hetu[REGISTER]]
        entry = entries.get(hetu)
        if entry is None:
            continue
        person = {key: found.get(hetu, ()) for key, found in rows.items()}
        features = _features(cols, dates, hetu, entry, periods[hetu], person, koski.get(hetu, []))
        members.append(Member(hetu, entry, features, sex_of(hetu)))
    return members


def _features(
    c: _Columns,
    dates: dict[str, _Dates],
    hetu: str,
    entry: int,
    periods: list[tuple[int, int | None]],
    rows: dict[tuple[str, str], list[list[str]]],
    study_rights: list[dict],
) -> CohortPerson:
    index = entry + INDEX_DAYS
    b_lo = index - LOOKBACK_DAYS
    before_lo = entry - LOOKBACK_DAYS
    kela = dates["kela"]

    sickness_periods = sickness_days = 0
    for r in rows[SICKNESS]:
        if b_lo <= kela(r[c.sick_start]) < index:
            sickness_periods += 1
            sickness_days += int(r[c.sick_paid])

    rehabilitation = any(b_lo <= kela(r[c.rehab_start]) < index for r in rows[REHABILITATION])

    interrupted = 0
    koski = dates["koski"]
    for right in study_rights:
        last = right["tila"]["opiskeluoikeusjaksot"][-1]
        if last["tila"]["koodiarvo"] in INTERRUPTED and before_lo <= koski(last["alku"]) < entry:
            interrupted += 1

    spells = sum(1 for s, e in periods if s != entry and e is not None and before_lo <= e < entry)

    doctor = other = 0
    wellbeing = dates[STATEMENTS[0]]
    for r in rows[STATEMENTS]:
        if b_lo <= wellbeing(r[c.statement_date]) < index:
            kind = r[c.statement_type]
            doctor += kind == "B"
            other += kind in OTHER_STATEMENTS

    services = dates[APPOINTMENTS[0]]
    missed = sum(
        1
        for r in rows[APPOINTMENTS]
        if r[c.visit_status] == "EI_SAAPUNUT" and entry <= services(r[c.visit_date]) < index
    )

    year = str(date.fromordinal(entry).year - 1)
    earnings = sum(
        float(r[c.earnings].replace(",", ".")) for r in rows[EARNINGS] if r[c.year] == year
    )

    subsidy = any(
        r[c.benefit] == "TMT"
        and r[c.decision] == "MYON"
        and kela(r[c.start]) < index
        and (not r[c.end] or kela(r[c.end]) >= b_lo)
        for r in rows[DECISIONS]
    )

    tongue = rows[REGISTER][0][c.mother_tongue] if rows[REGISTER] else ""
    return CohortPerson(
        age=date.fromordinal(entry).year - birth_date(hetu).year,
        language=tongue if tongue in LANGUAGES[:2] else "other",
        sickness_periods=sickness_periods,
        sickness_days=min(MAX_SICKNESS_DAYS, sickness_days),
        rehabilitation=rehabilitation,
        interrupted_studies=interrupted,
        employment_spells_ended=spells,
        doctor_statements=doctor,
        other_statements=other,
        missed_appointments=missed,
        annual_earnings=round(earnings, 2),
        labour_market_subsidy=subsidy,
    )
