"""Situation-view benchmark: the case worker's whole request over HTTP, policy and audit
included, on a store of N persons.

    python bench/situation.py --persons 100000 [--home H]

Starts `tyodata serve` on loopback over a store of N persons (built, or reused with
--home), signs in as a Kela case worker and asks for the situation view of --requests
different persons, one at a time (latency p50/p95/p99, target p95 < 25 ms): first
reads of each person since the service started (with --drop-caches their data comes
from disk), then the same persons again; then --clients concurrent clients
(requests/s). The baseline, in the same run and
interleaved, is the person summary (`GET /api/persons/{id}`: the decision point, one
audit record and one query, no sections). The service reports in its Server-Timing
header how long the policy decision (ODRL policy + the person's consents), the audit
record and the section queries took; their shares of the server's time are printed.
Writes bench/results/situation-<N>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from common import build_store, percentile, start_service  # noqa: E402

from core.settings import Settings  # noqa: E402
from graph_service.policy.tokens import issue, load_or_create_signing_key  # noqa: E402
from graph_service.policy.visibility import Reader, dataset_for  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from graph_service.store.registry import read_directory  # noqa: E402

PERSONS_QUERY = ("SELECT DISTINCT ?p WHERE { ?p a <https://tyodata.fi/ontology#Person> } "
                 "LIMIT %d")


def server_timing(header: str | None) -> dict[str, float]:
    """`policy;dur=1.2, audit;dur=0.3` -> {"policy": 1.2, "audit": 0.3} (milliseconds)."""
    timings: dict[str, float] = {}
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "dur" and name:
                timings[name] = timings.get(name, 0.0) + float(value)
    return timings


def summary(values: list[float]) -> dict[str, float]:
    figures = {f"p{p}_ms": round(percentile(values, p), 2) for p in (50, 95, 99)}
    return {**figures, "mean_ms": round(statistics.mean(values), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--home", type=Path, default=None,
                        help="reuse a TYODATA_HOME holding a store of --persons persons")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--drop-caches", action="store_true",
                        help="drop the OS page cache before the service starts (needs root), "
                             "so first reads come from disk")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tyodata-bench-situation-"))
    home = args.home or work / "home"
    server: subprocess.Popen | None = None
    try:
        settings = Settings(home=home)
        if not settings.store_path.exists():
            t0 = time.perf_counter()
            build_store(home, args.persons)
            print(f"built the store in {time.perf_counter() - t0:.0f} s")
        with OxigraphStore(settings.store_path, read_only=True) as store:
            dataset = dataset_for(Reader.CASE_WORK, read_directory(store))
            people = [str(p).rsplit("/", 1)[-1] for (p,) in store.select(
                PERSONS_QUERY % (args.requests * 5), dataset=dataset).rows]
        random.Random(1).shuffle(people)
        if args.drop_caches:
            os.sync()
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        server, base = start_service(home)
        key = load_or_create_signing_key(settings.signing_key_path)
        token = issue(key, subject="bench-kela", organisation="kela", roles=["case_worker"],
                      ttl_seconds=7200)
        headers = {"Authorization": f"Bearer {token}", "X-Purpose": "case-management"}

        def situation(client: httpx.Client, person: str) -> tuple[float, dict[str, float]]:
            t0 = time.perf_counter()
            r = client.get(f"{base}/api/persons/{person}/situation", headers=headers)
            elapsed = (time.perf_counter() - t0) * 1000
            r.raise_for_status()
            return elapsed, server_timing(r.headers.get("server-timing"))

        def person_summary(client: httpx.Client, person: str) -> float:
            t0 = time.perf_counter()
            r = client.get(f"{base}/api/persons/{person}", headers=headers)
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code not in (200, 404):
                r.raise_for_status()
            return elapsed

        def sequential(client: httpx.Client, persons: list[str]) -> dict:
            """One pass over ``persons``, interleaved with the baseline (noise hits both)."""
            view_ms: list[float] = []
            base_ms: list[float] = []
            parts: dict[str, list[float]] = {}
            for person in persons:
                elapsed, timing = situation(client, person)
                view_ms.append(elapsed)
                for name, value in timing.items():
                    parts.setdefault(name, []).append(value)
                base_ms.append(person_summary(client, person))
            total = sum(parts.get("total", [0.0])) or 1.0
            return {
                "situation": summary(view_ms),
                "baseline_person_summary": summary(base_ms),
                "ratio_situation_vs_summary_p50": round(percentile(view_ms, 50)
                                                        / percentile(base_ms, 50), 2),
                "server_timing_mean_ms": {name: round(statistics.mean(v), 3)
                                          for name, v in parts.items()},
                "share_of_server_time": {name: round(sum(v) / total, 3)
                                         for name, v in parts.items() if name != "total"},
            }

        measured = people[20:20 + args.requests]
        with httpx.Client(timeout=60) as client:
            for person in people[:20]:  # warm the service's code paths, not these persons
                situation(client, person)
                person_summary(client, person)
            # First read of each person since the service started: their data may have to
            # come from disk (cold with --drop-caches); then the same persons again.
            first = sequential(client, measured)
            again = sequential(client, measured)
        for name, figures in (("first read", first), ("repeat read", again)):
            print(name, json.dumps(figures), flush=True)

        load_people = people[:args.requests]
        clients = [httpx.Client(timeout=60) for _ in range(args.clients)]
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            loaded = list(pool.map(lambda i: situation(clients[i % args.clients],
                                                       load_people[i])[0],
                                   range(len(load_people))))
        elapsed_s = time.perf_counter() - t0
        for client in clients:
            client.close()

        results = {
            "persons": args.persons,
            "requests": len(measured),
            "page_cache_dropped_before_start": args.drop_caches,
            "target_p95_ms": 25,
            "first_read": first,
            "repeat_read": again,
            "concurrent": {"clients": args.clients, "requests": len(loaded),
                           "requests_per_s": round(len(loaded) / elapsed_s, 1),
                           **summary(loaded)},
        }
        print(json.dumps(results, indent=2))
        out = args.out or REPO / "bench" / "results" / f"situation-{args.persons}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(f"wrote {out}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
