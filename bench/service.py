"""Service benchmark: our /sparql against `oxigraph serve` on the same data, and a
bounded load on loopback.

    python bench/service.py --persons 100000

Builds (or reuses, --store) a store of N persons, copies it for `oxigraph serve`,
starts both servers on loopback, and in one run measures the latency of a
person-lookup query and an aggregate through our /sparql and straight to oxigraph
(ratio ours/direct, target <= 1.5), then a fixed number of requests from several
concurrent clients (requests/s, p50/p95/p99, errors). Prints the figures and
writes them to bench/results/service-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import build_store, free_port, percentile, wait_for  # noqa: E402

from core.keys import load_or_create_key  # noqa: E402
from core.pseudonyms import Pseudonymizer  # noqa: E402
from core.settings import Settings  # noqa: E402
from graph_service.policy.tokens import issue, load_or_create_signing_key  # noqa: E402
from graph_service.policy.visibility import Reader, dataset_for  # noqa: E402
from graph_service.queries import bind_iri, load  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from graph_service.store.registry import read_directory  # noqa: E402
from synthetic import PERSONAS  # noqa: E402

AGGREGATE = """PREFIX tyo: <https://tyodata.fi/ontology#>
SELECT ?type ?decision (COUNT(?d) AS ?n) WHERE {
  ?d a tyo:BenefitDecision ; tyo:benefitType ?type ; tyo:decision ?decision }
GROUP BY ?type ?decision ORDER BY ?type ?decision"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--home", type=Path, default=None,
                        help="reuse a TYODATA_HOME holding a store of --persons persons")
    parser.add_argument("--repeat", type=int, default=200,
                        help="repeats of each small query (interleaved ours/direct)")
    parser.add_argument("--aggregate-repeat", type=int, default=10,
                        help="repeats of the aggregate (about 15 s each on each side)")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tyodata-bench-service-"))
    home = args.home or work / "home"
    procs: list[subprocess.Popen] = []
    try:
        settings = Settings(home=home)
        if not settings.store_path.exists():
            t0 = time.perf_counter()
            build_store(home, args.persons)
            print(f"built the store in {time.perf_counter() - t0:.0f} s")
        with OxigraphStore(settings.store_path, read_only=True) as store:
            dataset = dataset_for(Reader.REGISTRY, read_directory(store))
        copy = work / "oxigraph-copy"
        shutil.copytree(settings.store_path, copy)
        ours_port, ox_port = free_port(), free_port()
        env = {**os.environ, "TYODATA_HOME": str(home)}
        procs.append(subprocess.Popen(
            [shutil.which("oxigraph") or "oxigraph", "serve-read-only", "--location", str(copy),
             "--bind", f"127.0.0.1:{ox_port}"], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "tyodata", "serve", "--port", str(ours_port)], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        ours, direct = f"http://127.0.0.1:{ours_port}", f"http://127.0.0.1:{ox_port}"
        wait_for(ours + "/healthz")
        wait_for(direct + "/query?query=ASK%7B%7D")
        key = load_or_create_signing_key(settings.signing_key_path)
        token = issue(key, subject="bench", organisation="dvv", roles=["steward"], ttl_seconds=7200)
        headers = {"Authorization": f"Bearer {token}", "X-Purpose": "data-quality",
                   "Accept": "application/sparql-results+json"}
        pseudonymize = Pseudonymizer(load_or_create_key(settings.key_path))
        persona = pseudonymize.iri(PERSONAS[1].hetu)
        person_query = bind_iri(load("person_sources"), "person", persona)
        one_subject = f"SELECT ?g ?p ?o WHERE {{ GRAPH ?g {{ <{persona}> ?p ?o }} }}"
        graphs = [("default-graph-uri", g) for g in dataset.default] + [
            ("named-graph-uri", g) for g in dataset.named]

        def timed(client: httpx.Client, url: str, query: str, extra: list) -> float:
            t0 = time.perf_counter()
            r = client.post(url, content=urlencode([("query", query), *extra]),
                            headers={**headers, "Content-Type":
                                     "application/x-www-form-urlencoded"})
            r.raise_for_status()
            return time.perf_counter() - t0

        latency = {}
        with httpx.Client(timeout=120) as client:
            for name, query, repeat in (("person_lookup", person_query, args.repeat),
                                        ("one_subject", one_subject, args.repeat),
                                        ("aggregate", AGGREGATE, args.aggregate_repeat)):
                ours_t, direct_t = [], []
                for _ in range(3):  # warm both
                    timed(client, ours + "/sparql", query, [])
                    timed(client, direct + "/query", query, graphs)
                for _ in range(repeat):  # interleaved, so noise hits both alike
                    ours_t.append(timed(client, ours + "/sparql", query, []))
                    direct_t.append(timed(client, direct + "/query", query, graphs))
                latency[name] = {
                    "repeats": repeat,
                    "ours_median_ms": round(statistics.median(ours_t) * 1000, 2),
                    "direct_median_ms": round(statistics.median(direct_t) * 1000, 2),
                    "ratio_ours_vs_direct": round(statistics.median(ours_t)
                                                  / statistics.median(direct_t), 2),
                }
                print(name, latency[name], flush=True)

        # The load: what a busy service mostly answers, person-level look-ups, for
        # different persons (lookup query over /sparql and the person summary API).
        with OxigraphStore(settings.store_path, read_only=True) as store:
            people = [str(p) for (p,) in store.select(
                "SELECT DISTINCT ?p WHERE { ?p a <https://tyodata.fi/ontology#Person> } "
                "LIMIT 500", dataset=dataset).rows]
        person_ids = [p.rsplit("/", 1)[-1] for p in people]

        # One token per client: each caller may run only a few queries at once (429).
        tokens = [issue(key, subject=f"bench-{i}", organisation="dvv", roles=["steward"],
                        ttl_seconds=7200) for i in range(args.clients)]
        mine = threading.local()
        handed_out = iter(tokens)
        hand_out = threading.Lock()

        def client_headers() -> dict:
            if not hasattr(mine, "headers"):
                with hand_out:
                    mine.headers = {**headers, "Authorization": f"Bearer {next(handed_out)}"}
            return mine.headers

        def one(i: int) -> tuple[float, bool]:
            headers = client_headers()
            t0 = time.perf_counter()
            try:
                if i % 2:
                    r = load_client.post(ours + "/sparql", headers=headers, data={
                        "query": bind_iri(load("person_sources"), "person",
                                          people[i % len(people)])})
                else:
                    r = load_client.get(f"{ours}/api/persons/{person_ids[i % len(people)]}",
                                        headers=headers)
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            return time.perf_counter() - t0, ok

        load_client = httpx.Client(timeout=120, limits=httpx.Limits(max_connections=args.clients))
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            outcomes = list(pool.map(one, range(args.requests)))
        elapsed = time.perf_counter() - t0
        load_client.close()
        times = [t * 1000 for t, _ in outcomes]
        results = {
            "persons": args.persons,
            "latency": latency,
            "load": {
                "requests": args.requests,
                "clients": args.clients,
                "requests_per_s": round(args.requests / elapsed, 1),
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "p99_ms": round(percentile(times, 99), 1),
                "errors": sum(1 for _, ok in outcomes if not ok),
            },
        }
        print(json.dumps(results, indent=2))
        out = args.out or REPO / "bench" / "results" / f"service-{args.persons}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(f"wrote {out}")
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
