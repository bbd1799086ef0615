"""`tyodata match index`: builds the index of the store's current postings and profiles
into $TYODATA_HOME/matching, loads it (no rebuild) when the graphs have not changed, and
`--rebuild` builds anew; `tyodata match weights` prints the weights in force."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from matchers.criteria import CRITERIA, DEDUCTIONS
from matchers.index import MatchIndex
from tests.conftest import Loaded
from tyodata.cli import app

runner = CliRunner()


def test_index_is_built_once_then_loaded(loaded: Loaded, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(loaded.store_path, store)
    env = {"TYODATA_HOME": str(tmp_path / "home"), "COLUMNS": "200"}
    first = runner.invoke(app, ["match", "index", "--store", str(store)], env=env)
    assert first.exit_code == 0, first.output
    assert "building the matching index" in first.output
    index = MatchIndex.load(tmp_path / "home" / "matching")
    assert index.seekers and index.postings
    assert f"{len(index.seekers)} seekers, {len(index.postings)} postings" in first.output
    again = runner.invoke(app, ["match", "index", "--store", str(store)], env=env)
    assert again.exit_code == 0 and "loaded from" in again.output
    assert "building" not in again.output
    rebuilt = runner.invoke(app, ["match", "index", "--store", str(store), "--rebuild"],
                            env=env)
    assert rebuilt.exit_code == 0 and "building the matching index" in rebuilt.output


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["match", "index", "--store", str(tmp_path / "none")],
                           env={"TYODATA_HOME": str(tmp_path / "home"), "COLUMNS": "200"})
    assert result.exit_code != 0
    assert "no store at" in result.output


def test_weights_are_printed_as_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["match", "weights"],
                           env={"TYODATA_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output
    weights = json.loads(result.output)
    assert set(weights["criteria"]) == set(CRITERIA)
    assert set(weights["deductions"]) == set(DEDUCTIONS)
    assert 0 <= weights["structured_share"] <= 1
