"""Keyed pseudonyms of persons.

A person's IRI is built from HMAC-SHA256(key, identity code): stable for one key,
unlinkable without it. The key lives outside the repository (created on first use,
mode 0600); the identity code itself is kept only in the identity graph.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

PERSON_NS = "https://tyodata.fi/id/person/"
PSEUDONYM = re.compile(r"[a-z2-7]{26}")
PERSON_IRI = re.compile(re.escape(PERSON_NS) + PSEUDONYM.pattern)
"""A pseudonym: 26 lowercase base32 characters."""


def person_iri(person: str) -> str:
    """The person IRI of a pseudonym or of a person IRI; ValueError for anything else, so a
    caller's text can be put into a query only once it is exactly one of ours.

    >>> person_iri("a" * 26) == PERSON_NS + "a" * 26
    True
    >>> person_iri("131052-308T")
    Traceback (most recent call last):
    ValueError: not a person id: a person id is 26 characters a-z and 2-7
    """
    pseudonym = person.removeprefix(PERSON_NS)
    if not PSEUDONYM.fullmatch(pseudonym):
        raise ValueError("not a person id: a person id is 26 characters a-z and 2-7")
    return PERSON_NS + pseudonym


class Pseudonymizer:
    """Identity code -> pseudonym (26 lowercase base32 characters, 130 bits).

    >>> p = Pseudonymizer(bytes(32))
    >>> p("131052-308T") == p("131052-308T"), len(p("131052-308T"))
    (True, 26)
    """

    def __init__(self, key: bytes) -> None:
        self._key = key
        self._cache: dict[str, str] = {}

    def __call__(self, identity_code: str) -> str:
        pseudonym = self._cache.get(identity_code)
        if pseudonym is None:
            digest = hmac.new(self._key, identity_code.encode(), hashlib.sha256).digest()
            pseudonym = base64.b32encode(digest).decode()[:26].lower()
            if len(self._cache) < 5_000_000:
                self._cache[identity_code] = pseudonym
        return pseudonym

    def iri(self, identity_code: str) -> str:
        return PERSON_NS + self(identity_code)

    @staticmethod
    def iri_of(pseudonym: str) -> str:
        return PERSON_NS + pseudonym

    def fingerprint(self) -> str:
        """A public digest of the key: changes when the key does, reveals nothing of it."""
        return hashlib.sha256(b"tyodata-key-fingerprint" + self._key).hexdigest()[:16]
