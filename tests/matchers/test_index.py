"""The index built from the real store: saved, loaded, refreshed only after an ingest."""

from __future__ import annotations

import numpy as np
import pytest

from graph_service.store.registry import source_iri
from matchers.criteria import load_weights
from matchers.index import MatchIndex, ensure_fresh
from matchers.ranking import rank_candidates, rank_jobs
from matchers.source import GraphSources


@pytest.fixture(scope="module")
def store(loaded):
    opened = loaded.open()
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def index(store) -> MatchIndex:
    return MatchIndex.build_from_store(store)


def test_built_from_the_store_ranks_both_ways(index: MatchIndex) -> None:
    assert index.manifest["seekers"] == len(index.seekers) > 50
    assert index.manifest["postings"] == len(index.postings) > 40
    weights = load_weights()
    jobs = rank_jobs(index, 0, k=10, filters=None)
    assert jobs and all(0 <= r.structured <= 100 for r in jobs)
    candidates = rank_candidates(index, 0, k=10)
    assert len(candidates) == 10
    # exact: the ranked scores are the pair scores of criteria.py
    pair = index.pair_features([r.row for r in candidates], [0] * len(candidates))
    assert np.allclose(pair.structured(weights), [r.structured for r in candidates], atol=0.01)


def test_today_is_the_day_of_the_marketplace_extract(store, index: MatchIndex) -> None:
    from matchers.source import extract_date

    day = extract_date(store)
    assert day is not None and index.manifest["today"] == day.isoformat()
    open_rows = [r.row for r in rank_jobs(index, 0, k=100)]
    assert open_rows and all(index.postings[r].valid_through is None
                             or index.postings[r].valid_through >= day for r in open_rows)
    assert any(p.valid_through and p.valid_through < day for p in index.postings)


def test_save_load_round_trip(index: MatchIndex, tmp_path) -> None:
    index.save(tmp_path)
    again = MatchIndex.load(tmp_path)
    assert again.manifest == index.manifest
    assert again.seekers == index.seekers and again.postings == index.postings
    assert again.columns == index.columns and again.regions == index.regions
    weights = load_weights()
    for row in (0, 5, 17):
        assert np.array_equal(again.job_scores(row, weights), index.job_scores(row, weights))


def test_ensure_fresh_rebuilds_only_when_the_graphs_changed(store, index, tmp_path,
                                                            monkeypatch) -> None:
    built = ensure_fresh(store, tmp_path)
    assert (tmp_path / "manifest.json").is_file()
    assert ensure_fresh(store, tmp_path, current=built) is built
    loaded_again = ensure_fresh(store, tmp_path)
    assert loaded_again.manifest["built_at"] == built.manifest["built_at"]
    # an ingest makes another marketplace graph current: the fingerprint changes
    import matchers.index as module
    real = module.current_sources

    def after_ingest(s):
        graphs = dict(real(s).graphs)
        graphs["tyomarkkinatori"] += "-next"
        return GraphSources(graphs)

    monkeypatch.setattr(module, "current_sources", after_ingest)
    assert source_iri("tyomarkkinatori")
    assert ensure_fresh(store, tmp_path, current=built) is not built
