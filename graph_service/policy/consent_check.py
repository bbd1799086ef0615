"""The one rule of consent: the newest valid record that covers the access, or why none.

Whatever a consent is for (a section of the situation view, the work-ability forecast),
the decision point asks the same question of the person's records, read fresh from the
store: of the records that cover this access, is one valid now (given, not withdrawn, not
expired)? If none is, the newest covering record says why: withdrawn on a date, expired
on a date; no covering record at all means the consent was never given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from graph_service.policy.consent_record import ConsentRecord, ConsentStatus
from graph_service.policy.section_decision import Withheld


@dataclass(frozen=True)
class ConsentFound:
    """The valid record an access may rest on, or why there is none (``withheld``, and
    the day a consent was withdrawn or expired)."""

    record: ConsentRecord | None
    withheld: Withheld | None = None
    on: date | None = None


def valid_consent(consents: Iterable[ConsentRecord], person: str,
                  covers: Callable[[ConsentRecord], bool], now: datetime) -> ConsentFound:
    """The newest of ``person``'s records that ``covers`` the access and is valid at
    ``now``; else why not, from the newest covering record."""
    covering = sorted((c for c in consents if c.person == person and covers(c)),
                      key=lambda c: c.given_at, reverse=True)
    valid = next((c for c in covering if c.valid_at(now)), None)
    if valid is not None:
        return ConsentFound(valid)
    if not covering:
        return ConsentFound(None, Withheld.NEEDS_CONSENT)
    newest = covering[0]
    if newest.status(now) is ConsentStatus.WITHDRAWN:
        assert newest.withdrawn_at is not None
        return ConsentFound(None, Withheld.CONSENT_WITHDRAWN, newest.withdrawn_at.date())
    assert newest.expires_at is not None
    return ConsentFound(None, Withheld.CONSENT_EXPIRED, newest.expires_at.date())
