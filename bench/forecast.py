"""The work-ability forecast at scale: training time and memory, per-person p95 over HTTP,
and the quality table beside the ceiling (the generator's true probabilities).

    python bench/forecast.py [--persons 100000] [--home H] [--calls 300]

1. A store of N persons with the forecast cohort (built with its truth file, or reused with
   --home: the extracts' ``_evaluation/forecast_truth.csv`` must be in ``H/extracts``).
2. Training: ``forecasting.train.train`` run in a child process, so its peak resident
   memory (``VmHWM``, reset at exec) is its own; seconds split into reading the features (SPARQL)
   and the rest (fitting, evaluation with bootstrap intervals, plots).
3. The quality table of the test set (entries of the latest quarter of the cohort window),
   each model beside the ceiling, and the pilot's figures.
4. ``tyodata serve`` over the store; a case worker records each measured client's consent
   to the forecast (untimed), then forms the forecast of ``--calls`` different clients one
   at a time, interleaved with the situation view of the same client as a baseline from
   the same run (the same policy decision, audit record and store, without the model).

Prints the figures and writes bench/results/forecast.json (or --out).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import build_store, percentile, start_service  # noqa: E402

from core.settings import Settings  # noqa: E402
from graph_service.policy.forecast_policy import FORECAST_SECTIONS  # noqa: E402
from graph_service.policy.tokens import issue, load_or_create_signing_key  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402

PILOT = {"roc_auc": 0.94, "pr_auc": 0.67,
         "recall_at_fpr": {"0.13": 0.40, "0.075": 0.30, "0.02": 0.20}}
MODELS = ("dummy", "logistic", "boosted", "ceiling")
TRUTH = Path("_evaluation") / "forecast_truth.csv"

TRAIN_CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
sys.path.insert(0, {repo!r})
from core.keys import load_or_create_key
from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from forecasting.train import train
from graph_service.store.oxigraph_store import OxigraphStore
settings = Settings(home=Path({home!r}))
pseudonymize = Pseudonymizer(load_or_create_key(settings.key_path))
def high_water_kib():  # VmHWM starts afresh at exec; ru_maxrss keeps the forking parent's peak
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
before = high_water_kib()
t0 = time.perf_counter()
with OxigraphStore(settings.store_path, read_only=True) as store:
    run = train(store, settings.forecast_path, as_of=date.fromisoformat({as_of!r}),
                truth=Path({truth!r}), pseudonym_of=pseudonymize.iri,
                progress=lambda m: print("  " + m, file=sys.stderr, flush=True))
seconds = time.perf_counter() - t0
peak = high_water_kib()
print(json.dumps({{"seconds": seconds, "peak_rss_mib": peak / 1024,
                  "rss_before_mib": before / 1024, "version": run.version,
                  "directory": str(run.directory)}}))
"""


def train_in_child(home: Path, as_of: date) -> dict:
    code = TRAIN_CHILD.format(repo=str(REPO), home=str(home), as_of=as_of.isoformat(),
                              truth=str(home / "extracts" / TRUTH))
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                          text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def quality_table(report: dict) -> dict:
    """Test-set figures per model, the chosen one's ratio to the ceiling, and the pilot's."""
    table: dict = {}
    for name in MODELS:
        figures = report["models"].get(name)
        if figures is None:
            continue
        table[name] = {
            "roc_auc": figures["roc_auc"], "pr_auc": figures["pr_auc"],
            "brier": figures["brier"],
            "recall_at_fpr": {str(row["fpr_target"]): row["recall"]
                              for row in figures["thresholds"]},
        }
    chosen = report["chosen"]
    ceiling = table.get("ceiling")
    ratios = None
    if ceiling is not None:
        ratios = {key: round(table[chosen][key]["value"] / ceiling[key]["value"], 3)
                  for key in ("roc_auc", "pr_auc")}
    return {"test_n": report["data"]["test"]["n"],
            "test_positives": report["data"]["test"]["positives"],
            "prevalence": report["data"]["prevalence"], "chosen": chosen, "models": table,
            "chosen_vs_ceiling": ratios, "pilot": PILOT}


def print_quality(quality: dict) -> None:
    print(f"test set: {quality['test_n']} clients, {quality['test_positives']} with the "
          f"outcome; chosen model: {quality['chosen']}")
    print(f"{'model':<10}{'ROC AUC (95% CI)':<24}{'PR AUC (95% CI)':<24}{'Brier':<8}"
          "recall at FPR 2 / 7.5 / 13 %")
    for name, row in quality["models"].items():
        def ci(figure: dict) -> str:
            return f"{figure['value']:.3f} ({figure['low']:.3f}-{figure['high']:.3f})"

        recalls = " / ".join(f"{row['recall_at_fpr'].get(k, float('nan')):.2f}"
                             for k in ("0.02", "0.075", "0.13"))
        print(f"{name:<10}{ci(row['roc_auc']):<24}{ci(row['pr_auc']):<24}"
              f"{row['brier']:<8.4f}{recalls}")
    print("pilot     ROC AUC 0.94, PR AUC 0.67, recall 0.20 / 0.30 / 0.40")
    if quality["chosen_vs_ceiling"]:
        print(f"chosen / ceiling: {quality['chosen_vs_ceiling']} (target PR AUC >= 0.95)")


