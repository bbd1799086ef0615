"""What the catalogue pages' tests share: the generated store with its catalogue written
(as `tyodata ingest` writes it after loading), ONE service app over a copy of it, a real
`tyodata serve` over another, and the check that a page has no accessibility violation at
all (of any impact)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from catalog.refresh import refresh_catalogue
from graph_service.store.oxigraph_store import OxigraphStore
from tests.conftest import Loaded
from tests.service import Service, running_service
from tests.web.browser import Visit
from tests.web.conftest import Web, web_over_copy


@dataclass(frozen=True)
class Catalogued:
    """The generated store with its catalogue (what ``running_service`` copies)."""

    store_path: Path


@pytest.fixture(scope="session")
def catalogued(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Catalogued:
    store_path = tmp_path_factory.mktemp("catalogued") / "store"
    shutil.copytree(loaded.store_path, store_path)
    store = OxigraphStore(store_path)
    try:  # validation against the official shapes is the catalogue's own tests' part
        assert refresh_catalogue(store, validate=False).written
    finally:
        store.close()
    return Catalogued(store_path)


@pytest.fixture(scope="session")
def web(catalogued: Catalogued, tmp_path_factory: pytest.TempPathFactory):
    """As ``tests.web.conftest.web``, over the catalogued store, once for all the
    catalogue pages' modules."""
    with web_over_copy(catalogued.store_path, tmp_path_factory.mktemp("catalog-web")) as made:
        yield made


@pytest.fixture(scope="module")
def service(catalogued: Catalogued, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Service]:
    """A real `tyodata serve` (demo sign-in on) over a copy of the catalogued store."""
    with running_service(catalogued, tmp_path_factory.mktemp("catalog-browser"),  # type: ignore[arg-type]
                         demo_sign_in=True) as running:
        yield running


def snapshot(web: Web):
    return web.app.state.services.catalogue.snapshot()


def assert_no_violations(visit: Visit, what: str) -> None:
    """axe-core finds nothing at all on the page (not only nothing serious)."""
    results = visit.axe.run(visit.page).response
    assert results["passes"], f"{what}: axe-core checked nothing"
    found = results["violations"]
    assert not found, f"{what}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in found)
