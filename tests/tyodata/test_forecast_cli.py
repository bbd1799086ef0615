"""`tyodata forecast`: train on a real generated and ingested population writes the model,
its report and plots and a catalogue that lists it with zero violations; report prints the
table beside the ceiling; and what cannot start says why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from rdflib import URIRef
from typer.testing import CliRunner

from catalog.forecast_model import MODEL_IRI, file_url
from catalog.iris import BASE
from catalog.store_io import read_catalogue
from catalog.terms import DCAT, DQV, MODEL_CARD
from graph_service.store.oxigraph_store import OxigraphStore
from tests.conftest import ForecastHome
from tyodata.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def trained(forecast_home: ForecastHome, tmp_path_factory: pytest.TempPathFactory
            ) -> tuple[Path, str]:
    """`tyodata forecast train --truth` on a copy of the forecast home's store and keys."""
    home = tmp_path_factory.mktemp("forecast-cli") / "home"
    home.mkdir(mode=0o700)
    shutil.copytree(forecast_home.settings.store_path, home / "store")
    shutil.copytree(forecast_home.home / "keys", home / "keys")
    env = {"TYODATA_HOME": str(home), "COLUMNS": "200"}
    result = runner.invoke(app, ["forecast", "train", "--truth",
                                 str(forecast_home.truth_file)], env=env)
    assert result.exit_code == 0, result.output
    return home, result.output


def _version(home: Path) -> str:
    (folder,) = [p for p in (home / "forecast").iterdir() if p.is_dir()]
    return folder.name


def test_train_writes_the_model_its_report_and_plots(trained: tuple[Path, str]) -> None:
    home, output = trained
    version = _version(home)
    folder = home / "forecast" / version
    report = json.loads((folder / "report.json").read_text())
    assert {"model.skops", "report.json", *report["plots"].values()} <= {
        p.name for p in folder.iterdir()}
    assert "share of ceiling" in output and "pilot" in output
    assert f"{report['models'][report['chosen']]['pr_auc']['value']:.3f}" in output
    assert "acceptance (PR AUC >= 95 % of the ceiling's)" in output
    assert str(folder) in output
    assert "http://127.0.0.1:8000" + file_url(version, "report.json").removeprefix(BASE) \
        in output
    assert "http://127.0.0.1:8000/catalog/model/work-ability-forecast.ttl" in output


def test_train_catalogues_the_model_with_zero_violations(trained: tuple[Path, str]) -> None:
    home, output = trained
    assert "1 models; conforms: 0 violation(s)" in output
    report = json.loads((home / "forecast" / _version(home) / "report.json").read_text())
    store = OxigraphStore(home / "store", read_only=True)
    try:
        catalogue = read_catalogue(store)
    finally:
        store.close()
    assert (URIRef(BASE + "/catalog"), DCAT.resource, MODEL_IRI) in catalogue
    assert str(catalogue.value(MODEL_IRI, DCAT.version)) == _version(home)
    measured = catalogue.value(URIRef(f"{MODEL_IRI}#pr-auc"), DQV.value)
    assert float(measured) == report["models"][report["chosen"]]["pr_auc"]["value"]
    assert int(catalogue.value(MODEL_IRI, MODEL_CARD.cohortSize)) == report["data"]["cohort"]


def test_report_prints_the_current_model_s_table(forecast_home: ForecastHome) -> None:
    result = runner.invoke(app, ["forecast", "report"],
                           env={"TYODATA_HOME": str(forecast_home.home), "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert forecast_home.run.version in result.output
    assert "ceiling (true probabilities)" in result.output


@pytest.mark.parametrize(("args", "message"), [
    (["forecast", "train", "--as-of", "1.11.2026"], "is not a date"),
    (["forecast", "train"], "no store at"),
    (["forecast", "report"], "no trained model"),
])
def test_what_cannot_start_says_why(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args, env={"TYODATA_HOME": str(tmp_path / "empty"),
                                           "COLUMNS": "200"})
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "empty" / "store").exists()  # nothing created by a failed start


def test_a_missing_truth_file_is_named(trained: tuple[Path, str], tmp_path: Path) -> None:
    home, _ = trained
    missing = tmp_path / "nowhere.csv"
    result = runner.invoke(app, ["forecast", "train", "--truth", str(missing)],
                           env={"TYODATA_HOME": str(home), "COLUMNS": "200"})
    assert result.exit_code == 2 and f"no truth file at {missing}" in result.output.replace(
        "\n", "")
