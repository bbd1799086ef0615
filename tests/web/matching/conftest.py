"""What the matching pages' tests share: ONE service app for all their modules (loading
ESCO and building the matching index once: the web suite's time matters), a seeker with
recommended jobs, and the audit."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from graph_service.web.app import create_service_app
from tests.conftest import Loaded
from tests.graph_service.api.conftest import make_settings
from tests.web.conftest import Web


@pytest.fixture(scope="session")
def web(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    """As ``tests.web.conftest.web``, but for the whole session of the matching tests."""
    root = tmp_path_factory.mktemp("matching-web")
    store = root / "store"
    shutil.copytree(loaded.store_path, store)
    settings = make_settings(root, store)
    settings.demo_sign_in = True
    app = create_service_app(settings)
    with TestClient(app):
        yield Web(app, settings)


def seeker_id(web: Web) -> str:
    """A job seeker of the index with a situation page (the first the index holds)."""
    index = web.app.state.services.matching.index()
    return index.seekers[0].person.rsplit("/", 1)[-1]


def audit(web: Web, person_iri: str) -> list[dict]:
    return web.app.state.services.audit.search(person=person_iri, limit=100_000)
