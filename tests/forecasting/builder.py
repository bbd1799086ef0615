"""Small stores built by hand: registry facts in the shapes the mappings produce, one current
extract graph per source, so the feature queries can be checked against known answers."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

import numpy as np

from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import META_GRAPH, TYO, GraphKind, extract_graph, source_iri

CODE = "https://tyodata.fi/code/"
PERSON = "https://tyodata.fi/id/person/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SOURCES = ("kela", "tyollisyyspalvelut", "koski", "hyvinvointialue", "vtj")


def person(n: int) -> str:
    """A valid person IRI (26 base32 characters) for the number ``n``."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    digits = []
    for _ in range(26):
        digits.append(alphabet[n % 32])
        n //= 32
    return PERSON + "".join(reversed(digits))


def _date(d: date) -> str:
    return f'"{d.isoformat()}"^^<{XSD}date>'


def _int(n: int) -> str:
    return f'"{n}"^^<{XSD}integer>'


def _dec(x: float) -> str:
    return f'"{x:.2f}"^^<{XSD}decimal>'


class GraphBuilder:
    """Collects facts per source; ``store()`` loads them as current extract graphs."""

    def __init__(self) -> None:
        self.lines: dict[str, list[str]] = defaultdict(list)
        self._n = 0

    def _fact(self, source: str, kind: str, cls: str, who: str,
              props: dict[str, str | None]) -> str:
        self._n += 1
        subject = f"https://tyodata.fi/id/{source}/{kind}/{self._n}"
        out = self.lines[source]
        out.append(f"<{subject}> <{RDF_TYPE}> <{TYO}{cls}> .")
        out.append(f"<{subject}> <{TYO}concernsPerson> <{who}> .")
        for prop, value in props.items():
            if value is not None:
                out.append(f"<{subject}> <{TYO}{prop}> {value} .")
        return subject

    def person(self, who: str, born: int, tongue: str | None = "fi",
               sex: str | None = "2") -> None:
        out = self.lines["vtj"]
        out.append(f"<{who}> <{RDF_TYPE}> <{TYO}Person> .")
        out.append(f"<{who}> <{TYO}birthYear> {_int(born)} .")
        if tongue:
            out.append(f"<{who}> <{TYO}motherTongue> <{CODE}language/{tongue}> .")
        if sex:
            out.append(f"<{who}> <{TYO}sex> <{CODE}sex/{sex}> .")

    def seeking(self, who: str, start: date, end: date | None = None) -> None:
        self._fact("tyollisyyspalvelut", "job-seeking", "JobSeekingPeriod", who,
                   {"startDate": _date(start), "endDate": end and _date(end)})

    def appointment(self, who: str, day: date, status: str = "EI_SAAPUNUT") -> None:
        self._fact("tyollisyyspalvelut", "appointment", "Appointment", who,
                   {"date": _date(day),
                    "appointmentStatus": f"<{CODE}appointment-status/{status}>"})

    def sickness(self, who: str, start: date, days: int | None) -> None:
        self._fact("kela", "sickness-allowance", "SicknessAllowancePeriod", who,
                   {"startDate": _date(start), "endDate": _date(start + timedelta(days=20)),
                    "sicknessAllowanceDaysPaid": None if days is None else _int(days)})

    def rehabilitation(self, who: str, start: date) -> None:
        self._fact("kela", "rehabilitation", "RehabilitationPeriod", who,
                   {"startDate": _date(start), "endDate": _date(start + timedelta(days=60))})

    def earnings(self, who: str, year: int, eur: float) -> None:
        self._fact("kela", "earnings", "AnnualEarnings", who,
                   {"year": _int(year), "earningsEur": _dec(eur)})

    def benefit(self, who: str, kind: str, start: date | None, end: date | None = None,
                decision: str = "MYON", amount: float | None = None) -> None:
        self._fact("kela", "benefit-decision", "BenefitDecision", who,
                   {"benefitType": f"<{CODE}benefit-type/{kind}>",
                    "decision": f"<{CODE}decision/{decision}>",
                    "startDate": start and _date(start), "endDate": end and _date(end),
                    "monthlyAmount": None if amount is None else _dec(amount)})

    def study(self, who: str, status: str, since: date) -> None:
        self._fact("koski", "study-right", "StudyRight", who,
                   {"studyRightStatus": f"<{CODE}study-right-status/{status}>",
                    "studyRightStatusDate": _date(since),
                    "startDate": _date(since - timedelta(days=400))})

    def statement(self, who: str, kind: str, day: date) -> None:
        self._fact("hyvinvointialue", "medical-statement", "MedicalStatement", who,
                   {"medicalStatementType": f"<{CODE}medical-statement-type/{kind}>",
                    "date": _date(day)})

    def store(self, sources: tuple[str, ...] = SOURCES) -> OxigraphStore:
        store = OxigraphStore(None)
        meta = []
        for source in sources:
            graph = extract_graph(source, f"test{abs(hash(source)) % 10_000}")
            data = "\n".join(self.lines.get(source, [])) + "\n"
            store.load_graph(data.encode(), "application/n-triples", graph)
            meta += [f"<{graph}> <{TYO}graphKind> <{GraphKind.EXTRACT.iri}> .",
                     f"<{graph}> <{TYO}source> <{source_iri(source)}> .",
                     f"<{graph}> <{TYO}extractStatus> <{TYO}Current> ."]
        store.load_graph(("\n".join(meta) + "\n").encode(), "application/n-triples", META_GRAPH)
        return store


