"""Shared state of writing one chunk's life histories, and the facts passed between parts.

``LifeWriter`` holds the chunk's random generator, id source, output rows and date
formats; the mixins in ``studies``, ``seeking`` and ``benefits`` each write one
domain of a person's history with it. All dates are day ordinals until written.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from .world import Ids, World, date_formatter
from .writers import ChunkOut

YES, NO = "K", "E"

YEAR = 365

# Kela's earnings extract: the seven full years before the extract date, so that the forecast
# cohort's earliest entrants (6 years back) have the year before their entry.
EARNINGS_YEARS = 7


def cumulative(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    items, total, cum = [], 0.0, []
    for item, weight in pairs:
        total += weight
        items.append(item)
        cum.append(total)
    return tuple(items), tuple(cum)


@dataclass
class StudyRight:
    level: str  # vocational / general / higher
    qualification: str
    start: int
    end: int | None  # päättymispäivä
    status: str
    last_change: int  # start of the last tila jakso
    break_at: int | None = None  # a loma jakso


@dataclass
class Period:
    """A job-seeking period; ``end`` None while it goes on."""

    start: int
    end: int | None
    status: str


class LifeWriter:
    """Base of ``PopulationChunk``: what every part of a life history writes with."""

    def __init__(self, world: World, chunk: int) -> None:
        self.w = world
        self.chunk = chunk
        self.rng = random.Random(f"{world.seed}:persons:{chunk}")
        self.ids = Ids(chunk)
        self.out = ChunkOut(world.contract)
        sources = world.contract.sources
        self.fmt = {name: date_formatter(s.date_format) for name, s in sources.items()}
        self.today = world.today
        self.year = world.as_of.year
        self.jan1 = {y: date(y, 1, 1).toordinal() for y in range(1900, self.year + 40)}
        codes = world.contract.codelists
        self.qual_label = {q: codes.label("qualification", q) for q in codes.codes("qualification")}
        self.all_vocational = tuple(q for s in world.sectors for q in s.vocational)

    def _between(self, lo: int, hi: int) -> int:
        return lo if hi <= lo else lo + int(self.rng.random() * (hi - lo + 1))

    def _month_start_after(self, ordinal: int) -> int:
        d = date.fromordinal(ordinal)
        return date(d.year + (d.month == 12), d.month % 12 + 1, 1).toordinal()
