"""The SHACL shapes of every source: they parse, use only the subset the ingest compiles
to SPARQL, agree with the mapping and sources.yaml, and pyshacl accepts a conforming
sample of each source and reports exactly the expected results for a broken one."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD
from rdflib.term import BNode, Node

from ontology.files import ONTOLOGY, SHAPES_DIR, shape_sources, shapes_for

from . import MappedStatement, mapped_statements, mapping_sources, sources_spec

# --- The allowed SHACL subset --------------------------------------------------------
#
# The ingest compiles the shapes to SPARQL (mappings/shacl_sparql.py) and honours only
# this subset; anything else would be silently ignored there, so it is refused here.

NODE_SHAPE_PREDICATES = {RDF.type, SH.targetClass, SH.property}
PROPERTY_SHAPE_PREDICATES = {
    SH.path,
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH.minInclusive,
    SH.maxInclusive,
    SH.name,
    SH.description,
    SH.message,
    SH.severity,
}
ALLOWED_DATATYPES = {
    XSD.date,
    XSD.dateTime,
    XSD.integer,
    XSD.decimal,
    XSD.boolean,
    XSD.string,
    RDF.langString,
}
NUMERIC_DATATYPES = {XSD.integer, XSD.decimal}


def subset_problems(shapes: Graph) -> list[str]:
    """Everything in ``shapes`` outside the allowed SHACL subset (empty list: all fine)."""
    problems: list[str] = []
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    for subject in set(shapes.subjects()) - node_shapes - property_shapes:
        problems.append(f"{subject}: neither a sh:NodeShape nor a value of sh:property")

    def one(node: Node, predicate: URIRef) -> Node | None:
        values = list(shapes.objects(node, predicate))
        if len(values) > 1:
            problems.append(f"{node}: more than one {predicate}")
        return values[0] if values else None

    for shape in node_shapes:
        if isinstance(shape, BNode):
            problems.append("a node shape must be named by an IRI")
        if shape in property_shapes:
            problems.append(f"{shape}: both a node shape and a property shape")
        for predicate in set(shapes.predicates(shape)) - NODE_SHAPE_PREDICATES:
            problems.append(f"{shape}: {predicate} is not allowed on a node shape")
        if set(shapes.objects(shape, RDF.type)) != {SH.NodeShape}:
            problems.append(f"{shape}: must be typed sh:NodeShape only")
        target = one(shape, SH.targetClass)
        if not isinstance(target, URIRef):
            problems.append(f"{shape}: needs one sh:targetClass IRI")
        if not list(shapes.objects(shape, SH.property)):
            problems.append(f"{shape}: has no sh:property")

    for ps in property_shapes:
        for predicate in set(shapes.predicates(ps)) - PROPERTY_SHAPE_PREDICATES:
            problems.append(f"{ps}: {predicate} is not allowed on a property shape")
        owners = list(shapes.subjects(SH.property, ps))
        if len(owners) != 1 or owners[0] not in node_shapes:
            problems.append(f"{ps}: must belong to exactly one node shape")
        path = one(ps, SH.path)
        if not isinstance(path, URIRef):
            problems.append(f"{ps}: sh:path must be a single IRI (no path expressions)")
        if one(ps, SH.severity) != SH.Violation:
            problems.append(f"{ps}: needs sh:severity sh:Violation")
        for predicate in (SH.name, SH.description, SH.message):
            text = one(ps, predicate)
            if not (isinstance(text, Literal) and text.language == "en" and str(text).strip()):
                problems.append(f"{ps}: needs one English {predicate} (@en)")
        for predicate in (SH.minCount, SH.maxCount):
            count = one(ps, predicate)
            if count is not None and not (
                isinstance(count, Literal) and count.datatype == XSD.integer and count.value >= 0
            ):
                problems.append(f"{ps}: {predicate} must be a non-negative xsd:integer")
        datatype = one(ps, SH.datatype)
        kind = one(ps, SH.nodeKind)
        if datatype is not None and datatype not in ALLOWED_DATATYPES:
            problems.append(f"{ps}: sh:datatype {datatype} is not one of the allowed datatypes")
        if kind is not None and kind not in {SH.IRI, SH.Literal}:
            problems.append(f"{ps}: sh:nodeKind must be sh:IRI or sh:Literal")
        if datatype is None and kind is None:
            problems.append(f"{ps}: needs sh:datatype or sh:nodeKind (a value check)")
        if datatype is not None and kind == SH.IRI:
            problems.append(f"{ps}: sh:datatype and sh:nodeKind sh:IRI contradict")
        pattern = one(ps, SH.pattern)
        if pattern is not None:
            if kind != SH.IRI:
                problems.append(f"{ps}: sh:pattern is only used on IRIs (sh:nodeKind sh:IRI)")
            if not (isinstance(pattern, Literal) and pattern.datatype in (None, XSD.string)):
                problems.append(f"{ps}: sh:pattern must be a plain string")
            else:
                try:
                    re.compile(str(pattern))
                except re.error as exc:
                    problems.append(f"{ps}: sh:pattern does not compile: {exc}")
        for predicate in (SH.minInclusive, SH.maxInclusive):
            bound = one(ps, predicate)
            if bound is None:
                continue
            if datatype not in NUMERIC_DATATYPES:
                problems.append(f"{ps}: {predicate} needs sh:datatype xsd:integer or xsd:decimal")
            if not (isinstance(bound, Literal) and bound.datatype in NUMERIC_DATATYPES):
                problems.append(f"{ps}: {predicate} must be an xsd:integer or xsd:decimal")
    return problems


def load_shapes(source: str) -> Graph:
    return Graph().parse(shapes_for(source), format="turtle")


def node_shape_of(shapes: Graph, cls: URIRef) -> Node:
    (shape,) = shapes.subjects(SH.targetClass, cls)
    return shape


def property_shapes_of(shapes: Graph, cls: URIRef) -> dict[URIRef, Node]:
    """Path -> property shape, for the node shape targeting ``cls``."""
    result: dict[URIRef, Node] = {}
    for ps in shapes.objects(node_shape_of(shapes, cls), SH.property):
        path = shapes.value(ps, SH.path)
        assert isinstance(path, URIRef)
        assert path not in result, f"two property shapes for {path} on {cls}"
        result[path] = ps
    return result


def test_there_is_a_shapes_file_for_every_source_and_a_mapping_for_every_shapes_file() -> None:
    assert shape_sources() == sorted(sources_spec())
    assert mapping_sources() == sorted(sources_spec())
    assert all(p.suffix == ".ttl" for p in SHAPES_DIR.iterdir() if p.is_file())


@pytest.mark.parametrize("source", sorted(sources_spec()))
def test_shapes_parse_and_use_only_the_allowed_subset(source: str) -> None:
    assert subset_problems(load_shapes(source)) == []


BAD_SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:targetNode ex:n ;
    sh:property ex:p1, ex:p2, ex:p3, ex:p4 .
ex:p1 sh:path ( ex:a ex:b ) ; sh:class ex:D ; sh:datatype xsd:string ;
    sh:name "a"@en ; sh:description "a"@en ; sh:message "a"@en ; sh:severity sh:Violation .
ex:p2 sh:path ex:c ; sh:languageIn ( "fi" ) ; sh:datatype xsd:string ;
    sh:name "c" ; sh:description "c"@en ; sh:message "c"@en ; sh:severity sh:Warning .
ex:p3 sh:path ex:d ; sh:nodeKind sh:BlankNodeOrIRI ; sh:pattern "^(" ;
    sh:name "d"@en ; sh:description "d"@en ; sh:message "d"@en ; sh:severity sh:Violation .
ex:p4 a sh:PropertyShape ; sh:path ex:e ; sh:datatype xsd:date ; sh:minInclusive 1 ;
    sh:or ( [ sh:datatype xsd:string ] ) ;
    sh:name "e"@en ; sh:description "e"@en ; sh:message "e"@en ; sh:severity sh:Violation .
"""


