"""The demo users the sign-in page offers when ``TYODATA_DEMO_SIGN_IN`` is on.

The demo employer speaks for a real employer of the store: the data's employer names are
generated, so at sign-in it takes the one with the most postings in the matching index
(``demo_employer_organisation``), its organisation ``employer:<name folded>``.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.pseudonyms import Pseudonymizer
from graph_service.api.deps import Services
from graph_service.policy.tokens import issue
from matchers.anonymous import employer_organisation
from synthetic.personas import MOTHER

DEMO_TOKEN_TTL_S = 8 * 3600


@dataclass(frozen=True)
class DemoUser:
    key: str  # the sign-in button's value and the catalogue key of its label
    subject: str
    organisation: str
    role: str


DEMO_USERS = (
    DemoUser("kela", "demo-kela-case-worker", "kela", "case_worker"),
    DemoUser("city", "demo-city-case-worker", "city:helsinki", "case_worker"),
    # A citizen is bound to their own pseudonymous id: here the first pilot persona's.
    DemoUser("citizen", "demo-citizen", "citizen", "citizen"),
    # An employer: its organisation is chosen from the store at sign-in (see above).
    DemoUser("employer", "demo-employer", "", "employer"),
)


def demo_user(key: str) -> DemoUser | None:
    return next((user for user in DEMO_USERS if user.key == key), None)


def demo_employer_organisation(services: Services) -> str | None:
    """The organisation of the employer with the most open postings, if any."""
    if services.matching is None:
        return None
    name = services.matching.busiest_employer()
    return employer_organisation(name) if name else None


def demo_token(signing_key: bytes, user: DemoUser, pseudonymize: Pseudonymizer, *,
               organisation: str | None = None) -> str:
    """A token for ``user``; ``organisation`` overrides its own (the demo employer's)."""
    person = pseudonymize.iri(MOTHER.hetu) if user.role == "citizen" else None
    return issue(signing_key, subject=user.subject,
                 organisation=organisation or user.organisation, roles=[user.role],
                 ttl_seconds=DEMO_TOKEN_TTL_S, person=person)
