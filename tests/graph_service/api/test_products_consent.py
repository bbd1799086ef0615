"""Data products on the person's consent: the case worker records a consent naming a
product and a service recipient and obtains its token (or the citizen does, for their own
consent); the service calls with it. Withdrawn or expired: 403 at the very next call. Every
attack (another person, product, purpose, recipient, an altered or foreign token, a caller
the policy does not grant) is 403 with a clear reason and exactly one audit record that
denies, and no identity code anywhere."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from graph_service.policy.tokens import (
    CONSENT_ISSUER,
    issue_consent_token,
    load_or_create_consent_token_key,
)
from graph_service.products.definition import PRODUCT_NS
from synthetic.personas import DROPOUT, MOTHER
from tests.graph_service.api.conftest import Api
from tests.graph_service.products.support import (
    COMPANY,
    DROPOUT_ID,
    MOTHER_ID,
    PROFILE,
    audit_text,
    bearer,
    call,
    caller,
    consent_token,
    give_product_consent,
    person_iri,
    records,
)
from tests.leaks import identity_codes

QUALIFICATIONS = "Education/Qualifications_v1.0"


def company(api: Api, purpose: str = "recruitment", organisation: str = COMPANY,
            token: str | None = None) -> dict[str, str]:
    extra = {"X-Consent-Token": token} if token else {}
    return caller(api, organisation, "service", purpose, **extra)


@pytest.fixture
def consent(api: Api) -> dict:
    """A consent of the mother to her job applicant profile and her qualifications, for
    recruitment, to one company's service."""
    r = give_product_consent(api, products=[PROFILE, QUALIFICATIONS])
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture
def token(api: Api, consent: dict) -> str:
    r = consent_token(api, consent["id"])
    assert r.status_code == 201, r.text
    return r.json()["token"]


def test_a_consent_names_products_and_a_service_recipient(api: Api, consent: dict):
    assert consent["products"] == [QUALIFICATIONS, PROFILE]
    assert consent["recipients"] == [f"{COMPANY}/service"] and consent["sections"] == []
    listed = api.client.get(f"/api/persons/{MOTHER_ID}/consents",
                            headers=caller(api, "city:helsinki", "case_worker",
                                           "case-management")).json()
    assert next(c for c in listed if c["id"] == consent["id"])["products"] == \
        [QUALIFICATIONS, PROFILE]


def test_the_service_calls_with_the_token_and_the_audit_names_the_consent(
        api: Api, consent: dict, token: str):
    before = records(api)
    r = call(api, PROFILE, company(api, token=token), {"identity_code": MOTHER.hetu})
    assert r.status_code == 200, r.text
    assert r.json()["skills"]
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"], record["person"], record["purpose"],
            record["organisation"]) == ("call-product", "permit", person_iri(MOTHER_ID),
                                        "recruitment", COMPANY)
    assert record["legal_basis"] == "https://w3id.org/dpv/legal/eu/gdpr#A6-1-a"
    assert record["sections"] == [f"{PROFILE} permit: consent {consent['iri']}"]
    assert not identity_codes(r.text) and not identity_codes(audit_text(api))


def test_the_person_sees_the_call_in_their_own_access_log(api: Api, token: str):
    assert call(api, PROFILE, company(api, token=token)).status_code == 200
    citizen = {"Authorization": "Bearer " + bearer(api, "citizen", "citizen",
                                                   person=person_iri(MOTHER_ID))}
    log = api.client.get("/api/me/access-log", headers=citizen)
    assert log.status_code == 200, log.text
    assert any((e["organisation"], e["purpose"], e["action"], e["decision"]) == (
        COMPANY, "recruitment", "call-product", "permit") and e["sections"][0].startswith(
        f"{PROFILE} permit: consent ") for e in log.json()), log.json()


def test_withdrawal_counts_at_the_very_next_call(api: Api, consent: dict, token: str):
    assert call(api, PROFILE, company(api, token=token)).status_code == 200
    withdrawn = api.client.post(f"/api/persons/{MOTHER_ID}/consents/{consent['id']}/withdraw",
                                headers=caller(api, "city:helsinki", "case_worker",
                                               "case-management"))
    assert withdrawn.status_code == 200
    before = records(api)
    r = call(api, PROFILE, company(api, token=token))
    assert r.status_code == 403
    assert r.json()["detail"].startswith("the person withdrew this consent on ")
    [record] = records(api)[len(before):]
    assert record["decision"] == "deny" and record["person"] == person_iri(MOTHER_ID)


