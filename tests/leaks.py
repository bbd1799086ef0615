"""The leak detector of the tests: independent of the product's own guard.

It finds every identity code with a valid checksum anywhere in a text: any case, no
word boundaries, overlapping windows. It shares no code or pattern with ``core.hetu``,
so a blind spot in the product's guard is not repeated here.
"""

from __future__ import annotations

from datetime import date

_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
            "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}


def _valid(window: str) -> bool:
    w = window.upper()
    if not (w[:6].isdigit() and w[7:10].isdigit() and w[6] in _CENTURY):
        return False
    if not w[:6].isascii() or not w[7:10].isascii():
        return False
    try:
        date(_CENTURY[w[6]] + int(w[4:6]), int(w[2:4]), int(w[0:2]))
    except ValueError:
        return False
    return _CHECK[int(w[:6] + w[7:10]) % 31] == w[10]


def identity_codes(text: str) -> list[str]:
    """Every valid identity code in ``text`` (each 11-character window is tried)."""
    return [text[i:i + 11] for i in range(len(text) - 10) if _valid(text[i:i + 11])]


def assert_no_identity_code(text: str, where: str = "") -> None:
    found = identity_codes(text)
    assert not found, f"identity code(s) leaked {where}: {len(found)} found"


def test_detector_finds_glued_lowercase_codes():
    assert identity_codes("x131052-308tz") == ["131052-308t"]
    assert identity_codes("<https://x/131052-308T>") == ["131052-308T"]
    assert identity_codes("131052-308U") == []
