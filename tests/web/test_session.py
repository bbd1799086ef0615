"""Sign-in, the session cookie, CSRF and what the gatekeeper does for pages: attacked."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from graph_service.api.gatekeeper import SESSION_COOKIE
from graph_service.policy.tokens import issue, load_or_create_signing_key
from tests.web.conftest import Browser, Web


def _key(web: Web) -> bytes:
    return load_or_create_signing_key(web.settings.signing_key_path)


def _set_cookie_headers(response) -> list[str]:
    return response.headers.get_list("set-cookie")


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/ui", "/ui/search", "/ui/persons/" + "a" * 26,
                                  "/ui/me/access-log", "/ui/no-such-page"])
def test_pages_without_a_session_send_the_browser_to_sign_in(web: Web, method: str, path: str):
    response = web.browser().client.request(method, path)
    assert response.status_code == 303
    assert response.headers["location"] == "/ui/sign-in"
    assert response.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in response.headers["content-security-policy"]


def test_sign_in_page_and_static_assets_are_public(web: Web):
    browser = web.browser()
    assert browser.get("/ui/sign-in").status_code == 200
    css = browser.get("/ui/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert css.headers["x-content-type-options"] == "nosniff"
    assert browser.get("/ui/static/logo.svg").headers["content-type"] == "image/svg+xml"
    # a dot-dot the client does not normalise reaches the static files, which refuse it
    for sneaky in ("/ui/static/%2e%2e/pages.py", "/ui/static/%2e%2e/%2e%2e/api/app.py"):
        assert browser.get(sneaky).status_code == 404


def test_a_bearer_token_opens_no_page_and_a_session_cookie_no_api(web: Web):
    token = issue(_key(web), subject="anna", organisation="kela", roles=["case_worker"])
    bare = web.browser()
    page = bare.client.get("/ui/search", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 303  # pages know only their own session
    signed_in = web.browser("kela")
    cookie = signed_in.client.cookies.get(SESSION_COOKIE)
    assert cookie
    api = bare.client.get("/graphs", headers={"Cookie": f"{SESSION_COOKIE}={cookie}"})
    assert api.status_code == 401  # the API knows only bearer tokens


def test_session_cookie_is_httponly_samesite_strict_and_scoped_to_the_pages(web: Web):
    response = web.browser().sign_in("kela")
    session = next(c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE))
    attributes = {a.strip().split("=")[0].lower() for a in session.split(";")[1:]}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "samesite=strict" in session.lower() and "path=/ui" in session.lower()
    assert "secure" not in attributes  # plain http, setting off
    assert response.headers["location"] == "/ui/search"


def test_session_cookie_is_secure_over_https_or_by_setting(web: Web):
    over_https = Browser(web.app, web.settings)
    over_https.client = TestClient(web.app, base_url="https://testserver",
                                   follow_redirects=False)
    response = over_https.sign_in("city")
    assert any(c.startswith(SESSION_COOKIE) and "secure" in c.lower()
               for c in _set_cookie_headers(response))
    web.settings.secure_cookies = True
    try:
        browser = web.browser()
        nonce = browser.get("/ui/sign-in")
        assert all("secure" in c.lower() for c in _set_cookie_headers(nonce))
    finally:
        web.settings.secure_cookies = False


def test_forged_expired_or_malformed_sessions_are_refused_and_cleared(web: Web):
    key = _key(web)
    expired = issue(key, subject="x", organisation="kela", roles=["case_worker"],
                    ttl_seconds=1, now=time.time() - 3600)
    forged = issue(b"f" * 32, subject="x", organisation="kela", roles=["case_worker"])
    for value in (f"sid.{expired}", f"sid.{forged}", "no-dot", "sid.", ".token", "x" * 300):
        response = web.browser().client.get(
            "/ui/search", headers={"Cookie": f"{SESSION_COOKIE}={value}"})
        assert response.status_code == 303, value
        cleared = [c for c in _set_cookie_headers(response) if c.startswith(SESSION_COOKIE)]
        assert cleared and "max-age=0" in cleared[0].lower()


def test_every_post_needs_the_csrf_token_of_its_own_session(web: Web):
    anna, bert = web.browser("kela"), web.browser("city")
    # no token, an empty one, a made-up one, another session's: all refused
    bert_token = bert.csrf("/ui/search")
    for data in ({}, {"csrf": ""}, {"csrf": "x" * 43}, {"csrf": bert_token}):
        response = anna.post("/ui/search", {"identity_code": "x", "purpose": "case-management",
                                             **data})
        assert response.status_code == 403, data
        assert "Lomake on vanhentunut" in response.text
        sign_out = anna.post("/ui/sign-out", data)
        assert sign_out.status_code == 403
    assert anna.get("/ui/search").status_code == 200  # still signed in
    # the sign-in form is bound to its nonce cookie: no cookie, no sign-in
    fresh = web.browser()
    token = fresh.csrf("/ui/sign-in")
    fresh.client.cookies.clear()
    assert fresh.post("/ui/sign-in", {"demo": "kela", "csrf": token}).status_code == 403


def test_a_csrf_token_is_bound_to_one_session_not_to_the_user(web: Web):
    first, second = web.browser("kela"), web.browser("kela")
    assert first.csrf("/ui/search") != second.csrf("/ui/search")


def test_sign_out_ends_the_session(web: Web):
    browser = web.browser("kela")
    response = browser.submit("/ui/search", "/ui/sign-out", {})
    assert response.status_code == 303 and response.headers["location"] == "/ui/sign-in"
    assert browser.get("/ui/search").status_code == 303


def test_sign_in_with_a_pasted_token(web: Web):
    key = _key(web)
    browser = web.browser()
    token = issue(key, subject="anna", organisation="city:helsinki", roles=["case_worker"])
    response = browser.submit("/ui/sign-in", "/ui/sign-in", {"token": f"  {token}\n"})
    assert response.status_code == 303
    assert "anna" in browser.follow(response).text


@pytest.mark.parametrize(("token", "status", "message"), [
    ("", 400, "Anna tunniste"),
    ("not-a-token", 401, "Tunniste ei kelpaa"),
    ("eyJhbGciOiJIUzI1NiJ9.e30.131052-308T", 401, "Tunniste ei kelpaa"),
])
def test_a_bad_token_is_refused_without_echoing_it(web: Web, token: str, status: int,
                                                   message: str):
    browser = web.browser()
    response = browser.submit("/ui/sign-in", "/ui/sign-in", {"token": token})
    assert response.status_code == status and message in response.text
    assert not token or token not in response.text
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_only_case_workers_and_citizens_sign_in(web: Web):
    token = issue(_key(web), subject="sam", organisation="dvv", roles=["steward"])
    response = web.browser().submit("/ui/sign-in", "/ui/sign-in", {"token": token})
    assert response.status_code == 403 and "Tällä tunnisteella ei voi" in response.text


def test_demo_users_only_in_demo_mode(web: Web):
    web.settings.demo_sign_in = False
    try:
        browser = web.browser()
        assert 'name="demo"' not in browser.get("/ui/sign-in").text
        response = browser.submit("/ui/sign-in", "/ui/sign-in", {"demo": "kela"})
        assert response.status_code == 403 and SESSION_COOKIE not in str(
            response.headers.get("set-cookie"))
    finally:
        web.settings.demo_sign_in = True
    unknown = web.browser().submit("/ui/sign-in", "/ui/sign-in", {"demo": "admin"})
    assert unknown.status_code == 403


def test_each_user_lands_on_their_own_page(web: Web):
    assert web.browser().sign_in("kela").headers["location"] == "/ui/search"
    assert web.browser().sign_in("citizen").headers["location"] == "/ui/me/access-log"
    citizen = web.browser("citizen")
    assert citizen.get("/ui").headers["location"] == "/ui/me/access-log"
    refused = citizen.get("/ui/search")
    assert refused.status_code == 403 and "ei ole käytettävissä roolillasi" in refused.text


def test_oversized_page_posts_are_refused(web: Web):
    browser = web.browser("kela")
    response = browser.client.post("/ui/search", content=b"x" * (70 * 1024), headers={
        "content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json") or \
        response.headers["content-type"].startswith("text/html")
