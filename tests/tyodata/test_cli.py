"""The command line: sparql formats, clear errors, ESCO folder checks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mappings.esco import EscoMissingError, check_esco_dir
from tests.conftest import Loaded
from tyodata.cli import app

runner = CliRunner()
QUERY = ("SELECT ?source WHERE { GRAPH <https://tyodata.fi/graph/meta> { ?g "
         "<https://tyodata.fi/ontology#source> ?source ; "
         "<https://tyodata.fi/ontology#extractStatus> <https://tyodata.fi/ontology#Current> } } "
         "ORDER BY ?source")


def test_sparql_formats(loaded: Loaded, tmp_path: Path):
    store = ["--store", str(loaded.store_path)]
    as_csv = runner.invoke(app, ["sparql", QUERY, *store, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    sources = [r["source"].rsplit("/", 1)[-1] for r in csv.DictReader(io.StringIO(as_csv.stdout))]
    assert "kela" in sources and "esco" in sources and len(sources) == 11
    as_json = runner.invoke(app, ["sparql", QUERY, *store, "--format", "json"])
    assert len(json.loads(as_json.stdout)["results"]["bindings"]) == 11
    query_file = tmp_path / "q.rq"
    query_file.write_text(QUERY)
    table = runner.invoke(app, ["sparql", str(query_file), *store], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "11 row(s)" in table.stdout


def test_sparql_errors_are_clear(loaded: Loaded, tmp_path: Path):
    bad = runner.invoke(app, ["sparql", "SELECT ?x WHERE {", "--store", str(loaded.store_path)])
    assert bad.exit_code == 2 and "does not parse" in bad.output
    missing = runner.invoke(app, ["sparql", QUERY, "--store", str(tmp_path / "nothing")])
    assert missing.exit_code == 2 and "no store at" in missing.output
    fmt = runner.invoke(app, ["sparql", QUERY, "--format", "xls"])
    assert fmt.exit_code == 2


def test_missing_esco_says_where_to_get_it(tmp_path: Path):
    with pytest.raises(EscoMissingError, match="esco.ec.europa.eu.*TYODATA_ESCO_DIR"):
        check_esco_dir(tmp_path / "nowhere")
    (tmp_path / "en").mkdir()
    with pytest.raises(EscoMissingError, match="lacks en/occupations_en.csv"):
        check_esco_dir(tmp_path)
    result = runner.invoke(app, ["ingest", str(tmp_path), "--esco-dir", str(tmp_path),
                                 "--store", str(tmp_path / "store")])
    assert result.exit_code == 2 and "holds no source folder" in " ".join(result.output.split())


def test_ingest_report_json(loaded: Loaded, tmp_path: Path, esco_dir: Path):
    report = tmp_path / "report.json"
    result = runner.invoke(app, ["ingest", str(loaded.extracts), "--store",
                                 str(tmp_path / "store"), "--report", str(report),
                                 "--source", "ulosotto"],
                           env={"TYODATA_HOME": str(tmp_path / "home")})
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text())
    ulosotto = data["sources"]["ulosotto"]
    assert ulosotto["rows_read"] == ulosotto["rows_loaded"] + ulosotto["rows_rejected"]
    assert ulosotto["triples"] > 0 and ulosotto["seconds"] > 0
    assert set(ulosotto["stage_seconds"]) == {"validate", "map", "load", "shacl", "commit"}
