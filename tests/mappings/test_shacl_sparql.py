"""The SHACL->SPARQL compiler agrees with pyshacl, and refuses what it cannot honour."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import Graph, URIRef

from graph_service.store.oxigraph_store import OxigraphStore
from mappings.shacl_sparql import ShapeError, compile_shapes, validate_graph
from ontology.files import SHAPES_DIR

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:PeriodShape a sh:NodeShape ; sh:targetClass ex:Period ;
  sh:property [ sh:path ex:person ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:IRI ;
                sh:pattern "^https://tyodata\\\\.fi/id/person/" ] ;
  sh:property [ sh:path ex:start ; sh:minCount 1 ; sh:datatype xsd:date ] ;
  sh:property [ sh:path ex:days ; sh:datatype xsd:integer ;
                sh:minInclusive 0 ; sh:maxInclusive 300 ] .
"""
DATA = """
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:ok a ex:Period ; ex:person <https://tyodata.fi/id/person/x> ;
  ex:start "2024-01-01"^^xsd:date ; ex:days 12 .
ex:noPerson a ex:Period ; ex:start "2024-01-01"^^xsd:date .
ex:twoPersons a ex:Period ; ex:person <https://tyodata.fi/id/person/x>,
  <https://tyodata.fi/id/person/y> ; ex:start "2024-01-01"^^xsd:date .
ex:badPattern a ex:Period ; ex:person <https://elsewhere.org/x> ;
  ex:start "2024-01-01"^^xsd:date .
ex:literalPerson a ex:Period ; ex:person "x" ; ex:start "2024-01-01"^^xsd:date .
ex:stringDate a ex:Period ; ex:person <https://tyodata.fi/id/person/x> ; ex:start "2024-01-01" .
ex:illFormed a ex:Period ; ex:person <https://tyodata.fi/id/person/x> ;
  ex:start "2024-13-01"^^xsd:date .
ex:tooMany a ex:Period ; ex:person <https://tyodata.fi/id/person/x> ;
  ex:start "2024-01-01"^^xsd:date ; ex:days 301 .
"""
G = "https://example.org/graph"
SH = "http://www.w3.org/ns/shacl#"


def _ours(shapes: Graph, data: Graph) -> dict[str, int]:
    store = OxigraphStore()
    store.load_graph(data.serialize(format="nt").encode(), "application/n-triples", G)
    total, examples = validate_graph(store, G, compile_shapes(shapes), limit=1000)
    assert total == len(examples)
    counts: dict[str, int] = {}
    for v in examples:
        counts[v.focus] = counts.get(v.focus, 0) + 1
    return counts


def _pyshacl(shapes: Graph, data: Graph) -> dict[str, int]:
    _, report, _ = pyshacl.validate(data, shacl_graph=shapes)
    counts: dict[str, int] = {}
    for focus in report.objects(None, URIRef(SH + "focusNode")):
        counts[str(focus)] = counts.get(str(focus), 0) + 1
    return counts


def test_same_verdicts_as_pyshacl():
    shapes = Graph().parse(data=SHAPES, format="turtle")
    data = Graph().parse(data=DATA, format="turtle")
    ours = _ours(shapes, data)
    assert ours == _pyshacl(shapes, data)
    expected = ("noPerson", "twoPersons", "badPattern", "literalPerson", "stringDate", "tooMany",
                "illFormed")
    assert set(ours) == {f"https://example.org/{n}" for n in expected}


def test_unsupported_constraint_is_refused():
    text = SHAPES.replace("sh:maxCount 1 ;", "sh:maxCount 1 ; sh:class ex:P ;")
    with pytest.raises(ShapeError, match="unsupported"):
        compile_shapes(Graph().parse(data=text, format="turtle"))


@pytest.mark.parametrize("path", sorted(SHAPES_DIR.glob("*.ttl")), ids=lambda p: p.stem)
def test_every_source_shape_compiles(path):
    assert compile_shapes(Graph().parse(path, format="turtle"))
