"""What the data-product API tests share: callers' tokens, calls, consents, the audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.pseudonyms import PERSON_NS, Pseudonymizer
from graph_service.policy.tokens import issue, load_or_create_signing_key
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.graph_service.api.conftest import Api

MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
DROPOUT_ID = Pseudonymizer(KEY)(DROPOUT.hetu)
PROFILE = "Person/JobApplicantProfile_v1.0"
COMPANY = "company:duunitori"


def bearer(api: Api, organisation: str, role: str, subject: str | None = None,
           person: str | None = None) -> str:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    return issue(key, subject=subject or f"{organisation}-{role}", organisation=organisation,
                 roles=[role], person=person)


def caller(api: Api, organisation: str, role: str, purpose: str | None,
           **extra: str) -> dict[str, str]:
    headers = {"Authorization": "Bearer " + bearer(api, organisation, role), **extra}
    if purpose:
        headers["X-Purpose"] = purpose
    return headers


def call(api: Api, key: str, headers: dict[str, str], body: object | None = None,
         **kwargs):
    response = api.client.post(f"/products/{key}", json=body if body is not None else {
        "person": MOTHER_ID}, headers=headers, **kwargs)
    api.bodies.append(response.text)
    return response


def case_worker(api: Api) -> dict[str, str]:
    return caller(api, "city:helsinki", "case_worker", "case-management")


def give_product_consent(api: Api, *, person: str = MOTHER_ID, products: list[str] | None = None,
                         purposes: list[str] | None = None,
                         recipients: list[str] | None = None,
                         expires_at: datetime | None = None):
    body = {"purposes": purposes or ["recruitment"], "products": products or [PROFILE],
            "recipients": recipients or [f"{COMPANY}/service"], "indicated_by": "electronic",
            "expires_at": (expires_at or datetime.now(UTC) + timedelta(days=30)).isoformat()}
    return api.client.post(f"/api/persons/{person}/consents", json=body,
                           headers=case_worker(api))


def consent_token(api: Api, consent: str, *, person: str = MOTHER_ID, product: str = PROFILE,
                  purpose: str = "recruitment", recipient: str = f"{COMPANY}/service",
                  headers: dict[str, str] | None = None, **extra):
    return api.client.post(f"/api/persons/{person}/consents/{consent}/token",
                           json={"product": product, "purpose": purpose,
                                 "recipient": recipient, **extra},
                           headers=headers or case_worker(api))


def records(api: Api) -> list[dict]:
    return list(api.client.app.state.services.audit.records())


def audit_text(api: Api) -> str:
    return api.settings.audit_path.read_text(encoding="utf-8")


def person_iri(pseudonym: str) -> str:
    return PERSON_NS + pseudonym