def test_subset_check_refuses_what_the_sparql_compiler_cannot_honour() -> None:
    problems = "\n".join(subset_problems(Graph().parse(data=BAD_SHAPES, format="turtle")))
    for expected in (
        "targetNode is not allowed on a node shape",
        "sh:path must be a single IRI",
        "class is not allowed",
        "languageIn is not allowed",
        "needs one English http://www.w3.org/ns/shacl#name",
        "needs sh:severity sh:Violation",
        "sh:nodeKind must be sh:IRI or sh:Literal",
        "sh:pattern does not compile",
        "sh:pattern is only used on IRIs",
        "minInclusive needs sh:datatype xsd:integer or xsd:decimal",
        "type is not allowed on a property shape",
        "or is not allowed on a property shape",
        "neither a sh:NodeShape nor a value of sh:property",  # the list nodes of sh:or etc.
    ):
        assert expected in problems, expected


# --- Agreement with the mapping, sources.yaml and the ontology ----------------------

ESCO_BASE = {
    "esco_occupation": "http://data.europa.eu/esco/occupation/",
    "esco_skill": "http://data.europa.eu/esco/skill/",
}


def expected_pattern(st: MappedStatement) -> str:
    """The IRI template, anchored, with each $(column) part allowed to be any one segment."""
    assert st.template is not None
    template = st.template
    if template.startswith("$("):  # the column holds the whole IRI: an ESCO concept
        template = ESCO_BASE[st.column_spec["type"]] + template
    parts = re.split(r"\$\([^)]+\)", template)
    return "^" + "[^/]+".join(re.escape(p).replace("\\-", "-") for p in parts) + "$"


