"""Shared fixtures: real ESCO from the configured folder, small generated extracts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tyodata.settings import Settings


@pytest.fixture(scope="session")
def esco_dir() -> Path:
    path = Settings().esco_dir
    if not (path / "en" / "occupations_en.csv").is_file():
        pytest.fail(f"ESCO not found at {path}: set TYODATA_ESCO_DIR to the ESCO CSV folder")
    return path


@pytest.fixture(autouse=True)
def _no_user_state(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    # Tests never touch the developer's own store or key.
    if "TYODATA_HOME" not in os.environ:
        monkeypatch.setenv("TYODATA_HOME", str(tmp_path_factory.getbasetemp() / "home"))
