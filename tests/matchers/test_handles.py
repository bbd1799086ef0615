"""Candidate handles: per posting, opaque, resolvable only with the key."""

from __future__ import annotations

import pytest

from matchers.handles import HANDLE, HandleError, candidate_handle, handle_key, resolve

A = "https://tyodata.fi/id/person/" + "a" * 26
B = "https://tyodata.fi/id/person/" + "b" * 26
P1 = "https://tyodata.fi/id/tyomarkkinatori/posting/T1"
P2 = "https://tyodata.fi/id/tyomarkkinatori/posting/T2"


def test_handles_differ_per_posting_and_key_and_hide_the_person(tmp_path) -> None:
    key = handle_key(tmp_path)
    assert handle_key(tmp_path) == key  # made once, then read
    assert (tmp_path / "keys" / "handle.key").stat().st_mode & 0o077 == 0
    h = candidate_handle(key, P1, A)
    assert HANDLE.fullmatch(h)
    assert candidate_handle(key, P1, A) == h
    assert candidate_handle(key, P2, A) != h
    assert candidate_handle(key, P1, B) != h
    assert candidate_handle(bytes(32), P1, A) != h
    assert "a" * 10 not in h and "person" not in h


def test_resolve_only_on_its_posting(tmp_path) -> None:
    key = handle_key(tmp_path)
    h = candidate_handle(key, P1, B)
    assert resolve(key, P1, h, [A, B]) == B
    with pytest.raises(HandleError, match="no candidate"):
        resolve(key, P2, h, [A, B])
    with pytest.raises(HandleError, match="not a candidate handle"):
        resolve(key, P1, "../" + h, [A, B])