@pytest.mark.parametrize("source", sorted(sources_spec()))
def test_shapes_agree_with_the_mapping_and_sources_yaml(source: str) -> None:
    shapes = load_shapes(source)
    statements = mapped_statements(source)
    classes = {URIRef(st.cls) for st in statements}
    assert set(shapes.objects(None, SH.targetClass)) == classes
    problems = []
    for cls in classes:
        mapped = {URIRef(st.predicate) for st in statements if URIRef(st.cls) == cls}
        shaped = set(property_shapes_of(shapes, cls))
        if mapped != shaped:
            problems.append(f"{cls}: mapped {sorted(mapped)} but shaped {sorted(shaped)}")
    for st in statements:
        ps = property_shapes_of(shapes, URIRef(st.cls)).get(URIRef(st.predicate))
        if ps is None:
            continue
        where = f"{source}.{st.mapping} {st.predicate} (column {st.column})"

        def value(predicate: URIRef, ps: Node = ps) -> Node | None:
            return shapes.value(ps, predicate)

        min_count = value(SH.minCount)
        if st.required != (min_count is not None and int(min_count) >= 1):
            problems.append(f"{where}: required={st.required} but sh:minCount={min_count}")
        max_count = value(SH.maxCount)
        if st.primary != (max_count is not None and int(max_count) == 1):
            problems.append(f"{where}: single-valued={st.primary} but sh:maxCount={max_count}")
        if st.template is None:
            if value(SH.datatype) != URIRef(str(st.datatype)):
                problems.append(f"{where}: sh:datatype {value(SH.datatype)} != {st.datatype}")
        else:
            if value(SH.nodeKind) != SH.IRI:
                problems.append(f"{where}: an IRI value needs sh:nodeKind sh:IRI")
            if str(value(SH.pattern)) != expected_pattern(st):
                problems.append(f"{where}: sh:pattern should be {expected_pattern(st)}")
        for key, predicate in (("min", SH.minInclusive), ("max", SH.maxInclusive)):
            bound, declared = st.column_spec.get(key), value(predicate)
            declared_value = None if declared is None else Decimal(str(declared))
            if (None if bound is None else Decimal(str(bound))) != declared_value:
                problems.append(f"{where}: sources.yaml {key}={bound} but shape has {declared}")
    assert problems == []


@pytest.mark.parametrize("source", sorted(sources_spec()))
def test_shapes_use_terms_of_the_ontology_with_its_datatypes(source: str) -> None:
    onto = Graph().parse(ONTOLOGY, format="turtle")
    shapes = load_shapes(source)
    problems = []
    for cls in shapes.objects(None, SH.targetClass):
        if (cls, RDF.type, OWL.Class) not in onto:
            problems.append(f"target class {cls} is not an owl:Class of the ontology")
    for ps in shapes.objects(None, SH.property):
        path = shapes.value(ps, SH.path)
        if (path, RDF.type, None) not in onto:
            problems.append(f"path {path} is not declared in the ontology")
        datatype, ranges = shapes.value(ps, SH.datatype), set(onto.objects(path, RDFS.range))
        if datatype is not None and ranges and ranges != {datatype}:
            problems.append(f"{path}: shape says {datatype}, ontology range {ranges}")
    assert problems == []


# --- Samples ---------------------------------------------------------------------------

PREFIXES = """
@base <https://tyodata.fi/> .
@prefix tyo: <https://tyodata.fi/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix occupation: <http://data.europa.eu/esco/occupation/> .
@prefix skill: <http://data.europa.eu/esco/skill/> .
"""


@dataclass(frozen=True)
class Sample:
    conforming: str
    broken: str
    # (focus IRI relative to https://tyodata.fi/, path, constraint component local name)
    expected: tuple[tuple[str, str, str], ...]


