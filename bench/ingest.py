"""Ingest benchmark: generate N persons, ingest them, and compare with raw bulk_load.

Prints its figures and writes them as JSON (bench/results/ingest-<N>.json). In the
same run it bulk-loads the very N-Quads that ingest produced into a fresh store
(the raw pyoxigraph baseline), and, where the isolated morph-kgc venv exists,
times morph-kgc against our executor on one source's staged data.

    python bench/ingest.py --persons 100000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pyoxigraph as ox  # noqa: E402

from core.pseudonyms import Pseudonymizer  # noqa: E402
from core.settings import Settings  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from mappings.esco import concept_iris  # noqa: E402
from mappings.ingest import ingest  # noqa: E402
from mappings.rml import compile_mapping, load_mapping  # noqa: E402
from mappings.sources import load_sources  # noqa: E402
from mappings.staging import RejectsWriter, stage_source  # noqa: E402
from synthetic import generate  # noqa: E402


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bulk_load_baseline(files: list[Path], work: Path) -> tuple[float, int]:
    store_path = work / "baseline-store"
    store = ox.Store(str(store_path))
    t0 = time.perf_counter()
    for i, path in enumerate(files):
        store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(f"https://example.org/baseline/{i}"))
    store.flush()
    seconds = time.perf_counter() - t0
    count = len(store)
    del store
    shutil.rmtree(store_path)
    return seconds, count


def morph_kgc_compare(source_id: str, extracts: Path, work: Path, esco_dir: Path) -> dict | None:
    """Our executor vs morph-kgc on one source's staged rows (the mapping step alone)."""
    python = Path(os.environ.get("TYODATA_MORPH_KGC_PYTHON", REPO / ".ci/morph-venv/bin/python"))
    if not python.exists():
        return None
    source = load_sources()[source_id]
    mapping = source.mapping_path
    staging = work / "morph-staging"
    rejects = RejectsWriter(work / "morph-rejects.csv")
    stage_source(source, extracts / source_id, staging, rejects, Pseudonymizer(os.urandom(32)),
                 lambda kind: concept_iris(esco_dir, kind))
    rejects.close()
    config = work / "morph.ini"
    config.write_text(
        f"[CONFIGURATION]\noutput_file={work / 'morph.nq'}\n\n"
        f"[DataSource1]\nmappings={mapping}\n"
    )
    t0 = time.perf_counter()
    done = subprocess.run([str(python), "-m", "morph_kgc", str(config)], cwd=staging,
                          capture_output=True, text=True)
    morph_seconds = time.perf_counter() - t0
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    plan = compile_mapping(load_mapping(mapping), base_dir=staging)
    t0 = time.perf_counter()
    with (work / "ours.nt").open("wb") as out:
        counts = plan.run(out, graph=None)
    ours_seconds = time.perf_counter() - t0
    return {
        "source": source_id,
        "triples": counts.triples,
        "morph_kgc_seconds": round(morph_seconds, 2),
        "ours_seconds": round(ours_seconds, 2),
        "speedup_vs_morph_kgc": round(morph_seconds / ours_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--morph-source", default="kela")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    jobs = args.jobs or max(100, args.persons // 50)
    settings = Settings()
    work = Path(tempfile.mkdtemp(prefix="tyodata-bench-"))
    try:
        extracts = work / "extracts"
        t0 = time.perf_counter()
        gen = generate(extracts, persons=args.persons, jobs=jobs, seed=args.seed,
                       esco_dir=settings.esco_dir)
        gen_seconds = time.perf_counter() - t0
        rows_generated = sum(sum(f.values()) for f in gen.rows.values())
        print(f"generated {rows_generated} rows for {args.persons} persons in {gen_seconds:.1f} s")

        store = OxigraphStore(work / "store")
        pseudonymize = Pseudonymizer(os.urandom(32))
        t0 = time.perf_counter()
        report = ingest(
            extracts, store, pseudonymize=pseudonymize,
            key_fingerprint=pseudonymize.fingerprint(), esco_dir=settings.esco_dir,
            work_dir=work / "work", rejects_path=work / "rejects.csv",
            log=lambda m: print("  " + m, flush=True), keep_intermediate=True,
        )
        store.flush()
        ingest_seconds = time.perf_counter() - t0
        store.close()
        rows = sum(s.rows_read for s in report.sources)
        triples = sum(s.triples for s in report.sources)
        nquads = sorted((work / "work").glob("*.nt"))
        raw_seconds, raw_quads = bulk_load_baseline(nquads, work)
        morph = morph_kgc_compare(args.morph_source, extracts, work, settings.esco_dir)
        results = {
            "persons": args.persons,
            "jobs": jobs,
            "generate_seconds": round(gen_seconds, 1),
            "generate_rows_per_s": round(rows_generated / gen_seconds),
            "ingest_seconds": round(ingest_seconds, 1),
            "rows_read": rows,
            "triples": triples,
            "ingest_rows_per_s": round(rows / ingest_seconds),
            "ingest_triples_per_s": round(triples / ingest_seconds),
            "raw_bulk_load_seconds": round(raw_seconds, 1),
            "raw_bulk_load_quads": raw_quads,
            "raw_bulk_load_quads_per_s": round(raw_quads / raw_seconds),
            "ingest_rate_vs_raw_bulk_load": round(raw_seconds / ingest_seconds, 3),
            "peak_rss_mib": round(peak_rss_mib()),
            "morph_kgc": morph,
            "per_source_seconds": {s.source: round(s.seconds, 1) for s in report.sources},
            "stage_seconds": {
                stage: round(sum(s.stage_seconds.get(stage, 0) for s in report.sources), 1)
                for stage in ("validate", "map", "load", "shacl", "commit")
            },
        }
        print(json.dumps(results, indent=2))
        out = args.out or REPO / "bench" / "results" / f"ingest-{args.persons}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2))
        print(f"wrote {out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
