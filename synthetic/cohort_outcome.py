"""The outcome of each cohort member, drawn from the known risk, written as Kela decisions.

The pilot's outcome: a GRANTED work-disability benefit, a disability pension (TKE) or a
rehabilitation subsidy (KT), of at least EUR 300 a month, starting in (I, E + 730] and lasting
at least 4 months (no end date, or an end 122 days or more after the start). A member whose
drawn outcome is 1 gets exactly such a decision; some members whose outcome is 0 get a decoy
that misses the definition by one condition (under EUR 300, too short, or starting too late),
so that only a reader who applies the whole definition finds the truth.

Every member gets a row of the truth file (evaluation only, never an extract).
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from .cohort_measure import HORIZON_DAYS, Member
from .forecast_cohort import Cohort, CohortPerson, true_probability
from .lifecourse import NO, YES
from .world import Ids
from .writers import ChunkOut

MIN_MONTHLY_EUR = 300.0
MIN_LENGTH_DAYS = 122  # 4 months
DECOY_SHARE = 0.12  # of the members without the outcome
TRUTH_HEADER = (
    "hetu",
    "entry_date",
    "index_date",
    "probability",
    "outcome",
    "sickness_periods",
    "sickness_days",
    "rehabilitation",
    "interrupted_studies",
    "employment_spells_ended",
    "doctor_statements",
    "other_statements",
    "missed_appointments",
    "annual_earnings",
    "labour_market_subsidy",
    "age",
    "language",
    "sex",
)
DECOYS = ("low", "short", "late")


def truth_header_bytes() -> bytes:
    return _csv([list(TRUTH_HEADER)])


@dataclass(frozen=True)
class Truth:
    """A truth file read back: the members' features, true probabilities and outcomes."""

    hetu: list[str]
    cohort: Cohort
    probability: np.ndarray
    outcome: np.ndarray
    sex: np.ndarray


def read_truth(path: Path) -> Truth:
    """``<extracts>/_evaluation/forecast_truth.csv`` as written by ``generate``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows and tuple(rows[0]) != TRUTH_HEADER:
        raise ValueError(f"{path}: not a forecast truth file (header {list(rows[0])})")

    def column(name: str, kind: type) -> np.ndarray:
        return np.array([kind(r[name]) for r in rows])

    persons = [
        CohortPerson(
            age=int(r["age"]),
            language=r["language"],
            sickness_periods=int(r["sickness_periods"]),
            sickness_days=int(r["sickness_days"]),
            rehabilitation=r["rehabilitation"] == "1",
            interrupted_studies=int(r["interrupted_studies"]),
            employment_spells_ended=int(r["employment_spells_ended"]),
            doctor_statements=int(r["doctor_statements"]),
            other_statements=int(r["other_statements"]),
            missed_appointments=int(r["missed_appointments"]),
            annual_earnings=float(r["annual_earnings"]),
            labour_market_subsidy=r["labour_market_subsidy"] == "1",
        )
        for r in rows
    ]
    return Truth(
        hetu=[r["hetu"] for r in rows],
        cohort=Cohort.of(persons),
        probability=column("probability", float),
        outcome=column("outcome", int),
        sex=column("sex", str),
    )


def settle(
    out: ChunkOut,
    members: list[Member],
    *,
    rng: random.Random,
    ids: Ids | None,
    kela_date: Callable[[int], str],
    today: int,
) -> bytes:
    """Draw each member's outcome, write it (and decoys) into ``out``, and return the truth
    rows as CSV bytes. With ``ids`` None nothing is written and every outcome is 0: the
    personas' fixed stories hold no work-disability benefit, and the truth says so."""
    if not members:
        return b""
    probability = np.asarray(true_probability(Cohort.of([m.features for m in members])))
    truth = []
    for member, p in zip(members, probability, strict=True):
        draw = rng.random()
        outcome = ids is not None and draw < p
        if ids is not None:
            writer = _DecisionWriter(out, ids, kela_date, today, member.hetu)
            if outcome:
                writer.outcome(rng, member)
            elif rng.random() < DECOY_SHARE:
                writer.decoy(rng, member, DECOYS[int(rng.random() * len(DECOYS))])
        truth.append(_truth_row(member, float(p), outcome))
    return _csv(truth)


class _DecisionWriter:
    def __init__(
        self, out: ChunkOut, ids: Ids, kela_date: Callable[[int], str], today: int, hetu: str
    ) -> None:
        self.out, self.ids, self.f, self.today, self.hetu = out, ids, kela_date, today, hetu

    def outcome(self, rng: random.Random, m: Member) -> None:
        start = m.index + 1 + int(rng.random() * (m.entry + HORIZON_DAYS - m.index))
        kind = "TKE" if rng.random() < 0.35 else "KT"
        end = None if kind == "TKE" else start + MIN_LENGTH_DAYS + int(rng.random() * 600)
        monthly = round(MIN_MONTHLY_EUR + 20 + rng.random() ** 1.5 * 1400, 2)
        self._write(rng, kind, start, end, monthly)

    def decoy(self, rng: random.Random, m: Member, why: str) -> None:
        kind = "KT" if why == "short" or rng.random() < 0.6 else "TKE"
        start = m.index + 1 + int(rng.random() * (m.entry + HORIZON_DAYS - m.index))
        monthly = round(MIN_MONTHLY_EUR + 20 + rng.random() * 900, 2)
        end = None if kind == "TKE" else start + MIN_LENGTH_DAYS + int(rng.random() * 400)
        if why == "low":
            monthly = round(40 + rng.random() * (MIN_MONTHLY_EUR - 40.01), 2)
        elif why == "short":
            end = start + 30 + int(rng.random() * (MIN_LENGTH_DAYS - 30))
        else:  # late: after the two years
            start = m.entry + HORIZON_DAYS + 1 + int(rng.random() * 300)
            end = None if end is None else start + MIN_LENGTH_DAYS + int(rng.random() * 400)
        self._write(rng, kind, start, end, monthly)

    def _write(
        self, rng: random.Random, kind: str, start: int, end: int | None, monthly: float
    ) -> None:
        today = self.today
        applied = min(today - 2, start - 20 - int(rng.random() * 100))
        decided = min(today - 1, applied + 14 + int(rng.random() * 70))
        self.out.add(
            "kela",
            "etuuspaatokset.csv",
            {
                "paatos_id": self.ids("EP"),
                "hetu": self.hetu,
                "etuuslaji": kind,
                "hakemus_pvm": self.f(applied),
                "alkupvm": self.f(start),
                "loppupvm": self.f(end) if end is not None else "",
                "ratkaisu": "MYON",
                "hylkaysperuste": "",
                "ratkaisu_pvm": self.f(decided),
                "maksussa": YES if start <= today and (end is None or end >= today) else NO,
                "kuukausimaara_eur": f"{monthly:.2f}".replace(".", ","),
            },
        )


def _truth_row(m: Member, probability: float, outcome: bool) -> list[str]:
    f = m.features
    return [
        m.hetu,
        date.fromordinal(m.entry).isoformat(),
        date.fromordinal(m.index).isoformat(),
        f"{probability:.6f}",
        "1" if outcome else "0",
        str(f.sickness_periods),
        str(f.sickness_days),
        "1" if f.rehabilitation else "0",
        str(f.interrupted_studies),
        str(f.employment_spells_ended),
        str(f.doctor_statements),
        str(f.other_statements),
        str(f.missed_appointments),
        f"{f.annual_earnings:.2f}",
        "1" if f.labour_market_subsidy else "0",
        str(f.age),
        f.language,
        m.sex,
    ]


def _csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode("utf-8")