SAMPLES: dict[str, Sample] = {
    "kela": Sample(
        conforming="""
<id/kela/benefit-decision/D1> a tyo:BenefitDecision ;
    dct:identifier "D1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:benefitType <code/benefit-type/TMT> ; tyo:applicationDate "2024-01-15"^^xsd:date ;
    tyo:startDate "2024-02-01"^^xsd:date ; tyo:endDate "2024-12-31"^^xsd:date ;
    tyo:decision <code/decision/MYON> ; tyo:decisionDate "2024-01-30"^^xsd:date ;
    tyo:inPayment true .
<id/kela/benefit-decision/D4> a tyo:BenefitDecision ;
    dct:identifier "D4" ; tyo:concernsPerson <id/person/b2> ;
    tyo:benefitType <code/benefit-type/KT> ; tyo:applicationDate "2024-05-02"^^xsd:date ;
    tyo:startDate "2024-07-01"^^xsd:date ; tyo:endDate "2025-06-30"^^xsd:date ;
    tyo:decision <code/decision/MYON> ; tyo:decisionDate "2024-06-10"^^xsd:date ;
    tyo:inPayment true ; tyo:monthlyAmount 1045.20 .
<id/kela/benefit-decision/D2> a tyo:BenefitDecision ;
    dct:identifier "D2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:benefitType <code/benefit-type/YAT> ; tyo:applicationDate "2024-02-10"^^xsd:date ;
    tyo:decision <code/decision/HYL> ; tyo:rejectionReason <code/rejection-reason/TULOT> ;
    tyo:decisionDate "2024-03-01"^^xsd:date ; tyo:inPayment false .
<id/kela/benefit-decision/D3> a tyo:BenefitDecision ;
    dct:identifier "D3" ; tyo:concernsPerson <id/person/b2> ;
    tyo:benefitType <code/benefit-type/KR> ; tyo:applicationDate "2024-04-02"^^xsd:date ;
    tyo:decision <code/decision/VIREILLA> ; tyo:inPayment false .
<id/kela/rehabilitation/R1> a tyo:RehabilitationPeriod ;
    dct:identifier "R1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:rehabilitationType <code/rehabilitation-type/AMMATILLINEN> ;
    tyo:startDate "2023-05-01"^^xsd:date .
<id/kela/sickness-allowance/S1> a tyo:SicknessAllowancePeriod ;
    dct:identifier "S1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:startDate "2024-03-01"^^xsd:date ; tyo:endDate "2024-04-30"^^xsd:date ;
    tyo:sicknessAllowanceDaysPaid 52 .
<id/kela/sickness-allowance/S2> a tyo:SicknessAllowancePeriod ;
    dct:identifier "S2" ; tyo:concernsPerson <id/person/b2> ;
    tyo:startDate "2023-01-02"^^xsd:date ; tyo:endDate "2023-12-29"^^xsd:date ;
    tyo:sicknessAllowanceDaysPaid 300 .
<id/kela/earnings/E1> a tyo:AnnualEarnings ;
    dct:identifier "E1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:year 2023 ; tyo:earningsEur 31250.50 .
""",
        broken="""
<id/kela/benefit-decision/D1> a tyo:BenefitDecision ;
    dct:identifier "D1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:applicationDate "2024-01-15"^^xsd:date ;
    tyo:decision <code/decision/MYON> ; tyo:inPayment true .
<id/kela/benefit-decision/D2> a tyo:BenefitDecision ;
    dct:identifier "D2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:benefitType <code/benefit-type/YAT> ; tyo:applicationDate "15.01.2024" ;
    tyo:decision <code/rejection-reason/TULOT> ; tyo:inPayment false .
<id/kela/benefit-decision/D3> a tyo:BenefitDecision ;
    dct:identifier "D3" ; tyo:concernsPerson <id/person/a1> ;
    tyo:benefitType <code/benefit-type/TKE> ; tyo:applicationDate "2024-01-15"^^xsd:date ;
    tyo:decision <code/decision/MYON> ; tyo:inPayment true ;
    tyo:monthlyAmount -12.50, 800.00 .
<id/kela/sickness-allowance/S1> a tyo:SicknessAllowancePeriod ;
    dct:identifier "S1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:startDate "2024-03-01"^^xsd:date ; tyo:endDate "2024-04-30"^^xsd:date ;
    tyo:sicknessAllowanceDaysPaid 301 .
<id/kela/earnings/E1> a tyo:AnnualEarnings ;
    dct:identifier "E1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:year 2023 ; tyo:earningsEur -5.00 .
""",
        expected=(
            ("id/kela/benefit-decision/D1", "tyo:benefitType", "MinCount"),
            ("id/kela/benefit-decision/D2", "tyo:applicationDate", "Datatype"),
            ("id/kela/benefit-decision/D2", "tyo:decision", "Pattern"),
            ("id/kela/benefit-decision/D3", "tyo:monthlyAmount", "MaxCount"),
            ("id/kela/benefit-decision/D3", "tyo:monthlyAmount", "MinInclusive"),
            ("id/kela/sickness-allowance/S1", "tyo:sicknessAllowanceDaysPaid", "MaxInclusive"),
            ("id/kela/earnings/E1", "tyo:earningsEur", "MinInclusive"),
        ),
    ),
    "tyollisyyspalvelut": Sample(
        conforming="""
<id/tyollisyyspalvelut/job-seeking/A1> a tyo:JobSeekingPeriod ;
    dct:identifier "A1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:municipality <code/municipality/091> ; tyo:startDate "2023-08-15"^^xsd:date ;
    tyo:employmentStatus <code/employment-status/TYOTON> ;
    tyo:employmentPlanValidUntil "2024-02-15"^^xsd:date ; tyo:multiSectorClient true .
<id/tyollisyyspalvelut/job-seeking/A2> a tyo:JobSeekingPeriod ;
    dct:identifier "A2" ; tyo:concernsPerson <id/person/b2> ;
    tyo:municipality <code/municipality/049> ; tyo:startDate "2022-03-01"^^xsd:date ;
    tyo:endDate "2022-09-30"^^xsd:date ; tyo:employmentStatus <code/employment-status/LOMAUTETTU> ;
    tyo:multiSectorClient false .
<id/tyollisyyspalvelut/appointment/T1> a tyo:Appointment ;
    dct:identifier "T1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:date "2024-01-20"^^xsd:date ; tyo:appointmentStatus <code/appointment-status/TOTEUTUNUT> .
<id/tyollisyyspalvelut/appointment/T2> a tyo:Appointment ;
    dct:identifier "T2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:date "2024-02-20"^^xsd:date ; tyo:appointmentStatus <code/appointment-status/EI_SAAPUNUT> .
""",
        broken="""
<id/tyollisyyspalvelut/job-seeking/A1> a tyo:JobSeekingPeriod ;
    dct:identifier "A1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:municipality <code/language/fi> ; tyo:startDate "2023-08-15"^^xsd:date ;
    tyo:multiSectorClient "K" .
<id/tyollisyyspalvelut/appointment/T1> a tyo:Appointment ;
    dct:identifier "T1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:date "2024-01-20"^^xsd:date, "2024-01-21"^^xsd:date ;
    tyo:appointmentStatus <code/appointment-status/PERUTTU> .
""",
        expected=(
            ("id/tyollisyyspalvelut/job-seeking/A1", "tyo:municipality", "Pattern"),
            ("id/tyollisyyspalvelut/job-seeking/A1", "tyo:employmentStatus", "MinCount"),
            ("id/tyollisyyspalvelut/job-seeking/A1", "tyo:multiSectorClient", "Datatype"),
            ("id/tyollisyyspalvelut/appointment/T1", "tyo:date", "MaxCount"),
        ),
    ),
    "koski": Sample(
        conforming="""
<id/koski/study-right/1.2.246.562.15.10> a tyo:StudyRight ;
    dct:identifier "1.2.246.562.15.10" ; tyo:concernsPerson <id/person/a1> ;
    tyo:studyRightType <code/study-right-type/ammatillinenkoulutus> ;
    tyo:institution <id/koski/institution/1.2.246.562.10.52251087186> ;
    tyo:startDate "2019-08-01"^^xsd:date ; tyo:endDate "2022-05-31"^^xsd:date ;
    tyo:studyRightStatus <code/study-right-status/valmistunut> ;
    tyo:studyRightStatusDate "2022-05-31"^^xsd:date ;
    tyo:qualification <code/qualification/351101> ;
    tyo:qualificationCompletedOn "2022-05-31"^^xsd:date .
<id/koski/study-right/1.2.246.562.15.11> a tyo:StudyRight ;
    dct:identifier "1.2.246.562.15.11" ; tyo:concernsPerson <id/person/b2> ;
    tyo:studyRightType <code/study-right-type/korkeakoulutus> ;
    tyo:institution <id/koski/institution/1.2.246.562.10.52251087186> ;
    tyo:startDate "2023-09-01"^^xsd:date ;
    tyo:studyRightStatus <code/study-right-status/lasna> ;
    tyo:studyRightStatusDate "2023-09-01"^^xsd:date ;
    tyo:qualification <code/qualification/671201> .
<id/koski/institution/1.2.246.562.10.52251087186> a tyo:EducationalInstitution ;
    dct:identifier "1.2.246.562.10.52251087186" ;
    skos:prefLabel "Stadin ammatti- ja aikuisopisto"@fi .
""",
        broken="""
<id/koski/study-right/1.2.246.562.15.10> a tyo:StudyRight ;
    dct:identifier "1.2.246.562.15.10" ; tyo:concernsPerson <id/person/a1> ;
    tyo:studyRightType <code/study-right-type/ammatillinenkoulutus> ;
    tyo:institution <id/koski/oppilaitos/1.2.246.562.10.52251087186> ;
    tyo:startDate "2019-08-01T00:00:00"^^xsd:dateTime ;
    tyo:studyRightStatus <code/study-right-type/lukiokoulutus> .
<id/koski/institution/1.2.246.562.10.52251087186> a tyo:EducationalInstitution ;
    dct:identifier "1.2.246.562.10.52251087186" ;
    skos:prefLabel "Stadin ammatti- ja aikuisopisto" .
""",
        expected=(
            ("id/koski/study-right/1.2.246.562.15.10", "tyo:institution", "Pattern"),
            ("id/koski/study-right/1.2.246.562.15.10", "tyo:startDate", "Datatype"),
            ("id/koski/study-right/1.2.246.562.15.10", "tyo:studyRightStatus", "Pattern"),
            ("id/koski/study-right/1.2.246.562.15.10", "tyo:studyRightStatusDate", "MinCount"),
            ("id/koski/study-right/1.2.246.562.15.10", "tyo:qualification", "MinCount"),
            ("id/koski/institution/1.2.246.562.10.52251087186", "skos:prefLabel", "Datatype"),
        ),
    ),
    "migri": Sample(
        conforming="""
<id/migri/residence-permit/L1> a tyo:ResidencePermit ;
    dct:identifier "L1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:permitType <code/permit-type/B> ; tyo:permitGround <code/permit-ground/TYO> ;
    tyo:startDate "2022-05-01"^^xsd:date ; tyo:validUntil "2024-04-30"^^xsd:date ;
    tyo:firstPermit true ; tyo:extensionPending true ; tyo:dateOfEntry "2022-04-20"^^xsd:date .
<id/migri/residence-permit/L2> a tyo:ResidencePermit ;
    dct:identifier "L2" ; tyo:concernsPerson <id/person/b2> ;
    tyo:permitType <code/permit-type/P> ; tyo:permitGround <code/permit-ground/PERHE> ;
    tyo:startDate "2018-01-10"^^xsd:date ; tyo:firstPermit false ; tyo:extensionPending false .
""",
        broken="""
<id/migri/residence-permit/L1> a tyo:ResidencePermit ;
    dct:identifier "L1" ; tyo:concernsPerson <id/kela/person/a1> ;
    tyo:permitType <code/permit-type/B> ; tyo:permitGround <code/permit-type/A> ;
    tyo:startDate "2022-05-01"^^xsd:date ; tyo:validUntil "30.04.2024" ;
    tyo:extensionPending true .
""",
        expected=(
            ("id/migri/residence-permit/L1", "tyo:concernsPerson", "Pattern"),
            ("id/migri/residence-permit/L1", "tyo:permitGround", "Pattern"),
            ("id/migri/residence-permit/L1", "tyo:validUntil", "Datatype"),
            ("id/migri/residence-permit/L1", "tyo:firstPermit", "MinCount"),
        ),
    ),
    "vtj": Sample(
        conforming="""
<id/person/a1> a tyo:Person ;
    tyo:homeMunicipality <code/municipality/091> ;
    tyo:homeMunicipalitySince "2019-06-01"^^xsd:date ;
    tyo:motherTongue <code/language/ar> ; tyo:serviceLanguage <code/language/fi> ;
    tyo:householdSize 3 ; tyo:birthYear 1981 ; tyo:sex <code/sex/2> .
<id/person/b2> a tyo:Person ;
    tyo:homeMunicipality <code/municipality/837> ; tyo:birthYear 1999 ; tyo:sex <code/sex/1> ;
    tyo:motherTongue <code/language/sv> ; tyo:serviceLanguage <code/language/sv> .
<id/vtj/household-member/M1> a tyo:HouseholdMember ;
    dct:identifier "M1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:householdRelation <code/household-relation/PUOLISO> ; tyo:birthYear 1985 .
<id/vtj/household-member/M2> a tyo:HouseholdMember ;
    dct:identifier "M2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:householdRelation <code/household-relation/LAPSI> ; tyo:birthYear 2015 .
""",
        broken="""
<id/person/a1> a tyo:Person ;
    tyo:homeMunicipality <code/municipality/091> ;
    tyo:serviceLanguage <code/municipality/091> ;
    tyo:householdSize 0 ; tyo:birthYear 1700 ; tyo:sex <code/language/fi> .
<id/vtj/household-member/M1> a tyo:HouseholdMember ;
    dct:identifier "M1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:householdRelation <code/household-relation/PUOLISO> ; tyo:birthYear "1985" .
<id/vtj/household-member/M2> a tyo:HouseholdMember ;
    dct:identifier "M2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:householdRelation <code/household-relation/VANHEMPI> ; tyo:birthYear 1899 .
""",
        expected=(
            ("id/person/a1", "tyo:motherTongue", "MinCount"),
            ("id/person/a1", "tyo:serviceLanguage", "Pattern"),
            ("id/person/a1", "tyo:householdSize", "MinInclusive"),
            ("id/person/a1", "tyo:birthYear", "MinInclusive"),
            ("id/person/a1", "tyo:sex", "Pattern"),
            ("id/vtj/household-member/M1", "tyo:birthYear", "Datatype"),
            # a value of the wrong datatype cannot be compared, so it fails the range too
            ("id/vtj/household-member/M1", "tyo:birthYear", "MinInclusive"),
            ("id/vtj/household-member/M1", "tyo:birthYear", "MaxInclusive"),
            ("id/vtj/household-member/M2", "tyo:birthYear", "MinInclusive"),
        ),
    ),
    "hyvinvointialue": Sample(
        conforming="""
<id/hyvinvointialue/medical-statement/L1> a tyo:MedicalStatement ;
    dct:identifier "L1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:medicalStatementType <code/medical-statement-type/B> ; tyo:date "2024-03-05"^^xsd:date .
<id/hyvinvointialue/medical-statement/L2> a tyo:MedicalStatement ;
    dct:identifier "L2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:medicalStatementType <code/medical-statement-type/A> ; tyo:date "2024-01-12"^^xsd:date .
""",
        broken="""
<id/hyvinvointialue/medical-statement/L1> a tyo:MedicalStatement ;
    dct:identifier "L1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:medicalStatementType <code/benefit-type/SPR> .
<id/hyvinvointialue/medical-statement/L2> a tyo:MedicalStatement ;
    dct:identifier "L2" ; tyo:concernsPerson <id/person/a1> ;
    tyo:medicalStatementType <code/medical-statement-type/A>, <code/medical-statement-type/B> ;
    tyo:date "2024-03-05T10:00:00"^^xsd:dateTime .
""",
        expected=(
            ("id/hyvinvointialue/medical-statement/L1", "tyo:medicalStatementType", "Pattern"),
            ("id/hyvinvointialue/medical-statement/L1", "tyo:date", "MinCount"),
            ("id/hyvinvointialue/medical-statement/L2", "tyo:medicalStatementType", "MaxCount"),
            ("id/hyvinvointialue/medical-statement/L2", "tyo:date", "Datatype"),
        ),
    ),
    "ulosotto": Sample(
        conforming="""
<id/ulosotto/case/U1> a tyo:EnforcementCase ;
    dct:identifier "U1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:enforcementType <code/enforcement-type/ULOSOTTO> ;
    tyo:startDate "2023-02-01"^^xsd:date ;
    tyo:enforcementStatus <code/enforcement-status/VIREILLA> .
<id/ulosotto/case/U2> a tyo:EnforcementCase ;
    dct:identifier "U2" ; tyo:concernsPerson <id/person/b2> ;
    tyo:enforcementType <code/enforcement-type/VELKAJARJESTELY> ;
    tyo:startDate "2018-01-01"^^xsd:date ; tyo:endDate "2023-01-01"^^xsd:date ;
    tyo:enforcementStatus <code/enforcement-status/PAATTYNYT> .
""",
        broken="""
<id/ulosotto/case/U1> a tyo:EnforcementCase ;
    dct:identifier 42 ; tyo:concernsPerson <id/person/a1> ;
    tyo:enforcementType <code/enforcement-status/VIREILLA> ;
    tyo:startDate "20230201" .
""",
        expected=(
            ("id/ulosotto/case/U1", "dct:identifier", "Datatype"),
            ("id/ulosotto/case/U1", "tyo:enforcementType", "Pattern"),
            ("id/ulosotto/case/U1", "tyo:startDate", "Datatype"),
            ("id/ulosotto/case/U1", "tyo:enforcementStatus", "MinCount"),
        ),
    ),
    "tyomarkkinatori": Sample(
        conforming="""
<id/tyomarkkinatori/posting/P1> a tyo:JobPosting ;
    dct:identifier "P1" ;
    schema:title "Linja-autonkuljettaja"@fi ;
    schema:description "Kaupunkiliikenteen kuljettaja, vuorotyö."@fi ;
    tyo:employerName "Esimerkki Liikenne Oy" ;
    tyo:occupation occupation:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:educationLevel <code/education-level/3> ; tyo:municipality <code/municipality/091> ;
    tyo:workingTime <code/working-time/KOKOAIKA> ;
    tyo:contractType <code/contract-type/VAKINAINEN> ;
    schema:datePosted "2024-05-01"^^xsd:date ; schema:validThrough "2024-05-31"^^xsd:date ;
    tyo:requiresLicence <code/licence/AJOKORTTI_D>, <code/licence/AMMATTIPATEVYYS> .
<id/tyomarkkinatori/posting/P2> a tyo:JobPosting ;
    dct:identifier "P2" ;
    schema:title "Kokki"@fi ; schema:description "Lounasravintolan kokki."@fi ;
    tyo:employerName "Ravintola Esimerkki" ;
    tyo:occupation occupation:90f75f67-495d-49fa-ab57-2f320e251d7e ;
    tyo:municipality <code/municipality/837> ; tyo:workingTime <code/working-time/OSA_AIKA> ;
    tyo:contractType <code/contract-type/MAARAAIKAINEN> ;
    schema:datePosted "2024-05-03"^^xsd:date .
<id/tyomarkkinatori/posting/P1/skill/1> a tyo:SkillRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:skill skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 ;
    tyo:skillRelevance <code/skill-relevance/olennainen> .
<id/tyomarkkinatori/posting/P1/skill/2> a tyo:SkillRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:skill skill:15a33d76-4640-438d-ae64-fdc0c1d3eebc ;
    tyo:skillRelevance <code/skill-relevance/valinnainen> .
<id/tyomarkkinatori/posting/P1/language/1> a tyo:LanguageRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:language <code/language/fi> ; tyo:cefrLevel <code/cefr-level/B1> .
<id/tyomarkkinatori/profile/F1> a tyo:JobSeekerProfile ;
    dct:identifier "F1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:desiredOccupation occupation:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:educationLevel <code/education-level/3> ; tyo:municipality <code/municipality/091> ;
    tyo:workingTime <code/working-time/KOKOAIKA> ;
    tyo:contractType <code/contract-type/VAKINAINEN> ;
    schema:description "Kokenut kuljettaja."@fi ; schema:dateModified "2024-04-28"^^xsd:date ;
    tyo:hasSkill skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 ;
    tyo:hasLicence <code/licence/AJOKORTTI_D>, <code/licence/AJOKORTTI_B> ;
    tyo:searchArea <code/municipality/091>, <code/municipality/049> .
<id/tyomarkkinatori/profile/F2> a tyo:JobSeekerProfile ;
    dct:identifier "F2" ; tyo:concernsPerson <id/person/b2> ;
    tyo:desiredOccupation occupation:90f75f67-495d-49fa-ab57-2f320e251d7e ;
    tyo:municipality <code/municipality/837> ; tyo:workingTime <code/working-time/OSA_AIKA> ;
    tyo:contractType <code/contract-type/MAARAAIKAINEN> ;
    schema:dateModified "2024-03-01"^^xsd:date .
<id/tyomarkkinatori/profile/F1/work/1> a tyo:WorkExperience ;
    tyo:experienceOf <id/tyomarkkinatori/profile/F1> ;
    tyo:occupation occupation:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:employerName "Bussi Oy" ;
    tyo:startDate "2015-01-01"^^xsd:date ; tyo:endDate "2018-12-31"^^xsd:date .
<id/tyomarkkinatori/profile/F1/language/1> a tyo:LanguageSkill ;
    tyo:languageSkillOf <id/tyomarkkinatori/profile/F1> ;
    tyo:language <code/language/fi> ; tyo:cefrLevel <code/cefr-level/B2> .
""",
        broken="""
<id/tyomarkkinatori/posting/P1> a tyo:JobPosting ;
    dct:identifier "P1" ;
    schema:title "Linja-autonkuljettaja" ;
    schema:description "Kaupunkiliikenteen kuljettaja."@fi ;
    tyo:employerName "Esimerkki Liikenne Oy" ;
    tyo:occupation skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 ;
    tyo:municipality <code/municipality/091> ; tyo:workingTime <code/working-time/KOKOAIKA> ;
    tyo:contractType <code/contract-type/VAKINAINEN> ;
    schema:datePosted "2024-05-01"^^xsd:date .
<id/tyomarkkinatori/posting/P1/skill/1> a tyo:SkillRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:skill skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 .
<id/tyomarkkinatori/posting/P1/language/1> a tyo:LanguageRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:language <code/language/fi> ; tyo:cefrLevel <code/language/en> .
<id/tyomarkkinatori/profile/F1> a tyo:JobSeekerProfile ;
    dct:identifier "F1" ; tyo:concernsPerson <id/person/a1> ;
    tyo:desiredOccupation occupation:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:municipality <code/municipality/091> ; tyo:workingTime <code/working-time/KOKOAIKA> ;
    tyo:contractType <code/contract-type/VAKINAINEN> ;
    schema:dateModified "2024-04-28"^^xsd:date ;
    tyo:searchArea <code/municipality/091>, <code/language/sv> .
<id/tyomarkkinatori/profile/F1/work/1> a tyo:WorkExperience ;
    tyo:experienceOf <id/tyomarkkinatori/profile/F1> ;
    tyo:occupation occupation:00cee175-1376-43fb-9f02-ba3d7a910a58 .
""",
        expected=(
            ("id/tyomarkkinatori/posting/P1", "schema:title", "Datatype"),
            ("id/tyomarkkinatori/posting/P1", "tyo:occupation", "Pattern"),
            ("id/tyomarkkinatori/posting/P1/skill/1", "tyo:skillRelevance", "MinCount"),
            ("id/tyomarkkinatori/posting/P1/language/1", "tyo:cefrLevel", "Pattern"),
            ("id/tyomarkkinatori/profile/F1", "tyo:searchArea", "Pattern"),
            ("id/tyomarkkinatori/profile/F1/work/1", "tyo:startDate", "MinCount"),
        ),
    ),
}

