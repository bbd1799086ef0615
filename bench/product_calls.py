"""Data-product calls over HTTP, policy and audit included, on a store of N persons.

    python bench/product_calls.py --persons 2000 [--calls 500] [--home H] [--product KEY]

Starts `tyodata serve` on loopback over a store of N persons (built, or reused with
--home), then calls a data product (default Person/JobApplicantProfile_v1.0) for --calls
different persons, one at a time, two ways, interleaved so the machine's noise hits both:

- **legal basis**: a city case worker for job-matching (the product's policy grants it
  on GDPR 6(1)(e) and the TYM act): the decision point, the product's policy, one audit
  record, the query and the answer validated against the product's schema;
- **consent**: a company's service for recruitment with the person's consent token (a
  case worker recorded each person's consent and obtained its token beforehand, through
  the API, untimed): the same, plus the token's signature and the person's consent
  records read from the store at every call.

The service's Server-Timing header says how long its policy decision, audit record and
query took. Prints the figures and writes bench/results/product_calls.json (or --out).
:func:`measure` runs the calls against any running service (bench/catalogue.py uses it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from common import build_store, percentile, start_service  # noqa: E402

from core.settings import Settings  # noqa: E402
from graph_service.policy.tokens import issue, load_or_create_signing_key  # noqa: E402
from graph_service.policy.visibility import Reader, dataset_for  # noqa: E402
from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from graph_service.store.registry import read_directory  # noqa: E402

PRODUCT = "Person/JobApplicantProfile_v1.0"
COMPANY = "company:bench-portal"
PROFILED = ("SELECT DISTINCT ?p WHERE { ?profile a <https://tyodata.fi/ontology#JobSeekerProfile>"
            " ; <https://tyodata.fi/ontology#concernsPerson> ?p } LIMIT %d")


@dataclass(frozen=True)
class Tokens:
    """Bearer tokens of the three callers the benchmark needs."""

    legal_basis: str  # a city case worker: granted the product on a legal basis
    consent_caller: str  # a company's service: granted it only with the person's consent
    case_worker: str  # records each person's consent and obtains its token


def tokens_for(settings: Settings, hours: float = 4) -> Tokens:
    key = load_or_create_signing_key(settings.signing_key_path)
    ttl = int(hours * 3600)
    return Tokens(
        legal_basis=issue(key, subject="bench-city", organisation="city:helsinki",
                          roles=["case_worker"], ttl_seconds=ttl),
        consent_caller=issue(key, subject="bench-portal", organisation=COMPANY,
                             roles=["service"], ttl_seconds=ttl),
        case_worker=issue(key, subject="bench-consents", organisation="city:helsinki",
                          roles=["case_worker"], ttl_seconds=ttl))


def server_timing(header: str | None) -> dict[str, float]:
    timings = {}
    for part in (header or "").split(","):
        name, _, duration = part.strip().partition(";dur=")
        if duration:
            timings[name] = float(duration)
    return timings


def summary(values: list[float]) -> dict[str, float]:
    figures = {f"p{p}_ms": round(percentile(values, p), 2) for p in (50, 95, 99)}
    return {**figures, "mean_ms": round(statistics.mean(values), 2)}


def consent_tokens(client: httpx.Client, base_url: str, tokens: Tokens, persons: list[str],
                   product: str) -> tuple[dict[str, str], dict[str, float]]:
    """For each person (pseudonymous id): a consent to ``product`` for recruitment by the
    benchmark's company service, and its token. Returns them and the setup's latencies."""
    worker = {"Authorization": f"Bearer {tokens.case_worker}", "X-Purpose": "case-management"}
    recipient = f"{COMPANY}/service"
    expires = (datetime.now(UTC) + timedelta(hours=4)).isoformat()
    found: dict[str, str] = {}
    give_ms, token_ms = [], []
    for person in persons:
        t0 = time.perf_counter()
        r = client.post(f"{base_url}/api/persons/{person}/consents", headers=worker, json={
            "purposes": ["recruitment"], "products": [product], "recipients": [recipient],
            "expires_at": expires, "indicated_by": "electronic"})
        give_ms.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        t0 = time.perf_counter()
        r = client.post(f"{base_url}/api/persons/{person}/consents/{r.json()['id']}/token",
                        headers=worker, json={"product": product, "purpose": "recruitment",
                                              "recipient": recipient})
        token_ms.append((time.perf_counter() - t0) * 1000)
        r.raise_for_status()
        found[person] = r.json()["token"]
    return found, {"give_consent_p50_ms": round(percentile(give_ms, 50), 2),
                   "issue_token_p50_ms": round(percentile(token_ms, 50), 2)}


def measure(base_url: str, tokens: Tokens, persons: list[str], n: int, *,
            product: str = PRODUCT, warmup: int = 10) -> dict:
    """p50/p95/p99 of ``n`` calls of ``product`` over HTTP on a legal basis and ``n`` on the
    person's consent, interleaved, each for another of ``persons`` (pseudonymous ids of
    persons the product has data on; the first ``warmup`` only warm the service)."""
    if len(persons) < warmup + 1:
        raise ValueError(f"need more than {warmup} persons")
    measured = [persons[warmup + i % (len(persons) - warmup)] for i in range(n)]
    url = f"{base_url}/products/{product}"
    basis = {"Authorization": f"Bearer {tokens.legal_basis}", "X-Purpose": "job-matching"}
    company = {"Authorization": f"Bearer {tokens.consent_caller}", "X-Purpose": "recruitment"}
    with httpx.Client(timeout=60) as client:
        t0 = time.perf_counter()
        granted, setup = consent_tokens(client, base_url, tokens,
                                        list(dict.fromkeys(persons[:warmup] + measured)), product)
        setup["seconds"] = round(time.perf_counter() - t0, 1)

        def one(headers: dict[str, str], person: str) -> tuple[float, dict[str, float]]:
            t0 = time.perf_counter()
            r = client.post(url, headers=headers, json={"person": person})
            elapsed = (time.perf_counter() - t0) * 1000
            if r.status_code != 200:
                raise RuntimeError(f"call failed: {r.status_code} {r.text[:300]}")
            return elapsed, server_timing(r.headers.get("server-timing"))

        for person in persons[:warmup]:
            one(basis, person)
            one({**company, "X-Consent-Token": granted[person]}, person)
        runs: dict[str, tuple[list[float], dict[str, list[float]]]] = {
            "legal_basis": ([], {}), "consent": ([], {})}
        for person in measured:
            for way, headers in (("legal_basis", basis),
                                 ("consent", {**company, "X-Consent-Token": granted[person]})):
                elapsed, timing = one(headers, person)
                runs[way][0].append(elapsed)
                for name, value in timing.items():
                    runs[way][1].setdefault(name, []).append(value)
    result: dict = {"product": product, "calls_each": n, "consent_setup": setup}
    for way, (latencies, parts) in runs.items():
        result[way] = {**summary(latencies), "server_timing_mean_ms": {
            name: round(statistics.mean(values), 3) for name, values in parts.items()}}
    result["ratio_consent_vs_legal_basis_p50"] = round(
        result["consent"]["p50_ms"] / result["legal_basis"]["p50_ms"], 2)
    return result


def run(*, persons: int, calls: int, home: Path | None = None,
        product: str = PRODUCT) -> dict:
    """Serve a store of ``persons`` persons (built, or the one in ``home``) and measure
    ``calls`` calls of ``product`` each way; the figures as a dict."""
    work = Path(tempfile.mkdtemp(prefix="tyodata-bench-products-"))
    home = home or work / "home"
    server: subprocess.Popen | None = None
    try:
        settings = Settings(home=home)
        if not settings.store_path.exists():
            t0 = time.perf_counter()
            build_store(home, persons)
            print(f"built the store in {time.perf_counter() - t0:.0f} s", flush=True)
        with OxigraphStore(settings.store_path, read_only=True) as store:
            dataset = dataset_for(Reader.CASE_WORK, read_directory(store))
            people = [str(p).rsplit("/", 1)[-1] for (p,) in store.select(
                PROFILED % (calls + 10), dataset=dataset).rows]
        server, base = start_service(home)
        result = {"persons": persons,
                  **measure(base, tokens_for(settings), people, calls, product=product)}
        for way in ("legal_basis", "consent"):
            figures = result[way]
            print(f"data product {way}: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} "
                  f"ms, p99 {figures['p99_ms']} ms; server {figures['server_timing_mean_ms']}",
                  flush=True)
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--home", type=Path, default=None,
                        help="reuse a TYODATA_HOME holding a store of --persons persons")
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--product", default=PRODUCT)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    result = run(persons=args.persons, calls=args.calls, home=args.home,
                 product=args.product)
    print(json.dumps(result, indent=2))
    out = args.out or REPO / "bench" / "results" / "product_calls.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