def test_an_expired_consent_counts_at_the_very_next_call(api: Api):
    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    consent = give_product_consent(api, expires_at=soon).json()
    r = consent_token(api, consent["id"], ttl_seconds=3600)
    assert r.status_code == 201
    # the token ends no later than the consent
    assert datetime.fromisoformat(r.json()["expires_at"]) <= soon
    token = r.json()["token"]
    # A token that outlives the consent (the service's own key, as if issued by mistake):
    # the record, read at the call, still decides.
    key = load_or_create_consent_token_key(api.settings.consent_token_key_path)
    longer = issue_consent_token(key, consent=consent["id"], product=PRODUCT_NS + PROFILE,
                                 purpose="recruitment", organisation=COMPANY, role="service",
                                 expires_at=int(time.time()) + 3600)
    assert call(api, PROFILE, company(api, token=token)).status_code == 200
    time.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    for presented, words in ((token, "the consent token has expired"),
                             (longer, "this consent expired on ")):
        before = records(api)
        r = call(api, PROFILE, company(api, token=presented))
        assert r.status_code == 403 and r.json()["detail"].startswith(words), r.text
        [record] = records(api)[len(before):]
        assert record["decision"] == "deny"


def _altered(token: str, **claims) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data.update(claims)
    body = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    return f"{header}.{body}.{signature}"


