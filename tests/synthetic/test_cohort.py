"""The forecast cohort in the extracts: drawn histories written faithfully, outcomes that
follow the pilot's definition, a truth file an independent reader of the extract agrees with,
and a ceiling near the pilot's figures."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from synthetic import PERSONAS, generate
from synthetic import forecast_cohort as fc
from synthetic.cohort_measure import Window, measure_chunk
from synthetic.cohort_outcome import read_truth
from synthetic.cohort_persons import CohortChunk
from synthetic.run import TRUTH_FILE
from synthetic.world import build_world

from .conftest import Extract

AS_OF = date(2026, 11, 1)
HEADER = (
    "hetu,entry_date,index_date,probability,outcome,sickness_periods,sickness_days,"
    "rehabilitation,interrupted_studies,employment_spells_ended,doctor_statements,"
    "other_statements,missed_appointments,annual_earnings,labour_market_subsidy,age,language,sex"
)
MODERATE = 20_000


@pytest.fixture(scope="module")
def moderate(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("cohort")
    generate(out, persons=MODERATE, jobs=5, seed=5, esco_dir=esco_dir)
    return out


# --- an independent reading of a clean extract, by the contract's words -------------------


def _rows(out: Path, source: str, name: str) -> dict[str, list[dict[str, str]]]:
    by_person: dict[str, list[dict[str, str]]] = defaultdict(list)
    with (out / source / name).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            by_person[row["hetu"]].append(row)
    return by_person


def _iso(text: str) -> date:
    return date.fromisoformat(text)


def _fi(text: str) -> date:
    d, m, y = text.split(".")
    return date(int(y), int(m), int(d))


def read_cohort(out: Path) -> dict[str, dict[str, object]]:
    """Each person the definition selects, with the contract's features, from the files."""
    window = (date(2020, 11, 1), date(2024, 11, 1))
    seeking = _rows(out, "tyollisyyspalvelut", "tyonhakijat.csv")
    visits = _rows(out, "tyollisyyspalvelut", "tapaamiset.csv")
    sickness = _rows(out, "kela", "sairauspaivarahat.csv")
    rehab = _rows(out, "kela", "kuntoutus.csv")
    decisions = _rows(out, "kela", "etuuspaatokset.csv")
    earnings = _rows(out, "kela", "ansiotulot.csv")
    statements = _rows(out, "hyvinvointialue", "laakarinlausunnot.csv")
    register = _rows(out, "vtj", "henkilot.csv")
    people = json.loads((out / "koski" / "opiskeluoikeudet.json").read_text("utf-8"))
    koski = {p["henkilö"]["hetu"]: p["opiskeluoikeudet"] for p in people}
    cohort = {}
    for code, periods in seeking.items():
        starts = [_fi(p["tyonhaku_alkupvm"]) for p in periods]
        in_window = [s for s in starts if window[0] <= s < window[1]]
        if not in_window:
            continue
        e = max(in_window)
        century = {"+": 1800, "-": 1900, "A": 2000}.get(code[6], 1900)  # the code's birth year
        age = e.year - (century + int(code[4:6]))
        if not 18 <= age <= 64:
            continue
        i = e + timedelta(days=90)
        b = (i - timedelta(days=730), i)
        before = (e - timedelta(days=730), e)
        sick = [s for s in sickness[code] if b[0] <= _iso(s["alkupvm"]) < b[1]]
        tongue = register[code][0]["aidinkieli"]
        cohort[code] = {
            "entry_date": e.isoformat(),
            "index_date": i.isoformat(),
            "sickness_periods": len(sick),
            "sickness_days": min(300, sum(int(s["maksetut_paivat"]) for s in sick)),
            "rehabilitation": int(any(b[0] <= _iso(r["alkupvm"]) < b[1] for r in rehab[code])),
            "interrupted_studies": sum(
                1
                for right in koski.get(code, [])
                if (last := right["tila"]["opiskeluoikeusjaksot"][-1])["tila"]["koodiarvo"]
                in ("valiaikaisestikeskeytynyt", "eronnut", "katsotaaneronneeksi")
                and before[0] <= _iso(last["alku"]) < before[1]
            ),
            "employment_spells_ended": sum(
                1
                for p in periods
                if _fi(p["tyonhaku_alkupvm"]) != e
                and p["tyonhaku_loppupvm"]
                and before[0] <= _fi(p["tyonhaku_loppupvm"]) < before[1]
            ),
            "doctor_statements": sum(
                1 for s in statements[code]
                if s["lausuntotyyppi"] == "B" and b[0] <= _iso(s["pvm"]) < b[1]
            ),
            "other_statements": sum(
                1 for s in statements[code]
                if s["lausuntotyyppi"] in ("A", "C", "E") and b[0] <= _iso(s["pvm"]) < b[1]
            ),
            "missed_appointments": sum(
                1 for v in visits[code]
                if v["tila"] == "EI_SAAPUNUT" and e <= _fi(v["pvm"]) < i
            ),
            "annual_earnings": round(sum(
                float(r["ansiotulot_eur"].replace(",", "."))
                for r in earnings[code] if int(r["vuosi"]) == e.year - 1
            ), 2),
            "labour_market_subsidy": int(any(
                d["etuuslaji"] == "TMT" and d["ratkaisu"] == "MYON"
                and _iso(d["alkupvm"]) < b[1]
                and (not d["loppupvm"] or _iso(d["loppupvm"]) >= b[0])
                for d in decisions[code]
            )),
            "age": age,
            "language": tongue if tongue in ("fi", "sv") else "other",
            "sex": "male" if int(code[7:10]) % 2 else "female",
            "outcome": int(any(_qualifies(d, e) for d in decisions[code])),
        }
    return cohort


