"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never a
downloaded browser) against a real `tyodata serve`, with what the browser tests check on
every step: no request leaves 127.0.0.1, no identity code in any URL the history holds or
in any page, and no serious or critical accessibility violation (axe-core)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright

from tests.leaks import assert_no_identity_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
SERIOUS = ("serious", "critical")


@contextmanager
def chromium() -> Iterator[Browser]:
    """The browser; a launch that fails fails the test (never a skip)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Visit:
    """One user's browser tab, recording every request and every URL it navigated to."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    axe: Axe = field(default_factory=Axe)

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("framenavigated", lambda frame: self.history.append(frame.url)
                     if frame == self.page.main_frame else None)

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.checked()

    def checked(self) -> str:
        """Checks of the page as it is now: its URL and HTML hold no identity code; it
        answers the HTML it should; returns the HTML."""
        self.page.wait_for_load_state()
        html = self.page.content()
        assert_no_identity_code(self.page.url, "in the address bar")
        assert_no_identity_code(html, f"in the page {urlsplit(self.page.url).path}")
        return html

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def accessible(self, what: str) -> None:
        """axe-core in the page: no serious or critical violation."""
        results = self.axe.run(self.page)
        assert results.response["passes"], f"{what}: axe-core checked nothing"
        bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
        assert not bad, f"{what}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at "
            f"{[n['target'] for n in v['nodes']][:3]}" for v in bad)

    def assert_stayed_home(self) -> None:
        """Every request went to the service on 127.0.0.1; no URL in the history, nor any
        request, held an identity code."""
        host = urlsplit(self.base).netloc
        elsewhere = [u for u in self.requests
                     if urlsplit(u).netloc != host and not u.startswith(("data:", "about:"))]
        assert not elsewhere, f"requests left the machine: {elsewhere}"
        for url in self.history + self.requests:
            assert_no_identity_code(url, "in a URL of the history or a request")


def sign_in(visit: Visit, user: str) -> None:
    """Sign in as one of the demo users on the sign-in page."""
    visit.open("/ui/sign-in")
    visit.page.click(f"button[name=demo][value={user}]")
    visit.checked()
