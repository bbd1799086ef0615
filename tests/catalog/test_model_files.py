"""The forecast model's files at the URLs its catalogue entry lists: anyone may read them,
nothing else in the models' folder is served, and nothing is written through them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from catalog.forecast_model import file_url, files_path
from catalog.iris import BASE
from core.settings import Settings
from graph_service.api.app import create_app

VERSION = "2026-11-28T01-30-00Z"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    root = tmp_path_factory.mktemp("model-files")
    run = root / "forecast" / VERSION
    run.mkdir(parents=True)
    (run / "report.json").write_text('{"model": {"version": "%s"}}' % VERSION)
    (run / "roc.png").write_bytes(PNG)
    (run / "model.skops").write_bytes(b"PK\x03\x04model")
    (run / "notes.txt").write_text("not a model file")
    (root / "forecast" / "secret.png").write_bytes(PNG)  # not in a version folder
    settings = Settings(home=root / "home", store=root / "store",
                        forecast_dir=root / "forecast")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def path_of(name: str, version: str = VERSION) -> str:
    return file_url(version, name).removeprefix(BASE)


def test_the_catalogue_s_file_urls_are_served_without_a_token(client: TestClient) -> None:
    report = client.get(path_of("report.json"))
    assert report.status_code == 200, report.text
    assert report.headers["content-type"].startswith("application/json")
    assert report.json()["model"]["version"] == VERSION
    plot = client.get(path_of("roc.png"))
    assert plot.status_code == 200 and plot.content == PNG
    assert plot.headers["content-type"] == "image/png"
    assert "immutable" in plot.headers["cache-control"]
    model = client.get(path_of("model.skops"))
    assert model.status_code == 200 and model.content.startswith(b"PK")
    assert model.headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize("path", [
    path_of("notes.txt"),                      # in the folder, but not a model file
    path_of("calibration.png"),                # a model file this version lacks
    path_of("report.json", "2020-01-01"),      # no such version
    files_path(VERSION).rsplit("/", 1)[0] + "/..%2Fsecret.png/roc.png",
    files_path(VERSION) + "/..%2F..%2Fsecret.png",
    files_path(VERSION).rsplit("/", 1)[0] + "/../secret.png",
])
def test_nothing_else_is_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"


def test_nothing_is_written_through_them(client: TestClient, tmp_path: Path) -> None:
    response = client.put(path_of("roc.png"), content=b"x")
    assert response.status_code in (401, 403, 405)
    assert client.get(path_of("roc.png")).content == PNG


def test_the_catalogue_s_own_item_route_still_answers(client: TestClient) -> None:
    # Nothing is catalogued in this empty store: the item route (not ours) says so.
    response = client.get("/catalog/model/work-ability-forecast.ttl")
    assert response.status_code == 404
    assert response.json()["type"].endswith("/unknown-item")
