"""Owner-only files and folders: everything the service keeps at rest (the store, the
audit log, keys, rejects, work files) holds personal data or secrets.

>>> import tempfile, stat
>>> root = Path(tempfile.mkdtemp())
>>> stat.S_IMODE(private_dir(root / "a" / "b").stat().st_mode) == 0o700
True
>>> with private_open(root / "a" / "f.txt", "w") as f: _ = f.write("x")
>>> stat.S_IMODE((root / "a" / "f.txt").stat().st_mode) == 0o600
True
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

OWNER_ONLY_UMASK = 0o077


def restrict_umask() -> int:
    """From now on this process creates files 0600 and folders 0700 unless told otherwise.

    The CLI and the service call this first: libraries we do not control (RocksDB,
    SQLite, tempfile users) then cannot leave world-readable files behind.
    """
    return os.umask(OWNER_ONLY_UMASK)


def private_dir(path: Path) -> Path:
    """``path`` (and missing parents) as a folder only its owner can enter."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def private_open(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open a file for writing that is created (or kept) owner-only (0600)."""
    if not any(m in mode for m in "wax"):
        raise ValueError("private_open is for writing")
    flags = os.O_WRONLY | os.O_CREAT
    if "a" in mode:
        flags |= os.O_APPEND
    elif "x" in mode:
        flags |= os.O_EXCL
    else:
        flags |= os.O_TRUNC
    if "+" in mode:
        flags = (flags & ~os.O_WRONLY) | os.O_RDWR
    private_dir(path.parent) if not path.parent.exists() else None
    fd = os.open(path, flags, 0o600)
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, mode, **kwargs)
