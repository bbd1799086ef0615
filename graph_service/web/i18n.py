"""The pages' message catalogues: one JSON file per language in ``messages/``.

A language is a file: ``messages/sv.json`` adds Swedish, with no code. Each file maps
message keys to texts (``{name}`` placeholders, filled with :meth:`Catalogue.text`) and
holds, under ``_meta``, the language's own name and how it writes dates and times
(``str.format`` patterns over ``d``, ``m``, ``y``, ``H``, ``M``) and numbers (decimal and
thousands separators), so a date reads ``1.11.2026`` in Finnish and ``2026-11-01`` in
English. A key missing from a language
falls back to the default language (Finnish), so a partial translation still works.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

MESSAGES_DIR = Path(__file__).resolve().parent / "messages"
DEFAULT_LANGUAGE = "fi"
TIME_ZONE = ZoneInfo("Europe/Helsinki")  # the clients' and case workers' own clock


@dataclass(frozen=True)
class Catalogue:
    language: str
    messages: dict[str, str]
    meta: dict[str, str]
    """How the language writes: its own name, dates, times and numbers."""
    fallback: Catalogue | None = None

    @property
    def name(self) -> str:
        """The language's name in itself (Suomi, English, Svenska), for the switch."""
        return self.meta.get("name", self.language)

    def _style(self, key: str) -> str:
        if key in self.meta:
            return self.meta[key]
        if self.fallback is not None:
            return self.fallback._style(key)
        return _ISO_STYLE[key]

    def has(self, key: str) -> bool:
        return key in self.messages or (self.fallback is not None and self.fallback.has(key))

    def text_or(self, key: str, default: str) -> str:
        """The message ``key`` when a language has it, else ``default`` (e.g. a code's own
        notation when the catalogue has no name for it)."""
        return self.text(key) if self.has(key) else default

    def text(self, key: str, /, **values: object) -> str:
        """The message ``key`` with its placeholders filled; the key itself if no language
        has it (visible in the page, caught by the catalogue tests)."""
        pattern = self.messages.get(key)
        if pattern is None:
            return self.fallback.text(key, **values) if self.fallback else key
        return pattern.format_map(values) if values else pattern

    def date(self, value: date | str | None) -> str:
        """A date (or an ISO date or date-time text) in this language's way; "" for None."""
        if value is None or value == "":
            return ""
        when = _parse(value)
        if isinstance(when, datetime):
            when = _local(when).date()
        return self._style("date").format(d=when.day, m=when.month, y=when.year)

    def datetime(self, value: datetime | str | None) -> str:
        """A time in Helsinki time, in this language's way; "" for None."""
        if value is None or value == "":
            return ""
        when = _parse(value)
        if not isinstance(when, datetime):
            return self.date(when)
        when = _local(when)
        return self._style("datetime").format(d=when.day, m=when.month, y=when.year,
                                              H=when.hour, M=when.minute)

    def number(self, value: int | float | Decimal, places: int | None = None) -> str:
        """A number with this language's decimal and thousands separators.

        >>> fi = Catalogue("fi", {}, {"decimal": ",", "thousands": " "})
        >>> fi.number(Decimal("41143.38")), fi.number(300)
        ('41 143,38', '300')
        """
        text = f"{value:,.{places}f}" if places is not None else f"{value:,}"
        whole, _, fraction = text.partition(".")
        whole = whole.replace(",", self._style("thousands"))
        return whole + (self._style("decimal") + fraction if fraction else "")

    def boolean(self, value: bool) -> str:
        return self.text("answer.yes" if value else "answer.no")


_ISO_STYLE = {"date": "{y:04d}-{m:02d}-{d:02d}",
              "datetime": "{y:04d}-{m:02d}-{d:02d} {H:02d}:{M:02d}",
              "decimal": ".", "thousands": ","}


def _parse(value: date | str) -> date:
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) <= 10:
        return date.fromisoformat(text[:10])
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _local(when: datetime) -> datetime:
    return when.astimezone(TIME_ZONE) if when.tzinfo is not None else when


@cache
def catalogues(folder: Path = MESSAGES_DIR) -> dict[str, Catalogue]:
    """Every language in ``folder`` (one ``<code>.json`` each), the default first."""
    raw = {path.stem: json.loads(path.read_text(encoding="utf-8"))
           for path in sorted(folder.glob("*.json"))}
    if DEFAULT_LANGUAGE not in raw:
        raise FileNotFoundError(f"no {DEFAULT_LANGUAGE}.json in {folder}: the default "
                                "language's catalogue is required")
    default = _catalogue(DEFAULT_LANGUAGE, raw[DEFAULT_LANGUAGE], None)
    found = {DEFAULT_LANGUAGE: default}
    for language, data in raw.items():
        if language != DEFAULT_LANGUAGE:
            found[language] = _catalogue(language, data, default)
    return found


def _catalogue(language: str, data: dict, fallback: Catalogue | None) -> Catalogue:
    return Catalogue(language=language, meta=dict(data.get("_meta", {})),
                     messages={k: v for k, v in data.items() if not k.startswith("_")},
                     fallback=fallback)


def choose(requested: str | None, remembered: str | None,
           folder: Path = MESSAGES_DIR) -> Catalogue:
    """The catalogue of the language asked for in the URL, else the remembered one (the
    ``lang`` cookie), else the default. Unknown codes are ignored, never echoed."""
    found = catalogues(folder)
    for language in (requested, remembered):
        if language and language in found:
            return found[language]
    return found[DEFAULT_LANGUAGE]
