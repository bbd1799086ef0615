"""Signed bearer tokens: who calls (subject), for which organisation, in which roles.

HS256 JSON Web Tokens signed with the service's key (created on first use,
never committed). Tokens carry no personal data of clients.
"""

from __future__ import annotations

import time
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
