"""The forecast's features, read by SPARQL from the pseudonymous extract graphs only.

One ``.rq`` file per feature group (a steward can read them). Each reads the variables
``?person ?entry ?index`` and answers one row per person who has the facts (no row: 0):

- for the cohort (training), ``cohort.rq``'s rows are joined in as a subquery
  (:func:`for_cohort`): one aggregate query per group, whatever the cohort's size;
- for one current client, ``?person ?entry ?index`` are bound by one VALUES row
  (:func:`for_person`).

Only the current extract graphs of the five registries in :data:`SOURCES` are read (never the
identity graph, never anything the generator keeps for evaluation), and only the classes and
properties ``forecasting/features.toml`` lists with the reason each is needed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from forecasting.errors import MissingSourcesError
from graph_service.queries import Literal, bind, rq_loader
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GraphKind, read_directory, source_iri

load = rq_loader(__package__)

FEATURES: tuple[str, ...] = (
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
)
"""The model's inputs, in the order of the feature matrix's columns."""

EVALUATION_ONLY: tuple[str, ...] = ("sex", "age_band", "language_group")
"""Read to check the model's fairness per group, never a model input."""

LANGUAGES: tuple[str, ...] = ("fi", "sv", "other")
"""Language groups (the feature ``language``); the matrix holds a group's index here."""
AGE_BANDS: tuple[tuple[str, int, int], ...] = (("18-29", 18, 29), ("30-49", 30, 49),
                                               ("50-64", 50, 64))
SEXES = {"1": "male", "2": "female"}  # the population register's codes (code:sex/<n>)

GRAPH_VARIABLES: dict[str, str] = {
    "kela": "kela",
    "tyollisyyspalvelut": "employment_services",
    "koski": "koski",
    "hyvinvointialue": "wellbeing_county",
    "vtj": "population",
}
"""The registries whose current extract graphs the features come from, and the variable
that names each graph in the queries (``GRAPH ?kela { ... }``, bound to the graph's IRI)."""
SOURCES: tuple[str, ...] = tuple(GRAPH_VARIABLES)
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
COHORT_SOURCES = ("tyollisyyspalvelut", "vtj")  # job-seeking periods and year of birth


@dataclass(frozen=True)
class FeatureQuery:
    """One feature group: its .rq file, the registries it reads, what its rows give."""

    name: str
    sources: tuple[str, ...]
    columns: tuple[str, ...] = ()  # result variables copied into features of the same name
    flag: str | None = None  # a DISTINCT ?person query: a row means this feature is 1


MODEL_QUERIES: tuple[FeatureQuery, ...] = (
    FeatureQuery("demographics", ("vtj",), ("age", "mother_tongue")),
    FeatureQuery("sickness", ("kela",), ("sickness_periods", "sickness_days")),
    FeatureQuery("rehabilitation", ("kela",), flag="rehabilitation"),
    FeatureQuery("studies", ("koski",), ("interrupted_studies",)),
    FeatureQuery("spells", ("tyollisyyspalvelut",), ("employment_spells_ended",)),
    FeatureQuery("statements", ("hyvinvointialue",), ("doctor_statements", "other_statements")),
    FeatureQuery("appointments", ("tyollisyyspalvelut",), ("missed_appointments",)),
    FeatureQuery("earnings", ("kela",), ("annual_earnings",)),
    FeatureQuery("subsidy", ("kela",), flag="labour_market_subsidy"),
)
"""The queries of the model's inputs, used for the cohort and for one person alike."""
SEX_QUERY = FeatureQuery("sex", ("vtj",), ("sex",))
"""Evaluation only: read for the cohort's fairness figures, never for a person's forecast."""
OUTCOME_QUERY = FeatureQuery("outcome", ("kela",), flag="outcome")
"""The label the model learns (training only)."""
ALL_QUERIES = (*MODEL_QUERIES, SEX_QUERY, OUTCOME_QUERY)
FILES = ("cohort", "seeking_periods", *(q.name for q in ALL_QUERIES))
"""Every .rq file of this package."""


# -- which graphs ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceGraphs:
    """The current extract graph of each registry the features read."""

    graphs: dict[str, str]

    def dataset(self, sources: Iterable[str]) -> Dataset:
        return Dataset.of(self.graphs[s] for s in dict.fromkeys(sources))

    def bound(self, sources: Iterable[str]) -> dict[str, str]:
        """The graph variables of ``sources`` with their graphs, to bind."""
        return {GRAPH_VARIABLES[s]: self.graphs[s] for s in dict.fromkeys(sources)}

    def iris(self) -> list[str]:
        return [self.graphs[s] for s in SOURCES]


