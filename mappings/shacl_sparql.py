"""SHACL Core shapes compiled to SPARQL, so millions of loaded triples are validated
inside the store instead of in Python memory.

Joins against the target class are what make SPARQL validation slow on a large
graph, so each property is first checked by cheap passes that prove conformance
without a join: one scan of the predicate's triples counts the values breaking its
value constraints (datatype, nodeKind, pattern, min/maxInclusive) and compares
triples with distinct subjects (maxCount 1); one MINUS counts target instances
without the property (minCount 1). These passes are sound: when they find nothing,
no focus node can violate the shape. Only when one finds something (or for
constraints they cannot decide) do the exact per-class queries run, to list the
violations with SHACL's own semantics. Only this subset of SHACL is honoured;
anything else raises, so a shape can never be silently ignored. A test checks the
verdicts agree with pyshacl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD
from rdflib.term import Node

from core.errors import TyodataError
from graph_service.store.base import Dataset, GraphStore

_PROPERTY_KEYS = {
    SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.pattern,
    SH.minInclusive, SH.maxInclusive, SH.name, SH.description, SH.message, SH.severity,
    SH.order, SH.group,
}
_NODE_KEYS = {RDF.type, SH.targetClass, SH.property, SH.name, SH.description, RDFS.label,
              RDFS.comment}
# Datatypes whose lexical form SPARQL can check by casting.
_CASTABLE = {XSD.date, XSD.integer, XSD.decimal, XSD.boolean, XSD.dateTime}


class ShapeError(TyodataError):
    """A shapes file uses SHACL the compiler does not support."""


@dataclass(frozen=True)
class PropertyRule:
    path: URIRef
    name: str
    message: str
    min_count: int | None = None
    max_count: int | None = None
    datatype: URIRef | None = None
    node_kind: URIRef | None = None
    pattern: str | None = None
    min_inclusive: Literal | None = None
    max_inclusive: Literal | None = None

    def failing_condition(self) -> str | None:
        """A SPARQL expression true when ?value breaks a value constraint of this rule."""
        parts = []
        if self.datatype is not None:
            check = f"!isLiteral(?value) || datatype(?value) != <{self.datatype}>"
            if self.datatype in _CASTABLE:
                # An ill-formed lexical form (e.g. "2025-13-01"^^xsd:date) fails the cast.
                check += f" || !COALESCE(<{self.datatype}>(STR(?value)) = ?value, false)"
            parts.append(check)
        if self.node_kind == SH.IRI:
            parts.append("!isIRI(?value)")
        elif self.node_kind == SH.Literal:
            parts.append("!isLiteral(?value)")
        if self.pattern is not None:
            parts.append(f"!regex(str(?value), {Literal(self.pattern).n3()})")
        if self.min_inclusive is not None:
            parts.append(f"!COALESCE(?value >= {self.min_inclusive.n3()}, false)")
        if self.max_inclusive is not None:
            parts.append(f"!COALESCE(?value <= {self.max_inclusive.n3()}, false)")
        return " || ".join(f"({p})" for p in parts) if parts else None

    def failed_value_constraints(self, value: Node) -> list[str]:
        """Which value constraints ``value`` breaks (for the report; mirrors the SPARQL)."""
        failed = []
        if self.datatype is not None and not (
            isinstance(value, Literal) and value.datatype == self.datatype
            and not getattr(value, "ill_typed", False)
        ):
            failed.append("datatype")
        if self.node_kind == SH.IRI and not isinstance(value, URIRef):
            failed.append("nodeKind")
        if self.node_kind == SH.Literal and not isinstance(value, Literal):
            failed.append("nodeKind")
        if self.pattern is not None and not re.search(self.pattern, str(value)):
            failed.append("pattern")
        for name, bound, ok in (("minInclusive", self.min_inclusive, lambda v, b: v >= b),
                                ("maxInclusive", self.max_inclusive, lambda v, b: v <= b)):
            if bound is not None:
                try:
                    passes = ok(value.toPython(), bound.toPython())  # type: ignore[union-attr]
                except (TypeError, AttributeError):
                    passes = False
                if not passes:
                    failed.append(name)
        return failed or ["value"]


@dataclass(frozen=True)
class ShapeRules:
    """One node shape: its target class and property rules, with the two queries."""

    shape: str
    target: URIRef
    properties: tuple[PropertyRule, ...]

    def value_query(self) -> str | None:
        conditions = [(r.path, r.failing_condition()) for r in self.properties]
        conditions = [(p, c) for p, c in conditions if c]
        if not conditions:
            return None
        paths = " ".join(f"<{p}>" for p, _ in conditions)
        test = " || ".join(f"(?p = <{p}> && ({c}))" for p, c in conditions)
        return (f"SELECT ?focus ?p ?value WHERE {{ VALUES ?p {{ {paths} }} "
                f"?focus a <{self.target}> ; ?p ?value . FILTER({test}) }}")

    def proofs(self) -> list[tuple[str, str]]:
        """Cheap queries that, all answering 0, prove the shape holds: (key, query).

        Keys name what each query decides, so one predicate scanned for several shapes
        with the same constraints is scanned once.
        """
        out = []
        for rule in self.properties:
            condition = rule.failing_condition() or "false"
            summary = (f"SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?focus) AS ?subjects) "
                       f"(SUM(IF({condition}, 1, 0)) AS ?bad) "
                       f"WHERE {{ ?focus <{rule.path}> ?value }}")
            out.append((f"summary {rule.path} {condition} {rule.max_count}", summary))
            if rule.min_count == 1:
                out.append((f"min {self.target} {rule.path}",
                            f"SELECT (COUNT(*) AS ?missing) WHERE {{ ?focus a <{self.target}> "
                            f"MINUS {{ ?focus <{rule.path}> ?any }} }}"))
        return out

    def proof_holds(self, key: str, row: tuple) -> bool:
        if key.startswith("min "):
            return int(row[0]) == 0
        triples, subjects, bad = (int(v or 0) for v in row)
        max_count = key.rsplit(" ", 1)[1]
        single_valued_ok = max_count != "1" or triples == subjects
        # Other maxCount/minCount values have no cheap proof: let the exact query decide.
        undecided = max_count not in ("1", "None")
        return bad == 0 and single_valued_ok and not undecided

    def counted(self) -> list[tuple[int, PropertyRule]]:
        return [(i, r) for i, r in enumerate(self.properties)
                if (r.min_count or 0) > 0 or r.max_count is not None]

    def count_query(self) -> str | None:
        counted = self.counted()
        if not counted:
            return None
        optionals = " ".join(f"OPTIONAL {{ ?focus <{r.path}> ?v{i} }}" for i, r in counted)
        counts = " ".join(f"(COUNT(DISTINCT ?v{i}) AS ?n{i})" for i, _ in counted)
        tests = []
        for i, r in counted:
            if r.min_count:
                tests.append(f"?n{i} < {r.min_count}")
            if r.max_count is not None:
                tests.append(f"?n{i} > {r.max_count}")
        names = " ".join(f"?n{i}" for i, _ in counted)
        return (f"SELECT ?focus {names} WHERE {{ {{ SELECT ?focus {counts} WHERE {{ "
                f"?focus a <{self.target}> {optionals} }} GROUP BY ?focus }} "
                f"FILTER({' || '.join(tests)}) }}")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    constraint: str
    message: str
    value: str | None


def _rule(shapes: Graph, shape: str, prop: Node) -> PropertyRule:
    extra = set(shapes.predicates(prop)) - _PROPERTY_KEYS
    if extra:
        raise ShapeError(f"property shape of {shape} uses unsupported {sorted(map(str, extra))}")
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise ShapeError(f"property shape of {shape} needs sh:path to be one IRI")
    kind = shapes.value(prop, SH.nodeKind)
    if kind is not None and kind not in (SH.IRI, SH.Literal):
        raise ShapeError(f"property shape of {shape}: sh:nodeKind {kind} is not supported")

    def number(key: URIRef) -> int | None:
        value = shapes.value(prop, key)
        return None if value is None else int(value)

    def literal(key: URIRef) -> Literal | None:
        value = shapes.value(prop, key)
        if value is not None and not isinstance(value, Literal):
            raise ShapeError(f"property shape of {shape}: {key} must be a literal")
        return value

    name = str(shapes.value(prop, SH.name) or path)
    pattern = shapes.value(prop, SH.pattern)
    datatype = shapes.value(prop, SH.datatype)
    return PropertyRule(
        path=path, name=name, message=str(shapes.value(prop, SH.message) or f"{name} is invalid"),
        min_count=number(SH.minCount), max_count=number(SH.maxCount),
        datatype=URIRef(datatype) if datatype is not None else None,
        node_kind=URIRef(kind) if kind is not None else None,
        pattern=None if pattern is None else str(pattern),
        min_inclusive=literal(SH.minInclusive), max_inclusive=literal(SH.maxInclusive),
    )


def compile_shapes(shapes: Graph) -> list[ShapeRules]:
    compiled = []
    for node in sorted(shapes.subjects(RDF.type, SH.NodeShape), key=str):
        extra = set(shapes.predicates(node)) - _NODE_KEYS
        if extra:
            raise ShapeError(f"node shape {node} uses unsupported {sorted(map(str, extra))}")
        rules = tuple(_rule(shapes, str(node), p)
                      for p in sorted(shapes.objects(node, SH.property), key=str))
        for target in shapes.objects(node, SH.targetClass):
            compiled.append(ShapeRules(str(node), URIRef(target), rules))
    return compiled


def load_checks(path: Path) -> list[ShapeRules]:
    return compile_shapes(Graph().parse(path, format="turtle"))


def validate_graph(
    store: GraphStore, graph: str, shapes: list[ShapeRules], *, limit: int = 20
) -> tuple[int, list[Violation]]:
    """Check one named graph: (number of violations, up to ``limit`` examples)."""
    total, examples = 0, []
    dataset = Dataset(default=(graph,), named=())

    def found(violation: Violation) -> None:
        nonlocal total
        total += 1
        if len(examples) < limit:
            examples.append(violation)

    proven: dict[str, bool] = {}
    for rules in shapes:
        holds = True
        for key, query in rules.proofs():
            if key not in proven:
                proven[key] = rules.proof_holds(key, store.select(query, dataset=dataset).rows[0])
            holds = holds and proven[key]
        if holds and all(r.min_count in (None, 0, 1) for r in rules.properties):
            continue
        by_path = {r.path: r for r in rules.properties}
        query = rules.value_query()
        if query:
            for focus, path, value in store.select(query, dataset=dataset).rows:
                rule = by_path[path]  # type: ignore[index]
                for constraint in rule.failed_value_constraints(value):  # type: ignore[arg-type]
                    found(Violation(str(focus), str(path), constraint, rule.message, str(value)))
        query = rules.count_query()
        if query:
            counted = rules.counted()
            for row in store.select(query, dataset=dataset).rows:
                focus, counts = row[0], row[1:]
                for (_, rule), n in zip(counted, counts, strict=True):
                    n = int(n)  # type: ignore[arg-type]
                    if rule.min_count and n < rule.min_count:
                        found(Violation(str(focus), str(rule.path), "minCount", rule.message, None))
                    if rule.max_count is not None and n > rule.max_count:
                        found(Violation(str(focus), str(rule.path), "maxCount", rule.message, None))
    return total, examples
