"""Differential test: our executor and morph-kgc give isomorphic graphs.

morph-kgc runs from its own venv (see tests/mappings/morph.py). Without it
the test is skipped locally and fails in CI, telling how to install it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from mappings.rml import compile_mapping, load_mapping
from tests.mappings.morph import INSTALL_HINT, morph_kgc_available, run_morph_kgc

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.fixture(scope="module", autouse=True)
def _require_morph_kgc() -> None:
    if morph_kgc_available():
        return
    if os.environ.get("CI"):
        pytest.fail(f"morph-kgc is not installed: {INSTALL_HINT}")
    pytest.skip(f"morph-kgc is not installed: {INSTALL_HINT}")


def ours(mapping: Path, data_dir: Path) -> Graph:
    out = io.BytesIO()
    compile_mapping(load_mapping(mapping), base_dir=data_dir).run(out)
    return Graph().parse(data=out.getvalue().decode("utf-8"), format="nt")


def difference(a: Graph, b: Graph) -> str:
    _, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    lines = [f"  ours only : {t}" for t in sorted(only_a.serialize(format="nt").splitlines())]
    lines += [f"  morph only: {t}" for t in sorted(only_b.serialize(format="nt").splitlines())]
    return "\n".join(line for line in lines if line.strip())


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_same_graph_as_morph_kgc(case: Path) -> None:
    mapping = next(case.glob("mapping.*"))
    expected = run_morph_kgc(mapping, case)
    got = ours(mapping, case)
    assert isomorphic(got, expected), f"{case.name} differs:\n{difference(got, expected)}"


@pytest.fixture(scope="module")
def staged_sources(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> dict[str, Path]:
    """Every real source extract, generated small and staged as ingest stages it."""
    from core.pseudonyms import Pseudonymizer
    from mappings import esco
    from mappings.sources import load_sources
    from mappings.staging import RejectsWriter, stage_source
    from synthetic import generate

    root = tmp_path_factory.mktemp("real")
    generate(root / "extracts", persons=80, jobs=20, seed=3, esco_dir=esco_dir)
    rejects = RejectsWriter(root / "rejects.csv")
    staged = {}
    for source in load_sources().values():
        stage_source(source, root / "extracts" / source.id, root / "staged" / source.id,
                     rejects, Pseudonymizer(bytes(32)),
                     lambda kind: esco.concept_iris(esco_dir, kind))
        staged[source.id] = root / "staged" / source.id
    rejects.close()
    return staged


@pytest.mark.parametrize("source", ["kela", "tyollisyyspalvelut", "koski", "migri", "vtj",
                                    "hyvinvointialue", "ulosotto", "tyomarkkinatori"])
def test_real_mappings_same_graph_as_morph_kgc(source: str, staged_sources: dict[str, Path]):
    from mappings.sources import load_sources

    mapping = load_sources()[source].mapping_path
    expected = run_morph_kgc(mapping, staged_sources[source])
    got = ours(mapping, staged_sources[source])
    assert len(got) > 50
    assert isomorphic(got, expected), f"{source} differs:\n{difference(got, expected)}"
