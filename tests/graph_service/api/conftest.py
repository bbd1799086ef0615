"""A service over a copy of the generated, ingested store, with tokens for every role."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.pseudonyms import Pseudonymizer
from core.settings import Settings
from graph_service.api.app import create_app
from graph_service.policy.tokens import ROLES, issue, load_or_create_signing_key
from synthetic.personas import MOTHER
from tests.conftest import KEY, Loaded


class Api:
    def __init__(self, client: TestClient, settings: Settings, tokens: dict[str, str]) -> None:
        self.client, self.settings, self.tokens = client, settings, tokens
        self.bodies: list[str] = []

    def headers(self, role: str | None, purpose: str | None = None, **extra: str) -> dict:
        h = dict(extra)
        if role:
            h["Authorization"] = f"Bearer {self.tokens[role]}"
        if purpose:
            h["X-Purpose"] = purpose
        return h

    def request(self, method: str, url: str, *, role: str | None = None,
                purpose: str | None = None, headers: dict | None = None, **kwargs):
        response = self.client.request(method, url, headers={**self.headers(role, purpose),
                                                             **(headers or {})}, **kwargs)
        self.bodies.append(response.text)
        return response


def make_settings(root: Path, store: Path) -> Settings:
    (root / "keys").mkdir(parents=True, exist_ok=True)
    key_file = root / "keys" / "pseudonym.key"
    key_file.write_text(KEY.hex())
    key_file.chmod(0o600)
    return Settings(home=root, store=store, pseudonym_key_file=key_file,
                    sparql_max_result_bytes=200_000, sparql_timeout_s=20)


@pytest.fixture(scope="module")
def api(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("api")
    store = root / "store"
    shutil.copytree(loaded.store_path, store)
    settings = make_settings(root, store)
    key = load_or_create_signing_key(settings.signing_key_path)
    # The citizen's token is bound to the first pilot persona.
    persona = Pseudonymizer(KEY).iri(MOTHER.hetu)
    tokens = {role: issue(key, subject=f"test-{role}", organisation="kela", roles=[role],
                          person=persona if role == "citizen" else None)
              for role in ROLES}
    with TestClient(create_app(settings)) as client:
        yield Api(client, settings, tokens)
