"""Finnish personal identity codes (henkilötunnus): validation and construction.

The code is DDMMYY + century sign + individual number (3 digits) + check character.
Never log, print or put a code in an IRI: callers turn it into a pseudonym first
(see ``core.pseudonyms``).

>>> is_valid("131052-308T")
True
>>> is_valid("131052-308U")
False
>>> make(date(1952, 10, 13), 308)
'131052-308T'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY_OF_SIGN = {
    "+": 1800,
    "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
    "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000,
}
_SIGN_OF_CENTURY = {1800: "+", 1900: "-", 2000: "A"}
_PATTERN = re.compile(r"(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])", re.ASCII)
_SHAPE = r"\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y]"
_CANDIDATES = re.compile(f"(?=({_SHAPE}))", re.ASCII)
REDACTED = "[identity code removed]"


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid identity code, or None when it is.

    The message never repeats the code itself, so it is safe to log.

    >>> problem("131052-308U")
    'identity code check character does not match'
    >>> problem("")
    'identity code is missing'
    """
    if not code:
        return "identity code is missing"
    match = _PATTERN.fullmatch(code)
    if match is None:
        return "identity code is not of the form DDMMYY, century sign, 3 digits, check character"
    dd, mm, yy, sign, individual, check = match.groups()
    try:
        date(_CENTURY_OF_SIGN[sign] + int(yy), int(mm), int(dd))
    except ValueError:
        return "identity code holds an impossible birth date"
    if int(individual) < 2:
        return "identity code individual number must be 002-999"
    if CHECK_CHARS[int(dd + mm + yy + individual) % 31] != check:
        return "identity code check character does not match"
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def birth_date(code: str) -> date:
    """Birth date of a valid code.

    >>> birth_date("010203A0058")
    datetime.date(2003, 2, 1)
    """
    dd, mm, yy, sign = code[0:2], code[2:4], code[4:6], code[6]
    return date(_CENTURY_OF_SIGN[sign] + int(yy), int(mm), int(dd))


def make(born: date, individual: int) -> str:
    """The valid code for a birth date and individual number (2-999)."""
    if not 2 <= individual <= 999:
        raise ValueError("individual number must be 2-999")
    stem = f"{born:%d%m}{born.year % 100:02d}"
    sign = _SIGN_OF_CENTURY[born.year // 100 * 100]
    check = CHECK_CHARS[int(f"{stem}{individual:03d}") % 31]
    return f"{stem}{sign}{individual:03d}{check}"


def candidates(text: str) -> list[tuple[int, int]]:
    """Spans of every substring shaped like an identity code: any case, overlapping, with
    no word boundaries (a code glued to other characters is still a code).

    >>> candidates("x131052-308tz")
    [(1, 12)]
    """
    return [(m.start(1), m.end(1)) for m in _CANDIDATES.finditer(text)]


def contains_code(text: str) -> bool:
    """Does ``text`` hold anything shaped like an identity code (valid or not)?"""
    return _CANDIDATES.search(text) is not None


def redact(text: str, replace: Callable[[str], str] | None = None) -> str:
    """``text`` with every code-shaped substring replaced (overlapping spans merged).

    ``replace`` gets the substring and returns its replacement (default: a marker), so
    a caller can put a pseudonym where the code was valid.

    >>> redact("id=131052-308T;other=131052-308U")
    'id=[identity code removed];other=[identity code removed]'
    """
    spans = candidates(text)
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out.append(text[pos:start])
        out.append(replace(text[start:end]) if replace else REDACTED)
        pos = end
    out.append(text[pos:])
    return "".join(out)
