"""What an employer may see of a candidate: coarse bands instead of quasi-identifiers, and
whose postings an employer's token speaks for."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 64))
UNEMPLOYMENT_BANDS = ((0, 89, "under-3-months"), (90, 364, "3-12-months"),
                      (365, 729, "1-2-years"), (730, None, "over-2-years"))


def age_band(birth_year: int | None, today: date) -> str | None:
    """A ten-year band such as ``"25-34"`` (``"65+"``, ``"under-18"``); never the age.

    >>> age_band(1990, date(2026, 11, 27))
    '35-44'
    """
    if birth_year is None:
        return None
    age = today.year - birth_year
    if age < 18:
        return "under-18"
    for low, high in AGE_BANDS:
        if low <= age <= high:
            return f"{low}-{high}"
    return "65+"


def unemployment_band(seeking_since: date | None, today: date) -> str | None:
    """How long the current job seeking has lasted, as a band (never the start date).

    >>> unemployment_band(date(2026, 1, 1), date(2026, 11, 27))
    '3-12-months'
    """
    if seeking_since is None:
        return None
    days = (today - seeking_since).days
    for low, high, name in UNEMPLOYMENT_BANDS:
        if days >= low and (high is None or days <= high):
            return name
    return None


def employer_key(name: str) -> str:
    """The organisation an employer's token names for its postings: ``employer:<key>``
    with the employer's name folded to ASCII words.

    >>> employer_key("Kahvila Äijälä Oy")
    'kahvila-aijala-oy'
    """
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")


def employer_organisation(name: str) -> str:
    return f"employer:{employer_key(name)}"


def speaks_for(organisation: str, employer_name: str) -> bool:
    """Does a token of ``organisation`` speak for the employer named ``employer_name``?"""
    return bool(employer_name) and organisation == employer_organisation(employer_name)
