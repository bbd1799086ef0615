"""The client's situation view as the API answers it and the pages render it.

A view holds one entry per asked section, permitted or withheld. A permitted section
carries its registry facts (``facts``, each with its source organisation, extract graph
and extract date), the client-reported facts of that section (``reported``, each with who
recorded it, for which organisation and when) and figures derived from them
(``summary``). Only the fields the section's legal basis or consent covers are present:
data minimisation happens before a view is built, so a view never holds more than the
reader may see.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from graph_service.policy.section_decision import Withheld
from graph_service.policy.sections import Section

Scalar = bool | int | Decimal | date | datetime | str | None


class FieldValue(BaseModel):
    """One field of a fact: the raw value and, for a coded value, the concept and its
    labels (from the SKOS code lists)."""

    value: Scalar = Field(description="The value: a code's notation, a date, a number, "
                                      "a yes/no or a text")
    concept: str | None = Field(default=None, description="The code's concept IRI")
    labels: dict[str, str] | None = Field(
        default=None, description="The code's labels by language (fi, en)")


class Source(BaseModel):
    """Where a registry fact came from."""

    organisation: str = Field(description="The registry's organisation, e.g. Kela")
    source: str = Field(description="The source's key, e.g. kela")
    graph: str = Field(description="The named graph of the extract the fact was loaded from")
    extracted_at: date | None = Field(description="The day the registry produced the extract")


class ReportedBy(BaseModel):
    """Who recorded a client-reported fact, and its place in the fact's history."""

    recorded_by: str = Field(description="The case worker (the token subject)")
    organisation: str = Field(description="The case worker's organisation")
    recorded_at: datetime
    revision_of: str | None = Field(default=None,
                                    description="The fact this one revises, if any")
    invalidated_at: datetime | None = Field(
        default=None, description="When a newer revision replaced this one (history only)")


class Fact(BaseModel):
    """One fact: a registry fact (``source``) or a client-reported one (``reported``)."""

    kind: str = Field(description="e.g. benefit_decision; a client-reported fact: its form")
    id: str = Field(description="The fact's IRI")
    fields: dict[str, FieldValue]
    section: Section | None = Field(default=None,
                                    description="The section a client-reported fact is in")
    source: Source | None = None
    reported: ReportedBy | None = None


class SectionView(BaseModel):
    section: Section
    permitted: bool
    reason: str = Field(description="Why the section is shown or withheld")
    withheld: Withheld | None = Field(
        default=None, description="Why a withheld section is withheld, as a code to translate")
    withheld_on: date | None = Field(
        default=None, description="The day the consent it needed was withdrawn or expired")
    legal_basis: list[str] = Field(default_factory=list,
                                   description="The legal bases a permit rests on")
    consent: str | None = Field(default=None,
                                description="The consent record a permit rests on, if any")
    facts: list[Fact] = Field(default_factory=list, description="Registry facts")
    reported: list[Fact] = Field(default_factory=list,
                                 description="Client-reported facts (latest revisions)")
    summary: dict[str, Any] = Field(default_factory=dict,
                                    description="Figures derived from the facts")


class SituationView(BaseModel):
    person: str = Field(description="The person's pseudonymous id")
    read_at: datetime
    sections: list[SectionView]

    def section(self, section: Section) -> SectionView | None:
        return next((s for s in self.sections if s.section is section), None)


class ReportedFacts(BaseModel):
    """A person's client-reported facts in the sections the reader may see."""

    person: str
    history: bool = Field(description="Whether earlier revisions are included")
    facts: list[Fact]
    withheld: list[Section] = Field(default_factory=list,
                                    description="Sections whose facts are not shown")
