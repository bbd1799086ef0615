"""Keyed pseudonyms of persons.

A person's IRI is built from HMAC-SHA256(key, identity code): stable for one key,
unlinkable without it. The key lives outside the repository (created on first use,
mode 0600); the identity code itself is kept only in the identity graph.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from graph_service.errors import TyodataError

PERSON_NS = "https://tyodata.fi/id/person/"
KEY_BYTES = 32


class PseudonymKeyError(TyodataError):
    """The pseudonym key is missing, unreadable or malformed."""


def load_or_create_key(path: Path) -> bytes:
    """Read the pseudonym key, creating a new random one on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(KEY_BYTES) + "\n")
    try:
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as err:
        raise PseudonymKeyError(f"the pseudonym key at {path} is unreadable: {err}") from err
    if len(key) < 16:
        raise PseudonymKeyError(
            f"the pseudonym key at {path} is too short (need >= 16 bytes of hex)"
        )
    return key


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
