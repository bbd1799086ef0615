"""A kill -9 in the middle of an ingest leaves every previous graph whole and queryable,
and no process of the killed ingest behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import META_GRAPH, current_graphs
from synthetic import generate
from tests.conftest import KEY, Loaded, run_ingest
from tests.mappings.test_no_orphans import assert_all_gone, descendants, is_worker

TYO = "https://tyodata.fi/ontology#"


def _whole(store: OxigraphStore) -> dict[str, str]:
    """Every current graph holds exactly the triples its provenance records."""
    graphs = current_graphs(store)
    for graph in graphs.values():
        recorded = store.select(
            f"SELECT ?n WHERE {{ <{graph}> <{TYO}tripleCount> ?n }}",
            dataset=Dataset(default=(META_GRAPH,)),
        ).rows[0][0]
        actual = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                              dataset=Dataset(default=(graph,))).rows[0][0]
        assert int(actual) == int(recorded), graph
    return graphs


def test_kill_during_load_keeps_previous_graph(loaded: Loaded, esco_dir: Path, tmp_path: Path):
    store_path = tmp_path / "store"
    shutil.copytree(loaded.store_path, store_path)
    newer = tmp_path / "newer"
    generate(newer, persons=3000, jobs=200, seed=99, esco_dir=esco_dir)
    key_file = tmp_path / "key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    env = {**os.environ, "TYODATA_HOME": str(tmp_path / "home"), "PYTHONUNBUFFERED": "1",
           "TYODATA_PSEUDONYM_KEY_FILE": str(key_file), "TYODATA_ESCO_DIR": str(esco_dir),
           "COLUMNS": "200"}
    with OxigraphStore(store_path, read_only=True) as before_store:
        before = _whole(before_store)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tyodata", "ingest", str(newer), "--store", str(store_path)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True,
    )
    seen = []
    deadline = time.monotonic() + 300
    assert proc.stdout is not None
    for line in proc.stdout:
        seen.append(line)
        if "kela: loading" in line:
            spawned = descendants(proc.pid)  # the worker and the resource tracker
            workers = [p for p in spawned if is_worker(p)]
            os.kill(proc.pid, signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "ingest never reached the kela load"
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert workers, "no worker process to check"
    assert_all_gone(spawned, seconds=5)

    store = OxigraphStore(store_path)
    after = _whole(store)
    # Kela was being loaded when killed: its previous extract is still the current one.
    kela = "https://tyodata.fi/id/source/kela"
    assert after[kela] == before[kela]
    count = store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ ?d a <{TYO}BenefitDecision> }}",
                         dataset=Dataset(default=(after[kela],))).rows[0][0]
    assert int(count) > 0
    # The next ingest finishes the job and clears what the killed one left behind.
    report = run_ingest(newer, store, tmp_path, [], esco_dir=esco_dir)
    assert report.ok
    final = _whole(store)
    assert final[kela] != before[kela]
    leftovers = [g for g in store.named_graphs()
                 if g.startswith("https://tyodata.fi/graph/kela/") and g != final[kela]]
    assert leftovers == []
    store.close()
