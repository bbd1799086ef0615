"""The client-reported forms as HTML form fields, and a posted HTML form back into the
API's own form model (``reported_forms.ReportForm``), so the page and the API check and
store a fact with the same code.

Which fields a form has, their codes and limits come from the form specs and models of
``graph_service.views.reported_forms``: a new form there is a new form on the page.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from pydantic import BaseModel, TypeAdapter, ValidationError

from graph_service.policy.sections import Section
from graph_service.views.labels import CodeLists
from graph_service.views.model import Fact
from graph_service.views.reported_forms import FORMS, FormField, FormSpec, ReportForm
from mappings.codes import code_lists as allowed_codes

NOTE = "note"
_ADAPTER: TypeAdapter = TypeAdapter(ReportForm)
# Codes whose order means something (levels) are listed in their own order, others by label.
_ORDERED_SCHEMES = frozenset({"cefr-level", "education-level"})


@dataclass(frozen=True)
class Widget:
    """One HTML form field of a client-reported form."""

    name: str  # the field's name in the form (and in the API's model)
    view: str  # its name in the situation view: the label's catalogue key is field.<view>
    kind: str  # select | boolean | integer | text | note
    required: bool
    options: tuple[tuple[str, str], ...] = ()  # (code, label) of a select
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None


@cache
def _models() -> dict[str, type[BaseModel]]:
    union = typing.get_args(ReportForm)[0]
    return {typing.get_args(model.model_fields["form"].annotation)[0]: model
            for model in typing.get_args(union)}


def _limits(model: type[BaseModel], name: str) -> dict[str, int]:
    info = model.model_fields[name]
    extra = dict(info.json_schema_extra or {}) if isinstance(info.json_schema_extra,
                                                             dict) else {}
    for arg in typing.get_args(info.annotation):  # an optional field's inner annotation
        for meta in typing.get_args(arg)[1:]:
            if isinstance(getattr(meta, "json_schema_extra", None), dict):
                extra.update(meta.json_schema_extra)
    return {k: v for k, v in extra.items() if k in ("maxLength", "minimum", "maximum")}


def _kind(model: type[BaseModel], field: FormField) -> str:
    if field.scheme is not None:
        return "select"
    if field.name == NOTE:
        return NOTE
    annotation = model.model_fields[field.name].annotation
    return {bool: "boolean", int: "integer"}.get(annotation, "text")


def _options(field: FormField, codes: CodeLists, language: str) -> tuple[tuple[str, str], ...]:
    assert field.scheme is not None

    def label(code: str) -> str:
        labels = codes.labels.get(field.concept(code), {})
        return labels.get(language) or labels.get("fi") or code

    options = [(code, label(code)) for code in allowed_codes()[field.scheme]]
    if field.scheme in _ORDERED_SCHEMES:
        return tuple(sorted(options))
    return tuple(sorted(options, key=lambda option: option[1].casefold()))


def widgets(spec: FormSpec, codes: CodeLists, language: str) -> list[Widget]:
    model = _models()[spec.name]
    found = []
    for field in spec.fields:
        limits = _limits(model, field.name)
        kind = _kind(model, field)
        found.append(Widget(
            name=field.name, view=field.view, kind=kind, required=field.required,
            options=_options(field, codes, language) if kind == "select" else (),
            max_length=limits.get("maxLength"), minimum=limits.get("minimum"),
            maximum=limits.get("maximum")))
    return found


def forms_by_section() -> dict[Section, list[FormSpec]]:
    """Each section's client-reported forms (a section may have none)."""
    by_section: dict[Section, list[FormSpec]] = {section: [] for section in Section}
    for spec in FORMS.values():
        by_section[spec.section].append(spec)
    return by_section


def stored_values(spec: FormSpec, fact: Fact) -> dict[str, str]:
    """A stored fact's values as its form's fields hold them, to correct it from there
    (only what the page already shows: the view's fields of the fact)."""
    values = {}
    for field in spec.fields:
        shown = fact.fields.get(field.view)
        if shown is None or shown.value is None:
            continue
        value = shown.value
        values[field.name] = str(value).lower() if isinstance(value, bool) else str(value)
    return values


def choice_fields(form_name: str) -> list[str]:
    """The fields whose values come from a fixed list (codes, yes/no): the only ones a
    failed form keeps, so nothing typed freely is written back into a page."""
    model = _models()[form_name]
    return [f.name for f in FORMS[form_name].fields if _kind(model, f) in ("select", "boolean")]


def parsed(form_name: str, posted: Mapping[str, str]) -> tuple[object | None, list[str]]:
    """The API's form model of a posted HTML form, or the names of the fields that fail
    (never their values). Empty optional fields are left out; a yes/no and a number are
    read from their text."""
    spec = FORMS[form_name]
    model = _models()[form_name]
    data: dict[str, object] = {"form": form_name}
    for field in spec.fields:
        text = posted.get(field.name, "")
        if text == "" or (field.name == NOTE and not text.strip()):
            continue
        kind = _kind(model, field)
        if kind == "boolean":
            data[field.name] = {"true": True, "false": False}.get(text, text)
        elif kind == "integer":
            digits = text.strip()
            data[field.name] = int(digits) if digits.isdigit() and len(digits) < 10 else text
        else:
            data[field.name] = text
    try:
        return _ADAPTER.validate_python(data), []
    except ValidationError as error:
        names = {f.name for f in spec.fields}
        failing = {next((str(p) for p in reversed(e["loc"]) if str(p) in names), "form")
                   for e in error.errors()}
        return None, sorted(failing)
