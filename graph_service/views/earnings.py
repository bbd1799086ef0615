"""The vocational-rehabilitation earnings check.

Kela's vocational rehabilitation for a person whose work ability is threatened asks
that the person be established in working life: earned income of at least
EUR 41,143.38 (2024 level) in total over the five calendar years before the year of
the check. The check here adds up the annual earnings Kela's extract holds for those
years; a year without a record counts as no earnings, and is named so a case worker
can ask.

>>> from datetime import date
>>> check = earnings_check({2021: Decimal("30000"), 2023: Decimal("12000.50")},
...                        date(2026, 11, 1))
>>> check.years, check.total, check.met, check.years_without_record
((2021, 2022, 2023, 2024, 2025), Decimal('42000.50'), True, (2022, 2024, 2025))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

THRESHOLD_EUR = Decimal("41143.38")
THRESHOLD_LEVEL_YEAR = 2024
YEARS = 5


@dataclass(frozen=True)
class EarningsCheck:
    years: tuple[int, ...]
    by_year: dict[int, Decimal]  # the years of ``years`` that have a record
    total: Decimal
    threshold: Decimal
    met: bool

    @property
    def years_without_record(self) -> tuple[int, ...]:
        return tuple(y for y in self.years if y not in self.by_year)


def earnings_check(earnings: Mapping[int, Decimal], today: date) -> EarningsCheck:
    """The check of ``earnings`` (year -> euros) on ``today``: the five calendar years
    before this one, their total and whether it reaches the threshold."""
    years = tuple(range(today.year - YEARS, today.year))
    by_year = {y: earnings[y] for y in years if y in earnings}
    total = sum(by_year.values(), Decimal("0")).quantize(Decimal("0.01"))
    return EarningsCheck(years, by_year, total, THRESHOLD_EUR, total >= THRESHOLD_EUR)
