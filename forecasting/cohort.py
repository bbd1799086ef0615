"""The training cohort read from the store: who entered when, their features and outcome.

A person is in the cohort when their latest job-seeking period starting in
[as_of - 6 years, as_of - 2 years) brought them into employment services, aged 18-64 at
entry: every member's two-year outcome window has closed by ``as_of``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from forecasting.errors import NoCohortError
from forecasting.features import (
    COHORT_SOURCES,
    FEATURES,
    MODEL_QUERIES,
    OUTCOME_QUERY,
    SEX_QUERY,
    FeatureQuery,
    age_band,
    answers,
    cohort_query,
    day,
    empty_values,
    encode,
    for_cohort,
    source_graphs,
    values_of,
)
from graph_service.store.base import GraphStore

GROUPS = ("sex", "age_band", "language")
"""The groups fairness is measured over (evaluation only)."""
QUERY_WORKERS = 2  # feature queries at once: two halve the time on two cores
SLOWEST = ("earnings", "spells")  # started first, so neither is left running alone at the end


@dataclass(frozen=True)
class CohortTable:
    """The cohort column-wise: row i of every array is ``persons[i]``."""

    persons: list[str]
    entry: np.ndarray  # datetime64[D]
    index: np.ndarray  # datetime64[D]
    X: np.ndarray  # float, one column per FEATURES (language: its index in LANGUAGES)
    y: np.ndarray  # int 0/1
    groups: dict[str, np.ndarray]  # "sex" | "age_band" | "language" -> labels
    graphs: list[str] = field(default_factory=list)  # the extract graphs read
    window: tuple[date, date] | None = None  # entries from (inclusive), to (exclusive)

    def __len__(self) -> int:
        return len(self.persons)

    @property
    def positives(self) -> int:
        return int(self.y.sum())

    def subset(self, rows: np.ndarray) -> CohortTable:
        """The members at ``rows`` (a boolean mask or positions)."""
        positions = np.flatnonzero(rows) if rows.dtype == bool else rows
        return CohortTable(
            persons=[self.persons[i] for i in positions],
            entry=self.entry[rows], index=self.index[rows], X=self.X[rows], y=self.y[rows],
            groups={name: labels[rows] for name, labels in self.groups.items()},
            graphs=self.graphs, window=self.window)

    def column(self, feature: str) -> np.ndarray:
        return self.X[:, FEATURES.index(feature)]


def shift_years(day_: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February becomes the 28th)."""
    try:
        return day_.replace(year=day_.year + years)
    except ValueError:
        return day_.replace(year=day_.year + years, day=28)


def cohort_window(as_of: date) -> tuple[date, date]:
    """Entries from (inclusive) and to (exclusive): as_of - 6 years, as_of - 2 years."""
    return shift_years(as_of, -6), shift_years(as_of, -2)


def cohort_table(store: GraphStore, *, as_of: date,
                 progress: Callable[[str], None] | None = None,
                 workers: int = QUERY_WORKERS) -> CohortTable:
    """Every cohort member's features (one aggregate query per feature group), sex, age
    band and language group (for fairness only) and outcome. The group queries run
    ``workers`` at a time (the engine answers them in parallel)."""
    say = progress or (lambda message: None)
    graphs = source_graphs(store)
    window_from, window_to = cohort_window(as_of)
    say("reading the cohort")
    rows = answers(store, cohort_query(graphs, window_from, window_to),
                   graphs.dataset(COHORT_SOURCES))
    if not rows:
        raise NoCohortError(
            f"nobody aged 18-64 entered employment services between {window_from} and "
            f"{window_to} (the cohort window for as_of {as_of}) in the current extracts: "
            "ingest extracts that cover those years, or pass another as_of")
    persons = sorted({r["person"] for r in rows})
    position = {p: i for i, p in enumerate(persons)}
    entry = np.empty(len(persons), dtype="datetime64[D]")
    index = np.empty(len(persons), dtype="datetime64[D]")
    for r in rows:
        i = position[r["person"]]
        entry[i], index[i] = day(r["entry"]), day(r["index"])
    values = [empty_values() | {"sex": "unknown", "outcome": 0.0} for _ in persons]

    def read(query: FeatureQuery) -> tuple[FeatureQuery, list[dict[str, str]]]:
        text, dataset = for_cohort(query, graphs, window_from, window_to)
        return query, answers(store, text, dataset)

    say("reading the features, the evaluation groups and the outcome")
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        for query, answer in pool.map(read, sorted(
                (*MODEL_QUERIES, SEX_QUERY, OUTCOME_QUERY),
                key=lambda q: q.name not in SLOWEST)):
            say(f"read {query.name}")
            for row in answer:
                i = position.get(row["person"])
                if i is not None:
                    values[i].update(values_of(query, row))
    X = np.vstack([encode(v) for v in values]) if values else np.empty((0, len(FEATURES)))
    ages = X[:, FEATURES.index("age")]
    return CohortTable(
        persons=persons, entry=entry, index=index, X=X,
        y=np.array([int(v["outcome"]) for v in values], dtype=np.int64),
        groups={
            "sex": np.array([str(v["sex"]) for v in values]),
            "age_band": np.array([age_band(a) for a in ages]),
            "language": np.array([str(v["language"]) for v in values]),
        },
        graphs=graphs.iris(), window=(window_from, window_to))
