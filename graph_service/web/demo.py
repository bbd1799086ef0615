"""The demo users the sign-in page offers when ``TYODATA_DEMO_SIGN_IN`` is on."""

from __future__ import annotations

from dataclasses import dataclass

from core.pseudonyms import Pseudonymizer
from graph_service.policy.tokens import issue
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
)


def demo_user(key: str) -> DemoUser | None:
    return next((user for user in DEMO_USERS if user.key == key), None)


def demo_token(signing_key: bytes, user: DemoUser, pseudonymize: Pseudonymizer) -> str:
    person = pseudonymize.iri(MOTHER.hetu) if user.role == "citizen" else None
    return issue(signing_key, subject=user.subject, organisation=user.organisation,
                 roles=[user.role], ttl_seconds=DEMO_TOKEN_TTL_S, person=person)
