"""Feedback benchmark: does learning from thumbs rank held-out jobs closer to what simulated
seekers really want?

    python bench/matching_feedback.py [--seekers 300] [--postings 1000] [--rounds 2]
                                      [--source market|store|synthetic] [--seed 1]

Every simulated seeker has a hidden preference (``synthetic.preferences``: an archetype
such as location-first, full-time-first or skills-first, with personal variation) that
the ranking never sees. Per seeker the postings are split at random into a training half
and a held-out half. In each of ``--rounds`` rounds the seeker is shown the top 10 of the
training half not shown before, ranked by the current model (round 1: the default
weights), and thumbs each up or down by their hidden preference with noise. The thumbs are
stored as RDF in the seekers' feedback graphs of a real embedded store
(``matchers.feedback.record_feedbacks``), read back (``feedback_of``), and the ranking is
learned from what was read (``matchers.learning.learn_from_feedback``) after every round.

After every round, NDCG@10 on the held-out pairs (never shown, never thumbed) against the
hidden graded relevance (0-3), in the same run: a random ranking, the default weights, the
learned global weights, and the learned weights with each seeker's own adjustment (round 1
is exactly "thumbs on the default top 10, learn, evaluate"); also per archetype, and the
expected thumbs-up rate of each round's lists beside that of the default's lists. Seekers
without a relevant held-out job are left out (their NDCG is undefined) and counted.

Pair features come from the matching index (``matchers.index.MatchIndex.pair_features``):

* ``--source market`` (default): over ``bench/market.py``'s generated seekers and postings
  (real ESCO occupations and skills, no texts);
* ``--source store``: over a store of generated, ingested extracts (``--home`` keeps it),
  with the text score of the ESCO concept encoder;
* ``--source synthetic``: drawn from a small model of the criteria's credits, no index.

Writes bench/results/matching_feedback.json.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from graph_service.store.oxigraph_store import OxigraphStore  # noqa: E402
from matchers.criteria import CRITERIA, DEDUCTIONS, Weights, load_weights  # noqa: E402
from matchers.feedback import Feedback, actor_string, feedback_of, record_feedbacks  # noqa: E402
from matchers.learning import (  # noqa: E402
    LearnedRanking,
    LearningSettings,
    combined_scores,
    learn_from_feedback,
)
from synthetic.preferences import (  # noqa: E402
    HiddenPreference,
    draw_preference,
    like_probability,
    relevance,
    thumb,
)

K = 10
DEFAULT_SHARE = 0.7
PERSON_NS = "https://tyodata.fi/id/person/"
BASE32 = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass
class Pairs:
    """Pair features of n pairs (the shape of ``matchers.index.PairFeatures``)."""

    credits: np.ndarray
    applies: np.ndarray
    deductions: np.ndarray
    text: np.ndarray

    def rows(self, rows: np.ndarray) -> Pairs:
        return Pairs(self.credits[rows], self.applies[rows], self.deductions[rows],
                     self.text[rows])

    @staticmethod
    def concat(parts: list[Pairs]) -> Pairs:
        return Pairs(*(np.concatenate([getattr(p, name) for p in parts])
                       for name in ("credits", "applies", "deductions", "text")))

    def named(self, i: int) -> dict[str, float]:
        """Pair i as a hidden preference sees it (criterion names -> credit)."""
        names = {c: float(self.credits[i, k] * self.applies[i, k])
                 for k, c in enumerate(CRITERIA)}
        names |= {d: float(self.deductions[i, k]) for k, d in enumerate(DEDUCTIONS)}
        return names | {"text": float(self.text[i]) / 100.0}


@dataclass
class Seeker:
    profile: str
    person: str
    pref: HiddenPreference
    postings: list[str]  # posting IRIs, aligned with pairs' rows
    pairs: Pairs  # features of (this seeker, each posting)
    train: np.ndarray  # row numbers of the training half
    held_out: np.ndarray  # row numbers of the held-out half


# -- pair features ---------------------------------------------------------------------


def synthetic_pairs(rng: np.random.Generator, n: int) -> Pairs:
    """Credits shaped like the structured criteria give them (see the module docstring)."""
    c, d = len(CRITERIA), len(DEDUCTIONS)
    apply_rate = np.array([1, 0.9, 0.6, 1, 0.7, 0.5, 0.3, 1, 1, 1])
    applies = (rng.random((n, c)) < apply_rate).astype(float)
    credits = rng.beta(0.6, 1.2, (n, c))
    for name in ("location", "working_time", "contract"):
        credits[:, CRITERIA.index(name)] = (rng.random(n) < 0.4).astype(float)
    deductions = np.zeros((n, d))
    location = credits[:, CRITERIA.index("location")]
    deductions[:, DEDUCTIONS.index("location_mismatch")] = (1 - location) * (rng.random(n) < 0.6)
    languages, education = CRITERIA.index("languages"), CRITERIA.index("education")
    deductions[:, DEDUCTIONS.index("language_mismatch")] = applies[:, languages] * (
        credits[:, languages] < 0.3)
    deductions[:, DEDUCTIONS.index("education_mismatch")] = applies[:, education] * (
        credits[:, education] < 0.2)
    text = np.clip(100 * (0.5 * credits[:, 0] + 0.5 * rng.random(n)), 0, 100)
    return Pairs(credits, applies, deductions, text)


def pseudonym(i: int, seed: int) -> str:
    rng = random.Random(f"{seed}-{i}")
    return PERSON_NS + "".join(rng.choice(BASE32) for _ in range(26))


def synthetic_market(seekers: int, postings: int, seed: int) -> list[tuple[str, str, list[str],
                                                                           Pairs]]:
    rng = np.random.default_rng(seed)
    posting_iris = [f"https://tyodata.fi/id/bench/posting/{j}" for j in range(postings)]
    return [(f"https://tyodata.fi/id/bench/profile/{i}", pseudonym(i, seed), posting_iris,
             synthetic_pairs(rng, postings)) for i in range(seekers)]


def store_market(seekers: int, postings: int, seed: int, home: Path | None
                 ) -> tuple[list[tuple[str, str, list[str], Pairs]], dict]:
    """Pair features from the matching index built over a store of generated, ingested
    extracts (profiles and postings as the marketplace's extract has them)."""
    from core.keys import load_or_create_key
    from core.pseudonyms import Pseudonymizer
    from core.settings import Settings
    from mappings.ingest import ingest
    from matchers.index import MatchIndex
    from synthetic import generate

    keep = home is not None
    home = home or Path(tempfile.mkdtemp(prefix="tyodata-bench-feedback-store-"))
    settings = Settings(home=home)
    if not settings.store_path.exists():
        # persons: about one in three has a marketplace profile
        generate(home / "extracts", persons=seekers * 3, jobs=postings, seed=seed,
                 esco_dir=settings.esco_dir)
        pseudonymize = Pseudonymizer(load_or_create_key(settings.key_path))
        building = OxigraphStore(settings.store_path)
        ingest(home / "extracts", building, pseudonymize=pseudonymize,
               key_fingerprint=pseudonymize.fingerprint(), esco_dir=settings.esco_dir,
               work_dir=home / "work", rejects_path=home / "rejects.csv", log=lambda m: None)
        building.close()
    store = OxigraphStore(settings.store_path, read_only=True)
    encoder, text = None, "none"
    try:
        from matchers.esco_text.concepts import ConceptEncoder

        encoder, text = ConceptEncoder(settings.esco_dir), "esco concept vectors"
    except Exception as error:  # the text encoder is optional here: say why it is missing
        text = f"none ({type(error).__name__})"
    index = MatchIndex.build_from_store(store, encoder=encoder)
    store.close()
    if not keep:
        shutil.rmtree(home)
    rows = np.arange(len(index.postings))
    iris = [p.posting for p in index.postings]
    out = []
    for i, seeker in enumerate(index.seekers[:seekers]):
        f = index.pair_features(np.full(len(rows), i), rows)
        out.append((seeker.profile, seeker.person, iris,
                    Pairs(f.credits, f.applies, f.deductions, f.text)))
    return out, {"home": str(home) if keep else None, "text_score": text,
                 "index_seekers": len(index.seekers), "index_postings": len(index.postings)}


def index_market(seekers: int, postings: int, seed: int) -> tuple[
        list[tuple[str, str, list[str], Pairs]], dict]:
    """Pair features from the matching index over ``bench/market.py``'s generated market
    (real ESCO occupations and skills; no texts, so no text score); expired postings are
    left out as the ranking leaves them out."""
    sys.path.insert(0, str(REPO / "bench"))
    from market import TODAY, esco_graph_from_csv, generate_market, regions_from_codelists

    from core.settings import Settings
    from matchers.index import MatchIndex
    from ontology.files import CODELISTS

    esco_dir = Settings().esco_dir
    regions = regions_from_codelists(CODELISTS)
    generated = generate_market(seekers, postings, seed=seed, esco_dir=esco_dir,
                                regions=regions)
    index = MatchIndex.build(generated.seekers, generated.postings,
                             esco_graph_from_csv(esco_dir), regions, today=TODAY)
    rows = np.array([i for i, p in enumerate(index.postings)
                     if p.valid_through is None or p.valid_through >= TODAY])
    iris = [index.postings[int(i)].posting for i in rows]
    out = []
    for i, seeker in enumerate(index.seekers):
        f = index.pair_features(np.full(len(rows), i), rows)
        # the market's person IRIs hold digits base32 has not: a valid pseudonym instead
        out.append((seeker.profile, pseudonym(i, seed), iris,
                    Pairs(f.credits, f.applies, f.deductions, f.text)))
    return out, {"text_score": "none (the market has no texts)",
                 "index_seekers": len(index.seekers), "index_postings": len(index.postings),
                 "expired_postings_left_out": len(index.postings) - len(rows)}


# -- simulation ------------------------------------------------------------------------


def ndcg(scores: np.ndarray, grades: np.ndarray, k: int = K) -> float | None:
    order = np.lexsort((np.arange(len(scores)), -scores))[:k]  # ties: the lower row first
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    dcg = float(((2.0 ** grades[order] - 1) * discount[:len(order)]).sum())
    ideal = np.sort(grades)[::-1][:k]
    idcg = float(((2.0 ** ideal - 1) * discount[:len(ideal)]).sum())
    return dcg / idcg if idcg > 0 else None


def show_and_thumb(seekers: list[Seeker], shown: dict[str, set[int]], model: LearnedRanking,
                   default: LearnedRanking, rng: random.Random, start: datetime
                   ) -> tuple[list[Feedback], dict[str, float]]:
    """One round: each seeker's top 10 of the unseen training half by ``model``, thumbed.

    Also the expected thumbs-up rate (from the hidden preferences, no sampling) of what was
    shown and of what the default weights would have shown instead in this round."""
    feedback, ups, expected, expected_default = [], 0, [], []
    actor = actor_string("bench-seeker", "citizen")
    for seeker in seekers:
        unseen = np.array([r for r in seeker.train if r not in shown[seeker.profile]])
        pairs = seeker.pairs.rows(unseen)
        combined = model.score(pairs, seeker.profile)
        structured = combined_scores(pairs, model.for_seeker(seeker.profile)[0], 1.0)
        top = np.lexsort((np.arange(len(unseen)), -combined))[:K]
        baseline = default.score(pairs)
        for i in np.lexsort((np.arange(len(unseen)), -baseline))[:K]:
            expected_default.append(like_probability(seeker.pref,
                                                     seeker.pairs.named(int(unseen[i]))))
        for rank, i in enumerate(top, start=1):
            row = int(unseen[i])
            shown[seeker.profile].add(row)
            credits = seeker.pairs.named(row)
            expected.append(like_probability(seeker.pref, credits))
            up = thumb(seeker.pref, credits, rng)
            ups += up
            feedback.append(Feedback(
                person=seeker.person, profile=seeker.profile, posting=seeker.postings[row],
                verdict="up" if up else "down",
                structured_score=round(float(structured[i]), 2),
                text_score=round(float(pairs.text[i]), 2), rank=rank, actor=actor,
                at=start + timedelta(seconds=len(feedback))))
    return feedback, {
        "thumbs_up_rate": round(ups / max(1, len(feedback)), 4),
        "expected_up_rate_shown": round(float(np.mean(expected)), 4),
        "expected_up_rate_if_default_had_shown": round(float(np.mean(expected_default)), 4)}


def features_of(feedback: list[Feedback], seekers: dict[str, Seeker]) -> Pairs:
    """The pairs' features in the order of ``feedback`` (what the index would answer)."""
    parts = []
    for f in feedback:
        seeker = seekers[f.profile]
        parts.append(seeker.pairs.rows(np.array([seeker.postings.index(f.posting)])))
    return Pairs.concat(parts)


def evaluate(seekers: list[Seeker], rankers: dict, seed: int) -> dict[str, dict]:
    rng = np.random.default_rng(seed)
    figures: dict[str, list[float]] = defaultdict(list)
    by_archetype: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    skipped = 0
    for seeker in seekers:
        pairs = seeker.pairs.rows(seeker.held_out)
        grades = np.array([relevance(seeker.pref, seeker.pairs.named(int(r)))
                           for r in seeker.held_out])
        if not grades.any():
            skipped += 1
            continue
        for name, rank in rankers.items():
            scores = rng.random(len(grades)) if rank is None else rank(seeker, pairs)
            value = ndcg(scores, grades)
            figures[name].append(value)
            by_archetype[seeker.pref.archetype][name].append(value)
    return {
        "ndcg_at_10": {name: round(float(np.mean(v)), 4) for name, v in figures.items()},
        "ndcg_at_10_by_archetype": {
            archetype: {name: round(float(np.mean(v)), 4) for name, v in values.items()}
            | {"seekers": len(next(iter(values.values())))}
            for archetype, values in sorted(by_archetype.items())},
        "seekers_evaluated": len(seekers) - skipped,
        "seekers_without_relevant_held_out_job": skipped,
    }


def rankers(learned: LearnedRanking, weights: Weights, share: float) -> dict:
    """The rankings compared, by name (None: random scores)."""
    return {
        "random": None,
        "default": lambda s, p: combined_scores(p, weights, share),
        "learned_global": lambda s, p: learned.score(p),
        "learned_per_seeker": lambda s, p: learned.score(p, s.profile),
    }


def run(args: argparse.Namespace) -> dict:
    source = args.source
    started = time.perf_counter()
    about: dict = {}
    if source == "store":
        market, about = store_market(args.seekers, args.postings, args.seed, args.home)
    elif source == "market":
        market, about = index_market(args.seekers, args.postings, args.seed)
    else:
        market = synthetic_market(args.seekers, args.postings, args.seed)
    features_s = time.perf_counter() - started
    prng, split_rng = random.Random(args.seed), np.random.default_rng(args.seed + 1)
    seekers = []
    for profile, person, postings, pairs in market:
        order = split_rng.permutation(len(postings))
        half = len(postings) // 2
        seekers.append(Seeker(profile, person, draw_preference(prng), postings, pairs,
                              np.sort(order[:half]), np.sort(order[half:])))
    by_profile = {s.profile: s for s in seekers}
    weights: Weights = load_weights()
    settings = LearningSettings(prior_strength=args.prior_strength,
                                seeker_prior_strength=args.seeker_prior_strength)
    model = default = LearnedRanking(weights, args.share)
    shown: dict[str, set[int]] = defaultdict(set)
    rounds, timings = [], defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="tyodata-bench-feedback-") as work:
        store = OxigraphStore(Path(work) / "store")
        start = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
        for number in range(1, args.rounds + 1):
            feedback, rates = show_and_thumb(seekers, shown, model, default, prng,
                                             start + timedelta(days=number))
            t = time.perf_counter()
            record_feedbacks(store, feedback)
            timings["record_s"] += time.perf_counter() - t
            t = time.perf_counter()
            stored = feedback_of(store)
            timings["read_s"] += time.perf_counter() - t
            t = time.perf_counter()
            model = learn_from_feedback(stored, features_of(stored, by_profile),
                                        weights=weights, structured_share=args.share,
                                        settings=settings)
            timings["learn_s"] += time.perf_counter() - t
            after = evaluate(seekers, rankers(model, weights, args.share), args.seed)
            rounds.append({"round": number, "thumbs": len(feedback), **rates,
                           "thumbs_stored": len(stored),
                           "seekers_with_own_weights": len(model.per_seeker),
                           "ndcg_at_10_after": after["ndcg_at_10"]})
        graphs = len(store.named_graphs())
        store.close()
    learned = model
    result = evaluate(seekers, rankers(learned, weights, args.share), args.seed)
    return {
        "benchmark": "matching_feedback", "source": source, **about,
        "seekers": len(seekers),
        "postings": len(market[0][2]) if market else 0, "rounds": args.rounds,
        "shown_per_round": K,
        "seed": args.seed, "structured_share_default": args.share,
        "prior_strength": settings.prior_strength,
        "seeker_prior_strength": settings.seeker_prior_strength,
        "min_seeker_feedback": settings.min_seeker_feedback,
        **result, "rounds_detail": rounds,
        "learned_weights": {k: round(v, 3) for k, v in learned.weights.as_dict().items()},
        "default_weights": weights.as_dict(),
        "learned_structured_share": learned.structured_share,
        "feedback_graphs": graphs - 1,  # the meta graph is the other one
        "timings_s": {"pair_features": round(features_s, 2),
                      **{k: round(v, 2) for k, v in timings.items()}},
    }


