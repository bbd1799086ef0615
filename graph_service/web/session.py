"""The pages' session and their CSRF tokens.

A session is a cookie holding ``<session id>.<token>``: the token is one of the service's
own signed tokens (``graph_service.policy.tokens``), so the gatekeeper verifies a page
request exactly as it verifies an API call; the random session id binds the CSRF tokens.
The cookie is HttpOnly (no script reads it), SameSite=Strict (no other site's link or form
carries it), limited to ``/ui`` and Secure over https (or always, by setting). It lives
as long as its token; signing out clears it (the token itself stays valid until it
expires: tokens are not revocable here, as in the API).

Every form carries a CSRF token: HMAC-SHA256 under a key derived from the signing key, of
the session id, or before sign-in of a random nonce kept in its own short-lived cookie.
Every POST to a page is checked against it (403 otherwise).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from fastapi import Request, Response

from graph_service.api.gatekeeper import SESSION_COOKIE, UI_PREFIX
from graph_service.policy.tokens import Principal

SIGN_IN_COOKIE = "tyodata_sign_in"
"""Nonce binding the sign-in form's CSRF token before there is a session."""
SIGN_IN_TTL_S = 30 * 60
LANGUAGE_COOKIE = "lang"
CSRF_FIELD = "csrf"


def csrf_key(signing_key: bytes) -> bytes:
    """The CSRF key: derived, so a CSRF token can never pass for anything signed."""
    return hmac.new(signing_key, b"tyodata-page-csrf", hashlib.sha256).digest()


def csrf_token(key: bytes, binding: str) -> str:
    """The CSRF token of a session id (or sign-in nonce).

    >>> k = csrf_key(b"k" * 32)
    >>> csrf_valid(k, "s1", csrf_token(k, "s1")), csrf_valid(k, "s2", csrf_token(k, "s1"))
    (True, False)
    """
    digest = hmac.new(key, b"csrf\0" + binding.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def csrf_valid(key: bytes, binding: str | None, given: object) -> bool:
    if not binding or not isinstance(given, str) or not given:
        return False
    return hmac.compare_digest(csrf_token(key, binding).encode(), given.encode("utf-8",
                                                                               "replace"))


def new_session_value(token: str) -> str:
    """A fresh session cookie value for a verified token."""
    return f"{secrets.token_urlsafe(16)}.{token}"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _secure(request: Request, always: bool) -> bool:
    return always or request.url.scheme == "https"


def start_session(response: Response, request: Request, principal: Principal, token: str,
                  *, secure_always: bool) -> None:
    """Set the session cookie (for as long as the token lives) and drop the sign-in nonce."""
    max_age = max(1, principal.expires_at - int(time.time()))
    response.set_cookie(SESSION_COOKIE, new_session_value(token), max_age=max_age,
                        path=UI_PREFIX, httponly=True, samesite="strict",
                        secure=_secure(request, secure_always))
    end_sign_in(response, request, secure_always=secure_always)


def end_session(response: Response, request: Request, *, secure_always: bool) -> None:
    response.delete_cookie(SESSION_COOKIE, path=UI_PREFIX, httponly=True, samesite="strict",
                           secure=_secure(request, secure_always))


def begin_sign_in(response: Response, request: Request, nonce: str, *,
                  secure_always: bool) -> None:
    response.set_cookie(SIGN_IN_COOKIE, nonce, max_age=SIGN_IN_TTL_S, path=UI_PREFIX,
                        httponly=True, samesite="strict", secure=_secure(request, secure_always))


def end_sign_in(response: Response, request: Request, *, secure_always: bool) -> None:
    response.delete_cookie(SIGN_IN_COOKIE, path=UI_PREFIX, httponly=True, samesite="strict",
                           secure=_secure(request, secure_always))


def remember_language(response: Response, request: Request, language: str, *,
                      secure_always: bool) -> None:
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=365 * 24 * 3600, path=UI_PREFIX,
                        httponly=True, samesite="strict", secure=_secure(request, secure_always))


def csrf_binding(request: Request) -> str | None:
    """What this request's CSRF token is bound to: the session id when signed in (the
    gatekeeper put it in the request's state), else the sign-in nonce cookie."""
    session_id = getattr(request.state, "session_id", None)
    return session_id or request.cookies.get(SIGN_IN_COOKIE)
