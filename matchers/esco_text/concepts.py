"""ConceptEncoder: texts -> sparse ESCO concept vectors, the fast path of the text score.

Lexical only, so the matching index can encode 300,000 profile and 100,000 posting
texts: sparse products of the text's TF-IDF vector (character 3-5-grams and stemmed
words, side by side) with two concept matrices, whose column for a concept is the
normalised sum of its labels' vectors, one for Finnish and one for English labels (the
better of the two counts). Character n-grams found in more than
``CHAR_MAX_DF`` of the labels are left out: they say little and cost the most.
Occupations pass the evidence gate of gate.py (no evidence: scored down, trait words
dropped). Each text keeps its ``top_occupations`` and ``top_skills`` best concepts; a row
is L2-normalised, so the text score of a profile and a posting is the dot product of
their rows (a cosine). Identical texts are encoded once; an empty text is a zero row.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize as l2_normalize

from matchers.esco_text.gate import EvidenceGate, without_traits
from matchers.esco_text.labels import (
    KINDS,
    LABEL_ALT,
    LABEL_FREE_TEXT,
    LABEL_PREFERRED,
    load_labels,
)
from matchers.esco_text.matcher import LEXICAL_FUSION
from matchers.esco_text.normalize import detect_lang, normalize, stems

BATCH = 512
"""Distinct texts per sparse product: keeps the product's working set small."""
CHAR_MAX_DF = 0.005
MIN_WEIGHT = 0.04
"""Entries of a concept column (or of a text's vector) below this are dropped: they are
the frequent n-grams of long texts, which touch every concept and decide nothing, and
they make the sparse product as dense as the concept set."""
LABEL_WEIGHT = {LABEL_PREFERRED: 1.0, LABEL_ALT: 0.25, LABEL_FREE_TEXT: 0.5}
"""A concept's column sums its labels' vectors: many alternative labels would blur the
centroid of a concept that has them (the plain "social worker" has dozens), so they count
less than in the matcher, where a concept takes its best label."""
MIN_SCORE = 0.08
"""Concept scores below this are noise, not kept."""


def _identity(words: list[str]) -> list[str]:
    return words


