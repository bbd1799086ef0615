"""SHACL Core shapes compiled to SPARQL, so millions of loaded triples are validated
inside the store instead of in Python memory.

Only the subset our shapes use is honoured (targetClass; property shapes on one
IRI path with minCount, maxCount, datatype, nodeKind, pattern, minInclusive,
maxInclusive); anything else raises, so a shape can never be silently ignored.
A test checks the verdicts agree with pyshacl.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from graph_service.errors import TyodataError
from graph_service.store.base import Dataset, GraphStore

_SUPPORTED = {
    SH.path, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH.pattern,
    SH.minInclusive, SH.maxInclusive, SH.name, SH.description, SH.message, SH.severity,
    SH.order, SH.group,
}
_NODE_SUPPORTED = {RDF.type, SH.targetClass, SH.property, SH.name, SH.description,
                   URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
                   URIRef("http://www.w3.org/2000/01/rdf-schema#comment")}


_CASTABLE = {str(XSD.date), str(XSD.integer), str(XSD.decimal), str(XSD.boolean),
             str(XSD.dateTime)}


class ShapeError(TyodataError):
    """A shapes file uses SHACL the compiler does not support."""


@dataclass(frozen=True)
class Check:
    """One constraint as a SPARQL query selecting offending focus nodes (?focus ?value)."""

    shape: str
    path: str
    constraint: str
    message: str
    query: str


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    constraint: str
    message: str
    value: str | None


def _term(node: object) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    raise ShapeError(f"unsupported SHACL value {node!r}")


def compile_shapes(shapes: Graph) -> list[Check]:
    checks: list[Check] = []
    for node in shapes.subjects(RDF.type, SH.NodeShape):
        extra = {p for p in shapes.predicates(node)} - _NODE_SUPPORTED
        if extra:
            raise ShapeError(f"node shape {node} uses unsupported {sorted(map(str, extra))}")
        targets = list(shapes.objects(node, SH.targetClass))
        for target in targets:
            for prop in shapes.objects(node, SH.property):
                checks.extend(_property_checks(shapes, str(node), target, prop))
    return checks


def _property_checks(shapes: Graph, shape: str, target: object, prop: object) -> list[Check]:
    extra = {p for p in shapes.predicates(prop)} - _SUPPORTED
    if extra:
        raise ShapeError(f"property shape of {shape} uses unsupported {sorted(map(str, extra))}")
    path = shapes.value(prop, SH.path)
    if not isinstance(path, URIRef):
        raise ShapeError(f"property shape of {shape} needs sh:path to be one IRI")
    p, cls = f"<{path}>", _term(target)
    name = str(shapes.value(prop, SH.name) or path)
    message = str(shapes.value(prop, SH.message) or f"{name} is invalid")
    out: list[Check] = []

    def add(constraint: str, where: str, select: str = "?focus ?value", tail: str = "") -> None:
        query = f"SELECT DISTINCT {select} WHERE {{ ?focus a {cls} . {where} }} {tail}"
        out.append(Check(shape, str(path), constraint, message, query.strip()))

    min_count = shapes.value(prop, SH.minCount)
    if min_count is not None and int(min_count) > 0:
        if int(min_count) == 1:
            add("minCount", f"FILTER NOT EXISTS {{ ?focus {p} ?any }}", "?focus")
        else:
            add("minCount", f"OPTIONAL {{ ?focus {p} ?v }}", "?focus",
                f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {int(min_count)})")
    max_count = shapes.value(prop, SH.maxCount)
    if max_count is not None:
        add("maxCount", f"?focus {p} ?v", "?focus",
            f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {int(max_count)})")
    filters = []
    datatype = shapes.value(prop, SH.datatype)
    if datatype is not None:
        check = f"!isLiteral(?value) || datatype(?value) != <{datatype}>"
        if str(datatype) in _CASTABLE:
            # An ill-formed lexical form (e.g. "2025-13-01"^^xsd:date) fails the cast.
            check += f" || !COALESCE(<{datatype}>(STR(?value)) = ?value, false)"
        filters.append(("datatype", check))
    kind = shapes.value(prop, SH.nodeKind)
    if kind == SH.IRI:
        filters.append(("nodeKind", "!isIRI(?value)"))
    elif kind == SH.Literal:
        filters.append(("nodeKind", "!isLiteral(?value)"))
    elif kind is not None:
        raise ShapeError(f"property shape of {shape}: sh:nodeKind {kind} is not supported")
    pattern = shapes.value(prop, SH.pattern)
    if pattern is not None:
        filters.append(("pattern", f"!regex(str(?value), {Literal(str(pattern)).n3()})"))
    low = shapes.value(prop, SH.minInclusive)
    if low is not None:
        filters.append(("minInclusive", f"!(?value >= {_term(low)})"))
    high = shapes.value(prop, SH.maxInclusive)
    if high is not None:
        filters.append(("maxInclusive", f"!(?value <= {_term(high)})"))
    for constraint, condition in filters:
        add(constraint, f"?focus {p} ?value FILTER({condition})")
    return out


def load_checks(path: Path) -> list[Check]:
    return compile_shapes(Graph().parse(path, format="turtle"))


def validate_graph(
    store: GraphStore, graph: str, checks: list[Check], *, limit: int = 20
) -> tuple[int, list[Violation]]:
    """Run every check on one named graph: (number of violations, up to `limit` examples)."""
    total, examples = 0, []
    dataset = Dataset(default=(graph,), named=())
    for check in checks:
        table = store.select(check.query, dataset=dataset)
        total += len(table.rows)
        for row in table.rows[: max(0, limit - len(examples))]:
            values = dict(zip(table.variables, row, strict=True))
            examples.append(
                Violation(
                    str(values["focus"]), check.path, check.constraint, check.message,
                    None if values.get("value") is None else str(values["value"]),
                )
            )
    return total, examples