def _qualifies(decision: dict[str, str], e: date) -> bool:
    """The pilot's outcome: a granted TKE/KT of >= EUR 300 a month for >= 4 months,
    starting in (I, E + 730]."""
    if decision["etuuslaji"] not in ("TKE", "KT") or decision["ratkaisu"] != "MYON":
        return False
    start = _iso(decision["alkupvm"])
    end = _iso(decision["loppupvm"]) if decision["loppupvm"] else None
    return (
        float(decision["kuukausimaara_eur"].replace(",", ".")) >= 300
        and e + timedelta(days=90) < start <= e + timedelta(days=730)
        and (end is None or end >= start + timedelta(days=122))
    )


def _truth_rows(out: Path) -> list[dict[str, str]]:
    with (out / TRUTH_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the tests -------------------------------------------------------------------------


def test_truth_file_has_the_contracts_header_and_values(moderate: Path):
    assert (moderate / TRUTH_FILE).read_text("utf-8").split("\n", 1)[0] == HEADER
    rows = _truth_rows(moderate)
    assert 0.3 * MODERATE < len(rows) < 0.45 * MODERATE
    assert len({r["hetu"] for r in rows}) == len(rows)
    for r in rows:
        e, i = date.fromisoformat(r["entry_date"]), date.fromisoformat(r["index_date"])
        assert date(2020, 11, 1) <= e < date(2024, 11, 1) and i == e + timedelta(days=90)
        assert len(r["probability"].split(".")[1]) == 6 and 0 < float(r["probability"]) < 1
        assert r["outcome"] in ("0", "1") and r["sex"] in ("female", "male")
        assert r["language"] in ("fi", "sv", "other") and 18 <= int(r["age"]) <= 64


def test_an_independent_reading_of_the_extract_agrees_with_the_truth(moderate: Path):
    """Persons selected, every feature and the outcome, as a reader of the extract by the
    contract's words finds them (dirt-free extract)."""
    found = read_cohort(moderate)
    truth = {r["hetu"]: r for r in _truth_rows(moderate)}
    assert set(found) == set(truth)
    mismatches = []
    for code, features in found.items():
        row = truth[code]
        for name, value in features.items():
            written = float(row[name]) if name == "annual_earnings" else row[name]
            if name != "annual_earnings":
                value = str(value)
            if written != value:
                mismatches.append((name, value, written))
    assert mismatches == []


def test_outcomes_follow_the_definition_and_decoys_exist(moderate: Path):
    truth = _truth_rows(moderate)
    decisions = _rows(moderate, "kela", "etuuspaatokset.csv")
    positives = [r for r in truth if r["outcome"] == "1"]
    assert len(positives) > 0.05 * len(truth)
    decoys = defaultdict(int)
    for r in truth:
        e = date.fromisoformat(r["entry_date"])
        disability = [d for d in decisions[r["hetu"]] if d["etuuslaji"] in ("TKE", "KT")]
        qualifying = [d for d in disability if _qualifies(d, e)]
        assert len(qualifying) == int(r["outcome"]), r["hetu"][:6]
        for d in disability:
            assert d["kuukausimaara_eur"], "a disability benefit without its monthly amount"
            if d in qualifying:
                continue
            start, amount = _iso(d["alkupvm"]), float(d["kuukausimaara_eur"].replace(",", "."))
            if amount < 300:
                decoys["low"] += 1
            elif start > e + timedelta(days=730):
                decoys["late"] += 1
            else:
                decoys["short"] += 1
    assert min(decoys.values()) > 20 and set(decoys) == {"low", "late", "short"}
    # only cohort members have disability benefits, and only granted ones with an amount
    members = {r["hetu"] for r in truth}
    others = [d for code, ds in decisions.items() if code not in members for d in ds
              if d["etuuslaji"] in ("TKE", "KT")]
    assert others == []


def test_the_ceiling_lands_near_the_pilots_figures(moderate: Path):
    truth = read_truth(moderate / TRUTH_FILE)
    # the stored constants on this generation's measured features, no outcome noise ...
    auc, ap, prevalence = fc.expected_figures(truth.cohort)
    assert auc == pytest.approx(fc.TARGET_ROC_AUC, abs=0.005)
    assert ap == pytest.approx(fc.TARGET_PR_AUC, abs=0.02)
    assert prevalence == pytest.approx(fc.EXPECTED_PREVALENCE, abs=0.006)
    assert np.allclose(truth.probability, fc.true_probability(truth.cohort), atol=1e-6)
    # ... and against the drawn outcomes (about 7,000 members: a few points of noise)
    assert roc_auc_score(truth.outcome, truth.probability) == pytest.approx(0.94, abs=0.015)
    assert average_precision_score(truth.outcome, truth.probability) == pytest.approx(
        0.67, abs=0.05
    )


def test_calibration_on_the_generated_cohort_is_deterministic(moderate: Path):
    cohort = read_truth(moderate / TRUTH_FILE).cohort
    first, again = fc.calibrate(cohort), fc.calibrate(cohort)
    assert first == again
    assert first.roc_auc == pytest.approx(fc.TARGET_ROC_AUC, abs=1e-6)
    assert first.pr_auc == pytest.approx(fc.TARGET_PR_AUC, abs=1e-6)
    # a fifth of the calibration run's size finds nearly the stored constants
    assert first.intercept == pytest.approx(fc.INTERCEPT, abs=0.25)
    assert first.scale == pytest.approx(fc.SCALE, abs=0.1)


def test_cohort_persons_measure_as_drawn(esco_dir: Path):
    world = build_world(seed=9, as_of=AS_OF, dirty_rate=0.0, esco_dir=esco_dir)
    chunk = CohortChunk(world, 3, 10_000, 1_500)
    members = measure_chunk(chunk.run(), world, Window.of(AS_OF))
    assert {m.hetu for m in members} == set(chunk.drawn)  # every one selected
    for m in members:
        drawn, measured = asdict(chunk.drawn[m.hetu]), asdict(m.features)
        assert measured["annual_earnings"] == pytest.approx(drawn.pop("annual_earnings"))
        measured.pop("annual_earnings")
        assert measured == drawn, m.hetu[:6]
    # the histories vary: every feature takes several values
    for name in ("sickness_periods", "interrupted_studies", "employment_spells_ended",
                 "doctor_statements", "other_statements", "missed_appointments"):
        assert len({getattr(chunk.drawn[m.hetu], name) for m in members}) >= 3, name


def test_the_clean_extract_holds_cohort_persons_that_keep_the_rules(clean: Extract):
    """test_consistency's rules run over the clean extract; it must hold the cohort."""
    truth = _truth_rows(clean.dir)
    assert len(truth) > 0.3 * clean.result.persons and clean.result.cohort == len(truth)
    codes = {r["hetu"] for r in truth}
    assert codes <= {r["hetu"] for r in clean.csv_rows("vtj", "henkilot.csv")}


def test_personas_keep_their_stories(clean: Extract):
    mother, dropout = PERSONAS
    truth = {r["hetu"]: r for r in _truth_rows(clean.dir)}
    # the mother entered in November 2023: a member, without an outcome; the dropout's
    # period began in 2019, before the window
    assert truth[mother.hetu]["entry_date"] == "2023-11-06"
    assert truth[mother.hetu]["outcome"] == "0" and dropout.hetu not in truth
    for persona in PERSONAS:
        kinds = {r["etuuslaji"] for r in clean.csv_rows("kela", "etuuspaatokset.csv")
                 if r["hetu"] == persona.hetu}
        assert not kinds & {"TKE", "KT"}


def test_cohort_share_sets_the_cohort(tmp_path: Path, esco_dir: Path):
    none = generate(tmp_path / "none", persons=300, jobs=1, seed=7, esco_dir=esco_dir,
                    cohort_share=0.0)
    everyone = generate(tmp_path / "all", persons=300, jobs=1, seed=7, esco_dir=esco_dir,
                        cohort_share=1.0)
    assert none.cohort < 40 < 298 <= everyone.cohort  # + any persona in the window
    with pytest.raises(ValueError, match="cohort_share"):
        generate(tmp_path / "bad", persons=10, jobs=1, seed=1, esco_dir=esco_dir,
                 cohort_share=1.5)
