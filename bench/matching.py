"""Matching at scale: latency both ways, the all-pairs batch, index build, memory, NDCG@10.

    python bench/matching.py                       # 300,000 seekers x 100,000 postings
    python bench/matching.py --seekers 30000 --postings 10000 --batch-sample 2000

Targets (issue 8): top-20 jobs for a seeker p95 < 50 ms; top-20 candidates for a
posting p95 < 100 ms; all seekers' top-20 as a batch < 20 min on 2 cores (measured on
``--batch-sample`` seekers and extrapolated unless ``--batch-full``). Also the index
build time and peak memory (resident set, getrusage), the index build from a store over
SPARQL at the e2e fixture's scale (400 persons, 60 postings: generate + ingest in a
temporary folder), and the structured NDCG@10 against the generator's known fit
(bench/market.py) beside baselines run in the same process: exact occupation only, and
random. Prints the figures and writes bench/results/matching.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import percentile  # noqa: E402
from bench.market import (  # noqa: E402
    TODAY,
    esco_graph_from_csv,
    generate_market,
    known_fits,
    regions_from_codelists,
)
from core.settings import Settings  # noqa: E402
from matchers.criteria import load_weights  # noqa: E402
from matchers.index import MatchIndex  # noqa: E402
from matchers.ranking import batch_top_jobs, expired_mask, rank_candidates, rank_jobs  # noqa: E402

RESULTS = REPO / "bench" / "results" / "matching.json"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def dcg(gains: np.ndarray) -> float:
    return float(((2.0 ** gains - 1) / np.log2(np.arange(2, len(gains) + 2))).sum())


def ndcg_at(ranked_rows: np.ndarray, fits: np.ndarray, k: int = 10) -> float:
    ideal = dcg(np.sort(fits)[::-1][:k].astype(float))
    return dcg(fits[ranked_rows[:k]].astype(float)) / ideal if ideal > 0 else float("nan")


def latency(fn, rows: np.ndarray) -> dict[str, float]:
    fn(int(rows[0]))  # warm the caches (scaled matrices, CSC)
    times = []
    for row in rows:
        started = time.perf_counter()
        fn(int(row))
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(times, 50), 2), "p95_ms": round(percentile(times, 95), 2),
            "max_ms": round(max(times), 2), "n": len(times)}


def store_build(persons: int) -> dict[str, float]:
    """Generate + ingest a small store, then time the index build over SPARQL."""
    from graph_service.store.oxigraph_store import OxigraphStore
    from matchers.esco_graph import _CACHE
    from synthetic import generate
    from tests.conftest import run_ingest

    esco_dir = Settings().esco_dir
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root / "extracts", persons=persons, jobs=max(60, persons // 7), seed=11,
                 esco_dir=esco_dir)
        store = OxigraphStore(root / "store")
        run_ingest(root / "extracts", store, root, [], esco_dir=esco_dir)
        _CACHE.clear()
        started = time.perf_counter()
        index = MatchIndex.build_from_store(store)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        MatchIndex.build_from_store(store)  # ESCO hierarchy cached per version
        warm = time.perf_counter() - started
        store.close()
    return {"persons": persons, "seekers": len(index.seekers), "postings": len(index.postings),
            "cold_s": round(cold, 2), "warm_s": round(warm, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seekers", type=int, default=300_000)
    parser.add_argument("--postings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--batch-sample", type=int, default=5000)
    parser.add_argument("--batch-full", action="store_true")
    parser.add_argument("--ndcg-sample", type=int, default=1000)
    parser.add_argument("--store-persons", type=int, default=400, help="0: skip")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    settings = Settings()
    result: dict = {"seekers": args.seekers, "postings": args.postings,
                    "cpus": os.cpu_count()}

    regions = regions_from_codelists(REPO / "ontology" / "codelists.ttl")
    started = time.perf_counter()
    esco = esco_graph_from_csv(settings.esco_dir)
    market = generate_market(args.seekers, args.postings, esco_dir=settings.esco_dir,
                             regions=regions)
    result["generate_s"] = round(time.perf_counter() - started, 1)
    print(f"market: {args.seekers} seekers, {args.postings} postings in "
          f"{result['generate_s']} s", flush=True)

    before = rss_mb()
    started = time.perf_counter()
    index = MatchIndex.build(market.seekers, market.postings, esco, regions, today=TODAY)
    weights = load_weights()
    index.scaled(weights)
    _ = index.seeker_csc
    result["index"] = {
        "build_s": round(time.perf_counter() - started, 1),
        "rss_growth_mb": round(rss_mb() - before, 1), "peak_rss_mb": round(peak_rss_mb(), 1),
        "features": index.manifest["features"],
        "seeker_nnz": int(index.seeker_matrix.nnz), "posting_nnz": int(index.posting_matrix.nnz),
    }
    print(f"index: {result['index']}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        index.save(Path(tmp))
        saved = time.perf_counter() - started
        size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        started = time.perf_counter()
        MatchIndex.load(Path(tmp))
        result["persistence"] = {"save_s": round(saved, 1), "size_mb": round(size, 1),
                                 "load_s": round(time.perf_counter() - started, 1)}
    print(f"persistence: {result['persistence']}", flush=True)

    seeker_rows = rng.choice(len(index.seekers), args.queries, replace=False)
    posting_rows = rng.choice(len(index.postings), args.queries, replace=False)
    result["jobs_for_seeker"] = latency(lambda r: rank_jobs(index, r, k=20, weights=weights),
                                        seeker_rows)
    result["candidates_for_posting"] = latency(
        lambda r: rank_candidates(index, r, k=20, weights=weights), posting_rows)
    print(f"top-20 jobs for a seeker: {result['jobs_for_seeker']} (target p95 < 50 ms)")
    print(f"top-20 candidates: {result['candidates_for_posting']} (target p95 < 100 ms)",
          flush=True)

    sample = len(index.seekers) if args.batch_full else min(args.batch_sample,
                                                           len(index.seekers))
    rows = np.arange(len(index.seekers)) if args.batch_full else rng.choice(
        len(index.seekers), sample, replace=False)
    started = time.perf_counter()
    for _ in batch_top_jobs(index, 20, weights=weights, seeker_rows=rows, chunk=256):
        pass
    took = time.perf_counter() - started
    result["batch"] = {"seekers_run": int(sample), "seconds": round(took, 1),
                       "extrapolated_all_min": round(took * len(index.seekers) / sample / 60, 1),
                       "peak_rss_mb": round(peak_rss_mb(), 1)}
    print(f"batch top-20: {result['batch']} (target < 20 min)", flush=True)

    open_postings = ~expired_mask(index, TODAY)
    sample_rows = rng.choice(len(index.seekers), min(args.ndcg_sample, len(index.seekers)),
                             replace=False)
    occupation = np.array([p.occupation or "" for p in index.postings])
    scores: dict[str, list[float]] = {"structured": [], "occupation_exact": [], "random": []}
    for row in sample_rows:
        fits = np.where(open_postings, known_fits(market, int(row)), 0)
        ranked = np.array([r.row for r in rank_jobs(index, int(row), k=10, weights=weights,
                                                    today=TODAY)])
        scores["structured"].append(ndcg_at(ranked, fits))
        wishes = list(index.seekers[row].desired_occupations)
        exact = np.isin(occupation, wishes).astype(float) + rng.random(len(occupation)) * 0.5
        exact[~open_postings] = -1
        scores["occupation_exact"].append(ndcg_at(np.argsort(-exact)[:10], fits))
        shuffled = rng.permutation(np.flatnonzero(open_postings))
        scores["random"].append(ndcg_at(shuffled[:10], fits))
    result["ndcg@10"] = {name: round(float(np.nanmean(v)), 4) for name, v in scores.items()}
    result["ndcg@10"]["seekers"] = len(sample_rows)
    print(f"structured NDCG@10 against known fit: {result['ndcg@10']}", flush=True)

    if args.store_persons:
        result["store_build"] = store_build(args.store_persons)
        print(f"index from the store over SPARQL: {result['store_build']}", flush=True)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
