"""What the consent panel shows besides the records: the choices of the consent form (the
sections, the case-work purposes, the recipients the access policy names, how the client
indicated it) and a recipient's name, in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from graph_service.policy.consent import INDICATION_METHODS
from graph_service.policy.odrl import Party
from graph_service.policy.sections import Section
from graph_service.web.i18n import Catalogue

# The purposes a case worker works for, in the order the forms list them.
CASE_WORK_PURPOSES = ("case-management", "benefit-decision", "job-matching")


@dataclass(frozen=True)
class ConsentChoices:
    """What the consent form offers: (value, label) pairs, in the reader's language."""

    sections: list[tuple[str, str]]
    purposes: list[tuple[str, str]]
    recipients: list[tuple[str, str]]
    methods: list[tuple[str, str]]
    tomorrow: str


def recipient_text(messages: Catalogue, party: str) -> str:
    """A recipient (a policy party, ``<organisation kind>/<role>``) by its name."""
    kind, _, role = party.partition("/")
    return messages.text_or(f"recipient.{kind}.{role}", f"{role} ({kind})")


def consent_choices(messages: Catalogue, parties: list[Party], today: date) -> ConsentChoices:
    """The form's choices; the recipients are the parties the access policy names."""
    return ConsentChoices(
        sections=[(s.value, messages.text(f"section.{s.value}")) for s in Section],
        purposes=[(p, messages.text(f"purpose.{p}")) for p in CASE_WORK_PURPOSES],
        recipients=[(p.key, recipient_text(messages, p.key)) for p in parties],
        methods=[(m, messages.text(f"consent.method.{m}")) for m in INDICATION_METHODS],
        tomorrow=(today + timedelta(days=1)).isoformat())
