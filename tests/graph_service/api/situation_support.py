"""Shared by the situation and client-reported tests: the personas' ids, the default
policy loaded into the API's store, a city case worker's token, and reading the audit
records one request wrote."""

from __future__ import annotations

from core.pseudonyms import Pseudonymizer
from graph_service.api.deps import Services
from graph_service.policy.policy_graph import ensure_default_policy
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api

MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
DROPOUT_ID = Pseudonymizer(KEY)(DROPOUT.hetu)
UNKNOWN_ID = "a" * 26
PURPOSE = "case-management"
# The default policy for a Kela case worker: these on a legal basis, the rest on consent.
KELA_BASIS = ["basic", "family", "unemployment", "studies", "benefits", "rehabilitation",
              "health"]
KELA_CONSENT = ["migration", "economy"]


def services(api: Api) -> Services:
    return api.client.app.state.services


def load_default_policy(api: Api) -> None:
    """The default access policy in the API's store (if the service has not loaded it)."""
    ensure_default_policy(services(api).store)
    services(api).directory.invalidate()


def city_token(api: Api) -> str:
    """A case worker of the city of Helsinki's employment services."""
    key = load_or_create_signing_key(api.settings.signing_key_path)
    return issue(key, subject="test-city-worker", organisation="city:helsinki",
                 roles=["case_worker"])


def audited(api: Api, call) -> tuple[object, list[dict]]:
    """The response of ``call()`` and the audit records it wrote."""
    before = sum(1 for _ in services(api).audit.records())
    response = call()
    return response, list(services(api).audit.records())[before:]


def situation(api: Api, person: str, *, role: str | None = "case_worker",
              purpose: str | None = PURPOSE, token: str | None = None, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return api.request("GET", f"/api/persons/{person}/situation", role=None if token else role,
                       purpose=purpose, headers=headers, **kwargs)
