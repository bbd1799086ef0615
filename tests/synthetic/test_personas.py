"""The pilot's two personas are in every source they belong to, with their key facts."""

from __future__ import annotations

import json
from datetime import date

from core.hetu import is_valid
from synthetic import PERSONAS

from .conftest import Extract
from .rules import parse_date

AS_OF = date(2026, 11, 1)
MOTHER, DROPOUT = PERSONAS


def _rows(extract: Extract, source: str, name: str, code: str) -> list[dict[str, str]]:
    return [r for r in extract.csv_rows(source, name) if r.get("hetu") == code]


def _koski(extract: Extract, code: str) -> list[dict]:
    people = json.loads((extract.dir / "koski" / "opiskeluoikeudet.json").read_text("utf-8"))
    return [r for p in people if p["henkilö"]["hetu"] == code for r in p["opiskeluoikeudet"]]


def test_fixed_valid_identity_codes():
    assert all(is_valid(p.hetu) for p in PERSONAS)
    assert MOTHER.hetu != DROPOUT.hetu
    assert (MOTHER.age(AS_OF), DROPOUT.age(AS_OF)) == (45, 30)


def test_record_ids_are_where_the_persona_says(clean: Extract, dirty: Extract):
    for extract in (clean, dirty):  # faults never touch the personas
        for persona in PERSONAS:
            for path, ids in persona.record_ids().items():
                source, name = path.split("/")
                if name.endswith(".json"):
                    found = {r["oid"] for r in _koski(extract, persona.hetu)}
                else:
                    key = next(iter(extract.csv_rows(source, name)[0]))
                    found = {
                        r[key]
                        for r in extract.csv_rows(source, name)
                        if r.get("hetu", persona.hetu) == persona.hetu
                    }
                assert set(ids) <= found, path


def test_persona_rows_identical_in_clean_and_dirty_runs(clean: Extract, dirty: Extract):
    for persona in PERSONAS:
        for source, name in (
            ("kela", "etuuspaatokset.csv"),
            ("migri", "oleskeluluvat.csv"),
            ("vtj", "henkilot.csv"),
            ("tyollisyyspalvelut", "tapaamiset.csv"),
        ):
            assert _rows(clean, source, name, persona.hetu) == _rows(
                dirty, source, name, persona.hetu
            )


def test_mother_of_three_with_a_pending_permit_extension(clean: Extract):
    code = MOTHER.hetu
    (person,) = _rows(clean, "vtj", "henkilot.csv", code)
    assert person["asuntokunta_koko"] == "4" and person["aidinkieli"] != "fi"
    members = _rows(clean, "vtj", "asuntokunnan_jasenet.csv", code)
    assert [m["suhde"] for m in members] == ["LAPSI"] * 3 == ["LAPSI"] * MOTHER.children
    (permit,) = _rows(clean, "migri", "oleskeluluvat.csv", code)
    assert (permit["lupatyyppi"], permit["ensimmainen_lupa"], permit["jatkohakemus_vireilla"]) == (
        "B",
        "K",
        "K",
    )
    entry, start = (
        parse_date(permit["maahantulopvm"], "%Y-%m-%d"),
        parse_date(permit["alkupvm"], "%Y-%m-%d"),
    )
    assert entry <= start <= parse_date(person["kotikunta_alkaen"], "%Y%m%d")
    assert AS_OF.year - entry.year >= 3
    (seeking,) = _rows(clean, "tyollisyyspalvelut", "tyonhakijat.csv", code)
    assert seeking["tyollisyystilanne"] == "TYOTON" and not seeking["tyonhaku_loppupvm"]
    decisions = _rows(clean, "kela", "etuuspaatokset.csv", code)
    assert any(
        d["etuuslaji"] == "TMT" and d["ratkaisu"] == "MYON" and d["maksussa"] == "K"
        for d in decisions
    )
    (study,) = _koski(clean, code)
    assert study["tila"]["opiskeluoikeusjaksot"][-1]["tila"]["koodiarvo"] == "lasna"
    (profile,) = _rows(clean, "tyomarkkinatori", "tyonhakijaprofiilit.csv", code)
    languages = {
        r["kieli"]: r["taso"]
        for r in clean.csv_rows("tyomarkkinatori", "profiilin_kielet.csv")
        if r["profiili_id"] == profile["profiili_id"]
    }
    assert languages["fi"] in ("A2", "B1")


def test_interrupted_studies_sickness_then_rehabilitation(clean: Extract):
    code = DROPOUT.hetu
    rights = _koski(clean, code)
    last = [r["tila"]["opiskeluoikeusjaksot"][-1]["tila"]["koodiarvo"] for r in rights]
    assert last[-1] in ("katsotaaneronneeksi", "valiaikaisestikeskeytynyt")
    assert all(r["tyyppi"]["koodiarvo"] == "ammatillinenkoulutus" for r in rights)
    sick = _rows(clean, "kela", "sairauspaivarahat.csv", code)
    days = sum(int(s["maksetut_paivat"]) for s in sick)
    assert len(sick) >= 3 and 280 <= days <= 300
    rehab = _rows(clean, "kela", "kuntoutus.csv", code)
    first_rehab = min(parse_date(r["alkupvm"], "%Y-%m-%d") for r in rehab)
    assert rehab[0]["kuntoutuslaji"] == "AMMATILLINEN"
    assert all(parse_date(s["loppupvm"], "%Y-%m-%d") < first_rehab for s in sick)
    statements = _rows(clean, "hyvinvointialue", "laakarinlausunnot.csv", code)
    assert any(
        s["lausuntotyyppi"] == "B" and parse_date(s["pvm"], "%Y-%m-%d") < first_rehab
        for s in statements
    )
    seeking = _rows(clean, "tyollisyyspalvelut", "tyonhakijat.csv", code)
    current = [s for s in seeking if not s["tyonhaku_loppupvm"]]
    assert current and current[0]["typ_asiakas"] == "K"
    visits = _rows(clean, "tyollisyyspalvelut", "tapaamiset.csv", code)
    assert sum(v["tila"] == "EI_SAAPUNUT" for v in visits) >= 2
    earnings = _rows(clean, "kela", "ansiotulot.csv", code)
    assert len(earnings) == 5
    assert sum(float(e["ansiotulot_eur"].replace(",", ".")) for e in earnings) < 41_143.38
    assert DROPOUT.earnings_total_cents < 4_114_338 and DROPOUT.sickness_days_paid == days
