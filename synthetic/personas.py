"""The pilot's two fixed personas: the same identity codes, record ids and facts every run.

They are written in chunk 0 (the population starts at chunk 1), count towards
``persons``, and are never given faults. Their dates are set for the default
extract date, 1 November 2026.

>>> [p.age(date(2026, 11, 1)) for p in PERSONAS]
[45, 30]
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.hetu import make

from .esco_pool import EscoPool
from .world import World, date_formatter
from .writers import ChunkOut


def _id(prefix: str, n: int) -> str:
    return f"{prefix}00000{n:06d}"  # chunk 00000 is the personas' own


@dataclass(frozen=True)
class Permit:
    id: str
    type: str
    ground: str
    start: date
    valid_until: date | None
    first: bool
    extension_pending: bool
    entry: date


@dataclass(frozen=True)
class JobSeeking:
    id: str
    start: date
    end: date | None
    status: str
    plan_valid_until: date | None
    typ_client: bool


@dataclass(frozen=True)
class Appointment:
    id: str
    day: date
    status: str


@dataclass(frozen=True)
class Decision:
    id: str
    benefit: str
    applied: date
    decided: date | None
    outcome: str
    start: date | None = None
    end: date | None = None
    reason: str = ""
    in_payment: bool = False


@dataclass(frozen=True)
class SicknessPeriod:
    id: str
    start: date
    end: date
    days_paid: int


@dataclass(frozen=True)
class Rehabilitation:
    id: str
    type: str
    start: date
    end: date | None


@dataclass(frozen=True)
class Statement:
    id: str
    type: str
    day: date


@dataclass(frozen=True)
class Earnings:
    id: str
    year: int
    cents: int

    @property
    def text(self) -> str:
        return f"{self.cents // 100},{self.cents % 100:02d}"


@dataclass(frozen=True)
class StudyRight:
    oid: str
    type: str
    level: str  # institution kind: vocational / general / higher
    qualification: str
    status: str
    start: date
    end: date | None


@dataclass(frozen=True)
class Enforcement:
    id: str
    type: str
    start: date
    end: date | None
    status: str


@dataclass(frozen=True)
class WorkHistory:
    id: str
    occupation: str  # ESCO preferred label in English
    employer: str
    start: date
    end: date | None


@dataclass(frozen=True)
class Profile:
    id: str
    occupation: str  # ESCO preferred label in English, resolved against the ESCO files
    education: str
    working_time: str
    contract: str
    text: str
    updated: date
    skill_ids: tuple[str, ...]  # row ids; skills are the occupation's first essential ones
    history: tuple[WorkHistory, ...]
    languages: tuple[tuple[str, str, str], ...]  # (row id, language, CEFR level)
    licences: tuple[tuple[str, str], ...]  # (row id, licence)
    areas: tuple[tuple[str, str], ...]  # (row id, municipality)


@dataclass(frozen=True)
class Persona:
    key: str
    summary: str
    hetu: str
    born: date
    male: bool
    first_names: str
    last_name: str
    mother_tongue: str
    service_language: str
    municipality: str
    home_since: date
    household: tuple[tuple[str, str, int], ...]  # (member row id, relation, birth year)
    permits: tuple[Permit, ...] = ()
    study_rights: tuple[StudyRight, ...] = ()
    job_seeking: tuple[JobSeeking, ...] = ()
    appointments: tuple[Appointment, ...] = ()
    decisions: tuple[Decision, ...] = ()
    sickness: tuple[SicknessPeriod, ...] = ()
    rehabilitation: tuple[Rehabilitation, ...] = ()
    statements: tuple[Statement, ...] = ()
    earnings: tuple[Earnings, ...] = ()
    enforcement: tuple[Enforcement, ...] = ()
    profile: Profile | None = None

    def age(self, on: date) -> int:
        return on.year - self.born.year - ((on.month, on.day) < (self.born.month, self.born.day))

    @property
    def household_size(self) -> int:
        return 1 + len(self.household)

    @property
    def children(self) -> int:
        return sum(1 for _, relation, _ in self.household if relation == "LAPSI")

    @property
    def sickness_days_paid(self) -> int:
        return sum(p.days_paid for p in self.sickness)

    @property
    def earnings_total_cents(self) -> int:
        return sum(e.cents for e in self.earnings)

    def record_ids(self) -> dict[str, tuple[str, ...]]:
        """Record ids per "source/file"; the population register is keyed by the identity code."""
        ids: dict[str, tuple[str, ...]] = {
            "vtj/asuntokunnan_jasenet.csv": tuple(m for m, _, _ in self.household),
            "migri/oleskeluluvat.csv": tuple(p.id for p in self.permits),
            "koski/opiskeluoikeudet.json": tuple(s.oid for s in self.study_rights),
            "tyollisyyspalvelut/tyonhakijat.csv": tuple(j.id for j in self.job_seeking),
            "tyollisyyspalvelut/tapaamiset.csv": tuple(a.id for a in self.appointments),
            "kela/etuuspaatokset.csv": tuple(d.id for d in self.decisions),
            "kela/sairauspaivarahat.csv": tuple(s.id for s in self.sickness),
            "kela/kuntoutus.csv": tuple(r.id for r in self.rehabilitation),
            "kela/ansiotulot.csv": tuple(e.id for e in self.earnings),
            "hyvinvointialue/laakarinlausunnot.csv": tuple(s.id for s in self.statements),
            "ulosotto/asiat.csv": tuple(e.id for e in self.enforcement),
        }
        if self.profile:
            p = self.profile
            ids["tyomarkkinatori/tyonhakijaprofiilit.csv"] = (p.id,)
            ids["tyomarkkinatori/profiilin_taidot.csv"] = p.skill_ids
            ids["tyomarkkinatori/profiilin_tyohistoria.csv"] = tuple(h.id for h in p.history)
            ids["tyomarkkinatori/profiilin_kielet.csv"] = tuple(i for i, _, _ in p.languages)
            ids["tyomarkkinatori/profiilin_kortit.csv"] = tuple(i for i, _ in p.licences)
            ids["tyomarkkinatori/profiilin_hakualue.csv"] = tuple(i for i, _ in p.areas)
        return {k: v for k, v in ids.items() if v}


D = date
MOTHER = Persona(
    key="persona-1",
    summary=(
        "45-year-old mother of three with a first temporary residence permit (B) and a "
        "pending extension; unemployed job seeker on labour market subsidy, studying for "
        "a practical nurse qualification and Finnish, looking for cleaning work"
    ),
    hetu=make(D(1981, 5, 17), 4),
    born=D(1981, 5, 17),
    male=False,
    first_names="Zainab Noor",
    last_name="Al-Hashimi",
    mother_tongue="ar",
    service_language="fi",
    municipality="092",
    home_since=D(2023, 10, 2),
    household=(
        (_id("JA", 1), "LAPSI", 2011),
        (_id("JA", 2), "LAPSI", 2014),
        (_id("JA", 3), "LAPSI", 2018),
    ),
    permits=(
        Permit(
            _id("OL", 1),
            "B",
            "KANSAINVALINEN_SUOJELU",
            D(2023, 9, 18),
            D(2026, 12, 17),
            first=True,
            extension_pending=True,
            entry=D(2022, 10, 3),
        ),
    ),
    study_rights=(
        StudyRight(
            "1.2.246.562.15.10000000001",
            "ammatillinenkoulutus",
            "vocational",
            "371101",
            "lasna",
            D(2025, 8, 11),
            None,
        ),
    ),
    job_seeking=(JobSeeking(_id("AS", 1), D(2023, 11, 6), None, "TYOTON", D(2027, 1, 29), False),),
    appointments=tuple(
        Appointment(_id("TA", n), day, status)
        for n, (day, status) in enumerate(
            (
                (D(2023, 11, 13), "TOTEUTUNUT"),
                (D(2024, 2, 19), "TOTEUTUNUT"),
                (D(2024, 6, 10), "PERUTTU"),
                (D(2024, 9, 2), "TOTEUTUNUT"),
                (D(2025, 3, 17), "TOTEUTUNUT"),
                (D(2025, 9, 8), "TOTEUTUNUT"),
                (D(2026, 10, 5), "TOTEUTUNUT"),
            ),
            start=1,
        )
    ),
    decisions=(
        Decision(
            _id("EP", 1),
            "TMT",
            D(2023, 11, 8),
            D(2023, 11, 30),
            "MYON",
            D(2023, 11, 6),
            None,
            in_payment=True,
        ),
        Decision(
            _id("EP", 2),
            "LL",
            D(2023, 10, 10),
            D(2023, 10, 24),
            "MYON",
            D(2023, 11, 1),
            D(2027, 12, 31),
            in_payment=True,
        ),
        Decision(
            _id("EP", 3),
            "LL",
            D(2023, 10, 10),
            D(2023, 10, 24),
            "MYON",
            D(2023, 11, 1),
            D(2030, 12, 31),
            in_payment=True,
        ),
        Decision(
            _id("EP", 4),
            "LL",
            D(2023, 10, 10),
            D(2023, 10, 24),
            "MYON",
            D(2023, 11, 1),
            D(2034, 12, 31),
            in_payment=True,
        ),
        Decision(
            _id("EP", 5),
            "YAT",
            D(2025, 12, 1),
            D(2025, 12, 15),
            "MYON",
            D(2026, 1, 1),
            D(2026, 12, 31),
            in_payment=True,
        ),
    ),
    earnings=tuple(
        Earnings(_id("AT", n), year, cents)
        for n, (year, cents) in enumerate(
            ((2021, 0), (2022, 0), (2023, 0), (2024, 184000), (2025, 312050)), start=1
        )
    ),
    profile=Profile(
        id=_id("PR", 1),
        occupation="building cleaner",
        education="3",
        working_time="KOKOAIKA",
        contract="VAKINAINEN",
        text=(
            "oon tehny siivousta kotimaassa ja täällä vähän keikkaa, suomen kurssi menossa ja "
            "lähihoitajan opinnot alotettu, kolme lasta niin aamuvuorot ois parhaita"
        ),
        updated=D(2026, 9, 22),
        skill_ids=tuple(_id("PT", n) for n in range(1, 7)),
        history=(
            WorkHistory(
                _id("PH", 1), "domestic cleaner", "Siivous Kotiranta", D(2024, 3, 4), D(2024, 8, 30)
            ),
        ),
        languages=(
            (_id("PK", 1), "ar", "C2"),
            (_id("PK", 2), "fi", "A2"),
            (_id("PK", 3), "en", "A2"),
        ),
        licences=(),
        areas=((_id("PA", 1), "092"), (_id("PA", 2), "091"), (_id("PA", 3), "049")),
    ),
)

DROPOUT = Persona(
    key="persona-2",
    summary=(
        "30-year-old with interrupted vocational studies and a long sickness-allowance "
        "history followed by vocational rehabilitation; long-term unemployed TYP client "
        "with missed appointments and low earnings"
    ),
    hetu=make(D(1996, 2, 9), 7),
    born=D(1996, 2, 9),
    male=True,
    first_names="Joni Petteri",
    last_name="Laaksonen",
    mother_tongue="fi",
    service_language="fi",
    municipality="091",
    home_since=D(2019, 6, 1),
    household=(),
    study_rights=(
        StudyRight(
            "1.2.246.562.15.10000000101",
            "ammatillinenkoulutus",
            "vocational",
            "351101",
            "eronnut",
            D(2012, 8, 13),
            D(2013, 5, 31),
        ),
        StudyRight(
            "1.2.246.562.15.10000000102",
            "ammatillinenkoulutus",
            "vocational",
            "381408",
            "katsotaaneronneeksi",
            D(2014, 8, 11),
            D(2016, 2, 29),
        ),
    ),
    job_seeking=(
        JobSeeking(_id("AS", 101), D(2016, 4, 4), D(2017, 9, 30), "TYOSSA", D(2017, 8, 31), False),
        JobSeeking(_id("AS", 102), D(2019, 10, 7), None, "TYOTON", D(2026, 8, 31), True),
    ),
    appointments=tuple(
        Appointment(_id("TA", n), day, status)
        for n, (day, status) in enumerate(
            (
                (D(2016, 5, 2), "TOTEUTUNUT"),
                (D(2020, 1, 13), "TOTEUTUNUT"),
                (D(2020, 6, 15), "EI_SAAPUNUT"),
                (D(2021, 2, 8), "TOTEUTUNUT"),
                (D(2021, 9, 20), "EI_SAAPUNUT"),
                (D(2024, 1, 22), "TOTEUTUNUT"),
                (D(2025, 4, 14), "TOTEUTUNUT"),
                (D(2025, 11, 3), "EI_SAAPUNUT"),
                (D(2026, 5, 18), "TOTEUTUNUT"),
            ),
            start=101,
        )
    ),
    decisions=(
        Decision(
            _id("EP", 101),
            "TMT",
            D(2019, 10, 9),
            D(2019, 10, 30),
            "MYON",
            D(2019, 10, 7),
            D(2024, 3, 3),
        ),
        Decision(
            _id("EP", 102),
            "SPR",
            D(2022, 1, 15),
            D(2022, 1, 29),
            "MYON",
            D(2022, 1, 10),
            D(2022, 3, 20),
        ),
        Decision(
            _id("EP", 103),
            "SPR",
            D(2022, 9, 10),
            D(2022, 9, 24),
            "MYON",
            D(2022, 9, 5),
            D(2023, 1, 31),
        ),
        Decision(
            _id("EP", 104),
            "SPR",
            D(2023, 6, 17),
            D(2023, 7, 1),
            "MYON",
            D(2023, 6, 12),
            D(2023, 11, 30),
        ),
        Decision(
            _id("EP", 105),
            "KR",
            D(2024, 2, 5),
            D(2024, 2, 20),
            "MYON",
            D(2024, 3, 4),
            D(2025, 2, 28),
        ),
        Decision(
            _id("EP", 106),
            "KR",
            D(2025, 3, 17),
            D(2025, 3, 28),
            "MYON",
            D(2025, 4, 7),
            D(2025, 7, 31),
        ),
        Decision(
            _id("EP", 107),
            "TMT",
            D(2025, 8, 4),
            D(2025, 8, 20),
            "MYON",
            D(2025, 8, 1),
            None,
            in_payment=True,
        ),
        Decision(
            _id("EP", 108),
            "YAT",
            D(2026, 2, 2),
            D(2026, 2, 16),
            "MYON",
            D(2026, 3, 1),
            D(2027, 2, 28),
            in_payment=True,
        ),
    ),
    sickness=(
        SicknessPeriod(_id("SP", 101), D(2022, 1, 10), D(2022, 3, 20), 50),
        SicknessPeriod(_id("SP", 102), D(2022, 9, 5), D(2023, 1, 31), 128),
        SicknessPeriod(_id("SP", 103), D(2023, 6, 12), D(2023, 11, 30), 114),
    ),
    rehabilitation=(
        Rehabilitation(_id("KU", 101), "AMMATILLINEN", D(2024, 3, 4), D(2025, 2, 28)),
        Rehabilitation(_id("KU", 102), "TYOKOKEILU", D(2025, 4, 7), D(2025, 7, 31)),
    ),
    statements=(
        Statement(_id("LL", 101), "A", D(2022, 1, 12)),
        Statement(_id("LL", 102), "B", D(2022, 9, 7)),
        Statement(_id("LL", 103), "B", D(2023, 6, 14)),
        Statement(_id("LL", 104), "B", D(2024, 1, 15)),
    ),
    earnings=tuple(
        Earnings(_id("AT", n), year, cents)
        for n, (year, cents) in enumerate(
            ((2021, 612040), (2022, 231000), (2023, 0), (2024, 0), (2025, 348075)), start=101
        )
    ),
    enforcement=(Enforcement(_id("UO", 101), "ULOSOTTO", D(2025, 5, 12), None, "VIREILLA"),),
    profile=Profile(
        id=_id("PR", 101),
        occupation="warehouse worker",
        education="2",
        working_time="KOKOAIKA",
        contract="VAKINAINEN",
        text=(
            "oon tehny varastohommia ja keittiöllä tiskissä, trukkikortti on ja b-kortti, selkä "
            "ei kestä enää raskasta nostelua niin kevyempi varastotyö ois hyvä"
        ),
        updated=D(2026, 10, 12),
        skill_ids=tuple(_id("PT", n) for n in range(101, 106)),
        history=(
            WorkHistory(
                _id("PH", 101),
                "kitchen porter",
                "Ravintola Sininen Hetki",
                D(2015, 6, 1),
                D(2015, 8, 31),
            ),
            WorkHistory(
                _id("PH", 102),
                "warehouse worker",
                "Itä-Suomen Logistiikka Oy",
                D(2017, 10, 2),
                D(2019, 9, 27),
            ),
        ),
        languages=(
            (_id("PK", 101), "fi", "C2"),
            (_id("PK", 102), "en", "B1"),
            (_id("PK", 103), "sv", "A2"),
        ),
        licences=((_id("PC", 101), "TRUKKIKORTTI"), (_id("PC", 102), "AJOKORTTI_B")),
        areas=((_id("PA", 101), "091"), (_id("PA", 102), "092")),
    ),
)

PERSONAS: tuple[Persona, ...] = (MOTHER, DROPOUT)


def write_personas(world: World, out: ChunkOut) -> None:
    """Write both personas' rows into chunk 0."""
    fmt = {name: date_formatter(s.date_format) for name, s in world.contract.sources.items()}
    institutions = world.institutions
    codes = world.contract.codelists
    for p in PERSONAS:
        _write(p, out, fmt, institutions, world.pool, codes.label)


