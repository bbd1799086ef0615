"""From a product query's rows to its JSON answer: declared by names, no product's own code.

Each variable of the query's SELECT names where its value goes in the answer: ``a__b`` is
property ``b`` of the object at ``a``; the output schema says what each property is (an
object, an array, a string, a number...). So for an output schema with ::

    {"skills": {"type": "array", "items": {"type": "object", "properties": {
        "escoIdentifier": {"type": "string"},
        "label": {"type": "object", "properties": {"fi": ..., "en": ...}}}}}}

the query selects ``?skills__escoIdentifier ?skills__label__fi ?skills__label__en``.

- An **array of objects** gets one item per distinct value of its own variable (``?skills``:
  e.g. the fact's IRI, not shown in the answer) or, without one, per distinct row of its
  item's variables (those not inside a nested array); rows where they are all unbound
  belong to no item. Items keep the order of the rows (``ORDER BY``).
- An **array of scalars** holds the distinct bound values of its variable, in row order.
- A **scalar** takes the first bound value among its rows, converted to the schema's type
  (``string``: an IRI or a literal's text; ``integer``, ``number``, ``boolean``).
- An **object** is left out when none of its variables is bound (an array is then ``[]``).

Independent parts of an answer come from UNION branches, so rows never multiply.
``$ref`` to the schema's own ``$defs`` is followed.

>>> from rdflib import Literal, URIRef
>>> schema = {"type": "object", "properties": {
...     "year": {"type": "integer"},
...     "skills": {"type": "array", "items": {"type": "object", "properties": {
...         "uri": {"type": "string"}, "label": {"type": "object", "properties": {
...             "fi": {"type": "string"}, "en": {"type": "string"}}}}}}}}
>>> shape = Shape(schema)
>>> sorted(shape.variables)
['skills', 'skills__label__en', 'skills__label__fi', 'skills__uri', 'year']
>>> row = {"year": Literal(2024), "skills__uri": URIRef("http://e/s1"),
...        "skills__label__fi": Literal("a", lang="fi"), "skills__label__en": Literal("A")}
>>> shape.answer([row, row])
{'year': 2024, 'skills': [{'uri': 'http://e/s1', 'label': {'fi': 'a', 'en': 'A'}}]}

Values of one item spread over several rows need the item's own variable:

>>> rows = [{"skills": URIRef("http://e/s1"), "skills__label__fi": Literal("a")},
...         {"skills": URIRef("http://e/s1"), "skills__label__en": Literal("A")}]
>>> shape.answer(rows)["skills"]
[{'label': {'fi': 'a', 'en': 'A'}}]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from rdflib import Literal
from rdflib.term import Node

from core.errors import TyodataError

SEPARATOR = "__"
SCALARS = frozenset({"string", "integer", "number", "boolean"})
_MAX_DEPTH = 12
Row = Mapping[str, Node | None]


class SchemaShapeError(TyodataError):
    """An output schema the shaper cannot follow (names the JSON path)."""


class ProductContractError(TyodataError):
    """A product's answer that breaks its own output schema: the product is at fault."""


@dataclass
class _Node:
    kind: str  # "object", "array" or a scalar type
    properties: dict[str, _Node] = field(default_factory=dict)  # an object's
    item: _Node | None = None  # an array's


def _resolve(schema: Any, root: dict, where: str) -> dict:
    """``schema`` with local ``$ref`` (``#/$defs/...``) followed; sibling keywords kept."""
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema:
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise SchemaShapeError(f"{where}: only local references (#/$defs/...) are "
                                   "followed")
        target: Any = root
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or part not in target:
                raise SchemaShapeError(f"{where}: {ref} points at nothing")
            target = target[part]
        rest = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **rest} if isinstance(target, dict) else target
        seen += 1
        if seen > _MAX_DEPTH:
            raise SchemaShapeError(f"{where}: references go round in a circle")
    if not isinstance(schema, dict):
        raise SchemaShapeError(f"{where}: a schema is an object")
    return schema


def _kind(schema: dict, where: str) -> str:
    declared = schema.get("type")
    types = [declared] if isinstance(declared, str) else list(declared or [])
    types = [t for t in types if t != "null"]
    if not types:
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        raise SchemaShapeError(f"{where}: says no type (object, array, string, integer, "
                               "number or boolean)")
    if len(types) > 1 or types[0] not in SCALARS | {"object", "array"}:
        raise SchemaShapeError(f"{where}: one type besides null, of object, array, "
                               + ", ".join(sorted(SCALARS)))
    return types[0]


