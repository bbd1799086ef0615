"""The whole service (API and pages) over a copy of the generated store, with demo sign-in,
and a browser-like client per user: it signs in through the sign-in page, keeps its
cookies and reads each form's CSRF token from the page it got."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser as Chromium

from core.settings import Settings
from graph_service.web.app import create_service_app
from tests.conftest import Loaded
from tests.graph_service.api.conftest import make_settings
from tests.leaks import assert_no_identity_code
from tests.service import Service, running_service
from tests.web.browser import Visit, chromium

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


class Browser:
    """One user's cookie jar over the service, reading forms the way a browser would."""

    def __init__(self, app, settings: Settings) -> None:
        self.client = TestClient(app, follow_redirects=False)
        self.settings = settings
        self.pages: list[httpx.Response] = []

    def get(self, url: str, **kwargs) -> httpx.Response:
        return self._seen(self.client.get(url, **kwargs))

    def post(self, url: str, data: dict, **kwargs) -> httpx.Response:
        return self._seen(self.client.post(url, data=data, **kwargs))

    def _seen(self, response: httpx.Response) -> httpx.Response:
        self.pages.append(response)
        assert_no_identity_code(str(response.url), "in a URL")
        assert_no_identity_code(response.headers.get("location", ""), "in a redirect")
        if response.headers.get("content-type", "").startswith("text/html"):
            assert_no_identity_code(response.text, "in a page")
        return response

    def csrf(self, url: str) -> str:
        found = CSRF.search(self.get(url).text)
        assert found, f"no CSRF token on {url}"
        return found.group(1)

    def submit(self, page: str, action: str, data: dict) -> httpx.Response:
        """Open ``page``, then post ``data`` to ``action`` with the page's CSRF token."""
        return self.post(action, {**data, "csrf": self.csrf(page)})

    def sign_in(self, demo: str) -> httpx.Response:
        response = self.submit("/ui/sign-in", "/ui/sign-in", {"demo": demo})
        assert response.status_code == 303, response.text
        return response

    def follow(self, response: httpx.Response) -> httpx.Response:
        assert response.status_code == 303, response.text
        return self.get(response.headers["location"])


class Web:
    def __init__(self, app, settings: Settings) -> None:
        self.app, self.settings = app, settings

    def browser(self, demo: str | None = None) -> Browser:
        browser = Browser(self.app, self.settings)
        if demo:
            browser.sign_in(demo)
        return browser


@contextmanager
def web_over_copy(store_path: Path, root: Path) -> Iterator[Web]:
    """The pages (demo sign-in on) over a copy of the store at ``store_path``."""
    store = root / "store"
    shutil.copytree(store_path, store)
    settings = make_settings(root, store)
    settings.demo_sign_in = True
    app = create_service_app(settings)
    with TestClient(app):  # runs the lifespan once: the services are built
        yield Web(app, settings)


@pytest.fixture(scope="module")
def web(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory):
    with web_over_copy(loaded.store_path, tmp_path_factory.mktemp("web")) as made:
        yield made


def pages_root() -> Path:
    return Path(__file__).resolve().parents[2] / "graph_service" / "web"


@pytest.fixture(scope="module")
def service(loaded: Loaded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A real `tyodata serve` (demo sign-in on) over a copy of the test store, per module."""
    with running_service(loaded, tmp_path_factory.mktemp("browser"),
                         demo_sign_in=True) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def visit(browser: Chromium, service: Service) -> Iterator[Visit]:
    """A fresh browser context (its own cookies) for one user."""
    context = browser.new_context(locale="fi-FI")
    visit = Visit(context.new_page(), service.base)
    try:
        yield visit
        visit.assert_stayed_home()
    finally:
        context.close()