ATTACKS = {
    "a token for another person": (
        lambda api, token: (PROFILE, company(api, token=token), {"person": DROPOUT_ID}),
        "refers to no consent of this person"),
    "another person by identity code": (
        lambda api, token: (PROFILE, company(api, token=token),
                            {"identity_code": DROPOUT.hetu}),
        "refers to no consent of this person"),
    "a token for another product": (
        lambda api, token: (QUALIFICATIONS, company(api, token=token), None),
        "for another data product"),
    "a token for another purpose": (
        lambda api, token: (PROFILE, company(api, "job-matching", token=token), None),
        "for another purpose"),
    "another recipient organisation": (
        lambda api, token: (PROFILE, company(api, organisation="company:rival", token=token),
                            None), "another recipient organisation"),
    "an altered token": (
        lambda api, token: (PROFILE, company(api, organisation="company:rival",
                                             token=_altered(token, org="company:rival")), None),
        "signature is not valid"),
    "a token signed with another key": (
        lambda api, token: (PROFILE, company(api, token=jwt.encode(
            jwt.decode(token, options={"verify_signature": False}), b"x" * 32,
            algorithm="HS256")), None), "signature is not valid"),
    "a bearer token as the consent token": (
        lambda api, token: (PROFILE, company(api, token=bearer(api, COMPANY, "service")),
                            None), "signature is not valid"),
    "a consent token without a claim": (
        lambda api, token: (PROFILE, company(api, token=jwt.encode(
            {"iss": CONSENT_ISSUER, "exp": int(time.time()) + 60, "jti": "x"},
            load_or_create_consent_token_key(api.settings.consent_token_key_path),
            algorithm="HS256")), None), "lacks the"),
    "garbage as the consent token": (
        lambda api, token: (PROFILE, company(api, token="not.a.token"), None),
        "consent token is not valid"),
    "a legal-basis caller with a consent token": (
        lambda api, token: (PROFILE, caller(api, "city:helsinki", "case_worker",
                                            "job-matching", **{"X-Consent-Token": token}),
                            None), "takes no consent from city/case_worker"),
    "a caller the policy does not grant": (
        lambda api, token: (PROFILE, caller(api, "kela", "service", "benefit-decision",
                                            **{"X-Consent-Token": token}), None),
        "grants nothing to kela/service"),
    "the right company in another role": (
        lambda api, token: (PROFILE, caller(api, COMPANY, "employer", "recruitment",
                                            **{"X-Consent-Token": token}), None),
        "may not call-product"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_an_attack_is_403_with_one_denying_record_and_no_identity_code(
        api: Api, token: str, attack: str):
    make, words = ATTACKS[attack]
    key, headers, body = make(api, token)
    before = records(api)
    r = call(api, key, headers, body)
    assert r.status_code == 403, r.text
    assert words in r.json()["detail"], r.json()["detail"]
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"]) == ("call-product", "deny")
    assert record["reason"] == r.json()["detail"]
    assert not identity_codes(r.text) and not identity_codes(json.dumps(record))
    assert not identity_codes(audit_text(api))


def test_a_consent_token_is_no_bearer_token(api: Api, token: str):
    r = api.client.post(f"/products/{PROFILE}", json={"person": MOTHER_ID},
                        headers={"Authorization": f"Bearer {token}",
                                 "X-Purpose": "recruitment"})
    assert r.status_code == 401


# -- the token endpoint ---------------------------------------------------------------


def test_the_citizen_takes_a_token_for_their_own_consent_only(api: Api, consent: dict):
    own = {"Authorization": "Bearer " + bearer(api, "citizen", "citizen",
                                               person=person_iri(MOTHER_ID)),
           "X-Purpose": "own-data"}
    r = consent_token(api, consent["id"], headers=own)
    assert r.status_code == 201, r.text
    assert call(api, PROFILE, company(api, token=r.json()["token"])).status_code == 200
    other = {"Authorization": "Bearer " + bearer(api, "citizen", "citizen",
                                                 person=person_iri(DROPOUT_ID)),
             "X-Purpose": "own-data"}
    before = records(api)
    r = consent_token(api, consent["id"], headers=other)
    assert r.status_code == 403 and "own consents only" in r.json()["detail"]
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"]) == ("issue-consent-token", "deny")


@pytest.mark.parametrize(("change", "status", "words"), [
    ({"product": "Person/BasicInformation_v1.0"}, 422, "does not cover"),
    ({"purpose": "job-matching"}, 422, "does not cover"),
    ({"recipient": "company:rival/service"}, 422, "does not cover"),
    ({"product": "Person/Nothing_v1.0"}, 422, "not a data product"),
    ({"person": DROPOUT_ID}, 404, "no consent with this id"),
    ({"headers": "steward"}, 403, "may not issue-consent-token"),
])
def test_a_token_is_issued_only_for_what_the_consent_covers(
        api: Api, consent: dict, change: dict, status: int, words: str):
    if change.pop("headers", None):
        change["headers"] = caller(api, "kela", "steward", "data-quality")
    before = records(api)
    r = consent_token(api, consent["id"], **change)
    assert r.status_code == status and words in r.json()["detail"], r.text
    [record] = records(api)[len(before):]
    assert (record["action"], record["decision"]) == ("issue-consent-token", "deny")


def test_no_token_for_a_withdrawn_consent_and_one_record_for_a_token(api: Api, consent: dict):
    before = records(api)
    assert consent_token(api, consent["id"]).status_code == 201
    [record] = records(api)[len(before):]
    assert record["sections"] == [f"{PROFILE} for recruitment to {COMPANY}/service permit: "
                                  f"consent {consent['iri']}"]
    api.client.post(f"/api/persons/{MOTHER_ID}/consents/{consent['id']}/withdraw",
                    headers=caller(api, "city:helsinki", "case_worker", "case-management"))
    r = consent_token(api, consent["id"])
    assert r.status_code == 409 and r.json()["type"].endswith("consent-withdrawn")


def test_a_token_names_no_person(api: Api, token: str):
    claims = jwt.decode(token, options={"verify_signature": False})
    assert set(claims) == {"iss", "jti", "iat", "exp", "consent", "product", "purpose",
                           "org", "role"}
    assert MOTHER_ID not in token and MOTHER_ID not in json.dumps(claims)


# -- consents naming products -----------------------------------------------------------


@pytest.mark.parametrize(("change", "words"), [
    ({"products": ["Person/Nothing_v1.0"]}, "products"),
    ({"products": ["not a key"]}, "products"),
    ({"recipients": ["kela/service"]}, "takes consent from none"),
    ({"purposes": ["case-management"]}, "takes consent from none"),
])
def test_a_product_consent_the_products_cannot_use_is_refused(api: Api, change, words):
    r = give_product_consent(api, **change)
    assert r.status_code == 422 and words in r.json()["detail"], r.text


def test_a_consent_to_sections_is_for_case_work_only(api: Api):
    r = api.client.post(f"/api/persons/{MOTHER_ID}/consents", json={
        "purposes": ["recruitment"], "sections": ["health"], "recipients": ["city/case_worker"],
        "indicated_by": "in-person"}, headers=caller(api, "city:helsinki", "case_worker",
                                                     "case-management"))
    assert r.status_code == 422 and "purposes" in r.json()["detail"]
