"""Compile an RML graph into a :class:`MappingPlan`.

The plan is a flat description of every triple a row can yield: for each
triples map its logical source, its subject term and a list of
``(predicate IRI, object term)`` pairs (``rr:class`` becomes
``(rdf:type, <class>)``). :mod:`mappings.rml.executor` turns that into fast
per-row code.

Three vocabularies are read alike: RML-Core ``http://w3id.org/rml/`` (what
our YARRRML loader and morph-kgc produce), legacy RML
``http://semweb.mmlab.be/ns/rml#`` with ``ql:`` formulations, and R2RML
``rr:``. Every property of these vocabularies that we do not execute is
refused with an :class:`UnsupportedConstructError` naming it, never ignored.

Example::

    >>> from mappings.rml.yarrrml import yarrrml_to_rml
    >>> rml = yarrrml_to_rml({"mappings": {"p": {
    ...     "sources": [["p.csv~csv"]], "s": "http://ex.org/p/$(id)",
    ...     "po": [["a", "http://ex.org/P"]]}}})
    >>> plan = compile_mapping(rml, base_dir=Path("."))
    >>> plan.sources
    ['p.csv']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal, NoReturn

from rdflib import RDF, XSD, BNode, Graph, URIRef
from rdflib import Literal as RDFLiteral
from rdflib.term import Node

from mappings.rml import executor
from mappings.rml.errors import MappingSyntaxError, UnsupportedConstructError

RR = "http://www.w3.org/ns/r2rml#"
RML_CORE = "http://w3id.org/rml/"
RML_LEGACY = "http://semweb.mmlab.be/ns/rml#"
QL = "http://semweb.mmlab.be/ns/ql#"
_VOCABULARIES = (RML_CORE, RML_LEGACY, RR)

TermType = Literal["iri", "literal"]
Fail = Callable[[str], NoReturn]
SourceFormat = Literal["csv", "json"]

# What each kind of node may carry (local names, any of the vocabularies).
_ALLOWED = {
    "triples map": {"logicalSource", "subjectMap", "subject", "predicateObjectMap"},
    "logical source": {"source", "referenceFormulation", "iterator"},
    "subject map": {"template", "constant", "reference", "column", "class", "termType"},
    "predicate-object map": {"predicate", "predicateMap", "object", "objectMap"},
    "predicate map": {"constant", "termType"},
    "object map": {"template", "constant", "reference", "column", "termType", "datatype",
                   "language", "datatypeMap", "languageMap"},
    "datatype map": {"constant"},
    "language map": {"constant"},
}
_HINTS = {
    "parentTriplesMap": "referencing object maps (joins) are not supported; map the foreign "
                        "key with a template instead",
    "joinCondition": "joins are not supported; map the foreign key with a template instead",
    "graphMap": "graph maps are not supported; the graph is given to MappingPlan.run(graph=...)",
    "graph": "graph maps are not supported; the graph is given to MappingPlan.run(graph=...)",
    "logicalTable": "SQL logical tables are not supported; use a CSV or JSON logical source",
    "tableName": "SQL sources are not supported; use a CSV or JSON file",
    "sqlQuery": "SQL sources are not supported; use a CSV or JSON file",
    "query": "query sources are not supported; use a CSV or JSON file",
    "functionExecution": "functions (FNML) are not supported; prepare the value in the source",
    "quotedTriplesMap": "RDF-star is not supported",
}
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]+(-[A-Za-z0-9]+)*$")
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')


@dataclass(frozen=True)
class TermSpec:
    """One RDF term a row yields.

    ``parts`` alternate text and reference names, starting and ending with
    text: a constant is ``(text,)``, ``rml:reference "x"`` is ``("", "x", "")``
    and the template ``ex/{a}-{b}`` is ``("ex/", "a", "-", "b", "")``.
    ``encode`` says whether reference values are percent-encoded (IRI
    templates only, as in R2RML).
    """

    parts: tuple[str, ...]
    term_type: TermType
    encode: bool = False
    datatype: str | None = None
    language: str | None = None
    where: str = ""

    @property
    def references(self) -> tuple[str, ...]:
        return self.parts[1::2]

    @property
    def is_constant(self) -> bool:
        return len(self.parts) == 1


@dataclass(frozen=True)
class SourceSpec:
    """A logical source: ``name`` as written in the mapping, ``path`` resolved."""

    name: str
    path: Path
    format: SourceFormat
    iterator: str | None = None


@dataclass(frozen=True)
class TriplesMapSpec:
    name: str
    source: SourceSpec
    subject: TermSpec
    lines: tuple[tuple[str, TermSpec], ...]  # (predicate IRI, object term)


@dataclass(frozen=True)
class MappingPlan:
    """An executable mapping: run it to write N-Triples / N-Quads.

    :raises MappingError: from :meth:`run` when a source is missing or a value
        cannot become an RDF term.
    """

    triples_maps: tuple[TriplesMapSpec, ...]

    @property
    def sources(self) -> list[str]:
        """Source names as written in the mapping (relative to ``base_dir``)."""
        return list(dict.fromkeys(tm.source.name for tm in self.triples_maps))

    def run(self, out: IO[bytes], graph: str | None = None) -> executor.RunCounts:
        """Write every triple to ``out`` as N-Quads in ``graph`` (N-Triples if None)."""
        return executor.execute(self.triples_maps, out, graph=graph)


def compile_mapping(rml: Graph, base_dir: Path,
                    source_overrides: Mapping[str, Path] | None = None) -> MappingPlan:
    """Compile an RML graph (see :func:`mappings.rml.load_mapping`) to a plan.

    ``source_overrides`` maps a source name, as written in the mapping, to the
    file to read instead.

    :raises MappingSyntaxError: if a term map is malformed.
    :raises UnsupportedConstructError: if the mapping uses RML outside our subset.
    """
    compiler = _Compiler(rml, Path(base_dir), dict(source_overrides or {}))
    return MappingPlan(tuple(compiler.triples_maps()))


def _local(predicate: Node) -> str | None:
    text = str(predicate)
    for vocabulary in _VOCABULARIES:
        if text.startswith(vocabulary):
            return text[len(vocabulary):]
    return None


def _label(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


class _Compiler:
    def __init__(self, rml: Graph, base_dir: Path, overrides: dict[str, Path]) -> None:
        self.rml = rml
        self.base_dir = base_dir
        self.overrides = overrides
        identifier = str(rml.identifier)
        self.origin = identifier[len("file://"):] if identifier.startswith("file://") else ""

    def _fail(self, where: str, message: str, *, unsupported: bool = False) -> NoReturn:
        cls = UnsupportedConstructError if unsupported else MappingSyntaxError
        prefix = f"{self.origin}: " if self.origin else ""
        raise cls(f"{prefix}{where}: {message}")

    def _properties(self, node: Node, kind: str, where: str) -> dict[str, list[Node]]:
        """The node's RML properties by local name; refuses unknown ones."""
        props: dict[str, list[Node]] = {}
        for predicate, value in self.rml.predicate_objects(node):
            local = _local(predicate)
            if local is None:
                continue  # rdf:type, rdfs:comment, ...: not ours to judge
            if local not in _ALLOWED[kind]:
                hint = _HINTS.get(local, "it is not in the RML subset mappings.rml executes")
                self._fail(where, f"{kind} uses <{predicate}>: {hint}", unsupported=True)
            props.setdefault(local, []).append(value)
        return props

    def _one(self, props: dict[str, list[Node]], names: Iterable[str], where: str,
             what: str) -> tuple[str, Node]:
        found = [(name, value) for name in names for value in props.get(name, [])]
        if len(found) != 1:
            problem = "none" if not found else f"{len(found)}"
            self._fail(where, f"needs exactly one {what}, found {problem}")
        return found[0]

    # -- triples maps ------------------------------------------------------

    def triples_maps(self) -> list[TriplesMapSpec]:
        nodes: set[Node] = set()
        for predicate, name in ((RML_CORE, "logicalSource"), (RML_LEGACY, "logicalSource"),
                                (RR, "logicalTable")):
            nodes.update(self.rml.subjects(URIRef(predicate + name), None))
        for vocabulary in (RML_CORE, RR):
            for node in self.rml.subjects(RDF.type, URIRef(vocabulary + "TriplesMap")):
                nodes.add(node)
        if not nodes:
            self._fail("mapping", "no triples maps found (nothing has rml:logicalSource)")
        return [self._triples_map(node) for node in sorted(nodes, key=_label)]

    def _triples_map(self, node: Node) -> TriplesMapSpec:
        name = _label(node)
        where = f"triples map {name!r}"
        props = self._properties(node, "triples map", where)
        _, ls = self._one(props, ["logicalSource"], where, "rml:logicalSource")
        source = self._source(ls, where)

        subject_key, subject_node = self._one(props, ["subjectMap", "subject"], where,
                                              "subject map")
        if subject_key == "subject":
            subject = self._constant_term(subject_node, "iri", f"{where}, rr:subject")
            classes: list[Node] = []
        else:
            sm_where = f"{where}, subject map"
            sm_props = self._properties(subject_node, "subject map", sm_where)
            subject = self._term(sm_props, "iri", sm_where, position="subject")
            classes = sm_props.get("class", [])

        lines: list[tuple[str, TermSpec]] = []
        for cls in sorted(classes, key=str):
            obj = self._constant_term(cls, "iri", f"{where}, rr:class")
            lines.append((str(RDF.type), obj))
        poms = sorted(props.get("predicateObjectMap", []), key=self._describe_pom)
        for pom in poms:
            lines.extend(self._predicate_object_map(pom, f"{where}, {self._describe_pom(pom)}"))
        return TriplesMapSpec(name=name, source=source, subject=subject, lines=tuple(lines))

    def _describe_pom(self, pom: Node) -> str:
        predicates = []
        for predicate, value in self.rml.predicate_objects(pom):
            local = _local(predicate)
            if local == "predicate":
                predicates.append(str(value))
            elif local == "predicateMap":
                predicates.extend(str(c) for p, c in self.rml.predicate_objects(value)
                                  if _local(p) == "constant")
        return f"predicate-object map for <{'>, <'.join(sorted(predicates)) or '?'}>"

    def _source(self, ls: Node, where: str) -> SourceSpec:
        where = f"{where}, logical source"
        props = self._properties(ls, "logical source", where)
        _, source = self._one(props, ["source"], where, "rml:source")
        if not isinstance(source, RDFLiteral):
            self._fail(where, f"rml:source {source} must be a file path literal "
                       "(structured sources are not supported)", unsupported=True)
        name = str(source)
        formulations = props.get("referenceFormulation", [])
        formulation = str(formulations[0]) if formulations else ""
        fmt: SourceFormat
        if formulation in (QL + "CSV", RML_CORE + "CSV"):
            fmt = "csv"
        elif formulation in (QL + "JSONPath", RML_CORE + "JSONPath"):
            fmt = "json"
        elif formulation:
            self._fail(where, f"reference formulation <{formulation}> is not supported; use "
                       "ql:CSV or ql:JSONPath", unsupported=True)
        elif name.lower().endswith(".csv"):
            fmt = "csv"  # morph-kgc infers the format from the extension too
        elif name.lower().endswith(".json"):
            fmt = "json"
        else:
            self._fail(where, f"cannot tell the format of {name!r}; add "
                       "rml:referenceFormulation ql:CSV or ql:JSONPath")
        iterators = props.get("iterator", [])
        iterator = str(iterators[0]) if iterators else None
        if fmt == "json":
            if iterator is None:
                self._fail(where, f"JSON source {name!r} needs an rml:iterator such as \"$[*]\"")
            if executor.parse_json_iterator(iterator) is None:
                self._fail(where, f"JSONPath iterator {iterator!r} is not supported; use $[*] "
                           "or $.key[*] (dotted keys)", unsupported=True)
        path = self.overrides.get(name, self.base_dir / name)
        return SourceSpec(name=name, path=Path(path), format=fmt,
                          iterator=iterator if fmt == "json" else None)

    def _predicate_object_map(self, pom: Node, where: str) -> list[tuple[str, TermSpec]]:
        props = self._properties(pom, "predicate-object map", where)
        predicates = [self._constant_term(p, "iri", f"{where}, rr:predicate").parts[0]
                      for p in props.get("predicate", [])]
        for pm in props.get("predicateMap", []):
            pm_where = f"{where}, predicate map"
            pm_props = self._properties(pm, "predicate map", pm_where)
            predicates.append(self._term(pm_props, "iri", pm_where, position="predicate").parts[0])
        objects = [self._constant_term(o, None, f"{where}, rr:object")
                   for o in props.get("object", [])]
        for om in props.get("objectMap", []):
            om_where = f"{where}, object map"
            objects.append(self._term(self._properties(om, "object map", om_where), None,
                                      om_where, position="object"))
        if not predicates or not objects:
            self._fail(where, "needs at least one predicate and one object")
        return [(p, o) for p in sorted(predicates) for o in objects]

    # -- term maps ---------------------------------------------------------

    def _term(self, props: dict[str, list[Node]], default_type: TermType | None, where: str,
              *, position: str) -> TermSpec:
        kind, value = self._one(props, ["constant", "template", "reference", "column"], where,
                                "of rml:constant, rml:template, rml:reference")
        term_type = self._term_type(props, where, position)
        datatype, language = self._datatype_language(props, where)
        if kind == "constant":
            if term_type is None and (datatype or language):
                term_type = "literal"
            return self._constant_term(value, term_type, where, datatype=datatype,
                                       language=language)
        if not isinstance(value, RDFLiteral):
            self._fail(where, f"rml:{kind} must be a string literal, not {value}")
        if kind == "template":
            parts = parse_template(str(value), lambda m: self._fail(where, m))
            default: TermType = "iri"
        else:
            parts = ("", _undelimit(str(value)), "")
            default = "literal"
        if term_type is None:
            term_type = "literal" if datatype or language else (default_type or default)
        if term_type == "iri":
            if datatype or language:
                self._fail(where, "an IRI term cannot have a datatype or a language")
            if kind == "template":
                self._check_iri_text(parts, where)
        spec = TermSpec(parts=parts, term_type=term_type, encode=(kind == "template"
                        and term_type == "iri"), datatype=datatype, language=language,
                        where=where)
        return spec

    def _term_type(self, props: dict[str, list[Node]], where: str,
                   position: str) -> TermType | None:
        values = props.get("termType", [])
        if not values:
            return None
        local = _local(values[0])
        if local == "IRI":
            return "iri"
        if local == "Literal" and position == "object":
            return "literal"
        self._fail(where, f"rr:termType <{values[0]}> is not supported for a {position}; use "
                   "rr:IRI" + (" or rr:Literal" if position == "object" else ""),
                   unsupported=True)

    def _datatype_language(self, props: dict[str, list[Node]],
                           where: str) -> tuple[str | None, str | None]:
        datatypes = list(props.get("datatype", []))
        languages = list(props.get("language", []))
        for key, target in (("datatypeMap", datatypes), ("languageMap", languages)):
            for node in props.get(key, []):
                inner = self._properties(node, key.replace("Map", " map"), f"{where}, {key}")
                target.append(self._one(inner, ["constant"], f"{where}, {key}",
                                        "rml:constant")[1])
        if len(datatypes) > 1 or len(languages) > 1 or (datatypes and languages):
            self._fail(where, "a literal has at most one datatype or one language, not both")
        datatype = str(datatypes[0]) if datatypes else None
        language = str(languages[0]) if languages else None
        if datatype is not None:
            if not isinstance(datatypes[0], URIRef):
                self._fail(where, f"rr:datatype {datatype!r} must be an IRI")
            self._check_iri_text((datatype,), where)
            if datatype == str(XSD.string):
                datatype = None  # RDF 1.1: the same literal; morph-kgc drops it too
        if language is not None and not _LANGUAGE_TAG.match(language):
            self._fail(where, f"{language!r} is not a language tag (e.g. fi, sv, en-GB)")
        return datatype, language

    def _constant_term(self, value: Node, term_type: TermType | None, where: str, *,
                       datatype: str | None = None, language: str | None = None) -> TermSpec:
        if isinstance(value, BNode):
            self._fail(where, "blank-node constants are not supported", unsupported=True)
        if term_type is None:
            term_type = "literal" if isinstance(value, RDFLiteral) else "iri"
        text = str(value)
        if term_type == "iri":
            if datatype or language:
                self._fail(where, "an IRI term cannot have a datatype or a language")
            self._check_iri_text((text,), where)
        elif isinstance(value, RDFLiteral) and not (datatype or language):
            # a constant literal keeps its own tag unless the term map sets one
            language = value.language
            if value.datatype is not None and value.datatype != XSD.string:
                datatype = str(value.datatype)
        return TermSpec(parts=(text,), term_type=term_type, datatype=datatype,
                        language=language, where=where)

    def _check_iri_text(self, parts: tuple[str, ...], where: str) -> None:
        """The fixed text of an IRI term must be an absolute IRI without spaces etc."""
        first = parts[0]
        if not _ABSOLUTE_IRI.match(first):
            self._fail(where, f"{''.join(parts[::2])!r} does not start with an absolute IRI "
                       "(scheme:...); relative IRIs and base IRIs are not supported")
        for text in parts[::2]:
            if bad := _IRI_FORBIDDEN.search(text):
                self._fail(where, f"{text!r} contains {bad.group(0)!r}, which an IRI cannot")


