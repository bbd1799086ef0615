"""Small generated extracts shared by the generator's tests (a second or so each)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from synthetic import GenerationResult, generate

REPO = Path(__file__).resolve().parents[2]
PERSONS, JOBS, SEED = 300, 50, 7


@pytest.fixture(scope="session")
def esco_dir() -> Path:
    path = Path(os.environ.get("TYODATA_ESCO_DIR") or REPO / ".." / "shared" / "esco").resolve()
    if not (path / "en" / "occupations_en.csv").is_file():
        pytest.fail(f"ESCO not found at {path}: set TYODATA_ESCO_DIR to the ESCO CSV folder")
    return path


@dataclass
class Extract:
    dir: Path
    result: GenerationResult

    def csv_rows(self, source: str, name: str) -> list[dict[str, str]]:
        # errors="replace": dirty extracts hold rows in the wrong encoding on purpose
        with (self.dir / source / name).open(encoding="utf-8", errors="replace", newline="") as fh:
            return list(csv.DictReader(fh, delimiter=";"))


@pytest.fixture(scope="session")
def clean(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> Extract:
    out = tmp_path_factory.mktemp("clean")
    return Extract(out, generate(out, persons=PERSONS, jobs=JOBS, seed=SEED, esco_dir=esco_dir))


@pytest.fixture(scope="session")
def dirty(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> Extract:
    out = tmp_path_factory.mktemp("dirty")
    return Extract(
        out, generate(out, persons=PERSONS, jobs=JOBS, seed=SEED, esco_dir=esco_dir, dirty_rate=0.1)
    )
