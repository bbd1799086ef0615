"""Security headers on every page response, and none of the pages' rules on the API."""

from __future__ import annotations

from graph_service.web.headers import CONTENT_SECURITY_POLICY
from tests.web.conftest import Web

STRICT_CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
              "frame-ancestors 'none'; base-uri 'none'")


def _assert_page_headers(response, *, cache: str = "no-store") -> None:
    h = response.headers
    assert h["content-security-policy"] == STRICT_CSP
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert h["x-frame-options"] == "DENY"
    assert h["cache-control"] == cache


def test_the_policy_is_the_strict_one():
    assert CONTENT_SECURITY_POLICY == STRICT_CSP


def test_every_kind_of_page_response_has_the_headers(web: Web):
    anonymous, signed_in = web.browser(), web.browser("kela")
    _assert_page_headers(anonymous.get("/ui/sign-in"))              # a page
    _assert_page_headers(anonymous.get("/ui/search"))               # a redirect to sign in
    _assert_page_headers(signed_in.get("/ui/no-such-page"))         # an error page
    _assert_page_headers(signed_in.post("/ui/search", {}))          # a refused form
    _assert_page_headers(signed_in.get("/ui/search"))
    _assert_page_headers(anonymous.get("/ui/static/style.css"),
                         cache="public, max-age=3600")              # no personal data


def test_pages_have_no_script_and_no_inline_style(web: Web):
    for page in (web.browser().get("/ui/sign-in"), web.browser("kela").get("/ui/search")):
        text = page.text.lower()
        assert "<script" not in text and " style=" not in text and "<style" not in text
        assert "http://" not in text and "https://" not in text  # nothing from elsewhere


def test_the_api_keeps_its_own_answers(web: Web):
    response = web.browser().get("/healthz")
    assert response.status_code == 200 and "content-security-policy" not in response.headers
    refused = web.browser().get("/graphs")
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_page_errors_are_friendly_pages_with_the_request_id(web: Web):
    browser = web.browser("kela")
    missing = browser.get("/ui/no-such-page?x=%3Cb%3Ehello")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "Sivua ei löytynyt" in missing.text and "hello" not in missing.text
    assert missing.headers["x-request-id"] in missing.text
    english = browser.get("/ui/no-such-page?lang=en")
    assert "Page not found" in english.text
    wrong_method = browser.client.put("/ui/search")
    assert wrong_method.status_code == 405 and "text/html" in wrong_method.headers[
        "content-type"]
