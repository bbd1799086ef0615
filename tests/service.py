"""A real `tyodata serve` in a subprocess, on a copy of the generated store, with a token
for every role: for tests that need the real process (workers, limits, kills, logs)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from core.pseudonyms import Pseudonymizer
from graph_service.policy.tokens import ROLES, issue, load_or_create_signing_key
from synthetic.personas import MOTHER
from tests.conftest import KEY, Loaded, free_port, wait_for


@dataclass
class Service:
    base: str
    home: Path
    store: Path
    process: subprocess.Popen
    log: Path
    tokens: dict[str, str]

    def auth(self, role: str, purpose: str | None = None, **extra: str) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **extra}
        if purpose:
            headers["X-Purpose"] = purpose
        return headers

    def token(self, role: str, subject: str) -> str:
        key = load_or_create_signing_key(self.home / "keys" / "signing.key")
        return issue(key, subject=subject, organisation="kela", roles=[role])


@contextmanager
def running_service(loaded: Loaded, root: Path, **settings: object) -> Iterator[Service]:
    """``settings`` become TYODATA_* variables, e.g. sparql_timeout_s=3."""
    home, store = root / "home", root / "store"
    (home / "keys").mkdir(parents=True)
    (home / "keys" / "pseudonym.key").write_text(KEY.hex())
    (home / "keys" / "pseudonym.key").chmod(0o600)
    shutil.copytree(loaded.store_path, store)
    key = load_or_create_signing_key(home / "keys" / "signing.key")
    persona = Pseudonymizer(KEY).iri(MOTHER.hetu)  # whom the citizen's token is bound to
    tokens = {role: issue(key, subject=f"test-{role}", organisation="kela", roles=[role],
                          person=persona if role == "citizen" else None)
              for role in ROLES}
    env = {**os.environ, "TYODATA_HOME": str(home),
           **{f"TYODATA_{k.upper()}": str(v) for k, v in settings.items()}}
    port = free_port()
    log = root / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "tyodata", "serve", "--store", str(store), "--port",
             str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/healthz", 60)
        yield Service(base, home, store, process, log, tokens)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
