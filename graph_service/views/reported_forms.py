"""The structured forms of client-reported facts: what a case worker may record, per
section, and how each field is stored.

One form per kind of fact, each with typed fields and at most a short note (there is no
free-text-only form). The request models check only the JSON types; the values (codes,
lengths, ranges) are checked by the SHACL shapes on the RDF the form becomes
(``client_reported.validate``), and the same limits are written into the models' JSON
Schema so the OpenAPI document says exactly what the shapes accept.

>>> FORMS["education_abroad"].section
<Section.STUDIES: 'studies'>
>>> [f.view for f in FORMS["language_skill"].fields]
['other_language', 'cefr_level', 'note']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictStr,
    Tag,
)

from graph_service.policy.sections import Section
from mappings.codes import CODE_NS, code_lists

TYO = "https://tyodata.fi/ontology#"
NOTE_MAX = 280
TEXT_MAX = 100
YEARS_MIN, YEARS_MAX = 1, 10


@dataclass(frozen=True)
class FormField:
    """One field of a form: its name in the request, its name in the situation view
    (shared with registry facts that say the same thing), its RDF property and, for a
    coded value, the code list."""

    name: str
    view: str
    property: str
    scheme: str | None = None  # code list id, e.g. "language"
    required: bool = True

    def concept(self, code: str) -> str:
        assert self.scheme is not None
        return f"{CODE_NS}{self.scheme}/{code}"


@dataclass(frozen=True)
class FormSpec:
    name: str
    section: Section
    fields: tuple[FormField, ...]

    @property
    def concept(self) -> str:
        return f"{CODE_NS}reported-form/{self.name}"

    def field(self, name: str) -> FormField:
        return next(f for f in self.fields if f.name == name)


_NOTE = FormField("note", "note", TYO + "note", required=False)
FORMS: dict[str, FormSpec] = {spec.name: spec for spec in (
    FormSpec("language_skill", Section.BASIC, (
        FormField("language", "other_language", TYO + "reportedLanguage", "language"),
        FormField("cefr_level", "cefr_level", TYO + "reportedCefrLevel", "cefr-level"),
        _NOTE)),
    FormSpec("interpreter", Section.BASIC, (
        FormField("needed", "interpreter_needed", TYO + "interpreterNeeded"),
        FormField("language", "interpreter_language", TYO + "interpreterLanguage", "language",
                  required=False),
        _NOTE)),
    FormSpec("education_abroad", Section.STUDIES, (
        FormField("level", "level", TYO + "educationLevelAbroad", "education-level"),
        FormField("country", "country", TYO + "country", "country"),
        FormField("years", "years", TYO + "yearsOfStudy"),
        FormField("qualification", "qualification", TYO + "qualificationAbroad"),
        _NOTE)),
    FormSpec("health_centre", Section.HEALTH, (
        FormField("name", "health_centre", TYO + "healthCentre"), _NOTE)),
    FormSpec("housing", Section.FAMILY, (
        FormField("housing_type", "housing_type", TYO + "housingType", "housing-type"),
        _NOTE)),
)}
FIELD_OF_PROPERTY: dict[str, dict[str, FormField]] = {
    name: {f.property: f for f in spec.fields} for name, spec in FORMS.items()}


def _code(scheme: str, description: str) -> Any:
    """A code of ``scheme``: a string whose JSON Schema lists the codes the shapes accept."""
    return Annotated[StrictStr, Field(description=description,
                                      json_schema_extra={"enum": sorted(code_lists()[scheme])})]


def _text(max_length: int, description: str) -> Any:
    """A short text, not only white space (the shapes say the same with sh:pattern)."""
    return Annotated[StrictStr, Field(description=description, json_schema_extra={
        "minLength": 1, "maxLength": max_length, "pattern": r"\S"})]


def _whole_number(value: Any) -> Any:
    """A JSON integer: a number with no fraction (JSON Schema counts 3.0 as one), never a
    text or a yes/no."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
Language = _code("language", "ISO 639-1 code from the language code list")
Note = Annotated[StrictStr, Field(description=f"A short note, at most {NOTE_MAX} characters",
                                  json_schema_extra={"maxLength": NOTE_MAX})]


class _Form(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LanguageForm(_Form):
    """A language the client knows, with the level (basic information)."""

    form: Literal["language_skill"]
    language: Language
    cefr_level: _code("cefr-level", "CEFR level, A1..C2")  # type: ignore[valid-type]
    note: Note | None = None


class InterpreterForm(_Form):
    """Whether the client needs an interpreter, and into which language (basic
    information; no registry records this)."""

    form: Literal["interpreter"]
    needed: StrictBool
    language: Language | None = None
    note: Note | None = None


class EducationAbroadForm(_Form):
    """Education the client completed or attended abroad (studies)."""

    form: Literal["education_abroad"]
    level: _code("education-level", "ISCED 2011 level, 1..8")  # type: ignore[valid-type]
    country: _code("country", "ISO 3166-1 alpha-2 country code")  # type: ignore[valid-type]
    years: WholeNumber = Field(description="Years of study",
                               json_schema_extra={"minimum": YEARS_MIN, "maximum": YEARS_MAX})
    qualification: _text(TEXT_MAX, "The qualification's name")  # type: ignore[valid-type]
    note: Note | None = None


class HealthCentreForm(_Form):
    """The client's own health centre (health)."""

    form: Literal["health_centre"]
    name: _text(TEXT_MAX, "The health centre's name")  # type: ignore[valid-type]
    note: Note | None = None


class HousingForm(_Form):
    """How the client lives (family and housing)."""

    form: Literal["housing"]
    housing_type: _code("housing-type", "Housing type")  # type: ignore[valid-type]
    note: Note | None = None


_TAGS = {"language_skill": "LanguageForm", "interpreter": "InterpreterForm",
         "education_abroad": "EducationAbroadForm", "health_centre": "HealthCentreForm",
         "housing": "HousingForm"}


def _tag(value: Any) -> str | None:
    """Which model a body is, by its ``form``. Errors are then located under the model's
    name, never under the text the caller sent."""
    form = value.get("form") if isinstance(value, dict) else getattr(value, "form", None)
    return _TAGS.get(form) if isinstance(form, str) else None


ReportForm = Annotated[
    Annotated[LanguageForm, Tag("LanguageForm")]
    | Annotated[InterpreterForm, Tag("InterpreterForm")]
    | Annotated[EducationAbroadForm, Tag("EducationAbroadForm")]
    | Annotated[HealthCentreForm, Tag("HealthCentreForm")]
    | Annotated[HousingForm, Tag("HousingForm")],
    # The message names no form: a problem document repeats nothing the caller sent.
    Discriminator(_tag, custom_error_type="unknown_form",
                  custom_error_message="a JSON object whose form is one of the documented "
                                       "forms is required")]