def clients(store_path: Path, n: int) -> list[str]:
    """Pseudonymous ids of clients with an open job-seeking period, of working age."""
    query = """
    PREFIX tyo: <https://tyodata.fi/ontology#>
    SELECT DISTINCT ?p WHERE { GRAPH ?g { ?s a tyo:JobSeekingPeriod ; tyo:concernsPerson ?p .
      FILTER NOT EXISTS { ?s tyo:endDate ?end } } } LIMIT %d""" % n
    with OxigraphStore(store_path, read_only=True) as store:
        return [str(row[0]).rsplit("/", 1)[-1] for row in store.select(query).rows]


def measure_http(home: Path, people: list[str], calls: int, warmup: int = 10) -> dict:
    settings = Settings(home=home)
    key = load_or_create_signing_key(settings.signing_key_path)
    token = issue(key, subject="bench-forecast", organisation="city:helsinki",
                  roles=["case_worker"], ttl_seconds=4 * 3600)
    auth = {"Authorization": f"Bearer {token}"}
    forecast = {**auth, "X-Purpose": "work-ability-forecast"}
    situation = {**auth, "X-Purpose": "case-management"}
    server, base = start_service(home)
    try:
        with httpx.Client(timeout=60) as client:
            expires = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
            formed: list[str] = []
            for person in people:  # consent first (untimed), as a case worker does with a client
                r = client.post(f"{base}/api/persons/{person}/consents", headers=situation,
                                json={"purposes": ["work-ability-forecast"],
                                      "sections": [s.value for s in FORECAST_SECTIONS],
                                      "recipients": ["city/case_worker"],
                                      "expires_at": expires, "indicated_by": "electronic"})
                r.raise_for_status()
                if client.post(f"{base}/api/persons/{person}/forecast",
                               headers=forecast).status_code == 200:
                    formed.append(person)
                if len(formed) >= calls + warmup:
                    break
            if len(formed) <= warmup:
                raise RuntimeError(f"only {len(formed)} clients could be forecast")
            times: dict[str, list[float]] = {"forecast": [], "situation": []}
            for i, person in enumerate(formed):
                for way, method, url, headers in (
                        ("forecast", "POST", f"/api/persons/{person}/forecast", forecast),
                        ("situation", "GET", f"/api/persons/{person}/situation", situation)):
                    t0 = time.perf_counter()
                    r = client.request(method, base + url, headers=headers)
                    elapsed = (time.perf_counter() - t0) * 1000
                    if r.status_code != 200:
                        raise RuntimeError(f"{way} failed: {r.status_code} {r.text[:300]}")
                    if i >= warmup:
                        times[way].append(elapsed)
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {way: {f"p{p}_ms": round(percentile(values, p), 2) for p in (50, 95, 99)}
              for way, values in times.items()}
    result["calls"] = len(times["forecast"])
    result["ratio_forecast_vs_situation_p95"] = round(
        result["forecast"]["p95_ms"] / result["situation"]["p95_ms"], 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--home", type=Path, default=None,
                        help="reuse (or build once into) this home")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "forecast.json")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="tyodata-bench-forecast-"))
    home = args.home or work / "home"
    try:
        settings = Settings(home=home)
        result: dict = {"persons": args.persons}
        if not settings.store_path.exists():
            t0 = time.perf_counter()
            build_store(home, args.persons, keep=(TRUTH.parts[0],))
            result["build_seconds"] = round(time.perf_counter() - t0, 1)
            print(f"built the store in {result['build_seconds']} s", flush=True)
        training = train_in_child(home, date(2026, 11, 1))
        report = json.loads((Path(training["directory"]) / "report.json").read_text())
        result["training"] = {
            "seconds": round(training["seconds"], 1),
            "feature_seconds": round(report["model"].get("feature_seconds", 0.0), 1),
            "fit_and_evaluate_seconds": round(
                training["seconds"] - report["model"].get("feature_seconds", 0.0), 1),
            "peak_rss_mib": round(training["peak_rss_mib"]),
            "rss_after_imports_mib": round(training["rss_before_mib"]),
            "cohort": report["data"]["cohort"], "version": training["version"]}
        print(f"training: {result['training']}", flush=True)
        result["quality"] = quality_table(report)
        print_quality(result["quality"])
        result["http"] = measure_http(home, clients(settings.store_path, 4 * args.calls),
                                      args.calls)
        print(f"per-person forecast over HTTP: {result['http']['forecast']}; situation view "
              f"(baseline, same clients): {result['http']['situation']}; p95 ratio "
              f"{result['http']['ratio_forecast_vs_situation_p95']}", flush=True)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"wrote {args.out}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
