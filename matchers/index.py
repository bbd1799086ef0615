"""MatchIndex: every seeker and posting as sparse vectors, ready for ranking both ways.

Built from SeekerRecord and PostingRecord lists (``build``) or straight from a store
(``build_from_store``: SPARQL over the current graphs). The structured score of every
posting for one seeker is one sparse product over the seeker's non-zero columns (and
back), exact; weights are applied at query time (``scaled_postings``), so expert
settings re-rank without a rebuild. The text score is 100 * the cosine of the two
texts' ESCO concept vectors from an optional encoder (``encoder.encode(texts)`` -> csr
with L2-normalised rows).

The index saves itself as ``index.npz`` + ``records.json.gz`` + ``manifest.json`` (ESCO
version, weights version, source fingerprint, build time, counts) under a directory, and
``ensure_fresh`` rebuilds it only when an ingest made other postings or profiles graphs
current (the graph IRIs carry their content hash: a cheap fingerprint).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
import time
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

import numpy as np
from scipy import sparse

from core.errors import TyodataError
from graph_service.store.base import GraphStore
from matchers.criteria import CRITERIA, Weights, load_weights, structured_scores
from matchers.esco_graph import EscoGraph, esco_graph
from matchers.records import Experience, PostingRecord, SeekerRecord
from matchers.source import current_sources, extract_date, read_postings, read_regions, read_seekers
from matchers.vectors import BLOCKS, Features, posting_applies, posting_features, seeker_features

FORMAT = 1
MANIFEST = "manifest.json"


class IndexError_(TyodataError):
    """A saved matching index that cannot be read (missing, other format)."""


class TextEncoder(Protocol):
    def encode(self, texts: Sequence[str]) -> sparse.csr_matrix: ...


@dataclass
class PairFeatures:
    """Criterion credits, which criteria apply, deductions and text scores of n pairs."""

    credits: np.ndarray  # (n, len(CRITERIA))
    applies: np.ndarray  # (n, len(CRITERIA))
    deductions: np.ndarray  # (n, len(DEDUCTIONS))
    text: np.ndarray  # (n,) 0-100

    def structured(self, weights: Weights) -> np.ndarray:
        return structured_scores(self.credits, self.applies, self.deductions, weights)


def weights_version(weights: Weights) -> str:
    text = json.dumps(weights.as_dict(), sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _matrix(rows: Iterable[Features], columns: dict[tuple, int], *, grow: bool
            ) -> tuple[np.ndarray, ...]:
    """CSR arrays of the rows (streamed, compact); ``grow``: add new keys to ``columns``,
    else leave out the keys it lacks (seeker features no posting asks for never score)."""
    indptr, indices, data = array("q", [0]), array("i"), array("f")
    for features in rows:
        for key, value in features.items():
            col = columns.get(key)
            if col is None:
                if not grow:
                    continue
                col = columns[key] = len(columns)
            indices.append(col)
            data.append(value)
        indptr.append(len(indices))
    return (np.frombuffer(data, np.float32), np.frombuffer(indices, np.int32),
            np.frombuffer(indptr, np.int64))


def _widen(arrays: tuple[np.ndarray, ...], width: int) -> sparse.csr_matrix:
    return sparse.csr_matrix(arrays, shape=(len(arrays[2]) - 1, width))


@dataclass
class MatchIndex:
    seekers: list[SeekerRecord]
    postings: list[PostingRecord]
    seeker_matrix: sparse.csr_matrix  # (n_seekers, F)
    posting_matrix: sparse.csr_matrix  # (n_postings, F)
    column_block: np.ndarray  # (F,) index into vectors.BLOCKS
    applies: np.ndarray  # (n_postings, len(CRITERIA))
    seeker_text: sparse.csr_matrix | None = None  # (n_seekers, concepts), rows L2-normalised
    posting_text: sparse.csr_matrix | None = None
    manifest: dict = field(default_factory=dict)
    columns: dict[tuple, int] = field(default_factory=dict)  # feature key -> column
    regions: dict[str, str] = field(default_factory=dict)  # municipality -> region code
    _scaled: dict = field(default_factory=dict, repr=False)
    _attributes: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- building ----------------------------------------------------------------------

    @classmethod
    def build(cls, seekers: Sequence[SeekerRecord], postings: Sequence[PostingRecord],
              esco: EscoGraph, regions: dict[str, str] | None = None, *,
              encoder: TextEncoder | None = None, today: date | None = None,
              weights: Weights | None = None, fingerprint: str = "") -> MatchIndex:
        started = time.perf_counter()
        regions = regions or {}
        today = today or date.today()
        columns: dict[tuple, int] = {}
        p_matrix = _matrix((posting_features(p, esco, regions) for p in postings), columns,
                           grow=True)
        s_matrix = _matrix((seeker_features(s, esco, regions, today) for s in seekers), columns,
                           grow=False)
        width = len(columns)
        block = np.zeros(width, np.int16)
        for key, col in columns.items():
            block[col] = key[0]
        applies = (np.array([posting_applies(p) for p in postings]) if postings
                   else np.zeros((0, len(CRITERIA))))
        seeker_text = posting_text = None
        if encoder is not None:
            seeker_text = encoder.encode([s.description for s in seekers]).tocsr()
            posting_text = encoder.encode(
                [f"{p.title}\n{p.description}" for p in postings]).tocsr()
        manifest = {
            "format": FORMAT, "esco_version": esco.version, "source_fingerprint": fingerprint,
            "weights_version": weights_version(weights or load_weights()),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "today": today.isoformat(), "seekers": len(seekers), "postings": len(postings),
            "features": width, "text": encoder is not None,
            "build_seconds": round(time.perf_counter() - started, 3),
        }
        return cls(list(seekers), list(postings), _widen(s_matrix, width),
                   _widen(p_matrix, width), block, applies, seeker_text, posting_text, manifest,
                   columns, dict(regions))

    @classmethod
    def build_from_store(cls, store: GraphStore, *, encoder: TextEncoder | None = None,
                         today: date | None = None) -> MatchIndex:
        """Read the current graphs (SPARQL, embedded or remote) and build. ``today``
        defaults to the day the marketplace extract was taken (else the clock's)."""
        sources = current_sources(store)
        today = today or extract_date(store, sources) or date.today()
        return cls.build(read_seekers(store, sources), read_postings(store, sources),
                         esco_graph(store), read_regions(store, sources), encoder=encoder,
                         today=today, fingerprint=sources.fingerprint())

    # -- scoring -----------------------------------------------------------------------

    @property
    def today(self) -> date:
        return date.fromisoformat(self.manifest.get("today") or date.today().isoformat())

    def scaled(self, weights: Weights) -> tuple[sparse.csc_matrix, sparse.csr_matrix]:
        """Posting vectors times 100 * weight / the posting's denominator: a seeker row's
        dot product with a row is the raw structured score (before clipping). Both CSC
        (jobs for a seeker) and CSR (candidates for a posting); cached per weights."""
        key = weights_version(weights)
        with self._lock:
            if key not in self._scaled:
                column_weight = np.concatenate(
                    [weights.criterion_vector, -weights.deduction_vector])[self.column_block]
                denominator = self.applies @ weights.criterion_vector
                row_scale = np.where(denominator > 0, 100.0 / np.maximum(denominator, 1e-12),
                                     0.0)
                m = sparse.diags(row_scale.astype(np.float32)) @ self.posting_matrix
                m = (m @ sparse.diags(column_weight.astype(np.float32))).tocsr()
                if len(self._scaled) > 8:
                    self._scaled.clear()
                self._scaled[key] = (m.tocsc(), m)
            return self._scaled[key]

    @property
    def seeker_csc(self) -> sparse.csc_matrix:
        with self._lock:
            if "seeker_csc" not in self._attributes:
                self._attributes["seeker_csc"] = self.seeker_matrix.tocsc()
            return self._attributes["seeker_csc"]

    def job_scores(self, seeker_row: int, weights: Weights,
                   seeker_vector: sparse.csr_matrix | None = None) -> np.ndarray:
        """Structured scores (0-100) of every posting for one seeker (or a given vector)."""
        by_column, _ = self.scaled(weights)
        row = self.seeker_matrix[seeker_row] if seeker_vector is None else seeker_vector
        raw = by_column[:, row.indices] @ row.data
        return np.clip(raw, 0.0, 100.0)

    def candidate_scores(self, posting_row: int, weights: Weights) -> np.ndarray:
        """Structured scores (0-100) of every seeker for one posting."""
        _, by_row = self.scaled(weights)
        row = by_row[posting_row]
        raw = self.seeker_csc[:, row.indices] @ row.data
        return np.clip(raw, 0.0, 100.0)

    def text_scores_for_seeker(self, seeker_row: int) -> np.ndarray:
        if self.seeker_text is None or self.posting_text is None:
            return np.zeros(len(self.postings))
        vector = self.seeker_text[seeker_row]
        return 100.0 * np.clip((self.posting_text @ vector.T).toarray().ravel(), 0.0, 1.0)

    def text_scores_for_posting(self, posting_row: int) -> np.ndarray:
        if self.seeker_text is None or self.posting_text is None:
            return np.zeros(len(self.seekers))
        vector = self.posting_text[posting_row]
        return 100.0 * np.clip((self.seeker_text @ vector.T).toarray().ravel(), 0.0, 1.0)

    def pair_features(self, seeker_rows: Sequence[int] | np.ndarray,
                      posting_rows: Sequence[int] | np.ndarray) -> PairFeatures:
        """Per-criterion credits, applies, deductions and text scores of n pairs
        (seeker_rows[i], posting_rows[i]), with criteria.py's semantics."""
        s_rows, p_rows = np.asarray(seeker_rows, int), np.asarray(posting_rows, int)
        products = self.seeker_matrix[s_rows].multiply(self.posting_matrix[p_rows]).tocsr()
        blocks = sparse.csr_matrix(
            (np.ones(len(self.column_block)), (np.arange(len(self.column_block)),
                                                self.column_block)),
            shape=(len(self.column_block), len(BLOCKS)))
        per_block = np.asarray((products @ blocks).todense(), dtype=float)
        per_block = np.clip(per_block, 0.0, 1.0)  # float32 sums: keep shares in [0, 1]
        c = len(CRITERIA)
        if self.seeker_text is not None and self.posting_text is not None:
            cosine = np.asarray(self.seeker_text[s_rows].multiply(
                self.posting_text[p_rows]).sum(axis=1)).ravel()
            text = 100.0 * np.clip(cosine, 0.0, 1.0)
        else:
            text = np.zeros(len(s_rows))
        return PairFeatures(per_block[:, :c], self.applies[p_rows], per_block[:, c:], text)

    # -- look-ups ----------------------------------------------------------------------

    def attribute(self, name: str, compute):
        """A per-index array the filters need (computed once: filters stay vectorised)."""
        with self._lock:
            if name not in self._attributes:
                self._attributes[name] = compute()
            return self._attributes[name]

    def seeker_row(self, profile_or_person: str) -> int:
        return self._rows("seeker")[profile_or_person]

    def posting_row(self, posting_or_identifier: str) -> int:
        return self._rows("posting")[posting_or_identifier]

    def _rows(self, kind: str) -> dict[str, int]:
        key = f"rows:{kind}"
        with self._lock:
            if key not in self._attributes:
                rows: dict[str, int] = {}
                if kind == "seeker":
                    for i, s in enumerate(self.seekers):
                        rows[s.profile] = i
                        rows.setdefault(s.person, i)
                else:
                    for i, p in enumerate(self.postings):
                        rows[p.posting] = i
                        rows.setdefault(p.identifier, i)
                self._attributes[key] = rows
            return self._attributes[key]

    # -- persistence -------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index under ``directory`` (a new manifest last: readers see either
        the old index or the whole new one)."""
        directory.mkdir(parents=True, exist_ok=True)
        arrays = {"column_block": self.column_block, "applies": self.applies}
        for name in ("seeker_matrix", "posting_matrix", "seeker_text", "posting_text"):
            m = getattr(self, name)
            if m is not None:
                arrays |= {f"{name}.data": m.data, f"{name}.indices": m.indices,
                           f"{name}.indptr": m.indptr, f"{name}.shape": np.array(m.shape)}
        tmp = directory / "index.npz.tmp"
        with tmp.open("wb") as handle:
            np.savez(handle, **arrays)
        tmp.replace(directory / "index.npz")
        records = {"seekers": [_plain(s) for s in self.seekers],
                   "postings": [_plain(p) for p in self.postings],
                   "columns": [list(k) for k in sorted(self.columns, key=self.columns.get)],
                   "regions": self.regions}
        with gzip.open(directory / "records.json.gz.tmp", "wt", encoding="utf-8",
                       compresslevel=1) as handle:
            json.dump(records, handle)
        (directory / "records.json.gz.tmp").replace(directory / "records.json.gz")
        (directory / (MANIFEST + ".tmp")).write_text(json.dumps(self.manifest, indent=2))
        (directory / (MANIFEST + ".tmp")).replace(directory / MANIFEST)

    @classmethod
    def load(cls, directory: Path) -> MatchIndex:
        try:
            manifest = json.loads((directory / MANIFEST).read_text())
            arrays = np.load(directory / "index.npz")
            with gzip.open(directory / "records.json.gz", "rt", encoding="utf-8") as handle:
                records = json.load(handle)
        except (OSError, ValueError) as exc:
            raise IndexError_(f"no readable matching index in {directory}: {exc}") from exc
        if manifest.get("format") != FORMAT:
            raise IndexError_(f"the matching index in {directory} has another format; rebuild")

        def matrix(name: str) -> sparse.csr_matrix | None:
            if f"{name}.data" not in arrays:
                return None
            return sparse.csr_matrix(
                (arrays[f"{name}.data"], arrays[f"{name}.indices"], arrays[f"{name}.indptr"]),
                shape=tuple(arrays[f"{name}.shape"]))

        return cls([_seeker(r) for r in records["seekers"]],
                   [_posting(r) for r in records["postings"]], matrix("seeker_matrix"),
                   matrix("posting_matrix"), arrays["column_block"], arrays["applies"],
                   matrix("seeker_text"), matrix("posting_text"), manifest,
                   {tuple(k): i for i, k in enumerate(records["columns"])}, records["regions"])


def _plain(record: SeekerRecord | PostingRecord) -> dict:
    data = asdict(record)
    return json.loads(json.dumps(data, default=lambda v: v.isoformat()))


def _d(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


def _seeker(r: dict) -> SeekerRecord:
    r = dict(r)
    r["experience"] = tuple(Experience(e["occupation"], _d(e["start"]), _d(e["end"]))
                            for e in r["experience"])
    for name in ("desired_occupations", "skills", "licences", "search_areas"):
        r[name] = tuple(r[name])
    r["updated"], r["seeking_since"] = _d(r["updated"]), _d(r["seeking_since"])
    return SeekerRecord(**r)


def _posting(r: dict) -> PostingRecord:
    r = dict(r)
    for name in ("essential_skills", "optional_skills", "licences"):
        r[name] = tuple(r[name])
    r["posted"], r["valid_through"] = _d(r["posted"]), _d(r["valid_through"])
    return PostingRecord(**r)


def saved_fingerprint(directory: Path) -> str | None:
    try:
        return json.loads((directory / MANIFEST).read_text()).get("source_fingerprint")
    except (OSError, ValueError):
        return None


def ensure_fresh(store: GraphStore, directory: Path, *, current: MatchIndex | None = None,
                 encoder: TextEncoder | None = None) -> MatchIndex:
    """The index of the store's current graphs: ``current`` or the saved one while their
    source fingerprint still matches, else rebuilt (and saved)."""
    fingerprint = current_sources(store).fingerprint()
    if current is not None and current.manifest.get("source_fingerprint") == fingerprint:
        return current
    if saved_fingerprint(directory) == fingerprint:
        try:
            return MatchIndex.load(directory)
        except IndexError_:
            pass
    index = MatchIndex.build_from_store(store, encoder=encoder)
    index.save(directory)
    return index
