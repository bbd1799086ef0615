"""What the decision point answers for one section of one person's situation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from graph_service.policy.sections import Section


class Withheld(StrEnum):
    """Why a section is withheld, as a code a page can translate (``reason`` says it in
    English words)."""

    NO_POLICY = "no_policy"
    NO_RULE = "no_rule"
    PURPOSE = "purpose"
    NEEDS_CONSENT = "needs_consent"
    CONSENT_WITHDRAWN = "consent_withdrawn"
    CONSENT_EXPIRED = "consent_expired"


@dataclass(frozen=True)
class SectionDecision:
    """Permit or deny of one section, with what it rests on.

    A permit rests on a legal basis (``legal_basis``: GDPR article and national act IRIs)
    or on the client's consent (``consent``: the consent record's IRI), never on nothing.
    ``fields`` are the fields the basis or consent covers: a permitted section shows only
    those (data minimisation). A deny says why in ``reason``, in words a case worker can
    act on (e.g. that the client's consent is needed).
    """

    section: Section
    permit: bool
    reason: str
    legal_basis: tuple[str, ...] = ()
    consent: str | None = None
    fields: frozenset[str] = frozenset()
    policy: str | None = None  # the ODRL rule (permission) that was applied, if any
    withheld: Withheld | None = None  # why, for a deny
    withheld_on: date | None = None  # the day a consent was withdrawn or expired

    @property
    def word(self) -> str:
        return "permit" if self.permit else "deny"

    def audit_text(self) -> str:
        """One line of the audit record's ``sections``: section, decision, what it rests on.

        >>> SectionDecision(Section.HEALTH, False, "needs consent").audit_text()
        'health deny: needs consent'
        >>> SectionDecision(Section.BASIC, True, "ok", legal_basis=("gdpr:A6-1-e",)).audit_text()
        'basic permit: gdpr:A6-1-e'
        """
        if not self.permit:
            return f"{self.section.value} deny: {self.reason}"
        rests_on = f"consent {self.consent}" if self.consent else " ".join(self.legal_basis)
        return f"{self.section.value} permit: {rests_on}"
