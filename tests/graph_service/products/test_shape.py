"""Rows to JSON by the output schema: variables name the places, the schema the kinds."""

from __future__ import annotations

import pytest
from rdflib import XSD, Literal, URIRef

from graph_service.products.shape import ProductContractError, SchemaShapeError, Shape

CODED = {"type": "object", "properties": {
    "code": {"type": "string"},
    "label": {"type": "object", "properties": {"fi": {"type": "string"},
                                               "en": {"type": "string"}}}}}
SCHEMA = {
    "type": "object",
    "properties": {
        "updated": {"type": "string"},
        "count": {"type": "integer"},
        "share": {"type": "number"},
        "active": {"type": "boolean"},
        "home": {"$ref": "#/$defs/coded"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "periods": {"type": "array", "items": {"type": "object", "properties": {
            "start": {"type": "string"},
            "status": {"$ref": "#/$defs/coded"},
            "notes": {"type": "array", "items": {"type": "string"}}}}},
        "languages": {"type": "array", "items": {"type": "object", "properties": {
            "language": {"$ref": "#/$defs/coded"}, "level": {"type": "string"}}}},
    },
    "$defs": {"coded": CODED},
}


def lit(value, **kw) -> Literal:
    return Literal(value, **kw)


def test_the_schema_names_every_variable_the_query_may_select():
    assert Shape(SCHEMA).variables == {
        "updated", "count", "share", "active", "home__code", "home__label__fi",
        "home__label__en", "tags", "periods", "periods__start", "periods__status__code",
        "periods__status__label__fi", "periods__status__label__en", "periods__notes",
        "languages", "languages__language__code", "languages__language__label__fi",
        "languages__language__label__en", "languages__level"}


def test_rows_of_union_branches_become_one_answer():
    rows = [
        {"updated": lit("2026-01-02", datatype=XSD.date), "count": lit(3),
         "share": lit("0.25", datatype=XSD.decimal), "active": lit(True),
         "home__code": lit("091"), "home__label__fi": lit("Helsinki", lang="fi")},
        {"periods": URIRef("https://x/p2"), "periods__start": lit("2024-01-01"),
         "periods__status__code": lit("TYOTON"), "periods__notes": lit("b")},
        {"periods": URIRef("https://x/p2"), "periods__notes": lit("a")},
        {"periods": URIRef("https://x/p1"), "periods__start": lit("2020-01-01"),
         "periods__status__code": lit("LOMAUTETTU")},
        {"tags": lit("x")}, {"tags": lit("y")}, {"tags": lit("x")},
        # Two languages at the same level stay two items (no item variable: whole rows).
        {"languages__language__code": lit("fi"), "languages__level": lit("B1")},
        {"languages__language__code": lit("sv"), "languages__level": lit("B1")},
        {"languages__language__code": lit("fi"), "languages__level": lit("B1")},
    ]
    assert Shape(SCHEMA).answer(rows) == {
        "updated": "2026-01-02", "count": 3, "share": 0.25, "active": True,
        "home": {"code": "091", "label": {"fi": "Helsinki"}},
        "tags": ["x", "y"],
        "periods": [{"start": "2024-01-01", "status": {"code": "TYOTON"},
                     "notes": ["b", "a"]},
                    {"start": "2020-01-01", "status": {"code": "LOMAUTETTU"}, "notes": []}],
        "languages": [{"language": {"code": "fi"}, "level": "B1"},
                      {"language": {"code": "sv"}, "level": "B1"}],
    }


def test_no_rows_give_empty_arrays_and_no_objects():
    assert Shape(SCHEMA).answer([]) == {"tags": [], "periods": [], "languages": []}


@pytest.mark.parametrize(("kind", "value"), [("integer", lit("twelve")),
                                              ("integer", lit("2.5", datatype=XSD.decimal)),
                                              ("boolean", lit("yes")),
                                              ("number", URIRef("https://x/1"))])
def test_a_value_of_the_wrong_kind_breaks_the_contract_without_showing_it(kind, value):
    shape = Shape({"type": "object", "properties": {"field": {"type": kind}}})
    with pytest.raises(ProductContractError) as raised:
        shape.answer([{"field": value}])
    assert "$.field" in str(raised.value) and kind in str(raised.value)
    assert str(value) not in str(raised.value)


@pytest.mark.parametrize(("schema", "words"), [
    ({"type": "array", "items": {"type": "string"}}, "JSON object"),
    ({"type": "object", "properties": {"a__b": {"type": "string"}}}, "single underscores"),
    ({"type": "object", "properties": {"a": {"description": "no type"}}}, "says no type"),
    ({"type": "object", "properties": {"a": {"type": ["string", "integer"]}}}, "one type"),
    ({"type": "object", "properties": {"a": {"$ref": "https://example.org/s.json"}}},
     "local references"),
    ({"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}}, "points at nothing"),
    ({"type": "object", "properties": {"a": {"type": "array", "items": {
        "type": "array", "items": {"type": "string"}}}}}, "array of arrays"),
    ({"type": "object", "properties": {"a": {"$ref": "#/$defs/t"}},
      "$defs": {"t": {"type": "object", "properties": {"b": {"$ref": "#/$defs/t"}}}}},
     "too deep"),
])
def test_a_schema_without_a_shape_is_refused_naming_where(schema, words):
    with pytest.raises(SchemaShapeError) as raised:
        Shape(schema)
    assert words in str(raised.value)
