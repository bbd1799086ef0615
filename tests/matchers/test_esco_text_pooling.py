"""How an occupation's label cosines pool into its embedding score: alternative labels
count ``alt_penalty`` less than preferred ones, and log-sum-exp lifts a concept several
of whose labels are close, by at most ``temperature * log(labels)``."""

from __future__ import annotations

import numpy as np
import pytest

from matchers.esco_text.embeddings import POOLING, EmbeddingIndex, embed_texts
from matchers.esco_text.labels import LABEL_ALT, load_labels
from tests.matchers.test_esco_text_embeddings import _slice

CONCEPTS = 12


@pytest.fixture(scope="module")
def index(esco_dir, tmp_path_factory) -> EmbeddingIndex:
    small = _slice(load_labels(esco_dir, "occupation"), CONCEPTS)
    return EmbeddingIndex(small, tmp_path_factory.mktemp("pooling"), progress=False)


def test_pooled_score_lies_between_best_label_and_its_log_sum_exp_bound(index):
    penalty, temperature = POOLING["occupation"]
    assert penalty > 0 and temperature > 0
    queries = embed_texts(["software developer", "myyjä", "nurse"])
    sims = queries @ np.asarray(index.vectors).T
    alt = np.array([index.labels.label_type[r] == LABEL_ALT for r in index.rows])
    best = np.maximum.reduceat(sims - penalty * alt, index.starts, axis=1)
    pooled = index.scores(queries)
    assert np.all(pooled >= best - 1e-5)
    assert np.all(pooled <= best + temperature * np.log(index.sizes) + 1e-5)
    # a concept with several labels is lifted above its best label somewhere
    assert (pooled - best).max() > temperature * 0.1


def test_an_alternative_label_counts_less_than_the_preferred_one(index):
    penalty, _ = POOLING["occupation"]
    rows = [i for i, r in enumerate(index.rows) if index.labels.label_type[r] == LABEL_ALT]
    row = rows[0]
    concept = index.concept[row]
    text = index.labels.label_text[index.rows[row]]
    query = np.asarray(index.vectors[row:row + 1])  # the alternative label's own vector
    pooled = index.scores(query)[0, concept]
    # its own label's cosine is 1, less the penalty; other labels of the concept add little
    assert pooled < 1 - penalty / 2, text
    assert pooled > 1 - penalty - 1e-5


def test_skills_keep_the_plain_best_label(esco_dir):
    assert POOLING["skill"] == (0.0, 0.0)
