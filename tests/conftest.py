"""Shared fixtures: real ESCO from the configured folder, small generated extracts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import pytest

from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.store.oxigraph_store import OxigraphStore
from mappings.ingest import IngestReport, ingest
from synthetic import generate

if TYPE_CHECKING:
    from forecasting.train import TrainingRun


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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: float = 30) -> None:
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture
def oxigraph_server(tmp_path: Path):
    """A real `oxigraph serve` (PyPI package `oxigraph`) on a loopback port; yields its base URL."""
    import shutil
    import subprocess

    binary = shutil.which("oxigraph")
    if binary is None:
        pytest.fail("the `oxigraph` server is not installed: pip install oxigraph (in [dev])")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/query?query=ASK%7B%7D")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


KEY = bytes(range(32))


class Loaded:
    def __init__(self, root: Path, report: IngestReport, log: list[str]) -> None:
        self.root, self.report, self.log = root, report, log
        self.extracts = root / "extracts"
        self.store_path = root / "store"
        self.pseudonymize = Pseudonymizer(KEY)

    def open(self) -> OxigraphStore:
        return OxigraphStore(self.store_path, read_only=True)


def run_ingest(extracts: Path, store: OxigraphStore, root: Path, log: list[str],
               **kwargs) -> IngestReport:
    pseudonymize = Pseudonymizer(KEY)
    return ingest(
        extracts, store, pseudonymize=pseudonymize, key_fingerprint=pseudonymize.fingerprint(),
        esco_dir=kwargs.pop("esco_dir"), work_dir=root / "work",
        rejects_path=root / "rejects.csv", log=log.append, **kwargs,
    )


@pytest.fixture(scope="session")
def loaded(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> Loaded:
    root = tmp_path_factory.mktemp("e2e")
    generate(root / "extracts", persons=400, jobs=60, seed=11, esco_dir=esco_dir,
             dirty_rate=0.03)
    log: list[str] = []
    store = OxigraphStore(root / "store")
    report = run_ingest(root / "extracts", store, root, log, esco_dir=esco_dir)
    store.close()
    return Loaded(root, report, log)




# -- the work-ability forecast: a real generated, ingested and trained home (issue 10) ----

FORECAST_PERSONS = 6000
FORECAST_SEED = 17


class ForecastHome(NamedTuple):
    """A home with a generated population (the forecast cohort included) ingested by the CLI's
    own functions, and a model trained on it with the generator's truth file."""

    home: Path
    settings: Settings
    run: TrainingRun

    @property
    def extracts(self) -> Path:
        return self.home / "extracts"

    @property
    def truth_file(self) -> Path:
        return self.extracts / "_evaluation" / "forecast_truth.csv"

    def pseudonymizer(self) -> Pseudonymizer:
        from core.keys import load_or_create_key

        return Pseudonymizer(load_or_create_key(self.settings.key_path, what="pseudonym key"))


@pytest.fixture(scope="session")
def forecast_home(tmp_path_factory: pytest.TempPathFactory, esco_dir: Path) -> ForecastHome:
    from forecasting.train import train
    from synthetic.run import DEFAULT_AS_OF
    from tyodata.cli import _run_generate, _run_ingest

    home = tmp_path_factory.mktemp("forecast-home")
    settings = Settings(home=home, esco_dir=esco_dir)
    _run_generate(settings, home / "extracts", FORECAST_PERSONS, 80, FORECAST_SEED, 0.0)
    pseudonymize = _run_ingest(settings, home / "extracts")
    store = OxigraphStore(settings.store_path, read_only=True)
    try:
        run = train(store, settings.forecast_path, as_of=DEFAULT_AS_OF,
                    truth=home / "extracts" / "_evaluation" / "forecast_truth.csv",
                    pseudonym_of=pseudonymize.iri, seed=0)
    finally:
        store.close()
    return ForecastHome(home, settings, run)