def _compile(schema: Any, root: dict, where: str, depth: int = 0) -> _Node:
    if depth > _MAX_DEPTH:
        raise SchemaShapeError(f"{where}: nested too deep (recursive schemas have no shape)")
    schema = _resolve(schema, root, where)
    kind = _kind(schema, where)
    if kind == "object":
        properties = schema.get("properties") or {}
        for name in properties:
            if not name.isidentifier() or SEPARATOR in name or name.startswith("_"):
                raise SchemaShapeError(f"{where}.{name}: a property the query fills is named "
                                       f"with letters, digits and single underscores (its "
                                       f"variable joins the names with {SEPARATOR})")
        return _Node("object", {name: _compile(sub, root, f"{where}.{name}", depth + 1)
                                for name, sub in properties.items()})
    if kind == "array":
        if "items" not in schema:
            raise SchemaShapeError(f"{where}: an array says what its items are")
        item = _compile(schema["items"], root, f"{where}[]", depth + 1)
        if item.kind == "array":
            raise SchemaShapeError(f"{where}: an array of arrays has no variable naming")
        return _Node("array", item=item)
    return _Node(kind)


def _variables(node: _Node, prefix: str, into: set[str]) -> None:
    for name, sub in node.properties.items():
        path = prefix + name
        if sub.kind == "object":
            _variables(sub, path + SEPARATOR, into)
        elif sub.kind == "array" and sub.item is not None and sub.item.kind == "object":
            into.add(path)  # the item's own (hidden) variable
            _variables(sub.item, path + SEPARATOR, into)
        else:
            into.add(path)


def _key_variables(node: _Node, prefix: str) -> list[str]:
    """The variables that tell an item apart: all of it but what nested arrays hold."""
    found: list[str] = []
    for name, sub in node.properties.items():
        path = prefix + name
        if sub.kind == "object":
            found += _key_variables(sub, path + SEPARATOR)
        elif sub.kind != "array":
            found.append(path)
    return found


def _scalar(value: Node, kind: str, where: str) -> Any:
    if kind == "string":
        return str(value)
    python = value.toPython() if isinstance(value, Literal) else None
    try:
        if kind == "boolean" and isinstance(python, bool):
            return python
        if kind == "integer" and not isinstance(python, bool):
            number = python if isinstance(python, int | Decimal | float) else int(str(value))
            if number == int(number):
                return int(number)
        if kind == "number" and isinstance(python, int | Decimal | float) and not isinstance(
                python, bool):
            return float(python) if isinstance(python, Decimal) else python
    except (TypeError, ValueError):
        pass
    # Never the value itself in the message: it is a person's data.
    raise ProductContractError(f"{where}: the schema says {kind}, and the query's value is "
                               "not one")


class Shape:
    """The output schema, compiled once: which variables it takes and how rows become JSON."""

    def __init__(self, schema: dict) -> None:
        self.root = _compile(schema, schema, "$")
        if self.root.kind != "object":
            raise SchemaShapeError("$: a product's answer is a JSON object")
        found: set[str] = set()
        _variables(self.root, "", found)
        self.variables = frozenset(found)
        """Every variable the query may select (array item variables included)."""

    def answer(self, rows: Sequence[Row]) -> dict:
        """The JSON answer of the query's rows (may break the schema's other rules: the
        caller validates it)."""
        return self._object(self.root, rows, "") or {}

    def _object(self, node: _Node, rows: Sequence[Row], prefix: str) -> dict:
        out: dict[str, Any] = {}
        for name, sub in node.properties.items():
            path = prefix + name
            if sub.kind == "object":
                if _bound_under(sub, rows, path + SEPARATOR):
                    out[name] = self._object(sub, rows, path + SEPARATOR)
            elif sub.kind == "array":
                out[name] = self._array(sub, rows, path)
            else:
                value = next((row[path] for row in rows if row.get(path) is not None), None)
                if value is not None:
                    out[name] = _scalar(value, sub.kind, "$." + path.replace(SEPARATOR, "."))
        return out

    def _array(self, node: _Node, rows: Sequence[Row], path: str) -> list:
        item = node.item
        assert item is not None
        if item.kind != "object":
            values: dict[Node, None] = {}
            for row in rows:
                value = row.get(path)
                if value is not None:
                    values.setdefault(value, None)
            where = "$." + path.replace(SEPARATOR, ".") + "[]"
            return [_scalar(v, item.kind, where) for v in values]
        prefix = path + SEPARATOR
        keys = [path] if any(row.get(path) is not None for row in rows) \
            else _key_variables(item, prefix)
        groups: dict[tuple, list[Row]] = {}
        for row in rows:
            key = tuple(row.get(k) for k in keys)
            if any(v is not None for v in key):
                groups.setdefault(key, []).append(row)
        return [self._object(item, group, prefix) for group in groups.values()]


def _bound_under(node: _Node, rows: Sequence[Row], prefix: str) -> bool:
    return any(value is not None and name.startswith(prefix)
               for row in rows for name, value in row.items())
