"""How the pages write the view's values: a field's value in the reader's language (a
code's label, a date in the language's way, a yes/no, an amount with its separators), a
legal basis by its name. Only presentation: what is shown was decided before."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from graph_service.views.derive import CLIENT_REPORTED_ONLY
from graph_service.views.model import FieldValue
from graph_service.web.i18n import Catalogue

EURO_SUFFIX = "_eur"
EURO_FIGURES = frozenset({"earnings_by_year"})  # summary figures in euros by another name


def _euros(name: str) -> bool:
    return name.endswith(EURO_SUFFIX) or name in EURO_FIGURES


def field_text(messages: Catalogue, name: str, field: FieldValue) -> str:
    """The text of one field's value.

    >>> from graph_service.web.i18n import catalogues
    >>> fi = catalogues()["fi"]
    >>> field_text(fi, "earnings_eur", FieldValue(value=Decimal("41143.38")))
    '41\\xa0143,38 €'
    >>> field_text(fi, "mother_tongue", FieldValue(value="fi", labels={"fi": "suomi"}))
    'suomi'
    """
    if field.labels:
        return (field.labels.get(messages.language) or field.labels.get("fi")
                or next(iter(field.labels.values())))
    value = field.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return messages.boolean(value)
    if isinstance(value, datetime):
        return messages.datetime(value)
    if isinstance(value, date):
        return messages.date(value)
    if isinstance(value, Decimal | float):
        text = messages.number(value, 2)
        return f"{text} €" if _euros(name) else text
    if isinstance(value, int):
        return str(value) if "year" in name else messages.number(value)
    return str(value)


def basis_text(messages: Catalogue, iri: str) -> str:
    """A legal basis by its name in the catalogue, else its IRI's last segment."""
    return messages.text_or(f"basis.{iri}", iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1])


def summary_text(messages: Catalogue, key: str, value: Any) -> str:
    """The text of one summary figure: a value, a list of values, or named parts (a part's
    label is ``summary.<key>.<part>`` when the catalogue has one).

    >>> from graph_service.web.i18n import catalogues
    >>> en = catalogues()["en"]
    >>> summary_text(en, "earnings_by_year", {"2021": Decimal("30000")})
    '2021: 30,000.00 €'
    >>> summary_text(en, "earnings_years", [2021, 2022])
    '2021, 2022'
    """
    if value is None:
        return messages.text("summary.unknown")
    if value == [] or value == {}:
        return messages.text("summary.none")
    if isinstance(value, FieldValue):
        return field_text(messages, key, value)
    if value == CLIENT_REPORTED_ONLY:
        return messages.text("summary.client_reported_only")
    if isinstance(value, list):
        return ", ".join(summary_text(messages, key, item) for item in value)
    if isinstance(value, dict):
        parts = []
        for part, inner in value.items():
            if inner is None:
                continue
            label_key = f"summary.{key}.{part}"
            if messages.has(label_key):
                parts.append(f"{messages.text(label_key)}: {summary_text(messages, part, inner)}")
            elif str(part).isdigit():  # a year
                parts.append(f"{part}: {summary_text(messages, key, inner)}")
            else:
                parts.append(summary_text(messages, str(part), inner))
        return "; ".join(parts) if any(":" in p for p in parts) else " – ".join(parts)
    if isinstance(value, int | Decimal) and not isinstance(value, bool) and _euros(key):
        return f"{messages.number(value, 2)} €"
    return field_text(messages, key, FieldValue(value=value))
