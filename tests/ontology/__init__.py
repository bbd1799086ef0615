"""Tests of the ontology, its shapes and the generated namespaces.

Shared helper: the statements each declarative mapping (``mappings/<source>.yarrrml.yml``)
produces, read just far enough to check the ontology and the shapes against them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
MAPPINGS_DIR = REPO / "mappings"
SOURCES_YAML = MAPPINGS_DIR / "sources.yaml"

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Staging replaces the identity code (column hetu) with the pseudonym in column henkilo,
# and adds the year of birth and the sex it holds (henkilo_syntymavuosi, henkilo_sukupuoli).
STAGED_COLUMNS = {"henkilo": "hetu"}
DERIVED_COLUMNS: dict[str, dict[str, Any]] = {
    "henkilo_syntymavuosi": {"type": "int", "required": True, "min": 1800, "max": 2100},
    "henkilo_sukupuoli": {"type": "code", "codelist": "sex", "required": True}}

_VARIABLE = re.compile(r"\$\(([^)]+)\)")


@dataclass(frozen=True)
class MappedStatement:
    """One predicate-object rule of a mapping, with what sources.yaml says of its column."""

    source: str
    mapping: str
    file: str
    subject: str  # subject template, e.g. https://tyodata.fi/id/kela/benefit-decision/$(paatos_id)
    cls: str  # class IRI of the subject (from the mapping that types it)
    primary: bool  # True when this mapping also types the subject: one row, one subject
    predicate: str  # predicate IRI
    column: str  # the source column of sources.yaml the value comes from
    column_spec: dict[str, Any]
    datatype: str | None  # datatype IRI of a literal value; None for an IRI value
    template: str | None  # IRI template of an IRI value (with $(column) parts); None for literals

    @property
    def required(self) -> bool:
        """The subject must have the value: the column is required and one row is one subject."""
        return self.primary and bool(self.column_spec.get("required"))


@cache
def sources_spec() -> dict[str, Any]:
    """The ``sources`` section of mappings/sources.yaml."""
    return yaml.safe_load(SOURCES_YAML.read_text(encoding="utf-8"))["sources"]


def mapping_sources() -> list[str]:
    """Sources that have a mapping file, sorted."""
    return sorted(p.name.removesuffix(".yarrrml.yml") for p in MAPPINGS_DIR.glob("*.yarrrml.yml"))


def _expand(term: str, prefixes: dict[str, str]) -> str:
    prefix, sep, local = term.partition(":")
    if sep and prefix in prefixes and not local.startswith("//"):
        return prefixes[prefix] + local
    return term


@cache
def mapped_statements(source: str) -> tuple[MappedStatement, ...]:
    """All predicate-object rules of ``mappings/<source>.yarrrml.yml`` except ``a``."""
    doc = yaml.safe_load((MAPPINGS_DIR / f"{source}.yarrrml.yml").read_text(encoding="utf-8"))
    prefixes: dict[str, str] = doc["prefixes"]
    files = sources_spec()[source]["files"]
    class_of: dict[str, str] = {}
    for rule in doc["mappings"].values():
        for po in rule["po"]:
            if po[0] == "a":
                class_of[rule["s"]] = _expand(po[1], prefixes)
    statements = []
    for name, rule in doc["mappings"].items():
        file = rule["sources"][0][0].split("~")[0]
        columns = files[file]["columns"]
        primary = any(po[0] == "a" for po in rule["po"])
        for po in rule["po"]:
            if po[0] == "a":
                continue
            predicate, value = _expand(po[0], prefixes), po[1]
            (variable,) = _VARIABLE.findall(value)
            column = STAGED_COLUMNS.get(variable, variable)
            datatype: str | None = None
            template: str | None = None
            if value.endswith("~iri"):
                template = _expand(value.removesuffix("~iri"), prefixes)
            elif len(po) > 2 and po[2].endswith("~lang"):
                datatype = RDF_LANGSTRING
            elif len(po) > 2:
                datatype = _expand(po[2], prefixes)
            else:
                datatype = XSD_STRING
            statements.append(
                MappedStatement(
                    source=source,
                    mapping=name,
                    file=file,
                    subject=rule["s"],
                    cls=class_of[rule["s"]],
                    primary=primary,
                    predicate=predicate,
                    column=column,
                    column_spec=columns.get(column) or DERIVED_COLUMNS[column],
                    datatype=datatype,
                    template=template,
                )
            )
    return tuple(statements)