def print_table(result: dict) -> None:
    print(f"\nNDCG@{K} on held-out pairs ({result['seekers_evaluated']} seekers, "
          f"{result['postings']} postings, source {result['source']}, "
          f"{result['rounds']} rounds of {K} thumbs)")
    names = list(result["ndcg_at_10"])
    print(f"{'':22}" + "".join(f"{n:>20}" for n in names))
    print(f"{'all seekers':22}" + "".join(f"{result['ndcg_at_10'][n]:>20.4f}" for n in names))
    for archetype, values in result["ndcg_at_10_by_archetype"].items():
        label = f"{archetype} ({values['seekers']})"
        print(f"{label:22}" + "".join(f"{values[n]:>20.4f}" for n in names))
    for r in result["rounds_detail"]:
        print(f"round {r['round']}: {r['thumbs']} thumbs, {r['thumbs_up_rate']:.1%} up "
              f"(expected {r['expected_up_rate_shown']:.1%}; the default's list "
              f"{r['expected_up_rate_if_default_had_shown']:.1%}); "
              f"{r['seekers_with_own_weights']} seekers with own weights; NDCG@10 after: "
              + ", ".join(f"{k} {v:.4f}" for k, v in r["ndcg_at_10_after"].items()))
    print("learned weights:", result["learned_weights"],
          "share", result["learned_structured_share"])
    print("timings (s):", result["timings_s"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seekers", type=int, default=300)
    parser.add_argument("--postings", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--share", type=float, default=DEFAULT_SHARE,
                        help="the default ranking's structured share")
    parser.add_argument("--prior-strength", type=float,
                        default=LearningSettings.prior_strength)
    parser.add_argument("--seeker-prior-strength", type=float,
                        default=LearningSettings.seeker_prior_strength)
    parser.add_argument("--source", choices=("market", "store", "synthetic"),
                        default="market")
    parser.add_argument("--home", type=Path, default=None,
                        help="--source store: reuse (or build) the store under this home")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path,
                        default=REPO / "bench" / "results" / "matching_feedback.json")
    args = parser.parse_args()
    result = run(args)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
