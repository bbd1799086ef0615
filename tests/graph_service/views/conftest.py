"""A writable copy of the generated store for the view's tests, the pilot personas'
pseudonymous IRIs, and section decisions made by hand (the decision point has its own
tests; here the view must honour whatever it decides)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core.pseudonyms import Pseudonymizer
from graph_service.policy.section_decision import SectionDecision
from graph_service.policy.sections import FIELDS, Section
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import GraphDirectory, read_directory
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY, Loaded

# The case worker's "now": after the extracts (1 November 2026), so the personas' plans
# and permits are judged as the pilot describes them.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
MOTHER_IRI = Pseudonymizer(KEY).iri(MOTHER.hetu)
DROPOUT_IRI = Pseudonymizer(KEY).iri(DROPOUT.hetu)


def permit(section: Section, fields: frozenset[str] | None = None) -> SectionDecision:
    return SectionDecision(section, True, "test permit", legal_basis=(
        "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e",), fields=FIELDS[section]
        if fields is None else fields)


def deny(section: Section) -> SectionDecision:
    return SectionDecision(section, False, "needs the client's consent")


def every_section() -> list[SectionDecision]:
    return [permit(section) for section in Section]


@pytest.fixture(scope="module")
def store(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[OxigraphStore]:
    root = tmp_path_factory.mktemp("views")
    shutil.copytree(loaded.store_path, root / "store")
    opened = OxigraphStore(root / "store")
    yield opened
    opened.close()


@pytest.fixture
def directory(store: OxigraphStore) -> GraphDirectory:
    return read_directory(store)
