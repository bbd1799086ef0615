"""One current client's features, read by the same feature queries as the cohort's.

The forecast starts from the client's open job-seeking period: entry E = its start, index
I = min(E + 90 days, today) (the first plan review, or today when it is still ahead), and the
features count only facts dated before I, as in training. Sex is never read here: it is for
the model's evaluation only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from core.pseudonyms import person_iri
from forecasting.errors import PersonDataError
from forecasting.features import (
    FEATURES,
    MODEL_QUERIES,
    age_band,
    answers,
    bind,
    day,
    empty_values,
    encode,
    for_person,
    load,
    source_graphs,
    values_of,
)
from graph_service.store.base import GraphStore

INDEX_DAYS = 90
MIN_AGE, MAX_AGE = 18, 64


@dataclass(frozen=True)
class PersonFeatures:
    """A client's model inputs on ``index``, with the dates they are counted from."""

    person: str
    entry: date
    index: date
    values: dict[str, float | str]  # every FEATURES name; language "fi" | "sv" | "other"

    def row(self) -> np.ndarray:
        """The features as a one-row matrix, in the model's column order."""
        return encode(self.values).reshape(1, -1)

    @property
    def age(self) -> int:
        return int(self.values["age"])

    @property
    def age_band(self) -> str:
        return age_band(self.age)

    @property
    def in_population(self) -> bool:
        """Whether the model covers the client: aged 18-64 at entry, like the cohort."""
        return MIN_AGE <= self.age <= MAX_AGE


def open_period_start(periods: list[tuple[date, date | None]], today: date) -> date | None:
    """The start of the latest job-seeking period open today (started, and not ended
    before today), or None.

    >>> d = date
    >>> open_period_start([(d(2024, 1, 1), d(2024, 6, 1)), (d(2025, 3, 1), None)], d(2025, 5, 1))
    datetime.date(2025, 3, 1)
    >>> open_period_start([(d(2024, 1, 1), d(2024, 6, 1))], d(2025, 5, 1)) is None
    True
    """
    starts = [start for start, end in periods
              if start <= today and (end is None or end >= today)]
    return max(starts, default=None)


def person_features(store: GraphStore, person: str, *, today: date) -> PersonFeatures | None:
    """The client's features for a forecast today, or None when they have no open
    job-seeking period (the forecast is for clients in employment services)."""
    person = person_iri(person)
    graphs = source_graphs(store)
    periods = [(day(r["start"]), day(r["end"]) if r["end"] else None)
               for r in answers(store, bind(load("seeking_periods"), person=person,
                                            **graphs.bound(["tyollisyyspalvelut"])),
                                graphs.dataset(["tyollisyyspalvelut"]))]
    entry = open_period_start(periods, today)
    if entry is None:
        return None
    index = min(entry + timedelta(days=INDEX_DAYS), today)
    values = empty_values()
    born = False
    for query in MODEL_QUERIES:
        text, dataset = for_person(query, graphs, person, entry, index)
        for row in answers(store, text, dataset):
            values.update(values_of(query, row))
            born |= query.name == "demographics"
    if not born:
        raise PersonDataError(
            "the population register holds no year of birth for this person: the forecast "
            "needs their age")
    return PersonFeatures(person, entry, index, {name: values[name] for name in FEATURES})