def _write(p: Persona, out: ChunkOut, fmt: dict, institutions: dict, pool: EscoPool, label) -> None:
    def d(source: str, day: date | None) -> str:
        return fmt[source](day.toordinal()) if day is not None else ""

    def yn(flag: bool) -> str:
        return "K" if flag else "E"

    out.add(
        "vtj",
        "henkilot.csv",
        {
            "hetu": p.hetu,
            "kotikunta": p.municipality,
            "kotikunta_alkaen": d("vtj", p.home_since),
            "aidinkieli": p.mother_tongue,
            "asiointikieli": p.service_language,
            "asuntokunta_koko": str(p.household_size),
        },
    )
    for member_id, relation, year in p.household:
        out.add(
            "vtj",
            "asuntokunnan_jasenet.csv",
            {"jasen_id": member_id, "hetu": p.hetu, "suhde": relation, "syntymavuosi": str(year)},
        )
    for permit in p.permits:
        out.add(
            "migri",
            "oleskeluluvat.csv",
            {
                "lupa_id": permit.id,
                "hetu": p.hetu,
                "lupatyyppi": permit.type,
                "lupaperuste": permit.ground,
                "alkupvm": d("migri", permit.start),
                "voimassa_asti": d("migri", permit.valid_until),
                "ensimmainen_lupa": yn(permit.first),
                "jatkohakemus_vireilla": yn(permit.extension_pending),
                "maahantulopvm": d("migri", permit.entry),
            },
        )
    if p.study_rights:
        records = []
        for sr in p.study_rights:
            oid, name = institutions[sr.level][0]
            periods = [
                {
                    "alku": d("koski", sr.start),
                    "tila": {"koodiarvo": "lasna", "koodistoUri": "koskiopiskeluoikeudentila"},
                }
            ]
            if sr.status != "lasna":
                periods.append(
                    {
                        "alku": d("koski", sr.end or sr.start),
                        "tila": {
                            "koodiarvo": sr.status,
                            "koodistoUri": "koskiopiskeluoikeudentila",
                        },
                    }
                )
            record: dict = {
                "oid": sr.oid,
                "oppilaitos": {"oid": oid, "nimi": {"fi": name}},
                "tyyppi": {"koodiarvo": sr.type, "koodistoUri": "opiskeluoikeudentyyppi"},
                "alkamispäivä": d("koski", sr.start),
            }
            if sr.end is not None:
                record["päättymispäivä"] = d("koski", sr.end)
            record["tila"] = {"opiskeluoikeusjaksot": periods}
            suoritus: dict = {
                "koulutusmoduuli": {
                    "tunniste": {
                        "koodiarvo": sr.qualification,
                        "koodistoUri": "koulutus",
                        "nimi": {"fi": label("qualification", sr.qualification)},
                    }
                }
            }
            if sr.status == "valmistunut":
                suoritus["vahvistus"] = {"päivä": d("koski", sr.end)}
            record["suoritukset"] = [suoritus]
            records.append(record)
        out.koski.append(
            {
                "henkilö": {
                    "hetu": p.hetu,
                    "syntymäaika": p.born.isoformat(),
                    "etunimet": p.first_names,
                    "sukunimi": p.last_name,
                },
                "opiskeluoikeudet": records,
            }
        )
    for j in p.job_seeking:
        out.add(
            "tyollisyyspalvelut",
            "tyonhakijat.csv",
            {
                "asiakkuus_id": j.id,
                "hetu": p.hetu,
                "kunta": p.municipality,
                "tyonhaku_alkupvm": d("tyollisyyspalvelut", j.start),
                "tyonhaku_loppupvm": d("tyollisyyspalvelut", j.end),
                "tyollisyystilanne": j.status,
                "suunnitelma_voimassa_asti": d("tyollisyyspalvelut", j.plan_valid_until),
                "typ_asiakas": yn(j.typ_client),
            },
        )
    for a in p.appointments:
        out.add(
            "tyollisyyspalvelut",
            "tapaamiset.csv",
            {
                "tapaaminen_id": a.id,
                "hetu": p.hetu,
                "pvm": d("tyollisyyspalvelut", a.day),
                "tila": a.status,
            },
        )
    for dec in p.decisions:
        out.add(
            "kela",
            "etuuspaatokset.csv",
            {
                "paatos_id": dec.id,
                "hetu": p.hetu,
                "etuuslaji": dec.benefit,
                "hakemus_pvm": d("kela", dec.applied),
                "alkupvm": d("kela", dec.start),
                "loppupvm": d("kela", dec.end),
                "ratkaisu": dec.outcome,
                "hylkaysperuste": dec.reason,
                "ratkaisu_pvm": d("kela", dec.decided),
                "maksussa": yn(dec.in_payment),
                "kuukausimaara_eur": "",
            },
        )
    for s in p.sickness:
        out.add(
            "kela",
            "sairauspaivarahat.csv",
            {
                "jakso_id": s.id,
                "hetu": p.hetu,
                "alkupvm": d("kela", s.start),
                "loppupvm": d("kela", s.end),
                "maksetut_paivat": str(s.days_paid),
            },
        )
    for r in p.rehabilitation:
        out.add(
            "kela",
            "kuntoutus.csv",
            {
                "kuntoutus_id": r.id,
                "hetu": p.hetu,
                "kuntoutuslaji": r.type,
                "alkupvm": d("kela", r.start),
                "loppupvm": d("kela", r.end),
            },
        )
    for e in p.earnings:
        out.add(
            "kela",
            "ansiotulot.csv",
            {"tulo_id": e.id, "hetu": p.hetu, "vuosi": str(e.year), "ansiotulot_eur": e.text},
        )
    for st in p.statements:
        out.add(
            "hyvinvointialue",
            "laakarinlausunnot.csv",
            {
                "lausunto_id": st.id,
                "hetu": p.hetu,
                "lausuntotyyppi": st.type,
                "pvm": d("hyvinvointialue", st.day),
            },
        )
    for en in p.enforcement:
        out.add(
            "ulosotto",
            "asiat.csv",
            {
                "asia_id": en.id,
                "hetu": p.hetu,
                "asiatyyppi": en.type,
                "alkupvm": d("ulosotto", en.start),
                "loppupvm": d("ulosotto", en.end),
                "tila": en.status,
            },
        )
    if p.profile:
        _write_profile(p, p.profile, out, pool, lambda day: d("tyomarkkinatori", day))


