"""The same persons agree with themselves across sources."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

from synthetic import PERSONAS

from .conftest import Extract
from .rules import parse_date

AS_OF = date(2026, 11, 1)
THRESHOLD_EUR = 41_143.38
PERSONA_CODES = {p.hetu for p in PERSONAS}


def _d(value: str, fmt: str = "%Y-%m-%d") -> date:
    return parse_date(value, fmt)


def _by_person(rows: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        grouped[row["hetu"]].append(row)
    return grouped


def _koski(extract: Extract) -> dict[str, list[dict]]:
    people = json.loads((extract.dir / "koski" / "opiskeluoikeudet.json").read_text("utf-8"))
    return {p["henkilö"]["hetu"]: p["opiskeluoikeudet"] for p in people}


def test_everyone_is_in_the_population_register(clean: Extract):
    people = {r["hetu"] for r in clean.csv_rows("vtj", "henkilot.csv")}
    for source, name in (
        ("kela", "etuuspaatokset.csv"),
        ("kela", "ansiotulot.csv"),
        ("tyollisyyspalvelut", "tyonhakijat.csv"),
        ("migri", "oleskeluluvat.csv"),
        ("hyvinvointialue", "laakarinlausunnot.csv"),
        ("ulosotto", "asiat.csv"),
        ("tyomarkkinatori", "tyonhakijaprofiilit.csv"),
    ):
        assert {r["hetu"] for r in clean.csv_rows(source, name)} <= people, name
    assert set(_koski(clean)) <= people


def test_household_size_counts_the_members(clean: Extract):
    members = defaultdict(int)
    for row in clean.csv_rows("vtj", "asuntokunnan_jasenet.csv"):
        members[row["hetu"]] += 1
    for person in clean.csv_rows("vtj", "henkilot.csv"):
        assert int(person["asuntokunta_koko"]) == 1 + members[person["hetu"]]


def test_studies_end_before_job_seeking_starts(clean: Extract):
    seeking = _by_person(clean.csv_rows("tyollisyyspalvelut", "tyonhakijat.csv"))
    koski = _koski(clean)
    checked = 0
    for code, periods in seeking.items():
        first = min(_d(p["tyonhaku_alkupvm"], "%d.%m.%Y") for p in periods)
        for right in koski.get(code, []):
            last = right["tila"]["opiskeluoikeusjaksot"][-1]
            if last["tila"]["koodiarvo"] == "lasna":  # self-motivated studies while seeking
                assert _d(right["alkamispäivä"]) > first
            else:
                assert _d(last["alku"]) < first
                checked += 1
    assert checked > 20


def test_study_statuses_are_varied(clean: Extract):
    statuses = {
        r["tila"]["opiskeluoikeusjaksot"][-1]["tila"]["koodiarvo"]
        for rights in _koski(clean).values()
        for r in rights
    }
    assert {
        "valmistunut",
        "lasna",
        "eronnut",
        "katsotaaneronneeksi",
        "valiaikaisestikeskeytynyt",
    } <= statuses


def test_sickness_allowance_precedes_rehabilitation(clean: Extract):
    sick = _by_person(clean.csv_rows("kela", "sairauspaivarahat.csv"))
    statements = _by_person(clean.csv_rows("hyvinvointialue", "laakarinlausunnot.csv"))
    rehab = _by_person(clean.csv_rows("kela", "kuntoutus.csv"))
    assert rehab
    for code, periods in rehab.items():
        start = min(_d(r["alkupvm"]) for r in periods)
        assert sick[code], "rehabilitation without a sickness-allowance history"
        assert all(_d(s["loppupvm"]) < start for s in sick[code])
        assert any(s["lausuntotyyppi"] == "B" and _d(s["pvm"]) < start for s in statements[code])
    for code, periods in sick.items():
        assert sum(int(p["maksetut_paivat"]) for p in periods) <= 300
        assert statements[code], "sickness allowance without a medical statement"


def test_entry_then_first_permit_then_home_municipality(clean: Extract):
    permits = _by_person(clean.csv_rows("migri", "oleskeluluvat.csv"))
    home = {r["hetu"]: r["kotikunta_alkaen"] for r in clean.csv_rows("vtj", "henkilot.csv")}
    pending = 0
    assert permits
    for code, rows in permits.items():
        firsts = [r for r in rows if r["ensimmainen_lupa"] == "K"]
        assert len(firsts) == 1
        first = _d(firsts[0]["alkupvm"])
        assert all(_d(r["maahantulopvm"]) <= first for r in rows)
        assert all(_d(r["alkupvm"]) >= first for r in rows)
        assert _d(home[code], "%Y%m%d") >= first
        pending += any(r["jatkohakemus_vireilla"] == "K" for r in rows)
    assert pending > 0


def test_job_seekers_have_benefits_earnings_and_appointments(clean: Extract):
    seekers = _by_person(clean.csv_rows("tyollisyyspalvelut", "tyonhakijat.csv"))
    earnings = _by_person(clean.csv_rows("kela", "ansiotulot.csv"))
    decisions = _by_person(clean.csv_rows("kela", "etuuspaatokset.csv"))
    visits = _by_person(clean.csv_rows("tyollisyyspalvelut", "tapaamiset.csv"))
    for code, periods in seekers.items():
        # Kela's extract holds the seven full years before it (the cohort's earliest
        # entrants need the year before entry); the fixed personas keep their five.
        years = sorted(int(r["vuosi"]) for r in earnings[code])
        assert years in (list(range(AS_OF.year - 7, AS_OF.year)),
                         list(range(AS_OF.year - 5, AS_OF.year)))
        if code not in PERSONA_CODES:
            assert years[0] == AS_OF.year - 7
        assert visits[code]
        for p in periods:
            assert _d(p["tyonhaku_alkupvm"], "%d.%m.%Y") < AS_OF
    current = [c for c, ps in seekers.items() if any(not p["tyonhaku_loppupvm"] for p in ps)]
    with_benefit = [
        c for c in current if any(d["etuuslaji"] in ("TMT", "PPR") for d in decisions[c])
    ]
    assert len(with_benefit) > 0.6 * len(current)
    outcomes = {d["ratkaisu"] for ds in decisions.values() for d in ds}
    assert outcomes == {"MYON", "HYL", "VIREILLA"}
    plans = [
        p["suunnitelma_voimassa_asti"]
        for ps in seekers.values()
        for p in ps
        if p["suunnitelma_voimassa_asti"] and not p["tyonhaku_loppupvm"]
    ]
    assert any(_d(p, "%d.%m.%Y") < AS_OF for p in plans), "no expired employment plan"
    assert any(_d(p, "%d.%m.%Y") >= AS_OF for p in plans)
    statuses = {v["tila"] for vs in visits.values() for v in vs}
    assert "EI_SAAPUNUT" in statuses
    totals = [
        sum(float(r["ansiotulot_eur"].replace(",", ".")) for r in rows)
        for rows in earnings.values()
    ]
    assert min(totals) < THRESHOLD_EUR < max(totals)


def test_events_happen_by_the_extract_date(clean: Extract):
    def dates(source: str, name: str, column: str, fmt: str = "%Y-%m-%d") -> list[date]:
        return [_d(r[column], fmt) for r in clean.csv_rows(source, name) if r[column]]

    for when in (
        dates("kela", "etuuspaatokset.csv", "hakemus_pvm"),
        dates("kela", "etuuspaatokset.csv", "ratkaisu_pvm"),
        dates("tyollisyyspalvelut", "tapaamiset.csv", "pvm", "%d.%m.%Y"),
        dates("hyvinvointialue", "laakarinlausunnot.csv", "pvm"),
        dates("migri", "oleskeluluvat.csv", "maahantulopvm"),
        dates("tyomarkkinatori", "tyopaikat.csv", "julkaistu"),
        dates("tyomarkkinatori", "tyonhakijaprofiilit.csv", "paivitetty"),
    ):
        assert when and max(when) <= AS_OF


def test_postings_use_the_occupations_own_skills(clean: Extract, esco_dir: Path):
    with (esco_dir / "en" / "occupationSkillRelations.csv").open(encoding="utf-8") as fh:
        relations = {
            (r["occupationUri"], r["skillUri"]): r["relationType"] for r in csv.DictReader(fh)
        }
    occupation = {
        r["ilmoitus_id"]: r["ammatti"] for r in clean.csv_rows("tyomarkkinatori", "tyopaikat.csv")
    }
    wanted = {"olennainen": "essential", "valinnainen": "optional"}
    for row in clean.csv_rows("tyomarkkinatori", "tyopaikan_taidot.csv"):
        relation = relations[(occupation[row["ilmoitus_id"]], row["taito"])]
        assert relation == wanted[row["olennaisuus"]]


def test_postings_and_profiles_read_like_finnish(clean: Extract):
    postings = clean.csv_rows("tyomarkkinatori", "tyopaikat.csv")
    assert all(p["otsikko"] and p["tyonantaja"] for p in postings)
    assert any(" hakee " in p["kuvaus"] for p in postings)
    licences = {r["kortti"] for r in clean.csv_rows("tyomarkkinatori", "tyopaikan_kortit.csv")}
    assert {"HYGIENIAPASSI", "TYOTURVALLISUUSKORTTI"} <= licences
    texts = [
        p["kuvaus"]
        for p in clean.csv_rows("tyomarkkinatori", "tyonhakijaprofiilit.csv")
        if p["kuvaus"]
    ]
    informal = [t for t in texts if t[:1].islower()]
    assert len(informal) > len(texts) / 2
    assert any(word in " ".join(texts) for word in ("oon", "tehny", "ollu"))
