"""What matching knows of a job seeker and of a job posting, read from the graph.

These records are the one contract between reading the graph (``matchers.source``),
building the index, scoring, explaining and the API. Codes are the code lists' own
codes (``code:education-level/3`` -> ``"3"``); occupations and skills are ESCO IRIs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True, slots=True)
class Experience:
    """One earlier (or current) job of a seeker, on an ESCO occupation."""

    occupation: str
    start: date | None = None
    end: date | None = None  # None: still going on


@dataclass(frozen=True, slots=True)
class SeekerRecord:
    """A job seeker's marketplace profile plus what the filters need.

    ``person`` is the pseudonymous person IRI: it is personal data and never leaves
    towards an employer (employers see a per-posting handle, see ``matchers.handles``).
    """

    profile: str
    person: str
    desired_occupations: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    experience: tuple[Experience, ...] = ()
    education_level: str | None = None
    languages: Mapping[str, str] = field(default_factory=dict)  # language -> CEFR level
    licences: tuple[str, ...] = ()
    municipality: str | None = None
    search_areas: tuple[str, ...] = ()  # municipality codes
    working_time: str | None = None  # KOKOAIKA | OSA_AIKA
    contract: str | None = None  # VAKINAINEN | MAARAAIKAINEN
    description: str = ""
    updated: date | None = None
    status: str | None = None  # employment services' current status, e.g. TYOTON
    seeking_since: date | None = None  # start of the current job-seeking period
    birth_year: int | None = None  # only ever shown as an age band


@dataclass(frozen=True, slots=True)
class PostingRecord:
    """A job posting of the marketplace."""

    posting: str
    identifier: str
    title: str = ""
    description: str = ""
    employer: str = ""
    occupation: str | None = None
    essential_skills: tuple[str, ...] = ()
    optional_skills: tuple[str, ...] = ()
    education_level: str | None = None
    languages: Mapping[str, str] = field(default_factory=dict)  # language -> CEFR level
    licences: tuple[str, ...] = ()
    municipality: str | None = None
    working_time: str | None = None
    contract: str | None = None
    remote: bool = False
    posted: date | None = None
    valid_through: date | None = None
