"""The catalogue at 1,000 items: export, index build, search latency and quality beside a
naive baseline, and lineage pictures.

    python bench/catalogue.py [--home H]           # 1,000 items, 600 searches; product
                                                   # calls on 100,000 persons
    python bench/catalogue.py --items 200 --queries 100 --no-product-calls

Generates a realistic synthetic catalogue (bench/catalogue_synthetic.py: series of every
source with monthly extracts, data products, models, services; Finnish and English), then
times: the export to Turtle, JSON-LD and RDF/XML (median of --repeat), the search index
build, searches over a mix of realistic queries (Finnish and English, inflected, partial
words, with and without facet filters, later pages) warm and with the stem-expansion
cache emptied before every query, and a naive substring scan over the same items with the
same filters and facet counting, run in the same process (the ratio is what counts on this
shared machine). Quality beside it: on inflected queries, the share of the items holding
the base form that each finds. Also the lineage graph build and one item's lineage with its
SVG picture. Then a data product's calls through HTTP with the decision point, consent
and audit, on a store of --persons persons (bench/product_calls.py; --home reuses one).
Target (issue 9): search p95 < 50 ms at 1,000 items. Prints the figures and writes
bench/results/catalogue.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.catalogue_synthetic import generate_catalogue  # noqa: E402
from bench.common import percentile  # noqa: E402
from catalog.drawing import lineage_svg  # noqa: E402
from catalog.formats import serialize  # noqa: E402
from catalog.harvest import Harvest  # noqa: E402
from catalog.lineage import LineageGraph  # noqa: E402
from catalog.search import CatalogueIndex  # noqa: E402
from catalog.search_items import FACETS, Item  # noqa: E402
from catalog.text import title_key  # noqa: E402

RESULTS = REPO / "bench" / "results" / "catalogue.json"
EXPORTS = {"turtle": "turtle", "json-ld": "json-ld", "rdf-xml": "pretty-xml"}
QUERIES_FI = ["työnhakija", "työnhakijoiden", "työnhakijan profiili", "kelan etuuspäätökset",
              "etuuspäätösten", "oleskelulupien", "tutkinnot", "koulutukset", "ennustemalli",
              "työkyvyn riski", "lääkärinlausunnot", "palkkatuki", "helsingin työllisyyspalvelut",
              "rajapinta", "työttömyysetuudet", "kuntoutuksen päätökset", "poiminta 2026-05-01",
              "ammattiluokitus", "datatuote", "osaaminen", "työnh", "etuus",
              "tampereen asiakkuudet", "väestötiedot", "ulosotto"]
QUERIES_EN = ["job seekers", "benefit decisions", "residence permits", "qualifications",
              "forecast model", "work ability", "employment services", "data product", "skills",
              "rehabilitation", "vacancies", "medical statements", "extract 2026", "API"]
INFLECTED = [  # (inflected query, a base form every relevant item's text holds)
    ("työnhakijoiden", "työnhakija"), ("työnhakijalle", "työnhakija"),
    ("etuuspäätösten", "etuuspäät"), ("oleskelulupien", "oleskelulu"),
    ("koulutukset", "koulutus"), ("tutkintojen", "tutkin"), ("kuntoutuksen", "kuntoutus"),
    ("lääkärinlausuntojen", "lääkärinlausun"), ("palkkatuetuista", "palkkatu"),
    ("osaamisen", "osaami"), ("seekers", "seeker"), ("decisions", "decision"),
    ("permits", "permit"), ("forecasts", "forecast"), ("statements", "statement"),
]


def harvest_latency(graph, repeat: int) -> dict:
    """Latency of what a harvester asks (each page of 100, each item alone) per format,
    as the service answers: cold (the item descriptions worked out on the way, as right
    after a catalogue rewrite, before the service's background warm-up has done them) and
    warm; and the warm-up itself. The whole export by rdflib's writers is the baseline."""
    result: dict = {}
    for fmt in ("ttl", "jsonld", "rdf"):
        cold, warm, single = [], [], []
        for _ in range(repeat):
            harvest = Harvest(graph)
            for times in (cold, warm):
                number = 1
                while True:
                    started = time.perf_counter()
                    page, info = harvest.page(number=number, size=100)
                    serialize(page, fmt)
                    times.append((time.perf_counter() - started) * 1000)
                    if number >= info.last:
                        break
                    number += 1
            for item in harvest.items:
                started = time.perf_counter()
                serialize(harvest.described(item), fmt)
                single.append((time.perf_counter() - started) * 1000)
        result[fmt] = {
            "page_cold_p50_ms": round(percentile(cold, 50), 2),
            "page_cold_p95_ms": round(percentile(cold, 95), 2),
            "page_warm_p95_ms": round(percentile(warm, 95), 2),
            "item_p50_ms": round(percentile(single, 50), 3),
            "item_p95_ms": round(percentile(single, 95), 3),
            "pages": len(cold) // repeat}
    seconds, _ = median_time(lambda: Harvest(graph).warm(), repeat)
    result["warm_up_all_items_s"] = round(seconds, 3)
    result["target_p95_ms"] = 50
    return result


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def query_mix(index: CatalogueIndex, count: int, rng: random.Random) -> list[dict]:
    """Realistic requests: text in either language (a tenth browse with no text), a third
    with one or two facet filters taken from the catalogue's own values, a fifth on page 2
    or 3."""
    facets = index.search("", size=1, facet_limit=100).facets
    values = {name: [v.value for v in facets[name]] for name in ("theme", "publisher", "type",
                                                                   "access_rights", "keyword")}
    mix = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            text, lang = "", rng.choice(("fi", "en"))
        elif roll < 0.7:
            text, lang = rng.choice(QUERIES_FI), "fi"
        else:
            text, lang = rng.choice(QUERIES_EN), "en"
        filters: dict[str, list[str]] = {}
        if rng.random() < 0.35:
            for name in rng.sample(sorted(values), rng.choice((1, 1, 2))):
                filters[name] = rng.sample(values[name], min(len(values[name]),
                                                            rng.choice((1, 1, 2))))
        page = rng.choice((2, 3)) if rng.random() < 0.2 else 1
        mix.append({"text": text, "lang": lang, "filters": filters, "page": page, "size": 20})
    return mix


class SubstringBaseline:
    """The naive way: lowercase substring of every query word in each item's text, filters
    by looping over the items, facet counts by looping over the hits, sort by title."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.items = items
        self.haystacks = [" ".join(text for field in item.fields.values()
                                   for texts in field.values() for text in texts).lower()
                          for item in items]

    def search(self, text: str = "", *, filters: Mapping[str, Sequence[str]] | None = None,
               page: int = 1, size: int = 20, lang: str = "fi") -> tuple[int, list[str],
                                                                        dict[str, dict]]:
        words = text.lower().split()
        filters = filters or {}
        hits = [i for i, hay in enumerate(self.haystacks)
                if all(w in hay for w in words)
                and all(set(self.items[i].facets[name]) & set(chosen)
                        for name, chosen in filters.items())]
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        for i in hits:
            for name in FACETS:
                for value in self.items[i].facets[name]:
                    counts[name][value] = counts[name].get(value, 0) + 1
        hits.sort(key=lambda i: (title_key(self.items[i].title_in(lang)), self.items[i].iri))
        start = (page - 1) * size
        return len(hits), [self.items[i].iri for i in hits[start:start + size]], counts


def latency(run: Callable[[dict], object], mix: Sequence[dict],
            before: Callable[[], None] | None = None) -> dict[str, float]:
    times = []
    for request in mix:
        if before:
            before()
        started = time.perf_counter()
        run(request)
        times.append((time.perf_counter() - started) * 1000)
    return {"p50_ms": round(percentile(times, 50), 3), "p95_ms": round(percentile(times, 95), 3),
            "max_ms": round(max(times), 3), "n": len(times)}


def recall(index: CatalogueIndex, baseline: SubstringBaseline) -> dict:
    """Per inflected query, the share of the items holding the base form that each finds."""
    rows, ours_total, base_total = [], 0.0, 0.0
    for inflected, base in INFLECTED:
        relevant = {baseline.items[i].iri for i, hay in enumerate(baseline.haystacks)
                    if base in hay}
        if not relevant:
            continue
        ours = {h.iri for page in _all_pages(index, inflected) for h in page}
        naive = set(_naive_all(baseline, inflected))
        r_ours = len(ours & relevant) / len(relevant)
        r_base = len(naive & relevant) / len(relevant)
        rows.append({"query": inflected, "base": base, "relevant": len(relevant),
                     "ours": round(r_ours, 3), "substring": round(r_base, 3),
                     "ours_extra_hits": len(ours - relevant)})
        ours_total += r_ours
        base_total += r_base
    return {"queries": rows, "mean_recall_ours": round(ours_total / len(rows), 3),
            "mean_recall_substring": round(base_total / len(rows), 3)}


def _all_pages(index: CatalogueIndex, text: str):
    first = index.search(text, size=100)
    yield first.hits
    for page in range(2, first.pages + 1):
        yield index.search(text, size=100, page=page).hits


def _naive_all(baseline: SubstringBaseline, text: str) -> list[str]:
    total, _, _ = baseline.search(text, size=1)
    return baseline.search(text, size=max(1, total))[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--product-calls", action=argparse.BooleanOptionalAction,
                        default=True, help="also time a data product's calls through HTTP "
                        "(bench/product_calls.py) on a store of --persons persons")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--home", type=Path, default=None,
                        help="reuse a TYODATA_HOME holding a store of --persons persons")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    result: dict = {"items": args.items, "cpus": os.cpu_count()}

    started = time.perf_counter()
    graph = generate_catalogue(items=args.items, seed=args.seed)
    result["generate"] = {"seconds": round(time.perf_counter() - started, 3),
                          "triples": len(graph)}
    print(f"catalogue: {args.items} items, {len(graph)} triples in "
          f"{result['generate']['seconds']} s", flush=True)

    result["export"] = {}
    ours_format = {"turtle": "ttl", "json-ld": "jsonld", "rdf-xml": "rdf"}
    for name, rdflib_format in EXPORTS.items():
        seconds, text = median_time(lambda f=rdflib_format: graph.serialize(format=f),
                                    args.repeat)
        ours, data = median_time(lambda f=ours_format[name]: serialize(graph, f), args.repeat)
        result["export"][name] = {"rdflib_seconds": round(seconds, 3),
                                  "rdflib_megabytes": round(len(text.encode()) / 2**20, 2),
                                  "ours_seconds": round(ours, 3),
                                  "ours_megabytes": round(len(data) / 2**20, 2),
                                  "ratio_ours_to_rdflib": round(ours / seconds, 3)}
    print(f"export of the whole catalogue (median of {args.repeat}; ours: "
          f"catalog.formats.serialize, as `tyodata catalog export` writes it): "
          f"{result['export']}", flush=True)
    result["harvest"] = harvest_latency(graph, args.repeat)
    print(f"harvest pages of 100 and single items, as the service serves them: "
          f"{result['harvest']}", flush=True)

    seconds, index = median_time(lambda: CatalogueIndex.build(graph), args.repeat)
    result["index_build_s"] = round(seconds, 3)
    baseline = SubstringBaseline(index.items)
    print(f"index build: {result['index_build_s']} s ({len(index)} items)", flush=True)

    mix = query_mix(index, args.queries, rng)

    def ours(request: dict) -> object:
        return index.search(request["text"], filters=request["filters"],
                            page=request["page"], size=request["size"], lang=request["lang"])

    def naive(request: dict) -> object:
        return baseline.search(request["text"], filters=request["filters"],
                               page=request["page"], size=request["size"],
                               lang=request["lang"])

    for request in mix:  # warm both (stem caches, branch predictors, allocator)
        ours(request)
        naive(request)
    warm = latency(ours, mix)
    cold = latency(ours, mix, before=index._expansions.clear)  # bench only: cold stem caches
    base = latency(naive, mix)
    result["search"] = {
        "ours_warm": warm, "ours_cold_expansions": cold, "substring_baseline": base,
        "ratio_p50_ours_to_baseline": round(warm["p50_ms"] / base["p50_ms"], 3),
        "ratio_p95_ours_to_baseline": round(warm["p95_ms"] / base["p95_ms"], 3),
        "ratio_p95_cold_to_baseline": round(cold["p95_ms"] / base["p95_ms"], 3),
        "mix": {"requests": len(mix),
                "with_text": sum(1 for r in mix if r["text"]),
                "with_filters": sum(1 for r in mix if r["filters"]),
                "later_pages": sum(1 for r in mix if r["page"] > 1)},
        "target_p95_ms": 50,
    }
    print(f"search, ours (warm): {warm}\nsearch, ours (stem caches emptied before each): {cold}"
          f"\nsearch, substring baseline: {base}\n(target p95 < 50 ms)", flush=True)

    result["inflection_recall"] = recall(index, baseline)
    print(f"inflected queries, share of base-form items found: ours "
          f"{result['inflection_recall']['mean_recall_ours']}, substring "
          f"{result['inflection_recall']['mean_recall_substring']}", flush=True)

    seconds, lineage_graph = median_time(lambda: LineageGraph.build(graph), args.repeat)
    sample = rng.sample([item.iri for item in index.items], min(100, len(index)))
    times = []
    for iri in sample:
        started = time.perf_counter()
        lineage_svg(lineage_graph.lineage(iri))
        times.append((time.perf_counter() - started) * 1000)
    result["lineage"] = {"graph_build_s": round(seconds, 3),
                         "lineage_and_svg_p50_ms": round(percentile(times, 50), 3),
                         "lineage_and_svg_p95_ms": round(percentile(times, 95), 3),
                         "items": len(sample)}
    print(f"lineage: {result['lineage']}", flush=True)

    if args.product_calls:
        # A data product's call through HTTP with policy and audit, on a real store.
        from product_calls import run as product_calls

        result["product_calls"] = product_calls(persons=args.persons, calls=args.calls,
                                                home=args.home)

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
