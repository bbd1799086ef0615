"""mappings.rml: conformance cases, behaviour details and errors.

Each folder in ``cases/`` holds ``mapping.yml`` (or ``mapping.ttl``), its
input files and ``expected.nq``, generated once with morph-kgc 2.10 and
checked by hand.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from mappings.rml import (
    DataError,
    MappingError,
    MappingPlan,
    MappingSyntaxError,
    MissingColumnError,
    SourceError,
    UnsupportedConstructError,
    compile_mapping,
    load_mapping,
)
from mappings.rml.executor import encode_iri_value, escape_literal

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if p.is_dir())
GRAPH = "https://example.org/graph/test"
PREFIXES = """\
prefixes:
  ex: http://example.org/ns#
  exr: http://example.org/resource/
"""


def mapping_file(case: Path) -> Path:
    return next(case.glob("mapping.*"))


def run(plan: MappingPlan, graph: str | None = None) -> tuple[str, object]:
    out = io.BytesIO()
    counts = plan.run(out, graph=graph)
    return out.getvalue().decode("utf-8"), counts


def materialise(tmp_path: Path, yarrrml: str, files: dict[str, str]) -> Graph:
    """Write a YARRRML mapping and its sources to tmp_path, run it, parse the result."""
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "mapping.yml").write_text(PREFIXES + yarrrml, encoding="utf-8")
    plan = compile_mapping(load_mapping(tmp_path / "mapping.yml"), base_dir=tmp_path)
    text, _ = run(plan)
    return Graph().parse(data=text, format="nt")


def one_map(source: str, po: str, *, s: str = "exr:x/$(id)") -> str:
    return f"mappings:\n  m:\n    sources: [[{source}]]\n    s: {s}\n    po:\n{po}"


# -- conformance cases -------------------------------------------------------


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_case_matches_expected(case: Path) -> None:
    plan = compile_mapping(load_mapping(mapping_file(case)), base_dir=case)
    text, _ = run(plan)
    expected = Graph().parse(case / "expected.nq", format="nt")
    assert isomorphic(Graph().parse(data=text, format="nt"), expected)


@pytest.mark.filterwarnings("ignore:Dataset.default_context:DeprecationWarning")
@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: p.name)
def test_case_as_quads_in_named_graph(case: Path) -> None:
    plan = compile_mapping(load_mapping(mapping_file(case)), base_dir=case)
    text, counts = run(plan, graph=GRAPH)
    dataset = Dataset()
    dataset.parse(data=text, format="nquads")
    named = dataset.graph(URIRef(GRAPH))
    assert len(named) == len(Graph().parse(case / "expected.nq", format="nt"))
    assert len(dataset.default_graph) == 0
    assert counts.triples == len(text.splitlines())
    # the same bytes must also satisfy pyoxigraph, which the store loads them with
    quads = list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS))
    assert len(quads) == counts.triples


# -- API ---------------------------------------------------------------------


def test_counts_sources_and_overrides(tmp_path: Path) -> None:
    case = CASES / "rml-turtle"
    plan = compile_mapping(load_mapping(case / "mapping.ttl"), base_dir=case)
    assert plan.sources == ["people.csv"]
    _, counts = run(plan)
    assert counts.rows == {"people.csv": 3}  # two triples maps, one read
    assert sorted(name.rsplit("#", 1)[1] for name in counts.per_map) == ["Municipality",
                                                                         "Person"]
    assert counts.triples == sum(counts.per_map.values()) == 38

    other = tmp_path / "other.csv"
    other.write_text("id,first_name,last_name,municipality_code,email,homepage\n"
                     "9,Ilona,,,,\n", encoding="utf-8")
    plan = compile_mapping(load_mapping(case / "mapping.ttl"), base_dir=case,
                           source_overrides={"people.csv": other})
    text, counts = run(plan)
    assert counts.rows == {"people.csv": 1}
    assert '<http://example.org/resource/person/9> <http://xmlns.com/foaf/0.1/givenName> ' \
           '"Ilona" .' in text.splitlines()


def test_yarrrml_mapping_names_are_triples_map_names() -> None:
    case = CASES / "yarrrml-long-form"
    plan = compile_mapping(load_mapping(case / "mapping.yml"), base_dir=case)
    _, counts = run(plan)
    assert set(counts.per_map) == {"person", "unit"}
    assert counts.rows == {"people.csv": 2, "units.csv": 2}


def test_many_rows_cross_write_batches(tmp_path: Path) -> None:
    rows = "".join(f"{i},name {i},\n" for i in range(5000))
    g = materialise(tmp_path, one_map("big.csv~csv", "      - [ex:name, $(name)]\n"
                                      "      - [ex:note, $(note)]\n"),
                    {"big.csv": "id,name,note\n" + rows})
    assert len(g) == 5000


# -- behaviour details (and where we deliberately differ from morph-kgc) -------


def test_escaping_of_literals() -> None:
    assert escape_literal("plain") == "plain"
    assert escape_literal('a"b\\c\nd\re\tf\bg\fh\x01i\x1f') == \
        'a\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001F'


def test_percent_encoding_matches_morph_kgc() -> None:
    # falcon.uri.encode_value in morph-kgc: RFC 3986 unreserved kept, rest UTF-8 %XX
    assert encode_iri_value("A-z_0.9~") == "A-z_0.9~"
    assert encode_iri_value("a b/c:d?e#f&g=h+i%") == "a%20b%2Fc%3Ad%3Fe%23f%26g%3Dh%2Bi%25"
    assert encode_iri_value("ä€😀") == "%C3%A4%E2%82%AC%F0%9F%98%80"


def test_control_characters_survive_a_round_trip(tmp_path: Path) -> None:
    value = "bell\x07 tab\t nul-free \x1b end"
    g = materialise(tmp_path, one_map("c.csv~csv", "      - [ex:v, $(v)]\n"),
                    {"c.csv": f'id,v\n1,"{value}"\n'})
    assert {str(o) for o in g.objects()} == {value}


def test_integer_natural_mapping(tmp_path: Path) -> None:
    g = materialise(tmp_path, one_map("n.csv~csv", "      - [ex:n, $(n), xsd:integer]\n"),
                    {"n.csv": "id,n\n1,007\n2,12345678901234567890\n3,1.9\n4,2.0\n5,x\n"})
    lexical = {str(o) for o in g.objects()}
    # morph-kgc: int(float(v)), which truncates 1.9 and rounds big numbers
    assert lexical == {"7", "12345678901234567890", "1.9", "2", "x"}


def test_json_null_sibling_does_not_drop_the_record(tmp_path: Path) -> None:
    # morph-kgc drops a record when any key of the referenced object is null or
    # missing (pandas dropna over all columns); we keep the referenced value.
    data = [{"id": "1", "a": {"city": "Oulu"}}, {"id": "2", "a": {"city": "Turku", "zip": None}},
            {"id": "3", "a": {"city": "Vaasa", "zip": "65100"}}]
    g = materialise(tmp_path, one_map('d.json~jsonpath, "$[*]"', "      - [ex:c, $(a.city)]\n"),
                    {"d.json": json.dumps(data)})
    assert {str(o) for o in g.objects()} == {"Oulu", "Turku", "Vaasa"}


def test_json_scalars_use_json_lexical_forms(tmp_path: Path) -> None:
    # morph-kgc writes Python's str(): True, and 2.0 for an int in a float column
    data = [{"id": "1", "n": 2, "f": 0.5, "b": True}, {"id": "2", "n": 2.5, "b": False}]
    g = materialise(tmp_path, one_map('d.json~jsonpath, "$[*]"',
                                      "      - [ex:n, $(n)]\n      - [ex:f, $(f)]\n"
                                      "      - [ex:b, $(b)]\n"),
                    {"d.json": json.dumps(data)})
    assert {str(o) for o in g.objects()} == {"2", "2.5", "0.5", "true", "false"}


def test_reference_iri_with_forbidden_characters_is_encoded(tmp_path: Path) -> None:
    # morph-kgc writes the value raw, which breaks the N-Triples line
    g = materialise(tmp_path, one_map("r.csv~csv", '      - [ex:r, "$(iri)~iri"]\n'),
                    {"r.csv": "id,iri\n1,http://example.org/a b<c>\n"})
    assert {str(o) for o in g.objects()} == {"http://example.org/a%20b%3Cc%3E"}


def test_bom_and_short_rows(tmp_path: Path) -> None:
    g = materialise(tmp_path, one_map("b.csv~csv", "      - [ex:a, $(a)]\n      - [ex:b, $(b)]\n"),
                    {"b.csv": "\ufeffid,a,b\n1,x\n\n2,y,z\n"})
    assert {(str(s).rsplit("/", 1)[1], str(o)) for s, _, o in g} == {
        ("1", "x"), ("2", "y"), ("2", "z")}


def test_constant_literal_keeps_its_language() -> None:
    rml = Graph().parse(format="turtle", data="""
        @prefix rr: <http://www.w3.org/ns/r2rml#> .
        @prefix rml: <http://semweb.mmlab.be/ns/rml#> .
        <#m> rml:logicalSource [ rml:source "people.csv" ] ;
            rr:subjectMap [ rr:template "http://ex.org/{id}" ] ;
            rr:predicateObjectMap [ rr:predicate <http://ex.org/p> ; rr:object "moi"@fi ] .
    """)
    text, _ = run(compile_mapping(rml, base_dir=CASES / "csv-basic"))
    assert text.splitlines()[0] == '<http://ex.org/1> <http://ex.org/p> "moi"@fi .'


# -- errors ------------------------------------------------------------------


def compile_yarrrml(tmp_path: Path, yarrrml: str) -> MappingPlan:
    (tmp_path / "mapping.yml").write_text(PREFIXES + yarrrml, encoding="utf-8")
    return compile_mapping(load_mapping(tmp_path / "mapping.yml"), base_dir=tmp_path)


@pytest.mark.parametrize(("po", "words"), [
    ("      - [ex:p, $(a)]\n    g: exr:graph\n", ["`g`", "graphs"]),
    ("      - p: ex:p\n        o: {mapping: other}\n", ["`mapping`", "joins"]),
    ("      - p: ex:p\n        o: {function: grel:toUpper}\n", ["functions"]),
    ("      - [ex:p, $(a)~blanknode]\n", ["blanknode"]),
    ("      - [ex:$(a), x]\n", ["constant predicates"]),
])
def test_unsupported_yarrrml_is_named(tmp_path: Path, po: str, words: list[str]) -> None:
    with pytest.raises(UnsupportedConstructError) as info:
        compile_yarrrml(tmp_path, one_map("a.csv~csv", po))
    for word in words:
        assert word in str(info.value)
    assert "mapping `m`" in str(info.value)


def test_unsupported_rml_is_named() -> None:
    rml = Graph().parse(format="turtle", data="""
        @prefix rr: <http://www.w3.org/ns/r2rml#> .
        @prefix rml: <http://semweb.mmlab.be/ns/rml#> .
        <http://ex.org/A> rml:logicalSource [ rml:source "a.csv" ] ;
            rr:subjectMap [ rr:template "http://ex.org/a/{id}" ] ;
            rr:predicateObjectMap [ rr:predicate <http://ex.org/b> ;
                rr:objectMap [ rr:parentTriplesMap <http://ex.org/B> ] ] .
    """)
    with pytest.raises(UnsupportedConstructError, match="parentTriplesMap") as info:
        compile_mapping(rml, base_dir=Path("."))
    assert "triples map 'http://ex.org/A'" in str(info.value)
    assert "<http://ex.org/b>" in str(info.value)


def test_missing_source_file(tmp_path: Path) -> None:
    plan = compile_yarrrml(tmp_path, one_map("nowhere.csv~csv", "      - [ex:p, $(a)]\n"))
    assert plan.sources == ["nowhere.csv"]
    out = io.BytesIO()
    with pytest.raises(SourceError, match="'nowhere.csv'.*not found"):
        plan.run(out)
    assert out.getvalue() == b""


def test_missing_column_names_column_and_file(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,name\n1,x\n", encoding="utf-8")
    plan = compile_yarrrml(tmp_path, one_map("a.csv~csv", "      - [ex:p, $(nmae)]\n"))
    with pytest.raises(MissingColumnError) as info:
        plan.run(io.BytesIO())
    assert (info.value.column, info.value.file) == ("nmae", "a.csv")
    assert "'nmae'" in str(info.value) and "a.csv" in str(info.value)
    assert "[id, name]" in str(info.value)


def test_nothing_is_written_when_a_later_source_is_bad(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id\n1\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("id\n1\n", encoding="utf-8")
    plan = compile_yarrrml(tmp_path, "mappings:\n"
                           "  a: {sources: [[a.csv~csv]], s: exr:a/$(id), po: [[a, ex:A]]}\n"
                           "  b: {sources: [[b.csv~csv]], s: exr:b/$(id), po: [[ex:p, $(x)]]}\n")
    out = io.BytesIO()
    with pytest.raises(MissingColumnError):
        plan.run(out)
    assert out.getvalue() == b""


def test_relative_iri_value_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,link\n1,http://ok.org/\n2,not-an-iri\n",
                                    encoding="utf-8")
    plan = compile_yarrrml(tmp_path, one_map("a.csv~csv", "      - [ex:p, $(link)~iri]\n"))
    with pytest.raises(DataError, match=r"a.csv line 3: triples map 'm'.*'not-an-iri'"):
        plan.run(io.BytesIO())


def test_too_many_fields(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("id,a\n1,x,extra\n", encoding="utf-8")
    plan = compile_yarrrml(tmp_path, one_map("a.csv~csv", "      - [ex:p, $(a)]\n"))
    with pytest.raises(SourceError, match="a.csv line 2: 3 fields, but the header has 2"):
        plan.run(io.BytesIO())


@pytest.mark.parametrize(("yarrrml", "message"), [
    (one_map("a.csv~csv", "      - [ex:p, $(a)]\n", s="$(a)/x"), "absolute IRI"),
    (one_map("a.csv~csv", "      - [exx:p, $(a)]\n"), "unknown prefix `exx:`"),
    (one_map("a.csv~csv", "      - [ex:p, $(a), xx-yy-!]\n"), "is not an IRI"),
    (one_map("a.csv~csv", "      - [a, exx:Thing]\n"), "po entry 1, class: `exx:Thing`"),
    (one_map("a.csv~csv", "      - [ex:p, $(a), fi_FI~lang]\n"), "not a language tag"),
    (one_map("a.csv~csv", "      - [ex:p, exr:a b/$(a)~iri]\n"), "contains ' '"),
    (one_map('a.json~jsonpath, "$..x"', "      - [ex:p, $(a)]\n"), "iterator '$..x'"),
    (one_map("a.json~jsonpath", "      - [ex:p, $(a)]\n"), "needs an rml:iterator"),
    (one_map("a.xml~xpath", "      - [ex:p, $(a)]\n"), "`xpath` is not supported"),
    ("prefixes:\n  schema: https://schema.org/\n" + one_map("a.csv~csv", "      - [a, x]\n"),
     "morph-kgc uses instead"),
    ("mappings: [1, 2]\n", "`mappings` must map names"),
])
def test_mapping_errors(tmp_path: Path, yarrrml: str, message: str) -> None:
    with pytest.raises(MappingError) as info:
        compile_yarrrml(tmp_path, yarrrml)
    assert message in str(info.value)
    assert str(tmp_path) in str(info.value)  # the file is named


def test_bad_yaml_and_unknown_format(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("mappings: [\n", encoding="utf-8")
    with pytest.raises(MappingSyntaxError, match="not valid YAML"):
        load_mapping(tmp_path / "bad.yml")
    (tmp_path / "m.json").write_text("{}", encoding="utf-8")
    with pytest.raises(MappingSyntaxError, match="unknown mapping format"):
        load_mapping(tmp_path / "m.json")
    with pytest.raises(SourceError, match="not found"):
        load_mapping(tmp_path / "missing.yml")


def test_bad_graph_iri() -> None:
    case = CASES / "csv-basic"
    plan = compile_mapping(load_mapping(case / "mapping.yml"), base_dir=case)
    with pytest.raises(MappingError, match="not an absolute IRI"):
        plan.run(io.BytesIO(), graph="graph x")