def _undelimit(reference: str) -> str:
    # morph-kgc accepts SQL-style delimited identifiers ("col") and strips the quotes
    if len(reference) > 2 and reference[0] == reference[-1] == '"':
        return reference[1:-1]
    return reference


def parse_template(template: str, fail: Fail) -> tuple[str, ...]:
    """Split an R2RML template into alternating text and reference names.

    >>> parse_template("http://ex.org/{a}/x\\\\{y\\\\}{b}", print)
    ('http://ex.org/', 'a', '/x{y}', 'b', '')
    """
    parts: list[str] = []
    text: list[str] = []
    reference: list[str] | None = None
    chars = iter(template)
    for char in chars:
        target = text if reference is None else reference
        if char == "\\":
            target.append(next(chars, "\\"))
        elif char == "{" and reference is None:
            parts.append("".join(text))
            text, reference = [], []
        elif char == "}" and reference is not None:
            if not reference:
                fail(f"template {template!r} has an empty {{}} reference")
            parts.append(_undelimit("".join(reference)))
            reference = None
        elif char in "{}":
            fail(f"template {template!r} has an unbalanced {char!r}; escape literal braces "
                 "as \\{ and \\}")
        else:
            target.append(char)
    if reference is not None:
        fail(f"template {template!r} has an unclosed {{")
    parts.append("".join(text))
    if len(parts) == 1:
        fail(f"template {template!r} has no {{reference}}; use rml:constant")
    return tuple(parts)
