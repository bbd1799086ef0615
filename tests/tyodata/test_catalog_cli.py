"""`tyodata catalog`: build writes a catalogue that conforms to the official shapes,
validate checks the stored one or a file (exit 1 on a violation), export writes it in each
format, search finds in it; and errors are clear."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from typer.testing import CliRunner

from catalog.harvest import items
from catalog.iris import CATALOG, dataset_iri
from catalog.terms import DCAT, DCT
from tests.conftest import Loaded
from tyodata.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def built(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("catalog-cli")
    store = root / "store"
    shutil.copytree(loaded.store_path, store)
    env = {"TYODATA_HOME": str(root / "home"), "COLUMNS": "200"}
    result = runner.invoke(app, ["catalog", "build", "--store", str(store), "--report",
                                 str(root / "report.json")], env=env)
    assert result.exit_code == 0, result.output
    assert "conforms: 0 violation(s)" in result.output
    return store, env


def test_build_reports_what_it_described(built: tuple[Path, dict]) -> None:
    store, _ = built
    report = json.loads((store.parent / "report.json").read_text())
    assert report["written"] and report["conforms"] and report["violations"] == []
    assert report["counts"]["products"] == 5 and report["counts"]["series"] >= 8


def test_validate_passes_the_stored_catalogue_and_fails_a_broken_file(
        built: tuple[Path, dict], tmp_path: Path) -> None:
    store, env = built
    ok = runner.invoke(app, ["catalog", "validate", "--store", str(store)], env=env)
    assert ok.exit_code == 0, ok.output
    exported = tmp_path / "catalogue.ttl"
    runner.invoke(app, ["catalog", "export", "--store", str(store), "-o", str(exported)],
                  env=env)
    graph = Graph().parse(exported)
    graph.remove((URIRef(dataset_iri("kela")), DCT.description, None))  # mandatory
    broken = tmp_path / "broken.ttl"
    graph.serialize(broken, format="turtle")
    failed = runner.invoke(app, ["catalog", "validate", str(broken)], env=env)
    assert failed.exit_code == 1
    assert dataset_iri("kela") in failed.output and "Violation" in failed.output
    unreadable = tmp_path / "nonsense.ttl"
    unreadable.write_text("this is { not turtle")
    refused = runner.invoke(app, ["catalog", "validate", str(unreadable)], env=env)
    assert refused.exit_code == 2 and "not readable RDF" in refused.output


@pytest.mark.parametrize(("fmt", "parser"), [("ttl", "turtle"), ("jsonld", "json-ld"),
                                             ("rdf", "xml")])
def test_export_writes_the_whole_catalogue(built: tuple[Path, dict], tmp_path: Path,
                                           fmt: str, parser: str) -> None:
    store, env = built
    out = tmp_path / f"catalogue.{fmt}"
    result = runner.invoke(app, ["catalog", "export", "--store", str(store), "-f", fmt,
                                 "-o", str(out)], env=env)
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out, format=parser)
    assert (URIRef(CATALOG), RDF.type, DCAT.Catalog) in graph
    assert len(items(graph)) >= 15
    bad = runner.invoke(app, ["catalog", "export", "--store", str(store), "-f", "csv"],
                        env=env)
    assert bad.exit_code == 2 and "one of ttl, jsonld, rdf" in bad.output


def test_search_finds_an_inflected_finnish_word(built: tuple[Path, dict]) -> None:
    store, env = built
    result = runner.invoke(app, ["catalog", "search", "työnhakijan", "--store", str(store)],
                           env=env)
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)["hits"]
    assert any(h["iri"].endswith("JobApplicantProfile_v1.0") for h in hits)
