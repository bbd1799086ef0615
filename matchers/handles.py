"""Opaque candidate handles: how an employer refers to an anonymous applicant.

A handle is HMAC-SHA256(key, posting IRI + NUL + person IRI), truncated to 128 bits and
base32-encoded (26 characters, prefixed ``c-``). The same seeker has a different handle
on every posting (an employer cannot link candidates across postings), the handle
reveals nothing of the person without the key, and only the service, holding the key,
resolves a handle back to a person, for the one posting it was made for, by
recomputing the handles of that posting's candidates (``resolve``).

The key is the service's handle key (``handle_key_path``: <home>/keys/handle.key, made
on first use like the other keys), never the pseudonym key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable
from pathlib import Path

from core.errors import TyodataError
from core.keys import load_or_create_key

HANDLE = re.compile(r"c-[a-z2-7]{26}")


class HandleError(TyodataError):
    """A candidate handle that is malformed or names nobody on this posting."""


def handle_key_path(home: Path) -> Path:
    return home / "keys" / "handle.key"


def handle_key(home: Path) -> bytes:
    """The candidate-handle key at its default place under ``home``."""
    return key_at(handle_key_path(home))


def key_at(path: Path) -> bytes:
    """The candidate-handle key in ``path`` (Settings.handle_key_path; created on first use,
    mode 0600)."""
    return load_or_create_key(path, what="candidate handle key")


def candidate_handle(key: bytes, posting: str, person: str) -> str:
    """The handle of ``person`` as a candidate for ``posting``."""
    mac = hmac.new(key, f"{posting}\0{person}".encode(), hashlib.sha256).digest()[:16]
    return "c-" + base64.b32encode(mac).decode().rstrip("=").lower()


def resolve(key: bytes, posting: str, handle: str, persons: Iterable[str]) -> str:
    """The person among ``persons`` (the seekers the service may show for ``posting``)
    whose handle on ``posting`` is ``handle``. Inside the service only."""
    if not HANDLE.fullmatch(handle or ""):
        raise HandleError("not a candidate handle")
    for person in persons:
        if hmac.compare_digest(candidate_handle(key, posting, person), handle):
            return person
    raise HandleError("no candidate with this handle on this posting")
