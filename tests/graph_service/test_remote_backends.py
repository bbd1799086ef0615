"""The same ingest and queries against a real `oxigraph serve`, and ingest through a
running `tyodata serve` while it keeps answering."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from graph_service.policy.tokens import issue, load_or_create_signing_key
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.store.base import Dataset
from graph_service.store.factory import open_store
from graph_service.store.registry import current_graphs, read_directory
from matchers.index import MatchIndex
from matchers.ranking import rank_jobs
from synthetic import generate
from tests.conftest import KEY, Loaded, free_port, run_ingest, wait_for

QUERIES = {
    "decisions by type": """PREFIX tyo: <https://tyodata.fi/ontology#>
        SELECT ?type (COUNT(?d) AS ?n) WHERE { ?d a tyo:BenefitDecision ; tyo:benefitType ?type }
        GROUP BY ?type ORDER BY ?type""",
    "postings by occupation": """PREFIX tyo: <https://tyodata.fi/ontology#>
        SELECT ?occ (COUNT(?p) AS ?n) WHERE { ?p a tyo:JobPosting ; tyo:occupation ?occ }
        GROUP BY ?occ ORDER BY DESC(?n) ?occ LIMIT 20""",
    "persons": """SELECT (COUNT(?p) AS ?n) WHERE {
        ?p a <https://tyodata.fi/ontology#Person> }""",
}


def _answers(store) -> dict[str, list]:
    dataset = dataset_for(Reader.REGISTRY, read_directory(store))
    return {name: [tuple(map(str, row)) for row in store.select(q, dataset=dataset).rows]
            for name, q in QUERIES.items()}


def _triples(store) -> dict[str, int]:
    return {src.rsplit("/", 1)[-1]: int(store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", dataset=Dataset(default=(g,))).rows[0][0])
        for src, g in current_graphs(store).items()}


def test_ingest_and_queries_agree_on_both_backends(loaded: Loaded, esco_dir: Path,
                                                   oxigraph_server: str, tmp_path: Path):
    remote = open_store(None, endpoint=oxigraph_server)
    report = run_ingest(loaded.extracts, remote, tmp_path, [], esco_dir=esco_dir)
    assert report.ok
    embedded = loaded.open()
    assert current_graphs(remote) == current_graphs(embedded)
    assert _triples(remote) == _triples(embedded)
    assert _answers(remote) == _answers(embedded)
    # The matching index read over HTTP from the remote store is the embedded one's.
    over_http, local = MatchIndex.build_from_store(remote), MatchIndex.build_from_store(embedded)
    assert over_http.seekers == local.seekers and over_http.postings == local.postings
    assert over_http.seekers and over_http.postings
    for row in range(0, len(local.seekers), 7):
        assert ([r.row for r in rank_jobs(over_http, row, k=5)]
                == [r.row for r in rank_jobs(local, row, k=5)])
    again = run_ingest(loaded.extracts, remote, tmp_path, [], esco_dir=esco_dir)
    assert {s.status for s in again.sources} == {"unchanged"}
    embedded.close()
    remote.close()


def test_ingest_through_a_running_service(loaded: Loaded, esco_dir: Path, tmp_path: Path):
    home = tmp_path / "home"
    (home / "keys").mkdir(parents=True)
    (home / "keys" / "pseudonym.key").write_text(KEY.hex())
    (home / "keys" / "pseudonym.key").chmod(0o600)
    store = tmp_path / "store"
    shutil.copytree(loaded.store_path, store)
    key = load_or_create_signing_key(home / "keys" / "signing.key")
    admin = issue(key, subject="ingest", organisation="tyodata", roles=["admin"])
    steward = issue(key, subject="st", organisation="dvv", roles=["steward"])
    env = {**os.environ, "TYODATA_HOME": str(home), "TYODATA_ESCO_DIR": str(esco_dir)}
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "tyodata", "serve", "--store", str(store),
                               "--port", str(port)], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/healthz")
        auth = {"Authorization": f"Bearer {steward}", "X-Purpose": "data-quality"}
        before = {g["source"]: g["graph"] for g in
                  httpx.get(base + "/graphs", headers=auth).json()}
        newer = tmp_path / "newer"
        generate(newer, persons=600, jobs=50, seed=5, esco_dir=esco_dir)
        statuses: list[int] = []
        stop = threading.Event()

        def keep_asking() -> None:
            with httpx.Client(timeout=30) as client:
                while not stop.is_set():
                    r = client.get(base + "/sparql", headers=auth, params={
                        "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
                    statuses.append(r.status_code)

        reader = threading.Thread(target=keep_asking)
        reader.start()
        ingest = subprocess.run(
            [sys.executable, "-m", "tyodata", "ingest", str(newer), "--endpoint",
             base + "/admin", "--endpoint-token", admin], env=env, capture_output=True,
            text=True, timeout=600)
        stop.set()
        reader.join()
        assert ingest.returncode == 0, ingest.stdout[-2000:] + ingest.stderr[-2000:]
        assert statuses and set(statuses) == {200}, statuses[:20]
        after = {g["source"]: g["graph"] for g in
                 httpx.get(base + "/graphs", headers=auth).json()}
        assert after["kela"] != before["kela"] and after["esco"] == before["esco"]
    finally:
        server.terminate()
        server.wait(timeout=20)
