"""--dirty: exactly the faults faults.json records, one per faulty row, none elsewhere."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from .conftest import Extract
from .rules import all_files, read_file

KINDS = {
    "bad_hetu_checksum",
    "unknown_code",
    "end_before_start",
    "missing_required",
    "duplicate_row",
    "malformed_row",
    "wrong_encoding",
}


@pytest.mark.parametrize(("source_id", "name"), all_files())
def test_detected_faults_match_the_fault_log(
    dirty: Extract, esco_dir: Path, source_id: str, name: str
):
    log = json.loads((dirty.dir / "faults.json").read_text())
    expected = log[source_id][name]
    rows = read_file(dirty.dir, source_id, name, esco_dir)
    assert all(len(r.problems) <= 1 for r in rows), [
        r.problems for r in rows if len(r.problems) > 1
    ][:3]
    found = Counter(p for r in rows for p in r.problems)
    assert dict(found) == expected
    assert set(found) <= KINDS
    assert dirty.result.faults[source_id][name] == expected


def test_rate_and_kinds(dirty: Extract, clean: Extract):
    log = json.loads((dirty.dir / "faults.json").read_text())
    assert log["dirty_rate"] == 0.1 and log["total"] == dirty.result.total_faults
    clean_rows = sum(n for files in clean.result.rows.values() for n in files.values())
    assert 0.08 * clean_rows < log["total"] < 0.12 * clean_rows
    seen = {
        kind
        for source in dirty.result.faults.values()
        for kinds in source.values()
        for kind in kinds
    }
    assert seen == KINDS
    assert clean.result.total_faults == 0


def test_clean_rows_survive_next_to_faulty_ones(dirty: Extract, clean: Extract):
    """Dirty output = clean output + faults: every clean line is still there, byte for byte."""
    for source_id, files in clean.result.rows.items():
        for name in files:
            if name.endswith(".json"):
                continue
            original = (clean.dir / source_id / name).read_bytes().splitlines()
            broken = (dirty.dir / source_id / name).read_bytes().splitlines()
            kinds = dirty.result.faults[source_id][name]
            changed = sum(n for k, n in kinds.items() if k != "duplicate_row")
            assert len(set(original) & set(broken)) == len(original) - changed, name
            assert len(broken) == len(original) + kinds.get("duplicate_row", 0)
