"""Stewards' commands and data at rest: the CLI takes the same checks as the service (guard,
visibility, decision, audit), `audit verify` catches a cut or deleted log through the
store's anchor, `erase` removes a person, and everything at rest is owner-only."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from core.pseudonyms import Pseudonymizer
from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import IDENTITY_GRAPH
from synthetic import PERSONAS
from tests.conftest import KEY, Loaded
from tests.leaks import identity_codes


def tyodata(home: Path, *args: str, stdin: str | None = None,
            umask: int = 0o022) -> subprocess.CompletedProcess:
    """The real command in its own process, started with a permissive umask."""
    env = {**os.environ, "TYODATA_HOME": str(home), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "tyodata", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=600,
                          preexec_fn=lambda: os.umask(umask))


@pytest.fixture(scope="module")
def home(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home whose store was filled by `tyodata ingest` (which anchors the audit log)."""
    root = tmp_path_factory.mktemp("steward")
    home = root / "home"
    (home / "keys").mkdir(parents=True)
    (home / "keys" / "pseudonym.key").write_text(KEY.hex())
    (home / "keys" / "pseudonym.key").chmod(0o600)
    done = tyodata(home, "ingest", str(loaded.extracts))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return home


def audit_records(home: Path) -> list[dict]:
    path = home / "audit" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_everything_at_rest_is_owner_only(home: Path):
    checked = 0
    for path in [home, *home.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert not mode & 0o077, f"{path.relative_to(home.parent)} is {oct(mode)}"
        checked += 1
    assert checked > 20
    for expected in ("store", "audit/audit.jsonl", "audit/audit.head", "keys/audit.key",
                     "keys/pseudonym.key", "rejects.csv"):
        assert (home / expected).exists(), expected


def test_sparql_is_guarded_and_audited(home: Path):
    refused = tyodata(home, "sparql",
                      "PREFIX a: <http://x#> SELECT * { SERVICE <http://127.0.0.1:9/> {?s ?p ?o} }")
    assert refused.returncode == 2 and "refused" in refused.stderr
    hidden = tyodata(home, "sparql", f"SELECT * FROM <{IDENTITY_GRAPH}> WHERE {{ ?s ?p ?o }}",
                     "--format", "json")
    assert hidden.returncode == 0, hidden.stderr
    assert json.loads(hidden.stdout)["results"]["bindings"] == []
    update = tyodata(home, "sparql", "DROP GRAPH <https://tyodata.fi/graph/meta>")
    assert update.returncode == 2
    statistics = tyodata(home, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         "--purpose", "statistics", "--format", "csv")
    assert statistics.returncode == 0 and int(statistics.stdout.splitlines()[1]) > 1000
    records = [r for r in audit_records(home) if r["action"] == "sparql"]
    assert [r["decision"] for r in records[-4:]] == ["deny", "permit", "deny", "permit"]
    assert "SERVICE" in records[-4]["statement"] and records[-1]["purpose"] == "statistics"
    assert records[-1]["legal_basis"] and records[-1]["subject"].startswith("cli:")


def test_audit_verify_catches_a_cut_or_deleted_log(home: Path, tmp_path: Path):
    ok = tyodata(home, "audit", "verify")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "intact" in ok.stdout and "anchor vouches for record" in ok.stdout
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    log = copy / "audit" / "audit.jsonl"
    lines = log.read_text().splitlines(keepends=True)
    log.write_text("".join(lines[:1]))  # cut, head left as it was
    assert tyodata(copy, "audit", "verify").returncode == 1
    (copy / "audit" / "audit.head").unlink()  # and the head removed too
    assert tyodata(copy, "audit", "verify").returncode == 1
    log.unlink()  # nothing left at all: the store's anchor still knows better
    gone = tyodata(copy, "audit", "verify")
    assert gone.returncode == 1 and "NOT intact" in gone.stderr


def test_erase_removes_the_identity_entry_and_is_audited(home: Path, tmp_path: Path):
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    person = Pseudonymizer(KEY).iri(PERSONAS[0].hetu)

    def identities() -> int:
        with OxigraphStore(copy / "store", read_only=True) as store:
            return len(store.select(
                f"SELECT ?x WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ <{person}> ?p ?x }} }}",
                dataset=Dataset(named=(IDENTITY_GRAPH,))).rows)

    assert identities() == 1
    refused = tyodata(copy, "erase", "--person", PERSONAS[0].hetu)
    assert refused.returncode == 2 and not identity_codes(refused.stdout + refused.stderr)
    done = tyodata(copy, "erase", "--identity-code-stdin", stdin=PERSONAS[0].hetu + "\n")
    assert done.returncode == 0, done.stderr
    assert identities() == 0
    erasure = audit_records(copy)[-1]
    assert erasure["action"] == "erase" and erasure["person"] == person
    assert not identity_codes(done.stdout + done.stderr)
    assert not identity_codes((copy / "audit" / "audit.jsonl").read_text())
    assert tyodata(copy, "audit", "verify").returncode == 0