class ConceptEncoder:
    """Columns are ``concepts``: all ESCO occupations, then all skills (their IRIs)."""

    def __init__(self, esco_dir: Path, *, top_occupations: int = 5, top_skills: int = 20
                 ) -> None:
        parts = [load_labels(esco_dir, kind) for kind in KINDS]
        self.top = {"occupation": top_occupations, "skill": top_skills}
        self.occupations = len(parts[0])
        self.concepts: tuple[str, ...] = tuple(uri for part in parts for uri in part.uris)
        self.gate = EvidenceGate(parts[0])
        fusion = LEXICAL_FUSION["occupation"]
        self.char_weight = fusion.char / (fusion.char + fusion.word)
        self.no_evidence_factor = fusion.no_evidence_factor
        texts, langs, concept, weight = [], [], [], []
        for offset, part in zip((0, self.occupations), parts, strict=True):
            texts += [normalize(t) for t in part.label_text]
            langs += part.label_lang
            concept += [offset + c for c in part.label_concept]
            weight += [LABEL_WEIGHT[t] for t in part.label_type]
        self.char_vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                               sublinear_tf=True, dtype=np.float32,
                                               max_df=CHAR_MAX_DF)
        self.word_vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True,
                                               dtype=np.float32)
        char = self.char_vectorizer.fit_transform(texts)
        word = self.word_vectorizer.fit_transform(
            [stems(t, lang) for t, lang in zip(texts, langs, strict=True)])
        self.idf = self.char_vectorizer.idf_.astype(np.float32)
        self._analyze = self.char_vectorizer.build_analyzer()
        self._word_cache: dict[str, np.ndarray] = {}
        # One column set per label language, the better one counts: a Finnish text is not
        # compared with a blend of a concept's Finnish and English labels.
        self.matrices = []
        for lang in ("fi", "en"):
            mask = np.array([label_lang == lang for label_lang in langs], dtype=np.float32)
            to_concept = sparse.csr_matrix(
                (np.asarray(weight, dtype=np.float32) * mask, (concept, np.arange(len(texts)))),
                shape=(len(self.concepts), len(texts)))
            # features x concepts; each half normalised per concept, so each is a cosine
            matrix = sparse.vstack([
                l2_normalize(to_concept @ char).T * self.char_weight,
                l2_normalize(to_concept @ word).T * (1 - self.char_weight),
            ]).tocsr().astype(np.float32)
            matrix.data[matrix.data < MIN_WEIGHT * self.char_weight] = 0
            matrix.eliminate_zeros()
            self.matrices.append(matrix)

    def _char_vectors(self, texts: list[str]) -> sparse.csr_matrix:
        """What ``char_vectorizer.transform`` gives, L2-normalised, but with each word's
        n-grams looked up once per encoder (char_wb n-grams never cross words), which makes
        long texts with repeated vocabulary several times faster."""
        indptr, indices, data = [0], [], []
        for text in texts:
            features = [self._word_features(word) for word in text.split()]
            if features:
                found, counts = np.unique(np.concatenate(features), return_counts=True)
                indices.append(found)
                data.append((1 + np.log(counts)) * self.idf[found])  # sublinear tf x idf
            indptr.append(indptr[-1] + (len(found) if features else 0))
        matrix = sparse.csr_matrix(
            (np.concatenate(data) if data else np.zeros(0, np.float32),
             np.concatenate(indices) if indices else np.zeros(0, np.int64), indptr),
            shape=(len(texts), len(self.idf)), dtype=np.float32)
        return l2_normalize(matrix)

    def _word_features(self, word: str) -> np.ndarray:
        found = self._word_cache.get(word)
        if found is None:
            vocabulary = self.char_vectorizer.vocabulary_
            found = np.fromiter((vocabulary[g] for g in self._analyze(word) if g in vocabulary),
                                dtype=np.int64)
            if len(self._word_cache) < 500_000:
                self._word_cache[word] = found
        return found

    def _query(self, texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Query vectors and, per text, the occupations it has evidence for."""
        langs = [detect_lang(t) for t in texts]
        evidence = np.zeros((len(texts), self.occupations), dtype=bool)
        scoring = []
        for i, (text, lang) in enumerate(zip(texts, langs, strict=True)):
            evidence[i] = self.gate.evidence(text, lang)
            scoring.append(normalize(text if evidence[i].any() else without_traits(text, lang)))
        char = self._char_vectors(scoring)
        word = self.word_vectorizer.transform(
            [stems(t, lang) for t, lang in zip(scoring, langs, strict=True)])
        for i in range(len(texts)):
            if not stems(scoring[i], langs[i]):  # nothing but stop or trait words
                char.data[char.indptr[i]:char.indptr[i + 1]] = 0
        query = sparse.hstack([char, word]).tocsr()
        query.data[query.data < MIN_WEIGHT] = 0
        query.eliminate_zeros()
        return query, evidence

    def encode(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """(len(texts), len(concepts)) float32, rows L2-normalised; empty text: zero row."""
        unique: dict[str, int] = {}
        row_of = np.fromiter((unique.setdefault(t, len(unique)) for t in texts),
                             dtype=np.int64, count=len(texts))
        distinct = list(unique)
        if not distinct:
            return sparse.csr_matrix((0, len(self.concepts)), dtype=np.float32)
        parts = [self._encode_distinct(distinct[start:start + BATCH])
                 for start in range(0, len(distinct), BATCH)]
        return sparse.vstack(parts).tocsr()[row_of]

    def _encode_distinct(self, distinct: list[str]) -> sparse.csr_matrix:
        query, evidence = self._query(distinct)
        scores = (query @ self.matrices[0]).maximum(query @ self.matrices[1]).tocsr()
        rows, cols, vals = [], [], []
        for i in range(len(distinct)):
            lo, hi = scores.indptr[i], scores.indptr[i + 1]
            col, val = scores.indices[lo:hi], scores.data[lo:hi].copy()
            occupation = col < self.occupations
            val[occupation & ~evidence[i, np.minimum(col, self.occupations - 1)]] *= \
                self.no_evidence_factor
            for mask, k in ((occupation, self.top["occupation"]), (~occupation,
                                                                    self.top["skill"])):
                c, v = col[mask & (val >= MIN_SCORE)], val[mask & (val >= MIN_SCORE)]
                if len(v) > k:
                    best = np.argpartition(-v, k - 1)[:k]
                    c, v = c[best], v[best]
                rows.append(np.full(len(c), i))
                cols.append(c)
                vals.append(v)
        matrix = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(distinct), len(self.concepts)), dtype=np.float32)
        return l2_normalize(matrix)