def _write_profile(p: Persona, prof: Profile, out: ChunkOut, pool: EscoPool, d) -> None:
    src = "tyomarkkinatori"
    occupation = pool.by_label_en(prof.occupation)
    out.add(
        src,
        "tyonhakijaprofiilit.csv",
        {
            "profiili_id": prof.id,
            "hetu": p.hetu,
            "toivottu_ammatti": occupation.uri,
            "koulutustaso": prof.education,
            "kunta": p.municipality,
            "tyoaika": prof.working_time,
            "tyosuhde": prof.contract,
            "kuvaus": prof.text,
            "paivitetty": d(prof.updated),
        },
    )
    for row_id, skill in zip(prof.skill_ids, occupation.essential, strict=False):
        out.add(
            src, "profiilin_taidot.csv", {"rivi_id": row_id, "profiili_id": prof.id, "taito": skill}
        )
    for h in prof.history:
        out.add(
            src,
            "profiilin_tyohistoria.csv",
            {
                "rivi_id": h.id,
                "profiili_id": prof.id,
                "ammatti": pool.by_label_en(h.occupation).uri,
                "tyonantaja": h.employer,
                "alkupvm": d(h.start),
                "loppupvm": d(h.end),
            },
        )
    for row_id, language, level in prof.languages:
        out.add(
            src,
            "profiilin_kielet.csv",
            {"rivi_id": row_id, "profiili_id": prof.id, "kieli": language, "taso": level},
        )
    for row_id, licence in prof.licences:
        out.add(
            src,
            "profiilin_kortit.csv",
            {"rivi_id": row_id, "profiili_id": prof.id, "kortti": licence},
        )
    for row_id, area in prof.areas:
        out.add(
            src,
            "profiilin_hakualue.csv",
            {"rivi_id": row_id, "profiili_id": prof.id, "kunta": area},
        )


def check_persona_codes(world: World) -> None:
    """The personas' codes exist in the code lists (they are typed here once)."""
    codes = world.contract.codelists
    for p in PERSONAS:
        codes.require(
            "municipality",
            [p.municipality, *(a for _, a in (p.profile.areas if p.profile else ()))],
        )
        codes.require("language", [p.mother_tongue, p.service_language])
        codes.require("household-relation", [r for _, r, _ in p.household])
        codes.require("permit-type", [x.type for x in p.permits])
        codes.require("permit-ground", [x.ground for x in p.permits])
        codes.require("qualification", [s.qualification for s in p.study_rights])
        codes.require("study-right-status", [s.status for s in p.study_rights])
        codes.require("study-right-type", [s.type for s in p.study_rights])
        codes.require("benefit-type", [x.benefit for x in p.decisions])
        codes.require("rehabilitation-type", [x.type for x in p.rehabilitation])
        codes.require("medical-statement-type", [x.type for x in p.statements])
        if p.profile:
            codes.require("licence", [c for _, c in p.profile.licences])
            codes.require("cefr-level", [lvl for _, _, lvl in p.profile.languages])
