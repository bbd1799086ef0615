"""What the matching pages' tests share: ONE service app for all their modules (loading
ESCO and building the matching index once: the web suite's time matters), a seeker with
recommended jobs, and the audit."""

from __future__ import annotations

import pytest

from tests.conftest import Loaded
from tests.web.conftest import Web, web_over_copy


@pytest.fixture(scope="session")
def web(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    """As ``tests.web.conftest.web``, but for the whole session of the matching tests."""
    with web_over_copy(loaded.store_path, tmp_path_factory.mktemp("matching-web")) as made:
        yield made


def seeker_id(web: Web) -> str:
    """A job seeker of the index with a situation page (the first the index holds)."""
    index = web.app.state.services.matching.index()
    return index.seekers[0].person.rsplit("/", 1)[-1]


def audit(web: Web, person_iri: str) -> list[dict]:
    return web.app.state.services.audit.search(person=person_iri, limit=100_000)