def source_graphs(store: GraphStore) -> SourceGraphs:
    """The current extract graphs of :data:`SOURCES` (one query over the meta graph);
    :class:`MissingSourcesError` names the registries the store has no extract of."""
    directory = read_directory(store)
    current = directory.current()
    graphs = {s: current[source_iri(s)] for s in SOURCES
              if source_iri(s) in current
              and directory.kind_of(current[source_iri(s)]) is GraphKind.EXTRACT}
    missing = [s for s in SOURCES if s not in graphs]
    if missing:
        raise MissingSourcesError(missing)
    return SourceGraphs(graphs)


# -- the queries -----------------------------------------------------------------------


def date_literal(day: date) -> Literal:
    return Literal(day.isoformat(), XSD_DATE)


def cohort_query(graphs: SourceGraphs, window_from: date, window_to: date) -> str:
    """cohort.rq with its window and graphs bound."""
    return bind(load("cohort"), window_from=date_literal(window_from),
                window_to=date_literal(window_to), **graphs.bound(COHORT_SOURCES))


def for_cohort(query: FeatureQuery, graphs: SourceGraphs, window_from: date,
               window_to: date) -> tuple[str, Dataset]:
    """The group's query over the whole cohort (cohort.rq joined in as a subquery), and the
    dataset it reads."""
    cohort = cohort_query(graphs, window_from, window_to)
    subquery = cohort[cohort.index("SELECT"):]  # its prologue declares the same prefixes
    head, found, body = load(query.name).partition("WHERE {")
    assert found, f"{query.name}.rq has no WHERE clause"
    text = bind(f"{head}WHERE {{ {{ {subquery} }}{body}", **graphs.bound(query.sources))
    return text, graphs.dataset((*COHORT_SOURCES, *query.sources))


def for_person(query: FeatureQuery, graphs: SourceGraphs, person: str, entry: date,
               index: date) -> tuple[str, Dataset]:
    """The group's query for one person, their entry and index dates bound."""
    text = bind(load(query.name), person=person, entry=date_literal(entry),
                index=date_literal(index), **graphs.bound(query.sources))
    return text, graphs.dataset(query.sources)


# -- reading the answers ---------------------------------------------------------------


def answers(store: GraphStore, query: str, dataset: Dataset) -> list[dict[str, str]]:
    """The query's rows as text (SPARQL CSV results: IRIs and values as plain text, "" when
    unbound). The engine writes CSV itself, so tens of thousands of rows cost milliseconds,
    not the second that building a term object per value takes."""
    data = store.query_serialized(query, "text/csv", dataset=dataset).decode("utf-8")
    return list(csv.DictReader(io.StringIO(data)))


def code_of(value: str) -> str:
    """The code of a code-list IRI (``.../language/fi`` -> ``"fi"``; ``""`` stays)."""
    return value.rsplit("/", 1)[-1]


def language_group(mother_tongue: str) -> str:
    """Finnish, Swedish, or any other (or unknown) mother tongue."""
    return mother_tongue if mother_tongue in ("fi", "sv") else "other"


def age_band(age: float) -> str:
    for name, low, high in AGE_BANDS:
        if low <= age <= high:
            return name
    return "outside 18-64"


def number(value: str) -> float:
    return float(value) if value else 0.0


def day(value: str) -> date:
    return date.fromisoformat(value[:10])


def values_of(query: FeatureQuery, row: Mapping[str, str]) -> dict[str, float | str]:
    """One answer row of ``query`` as feature values."""
    if query.flag:
        return {query.flag: 1.0}
    values: dict[str, float | str] = {}
    for column in query.columns:
        if column == "mother_tongue":
            values["language"] = language_group(code_of(row[column]))
        elif column == "sex":
            values["sex"] = SEXES.get(code_of(row[column]), "unknown")
        else:
            values[column] = number(row[column])
    return values


def empty_values() -> dict[str, float | str]:
    """A person's features before any answer: no facts, language unknown ("other")."""
    values: dict[str, float | str] = {name: 0.0 for name in FEATURES}
    values["language"] = "other"
    return values


def encode(values: Mapping[str, float | str]) -> np.ndarray:
    """One person's features as a matrix row (language as its index in :data:`LANGUAGES`)."""
    return np.array([float(LANGUAGES.index(str(values[name]))) if name == "language"
                     else float(values[name]) for name in FEATURES])