CURIES = {
    "tyo:": "https://tyodata.fi/ontology#",
    "dct:": "http://purl.org/dc/terms/",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "schema:": "https://schema.org/",
}


def _expand(curie: str) -> str:
    for prefix, ns in CURIES.items():
        if curie.startswith(prefix):
            return ns + curie[len(prefix) :]
    raise ValueError(curie)


def validate(source: str, turtle: str) -> tuple[bool, Graph, str]:
    data = Graph().parse(data=PREFIXES + turtle, format="turtle")
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=load_shapes(source), inference="none", advanced=False
    )
    return bool(conforms), report, str(text)


def test_there_is_a_sample_for_every_source() -> None:
    assert sorted(SAMPLES) == sorted(sources_spec())


@pytest.mark.parametrize("source", sorted(SAMPLES))
def test_conforming_sample_conforms_and_exercises_every_shape(source: str) -> None:
    conforms, _, text = validate(source, SAMPLES[source].conforming)
    assert conforms, text
    data = Graph().parse(data=PREFIXES + SAMPLES[source].conforming, format="turtle")
    shapes = load_shapes(source)
    for ps in shapes.objects(None, SH.property):
        path = shapes.value(ps, SH.path)
        assert (None, path, None) in data, f"the conforming sample never uses {path}"


@pytest.mark.parametrize("source", sorted(SAMPLES))
def test_broken_sample_gives_exactly_the_expected_results(source: str) -> None:
    conforms, report, text = validate(source, SAMPLES[source].broken)
    assert not conforms
    found = Counter()
    for result in report.objects(None, SH.result):
        assert report.value(result, SH.resultSeverity) == SH.Violation
        assert report.value(result, SH.resultMessage) is not None, "every result has a message"
        focus = str(report.value(result, SH.focusNode))
        component = str(report.value(result, SH.sourceConstraintComponent))
        found[
            (
                focus.removeprefix("https://tyodata.fi/"),
                str(report.value(result, SH.resultPath)),
                component.removeprefix(str(SH)).removesuffix("ConstraintComponent"),
            )
        ] += 1
    expected = Counter(
        (focus, _expand(path), component) for focus, path, component in SAMPLES[source].expected
    )
    assert found == expected, text
