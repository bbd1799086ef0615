"""Everything a chunk worker needs, computed once per run and shared read-only.

Chunks draw from these precomputed pools (code lists, ESCO occupations,
municipality and sector weights, the identity-code permutation), so the hot
loops never touch rdflib, YAML or the ESCO CSVs.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import accumulate
from math import gcd
from pathlib import Path
from typing import TypeVar

from .esco_pool import EscoPool, load_pool
from .sectors import (
    DEFAULT_MUNICIPALITY_WEIGHT,
    MUNICIPALITY_WEIGHT,
    SECTORS,
    Sector,
    check_codes,
)
from .spec import Contract, load_contract
from .texts import institution_pool

T = TypeVar("T")

MIN_AGE, MAX_AGE = 18, 66
# Individual numbers 002-009 are kept for the fixed personas; the population uses 010-899.
IND_LO, IND_HI = 10, 899
PERSONS_PER_CHUNK = 5000
JOBS_PER_CHUNK = 2000


def years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:  # 29 February
        return d.replace(year=d.year - years, day=28)


def pick(rnd: Callable[[], float], items: Sequence[T], cum: Sequence[float]) -> T:
    """Weighted choice by cumulative weights (faster than random.choices for one item)."""
    return items[bisect(cum, rnd() * cum[-1])]


@dataclass(frozen=True)
class World:
    contract: Contract
    pool: EscoPool
    seed: int
    as_of: date
    dirty_rate: float
    municipalities: tuple[str, ...]
    municipality_cum: tuple[float, ...]
    sectors: tuple[Sector, ...]
    seeker_cum: tuple[float, ...]
    foreign_cum: tuple[float, ...]
    posting_cum: tuple[float, ...]
    institutions: dict[str, tuple[tuple[str, str], ...]]
    born_lo: int  # ordinal of the earliest birth date
    n_dates: int
    hetu_a: int
    hetu_b: int

    @property
    def today(self) -> int:
        return self.as_of.toordinal()

    @property
    def slots(self) -> int:
        return self.n_dates * (IND_HI - IND_LO + 1)

    def slot(self, index: int) -> tuple[int, int]:
        """(birth ordinal, individual number) of population member ``index``: a bijection."""
        j = (self.hetu_a * index + self.hetu_b) % self.slots
        n_ind = IND_HI - IND_LO + 1
        return self.born_lo + j // n_ind, IND_LO + j % n_ind


def build_world(*, seed: int, as_of: date, dirty_rate: float, esco_dir: Path) -> World:
    contract = load_contract()
    check_codes(contract.codelists)
    pool = load_pool(esco_dir)
    munis = contract.codelists.codes("municipality")
    muni_cum = tuple(
        accumulate(MUNICIPALITY_WEIGHT.get(m, DEFAULT_MUNICIPALITY_WEIGHT) for m in munis)
    )
    born_lo = (years_before(as_of, MAX_AGE + 1).toordinal()) + 1
    born_hi = years_before(as_of, MIN_AGE).toordinal()
    n_dates = born_hi - born_lo + 1
    slots = n_dates * (IND_HI - IND_LO + 1)
    # A seeded affine permutation of the (birth date, individual number) slots gives every
    # person a distinct identity code without any coordination between chunks.
    rng = random.Random(f"{seed}:hetu")
    a = rng.randrange(slots // 3, slots)
    while gcd(a, slots) != 1:
        a += 1
    return World(
        contract=contract,
        pool=pool,
        seed=seed,
        as_of=as_of,
        dirty_rate=dirty_rate,
        municipalities=munis,
        municipality_cum=muni_cum,
        sectors=SECTORS,
        seeker_cum=tuple(accumulate(s.seeker_weight for s in SECTORS)),
        foreign_cum=tuple(accumulate(s.foreign_weight for s in SECTORS)),
        posting_cum=tuple(accumulate(s.posting_weight for s in SECTORS)),
        institutions=institution_pool(),
        born_lo=born_lo,
        n_dates=n_dates,
        hetu_a=a,
        hetu_b=rng.randrange(slots),
    )


class Ids:
    """Record ids: a per-file prefix, the chunk number and a running number.

    Never derived from identity codes; unique because chunks never share a number.
    """

    def __init__(self, chunk: int) -> None:
        self.chunk = chunk
        self._n: dict[str, int] = {}

    def __call__(self, prefix: str) -> str:
        n = self._n.get(prefix, 0) + 1
        if n >= 10**6:
            raise OverflowError(f"more than a million {prefix} ids in one chunk")
        self._n[prefix] = n
        return f"{prefix}{self.chunk:05d}{n:06d}"

    def koski_oid(self) -> str:
        n = self._n.get("oid", 0) + 1
        if n >= 10**5:
            raise OverflowError("more than 100,000 study rights in one chunk")
        self._n["oid"] = n
        return f"1.2.246.562.15.1{self.chunk:05d}{n:05d}"


@cache
def date_formatter(fmt: str) -> Callable[[int], str]:
    """Ordinal -> text in ``fmt``, memoised per process: strftime is the slow part of dates."""
    cache: dict[int, str] = {}

    def format_date(ordinal: int) -> str:
        text = cache.get(ordinal)
        if text is None:
            text = cache[ordinal] = date.fromordinal(ordinal).strftime(fmt)
        return text

    return format_date
