"""A person's situation view: for each section the decision point permitted, one query
with the person bound (``queries/<section>.rq``), the client-reported facts of those
sections (one query for all), figures derived from them, and only the fields the
section's basis or consent covers.

The caller has asked the decision point and recorded its answer; this module only reads,
and reads nothing of a withheld section.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from core.pseudonyms import PERSON_NS
from graph_service.policy.section_decision import SectionDecision
from graph_service.policy.sections import Section
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GraphDirectory
from graph_service.views.client_reported import read_reported
from graph_service.views.datasets import case_work_graphs, reported_graphs_of
from graph_service.views.derive import enrich, summary
from graph_service.views.labels import CodeLists, code_lists
from graph_service.views.model import Fact, SectionView, SituationView, Source
from graph_service.views.provenance import provenance_for
from graph_service.views.queries import load, substitute
from graph_service.views.values import field_value

FINLAND = ZoneInfo("Europe/Helsinki")
_ROW_KEYS = ("kind", "fact", "graph")


def today_in_finland(now: datetime) -> date:
    """The case worker's day: the date in Finland at ``now``."""
    return now.astimezone(FINLAND).date()


def person_known(store: GraphStore, directory: GraphDirectory, person: str) -> bool:
    """Whether any current registry extract holds data on ``person``."""
    return store.ask(substitute(load("known"), person=person),
                     dataset=case_work_graphs(directory).registry)


def read_situation(store: GraphStore, directory: GraphDirectory, person: str,
                   decisions: list[SectionDecision], now: datetime) -> SituationView:
    """The view of ``person`` for these section decisions (in their order), read from the
    case-work graphs of ``directory``."""
    today = today_in_finland(now)
    codes = code_lists(store, directory)
    provenance = provenance_for(store, directory)
    graphs = case_work_graphs(directory)
    permitted = [d for d in decisions if d.permit and d.fields]
    reported = read_reported(store, reported_graphs_of(store, directory, person), person,
                             [d.section for d in permitted], codes)
    sections = []
    for decision in decisions:
        view = SectionView(section=decision.section, permitted=decision.permit,
                           reason=decision.reason, withheld=decision.withheld,
                           withheld_on=decision.withheld_on,
                           legal_basis=list(decision.legal_basis),
                           consent=decision.consent)
        if decision in permitted:
            facts = registry_facts(store, graphs.section(decision.section), person,
                                   decision.section, codes, provenance)
            enrich(decision.section, facts, today)
            section_reported = reported.get(decision.section, [])
            view.summary = summary(decision.section, facts, section_reported, today,
                                   decision.fields)
            view.facts = minimised(facts, decision.fields)
            view.reported = minimised(section_reported, decision.fields)
        sections.append(view)
    return SituationView(person=person.removeprefix(PERSON_NS), read_at=now, sections=sections)


def registry_facts(store: GraphStore, dataset: Dataset | None, person: str,
                   section: Section, codes: CodeLists, provenance: dict[str, Source]
                   ) -> list[Fact]:
    """``person``'s registry facts of ``section`` (one query over ``dataset``, the current
    extracts of the section's registries; None: none is loaded), each with its source;
    rows from graphs that are not current extracts are left out."""
    if dataset is None:
        return []
    table = store.select(substitute(load(section.value), person=person), dataset=dataset)
    facts: dict[str, Fact] = {}
    for row in table.rows:
        values = dict(zip(table.variables, row, strict=True))
        source = provenance.get(str(values["graph"]))
        if source is None:
            continue
        fact_id = str(values["fact"])
        fact = facts.get(fact_id)
        if fact is None:
            fact = facts[fact_id] = Fact(kind=str(values["kind"]), id=fact_id, fields={},
                                         source=source)
        for name, node in values.items():
            if name not in _ROW_KEYS and node is not None and name not in fact.fields:
                fact.fields[name] = field_value(node, codes)
    return sorted(facts.values(), key=_order)


def _order(fact: Fact) -> tuple[str, str, str]:
    when = next((str(v.value) for v in fact.fields.values() if isinstance(v.value, date)), "")
    return fact.kind, when, fact.id


def minimised(facts: list[Fact], fields: frozenset[str]) -> list[Fact]:
    """The facts with only ``fields`` (data minimisation); a fact left with no field is
    left out."""
    kept = []
    for fact in facts:
        shown = {name: value for name, value in fact.fields.items() if name in fields}
        if shown:
            kept.append(fact.model_copy(update={"fields": shown}))
    return kept
