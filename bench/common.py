"""What the service benchmarks share: a store of N persons, free ports, waiting, percentiles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.keys import load_or_create_key  # noqa: E402
from core.pseudonyms import Pseudonymizer  # noqa: E402
from core.settings import Settings  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from mappings.ingest import ingest  # noqa: E402
from synthetic import generate  # noqa: E402


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def start_service(home: Path) -> tuple[subprocess.Popen, str]:
    """`tyodata serve` over the store in ``home`` on a free loopback port, answering; the
    process (terminate it when done) and its base URL."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tyodata", "serve", "--port", str(port)],
        env={**os.environ, "TYODATA_HOME": str(home)}, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/healthz")
    return server, base


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def build_store(home: Path, persons: int, keep: tuple[str, ...] = ()) -> None:
    """Generate ``persons`` persons into ``home``'s store; the extracts are deleted after
    ingest (rebuilt from the seed when needed) except the top-level entries in ``keep``."""
    settings = Settings(home=home)
    extracts = home / "extracts"
    generate(extracts, persons=persons, jobs=max(100, persons // 50), seed=1,
             esco_dir=settings.esco_dir)
    pseudonymize = Pseudonymizer(load_or_create_key(settings.key_path))
    store = OxigraphStore(settings.store_path)
    ingest(extracts, store, pseudonymize=pseudonymize, key_fingerprint=pseudonymize.fingerprint(),
           esco_dir=settings.esco_dir, work_dir=home / "work", rejects_path=home / "rejects.csv",
           log=lambda m: print("  " + m, flush=True))
    store.close()
    for entry in extracts.iterdir():
        if entry.name not in keep:
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    if not keep:
        extracts.rmdir()


