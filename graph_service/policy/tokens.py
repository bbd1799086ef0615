"""Signed bearer tokens: who calls (subject), for which organisation, in which roles.

HS256 JSON Web Tokens signed with the service's key (created on first use,
never committed). Tokens carry no personal data of clients.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jwt

from core.keys import load_or_create_key
from core.pseudonyms import PERSON_IRI
from graph_service.policy.errors import TokenError

ROLES = ("steward", "case_worker", "developer", "service", "employer", "admin", "citizen")
ISSUER = "tyodata-graph"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    subject: str
    organisation: str
    roles: tuple[str, ...]
    expires_at: int
    person: str | None = None
    """For a citizen's token: the pseudonymous IRI of the person it is bound to."""

    def has(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)


def load_or_create_signing_key(path: Path) -> bytes:
    return load_or_create_key(path, what="token signing key")


def issue(key: bytes, *, subject: str, organisation: str, roles: list[str],
          ttl_seconds: int = 3600, now: float | None = None, person: str | None = None) -> str:
    """A signed token. Unknown roles are refused so a typo never grants nothing silently.

    >>> t = issue(b"k" * 32, subject="anna", organisation="kela", roles=["steward"])
    >>> verify(b"k" * 32, t).roles
    ('steward',)
    """
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise TokenError(f"unknown role(s) {', '.join(unknown)}; roles are {', '.join(ROLES)}")
    if not subject or not organisation:
        raise TokenError("a token needs a subject and an organisation")
    if ttl_seconds <= 0:
        raise TokenError("ttl must be positive")
    if ("citizen" in roles) != (person is not None):
        raise TokenError("a citizen's token, and only that, is bound to a person (--person)")
    if person is not None and not PERSON_IRI.fullmatch(person):
        raise TokenError("a token is bound to a pseudonymous person IRI, never to anything "
                         "else")
    issued = int(now if now is not None else time.time())
    claims = {"iss": ISSUER, "sub": subject, "org": organisation, "roles": roles,
              "iat": issued, "exp": issued + ttl_seconds}
    if person is not None:
        claims["person"] = person
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def verify(key: bytes, token: str) -> Principal:
    """The principal of a valid token; TokenError says what is wrong otherwise.

    A token once verified is remembered (signature checks are most of a small request's
    cost); its expiry is still checked at every use.
    """
    principal = _verified(key, token)
    if principal.expires_at <= time.time():
        raise TokenError("the bearer token has expired; ask for a new one")
    return principal


@lru_cache(maxsize=4096)
def _verified(key: bytes, token: str) -> Principal:
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise TokenError("the bearer token has expired; ask for a new one") from None
    except jwt.InvalidSignatureError:
        raise TokenError("the bearer token's signature is not valid for this service") from None
    except jwt.PyJWTError as err:
        raise TokenError(f"the bearer token is not valid: {err}") from None
    roles = claims.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise TokenError("the bearer token has no roles claim")
    person = claims.get("person")
    if ("citizen" in roles) != (person is not None) or (
            person is not None and not (isinstance(person, str) and PERSON_IRI.fullmatch(person))):
        raise TokenError("a citizen's token must be bound to one pseudonymous person, and "
                         "no other token may be")
    return Principal(claims["sub"], str(claims.get("org", "")), tuple(roles), int(claims["exp"]),
                     person)


# -- consent tokens ----------------------------------------------------------------------
#
# A consent token is a signed reference to one consent record of a person, for one data
# product, one purpose and one recipient (an organisation, as bearer tokens name it, and a
# role). The recipient presents it (``X-Consent-Token``) when it calls the product; the
# record itself is read from the store at every call, so a withdrawal or an expiry counts
# at once. It names neither the person nor anything about them: the consent id is a
# random UUID, and the caller names the person in the call's body.
#
# Its own key (``Settings.consent_token_key_path``) and issuer, so a bearer token is never
# a consent token and a consent token never authenticates anyone.

CONSENT_ISSUER = "tyodata-graph/consent"
_CONSENT_CLAIMS = ("consent", "product", "purpose", "org", "role")


@dataclass(frozen=True)
class ConsentGrant:
    """What a valid consent token says."""

    consent: str  # the consent record's id (the UUID of its IRI)
    product: str  # the data product's IRI
    purpose: str
    organisation: str  # the recipient organisation, as tokens name it (company:duunitori)
    role: str
    expires_at: int
    token_id: str


def load_or_create_consent_token_key(path: Path) -> bytes:
    return load_or_create_key(path, what="consent token key")


def issue_consent_token(key: bytes, *, consent: str, product: str, purpose: str,
                        organisation: str, role: str, expires_at: int,
                        now: float | None = None) -> str:
    """A signed consent token that expires at ``expires_at`` (epoch seconds).

    >>> t = issue_consent_token(b"k" * 32, consent="c", product="p", purpose="job-matching",
    ...                         organisation="company:x", role="service", expires_at=2**40)
    >>> verify_consent_token(b"k" * 32, t).organisation
    'company:x'
    """
    issued = int(now if now is not None else time.time())
    if expires_at <= issued:
        raise TokenError("a consent token must expire in the future")
    if role not in ROLES or role == "citizen":
        raise TokenError("a consent token's recipient role is one of "
                         + ", ".join(r for r in ROLES if r != "citizen"))
    if not all((consent, product, purpose, organisation)):
        raise TokenError("a consent token names a consent, a product, a purpose and a "
                         "recipient organisation")
    claims = {"iss": CONSENT_ISSUER, "jti": uuid.uuid4().hex, "iat": issued,
              "exp": int(expires_at), "consent": consent, "product": product,
              "purpose": purpose, "org": organisation, "role": role}
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"typ": "consent+jwt"})


def verify_consent_token(key: bytes, token: str) -> ConsentGrant:
    """What a consent token grants; TokenError says what is wrong with it otherwise
    (signature, issuer, expiry, a missing claim). Whether it still holds is the
    consent record's say, read fresh by the caller."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=CONSENT_ISSUER,
                            options={"require": ["exp", "iss", "jti", *_CONSENT_CLAIMS]})
    except jwt.ExpiredSignatureError:
        raise TokenError("the consent token has expired; ask for a new one") from None
    except jwt.InvalidSignatureError:
        raise TokenError("the consent token's signature is not valid: it was not issued "
                         "by this service, or it was altered") from None
    except jwt.MissingRequiredClaimError as err:
        raise TokenError(f"the consent token lacks the {err.claim} claim") from None
    except jwt.InvalidIssuerError:
        raise TokenError("this is not a consent token (wrong issuer)") from None
    except jwt.PyJWTError as err:
        raise TokenError(f"the consent token is not valid: {err.__class__.__name__}"
                         ) from None
    if not all(isinstance(claims[c], str) for c in (*_CONSENT_CLAIMS, "jti")):
        raise TokenError("the consent token's claims are not all text")
    return ConsentGrant(claims["consent"], claims["product"], claims["purpose"], claims["org"],
                        claims["role"], int(claims["exp"]), claims["jti"])