def synthetic_cohort(n: int, seed: int, as_of: date) -> tuple[GraphBuilder, dict]:
    """A cohort drawn from the generator's own risk function, written as graph facts (every
    fact inside its feature's window), with its true probabilities and outcomes: training
    and evaluation run on it without the full generator."""
    from synthetic.forecast_cohort import draw_cohort, draw_outcomes, true_probability

    rng = np.random.default_rng(seed)
    cohort = draw_cohort(n, seed)
    p = np.asarray(true_probability(cohort))
    outcome = draw_outcomes(p, seed + 1)
    window_from = date(as_of.year - 6, as_of.month, as_of.day)
    span = (date(as_of.year - 2, as_of.month, as_of.day) - window_from).days
    builder = GraphBuilder()
    truth = {}
    tongue = {"fi": "fi", "sv": "sv", "other": "ru"}
    for i in range(n):
        who = person(i + 1)
        entry = window_from + timedelta(days=int(rng.integers(0, span)))
        index = entry + timedelta(days=90)
        c = cohort.person(i)
        builder.person(who, entry.year - c.age, tongue[c.language], rng.choice(["1", "2"]))
        builder.seeking(who, entry)

        def in_b(index: date = index) -> date:
            return index - timedelta(days=int(rng.integers(1, 700)))

        def before_entry(entry: date = entry) -> date:
            return entry - timedelta(days=int(rng.integers(1, 700)))

        days = np.full(c.sickness_periods, c.sickness_days // max(c.sickness_periods, 1))
        if c.sickness_periods:
            days[0] += c.sickness_days - days.sum()
        for d in days:
            builder.sickness(who, in_b(), int(d))
        if c.rehabilitation:
            builder.rehabilitation(who, in_b())
        for _ in range(c.interrupted_studies):
            builder.study(who, "eronnut", before_entry())
        for _ in range(c.employment_spells_ended):
            end = before_entry()
            builder.seeking(who, end - timedelta(days=60), end)
        for _ in range(c.doctor_statements):
            builder.statement(who, "B", in_b())
        for _ in range(c.other_statements):
            builder.statement(who, "A", in_b())
        for _ in range(c.missed_appointments):
            builder.appointment(who, entry + timedelta(days=int(rng.integers(0, 90))))
        if c.annual_earnings:
            builder.earnings(who, entry.year - 1, c.annual_earnings)
        if c.labour_market_subsidy:
            builder.benefit(who, "TMT", in_b(), None)
        if outcome[i]:
            builder.benefit(who, "TKE", index + timedelta(days=int(rng.integers(1, 600))),
                            None, amount=1200.0)
        truth[who] = {"probability": float(p[i]), "outcome": int(outcome[i]), "entry": entry,
                      "person": c}
    return builder, truth
