"""A consent record (DPV, with the ISO/IEC TS 27560 consent-record fields) as Python sees it.

Stored by ``graph_service.policy.consent`` in the person's own consent graph, never
changed in place: a withdrawal adds to the record, so its history stays readable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from graph_service.policy.sections import Section


class ConsentStatus(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Recipient:
    """Who may read under the consent: an organisation kind (``kela``, ``city``; a token's
    organisation ``city:helsinki`` is of kind ``city``) or one organisation itself
    (``company:duunitori``, as tokens name it), and a role (``case_worker``, ``service``)."""

    organisation: str
    role: str

    @property
    def is_one_organisation(self) -> bool:
        return ":" in self.organisation

    def matches(self, organisation: str, roles: tuple[str, ...] | list[str]) -> bool:
        """Whether a caller of ``organisation`` (a token's) in ``roles`` is this recipient.

        >>> Recipient("company", "service").matches("company:duunitori", ["service"])
        True
        >>> Recipient("company:duunitori", "service").matches("company:other", ["service"])
        False
        """
        return self.role in roles and self.organisation in (
            organisation, organisation_kind(organisation))


@dataclass(frozen=True)
class ConsentEvent:
    """One step of a record's history: given, withdrawn (and by whom, when)."""

    status: ConsentStatus
    at: datetime
    by: str  # the subject (case worker, or the person) who recorded the step
    organisation: str


@dataclass(frozen=True)
class ConsentRecord:
    id: str  # the record's IRI, https://tyodata.fi/id/consent/<uuid>
    person: str  # data subject: the pseudonymous person IRI
    controller: str  # organisation (token organisation) that is the controller
    purposes: tuple[str, ...]  # purpose keys, e.g. "case-management"
    sections: tuple[Section, ...]  # the personal-data categories the consent covers
    recipients: tuple[Recipient, ...]
    given_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    indicated_by: str  # how it was indicated: "in-person", "written", "electronic"
    recorded_by: str  # subject of the case worker who recorded it
    recorded_org: str
    history: tuple[ConsentEvent, ...] = field(default=())
    products: tuple[str, ...] = field(default=())
    """The data products (their IRIs) the consent covers, besides ``sections``."""

    def status(self, now: datetime) -> ConsentStatus:
        if self.withdrawn_at is not None and self.withdrawn_at <= now:
            return ConsentStatus.WITHDRAWN
        if self.expires_at is not None and self.expires_at <= now:
            return ConsentStatus.EXPIRED
        return ConsentStatus.GIVEN

    def valid_at(self, now: datetime) -> bool:
        return self.status(now) is ConsentStatus.GIVEN

    def covers(self, section: Section, purpose: str, organisation_kind: str,
               role: str) -> bool:
        """Whether this record, if valid, lets ``role`` at ``organisation_kind`` read
        ``section`` for ``purpose``."""
        return (section in self.sections and purpose in self.purposes
                and Recipient(organisation_kind, role) in self.recipients)

    def covers_product(self, product: str, purpose: str, organisation: str,
                       roles: tuple[str, ...] | list[str]) -> bool:
        """Whether this record, if valid, lets a caller of ``organisation`` (a token's, e.g.
        ``company:duunitori``) in ``roles`` call data product ``product`` (its IRI) for
        ``purpose``."""
        return (product in self.products and purpose in self.purposes
                and any(r.matches(organisation, roles) for r in self.recipients))


def organisation_kind(organisation: str) -> str:
    """The kind of a token's organisation: the part before ``:``.

    >>> organisation_kind("city:helsinki"), organisation_kind("kela")
    ('city', 'kela')
    """
    return organisation.partition(":")[0]
