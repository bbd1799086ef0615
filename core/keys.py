"""Secret key files: created on first use (random, owner-only), never committed.

One helper for every key (pseudonyms, token signing, the audit chain), so each is
made and checked the same way.

>>> import tempfile
>>> path = Path(tempfile.mkdtemp()) / "keys" / "k.key"
>>> key = load_or_create_key(path)
>>> len(key), load_or_create_key(path) == key, oct(path.stat().st_mode & 0o777)
(32, True, '0o600')
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from core.errors import TyodataError
from core.private import private_dir

KEY_BYTES = 32
MIN_KEY_BYTES = 16


class KeyFileError(TyodataError):
    """A key file is unreadable, malformed, too short or readable by others."""


def load_or_create_key(path: Path, *, what: str = "key") -> bytes:
    """Read a hex key file, creating a new random key (mode 0600) on first use."""
    if not path.exists():
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: read theirs
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(KEY_BYTES) + "\n")
    try:
        mode = path.stat().st_mode & 0o777
        key = bytes.fromhex(path.read_text().strip())
    except (OSError, ValueError) as err:
        raise KeyFileError(f"the {what} at {path} is unreadable: {err.__class__.__name__}"
                           ) from None
    if mode & 0o077:
        raise KeyFileError(f"the {what} at {path} is readable by others (mode {mode:o}); "
                           f"run: chmod 600 {path}")
    if len(key) < MIN_KEY_BYTES:
        raise KeyFileError(f"the {what} at {path} is too short (need >= {MIN_KEY_BYTES} "
                           "bytes of hex)")
    return key
