"""Lexical similarity of texts to ESCO labels: TF-IDF over character 3-5-grams (robust to
typos, inflection and compounds) and over Snowball-stemmed words (exact word evidence).

Both are cosine similarities of sublinear TF-IDF vectors; a concept's score is the best
score of its labels, an alternative label counting a little less than the preferred one
and the Finnish free-text alternative labels less again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from matchers.esco_text.labels import LABEL_ALT, LABEL_FREE_TEXT, ConceptLabels, Lang
from matchers.esco_text.normalize import normalize, stems

LABEL_TYPE_WEIGHT = {0: 1.0, LABEL_ALT: 0.95, LABEL_FREE_TEXT: 0.7}
"""How much a label of each type (preferred, alternative, Finnish free text) counts."""


def _identity(words: list[str]) -> list[str]:
    return words


@dataclass
class LexicalScores:
    """Per query row and concept column: dense float32 (n_texts, n_concepts)."""

    char: np.ndarray
    word: np.ndarray


class LexicalIndex:
    """TF-IDF matrices of one kind's labels, char n-grams and stemmed words."""

    def __init__(self, labels: ConceptLabels, *, max_df: float = 1.0) -> None:
        self.labels = labels
        concept = np.asarray(labels.label_concept, dtype=np.int64)
        # Label rows grouped by concept, so a concept's best label is one reduceat.
        self.order = np.argsort(concept, kind="stable")
        self.starts = np.flatnonzero(np.r_[True, np.diff(concept[self.order]) != 0])
        self.weight = np.asarray([LABEL_TYPE_WEIGHT[labels.label_type[i]] for i in self.order],
                                 dtype=np.float32)
        texts = [normalize(labels.label_text[i]) for i in self.order]
        langs = [labels.label_lang[i] for i in self.order]
        self.char_vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
                                               sublinear_tf=True, dtype=np.float32,
                                               max_df=max_df)
        self.char_matrix = self.char_vectorizer.fit_transform(texts).T.tocsr()
        self.word_vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True,
                                               dtype=np.float32)
        label_stems = [stems(t, lang) for t, lang in zip(texts, langs, strict=True)]
        self.word_matrix = self.word_vectorizer.fit_transform(label_stems).T.tocsr()

    def _by_concept(self, label_scores: sparse.csr_matrix) -> np.ndarray:
        """Best weighted label score per concept, dense (n_texts, n_concepts)."""
        dense = label_scores.toarray()
        dense *= self.weight
        return np.maximum.reduceat(dense, self.starts, axis=1)

    def query_vectors(self, texts: Sequence[str], langs: Sequence[Lang]
                      ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        normal = [normalize(t) for t in texts]
        char = self.char_vectorizer.transform(normal)
        word = self.word_vectorizer.transform(
            [stems(t, lang) for t, lang in zip(normal, langs, strict=True)])
        return char, word

    def label_scores(self, texts: Sequence[str], langs: Sequence[Lang]
                     ) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        char, word = self.query_vectors(texts, langs)
        return (char @ self.char_matrix).tocsr(), (word @ self.word_matrix).tocsr()

    def scores(self, texts: Sequence[str], langs: Sequence[Lang]) -> LexicalScores:
        char, word = self.label_scores(texts, langs)
        return LexicalScores(self._by_concept(char), self._by_concept(word))
