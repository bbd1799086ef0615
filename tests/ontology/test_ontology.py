"""The core ontology: it parses, defines every term the mappings use, is labelled in
English and Finnish, agrees with the mappings on kinds and datatypes, is consistent
under HermiT (with the code lists and a sample of every class), and ns.py is fresh."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator

import owlready2
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from ontology.files import CODELISTS, NS_MODULE, ONTOLOGY
from ontology.make_ns import render
from ontology.ns import TYO

from . import MAPPINGS_DIR, REPO, MappedStatement, mapped_statements, mapping_sources

TYO_NS = "https://tyodata.fi/ontology#"
CODE_NS = "https://tyodata.fi/code/"
TYODATA_CODE = URIRef("https://tyodata.fi/ontology#codeList")

LITERAL_RANGES = {
    XSD.date,
    XSD.dateTime,
    XSD.integer,
    XSD.decimal,
    XSD.boolean,
    XSD.string,
    RDF.langString,
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


@pytest.fixture(scope="module")
def codelists() -> Graph:
    return Graph().parse(CODELISTS, format="turtle")


def tyo_terms(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and s.startswith(TYO_NS)}


def terms_of_kind(graph: Graph, kind: URIRef) -> set[URIRef]:
    return {t for t in tyo_terms(graph) if (t, RDF.type, kind) in graph}


# --- Parsing, definitions, labels ------------------------------------------------


def test_ontology_parses_and_declares_itself(onto: Graph) -> None:
    assert (URIRef("https://tyodata.fi/ontology"), RDF.type, OWL.Ontology) in onto
    assert len(tyo_terms(onto)) > 80


def test_every_tyo_term_used_in_a_mapping_is_defined(onto: Graph) -> None:
    used: set[str] = set()
    for path in MAPPINGS_DIR.glob("*.yarrrml.yml"):
        used |= set(re.findall(r"tyo:(\w+)", path.read_text(encoding="utf-8")))
    assert used, "no tyo: terms found in the mappings"
    undefined = sorted(n for n in used if (URIRef(TYO_NS + n), RDF.type, None) not in onto)
    assert undefined == [], f"used in mappings/*.yarrrml.yml but not defined: {undefined}"


def test_every_term_has_one_english_and_one_finnish_label_and_a_comment(onto: Graph) -> None:
    problems = []
    for term in sorted(tyo_terms(onto)):
        labels = [o for o in onto.objects(term, RDFS.label) if isinstance(o, Literal)]
        for lang in ("en", "fi"):
            if [label.language for label in labels].count(lang) != 1:
                problems.append(f"{term}: needs exactly one rdfs:label @{lang}")
        comments = [o for o in onto.objects(term, RDFS.comment) if isinstance(o, Literal)]
        if not any(c.language == "en" for c in comments):
            problems.append(f"{term}: needs an rdfs:comment @en")
        if (term, RDFS.isDefinedBy, URIRef("https://tyodata.fi/ontology")) not in onto:
            problems.append(f"{term}: needs rdfs:isDefinedBy the ontology")
    assert problems == []


def test_every_property_has_a_domain_and_a_fitting_range(onto: Graph) -> None:
    problems = []
    for prop in terms_of_kind(onto, OWL.ObjectProperty):
        ranges = set(onto.objects(prop, RDFS.range))
        if not set(onto.objects(prop, RDFS.domain)) or len(ranges) != 1:
            problems.append(f"{prop}: needs a domain and exactly one range")
        elif ranges & LITERAL_RANGES:
            problems.append(f"{prop}: an object property with a datatype range")
    for prop in terms_of_kind(onto, OWL.DatatypeProperty):
        ranges = set(onto.objects(prop, RDFS.range))
        if not set(onto.objects(prop, RDFS.domain)) or len(ranges) != 1:
            problems.append(f"{prop}: needs a domain and exactly one range")
        elif not ranges <= LITERAL_RANGES:
            problems.append(f"{prop}: range {ranges} is not one of the allowed datatypes")
    both = terms_of_kind(onto, OWL.ObjectProperty) & terms_of_kind(onto, OWL.DatatypeProperty)
    assert both == set(), "a property cannot be both object and datatype property (OWL 2 DL)"
    assert problems == []


def test_every_iri_the_ontology_uses_has_a_declared_kind(onto: Graph) -> None:
    """OWL 2 DL: classes and properties we refer to (ours or reused) are declared."""
    declared = set(onto.subjects(RDF.type, None))
    annotation_properties = set(onto.subjects(RDF.type, OWL.AnnotationProperty))
    used: set[URIRef] = set()
    for p in (RDFS.subClassOf, RDFS.domain, RDFS.range, RDFS.subPropertyOf):
        for s, o in onto.subject_objects(p):
            # the range of an annotation property is just an IRI, no declaration needed
            if isinstance(o, URIRef) and s not in annotation_properties:
                used.add(o)
    used |= {p for p in onto.predicates() if p.startswith(TYO_NS)}
    missing = sorted(u for u in used - declared if u not in LITERAL_RANGES)
    assert missing == [], f"referenced but not declared: {missing}"


# --- Agreement with the mappings and the code lists ----------------------------


def all_statements() -> Iterator[MappedStatement]:
    for source in mapping_sources():
        yield from mapped_statements(source)


def test_mapped_classes_are_owl_classes(onto: Graph) -> None:
    classes = {URIRef(s.cls) for s in all_statements()}
    assert {c for c in classes if (c, RDF.type, OWL.Class) not in onto} == set()


def test_property_kinds_and_datatypes_match_the_mappings(onto: Graph) -> None:
    problems = []
    for st in all_statements():
        prop = URIRef(st.predicate)
        where = f"{st.source}.{st.mapping} {st.predicate}"
        if st.template is not None:
            if (prop, RDF.type, OWL.ObjectProperty) not in onto:
                problems.append(f"{where}: the mapping makes IRIs; needs owl:ObjectProperty")
        else:
            kinds = set(onto.objects(prop, RDF.type))
            # reused labelling terms (skos:prefLabel) are annotation properties
            allowed = {OWL.DatatypeProperty} | (
                set() if st.predicate.startswith(TYO_NS) else {OWL.AnnotationProperty}
            )
            if not kinds & allowed:
                problems.append(f"{where}: the mapping makes literals; needs owl:DatatypeProperty")
            ranges = set(onto.objects(prop, RDFS.range))
            if st.predicate.startswith(TYO_NS) and ranges != {URIRef(st.datatype)}:
                problems.append(f"{where}: range {ranges} but the mapping makes {st.datatype}")
    assert problems == []


def test_coded_properties_name_the_code_list_the_mapping_uses(
    onto: Graph, codelists: Graph
) -> None:
    schemes = set(codelists.subjects(RDF.type, SKOS.ConceptScheme))
    problems = []
    for st in all_statements():
        if st.template is None or not st.template.startswith(CODE_NS):
            continue
        scheme = URIRef(CODE_NS + st.template[len(CODE_NS) :].split("/")[0])
        prop = URIRef(st.predicate)
        if scheme not in schemes:
            problems.append(f"{st.source}.{st.mapping}: no code list {scheme} in codelists.ttl")
        if set(onto.objects(prop, TYODATA_CODE)) != {scheme}:
            problems.append(f"{prop}: tyo:codeList should be {scheme}")
        if set(onto.objects(prop, RDFS.range)) != {SKOS.Concept}:
            problems.append(f"{prop}: a coded property has range skos:Concept")
    # and every code list named in the ontology exists
    for scheme in set(onto.objects(None, TYODATA_CODE)):
        if scheme not in schemes:
            problems.append(f"tyo:codeList {scheme} is not a scheme of codelists.ttl")
    assert problems == []


def test_reused_terms_exist_in_the_standard_vocabularies(onto: Graph) -> None:
    """DPV and PROV-O terms we point to exist in the versions we use (../shared/vocab)."""
    vocab = REPO.parent / "shared" / "vocab"
    files = {
        "https://w3id.org/dpv#": "dpv-2.3.ttl",
        "https://w3id.org/dpv/pd#": "dpv-2.3-pd.ttl",
        "http://www.w3.org/ns/prov#": "prov-o.ttl",
    }
    if not vocab.is_dir():
        pytest.skip(f"standard vocabularies not found at {vocab}")
    referenced = {n for n in onto.all_nodes() if isinstance(n, URIRef)}
    problems = []
    for ns, file in files.items():
        terms = {t for t in referenced if t.startswith(ns) and len(t) > len(ns)}
        graph = Graph().parse(vocab / file, format="turtle")
        problems += [str(t) for t in terms if (t, None, None) not in graph]
    assert sorted(problems) == []


# --- Reasoning -------------------------------------------------------------------

# A small hand-made sample with at least one instance of every tyo: class, in the
# shapes the mappings, the ingest and the client-reported-fact service produce.
SAMPLE = """
@base <https://tyodata.fi/> .
@prefix tyo: <https://tyodata.fi/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dpv: <https://w3id.org/dpv#> .
@prefix eu-gdpr: <https://w3id.org/dpv/legal/eu/gdpr#> .
@prefix esco: <http://data.europa.eu/esco/model#> .
@prefix occ: <http://data.europa.eu/esco/occupation/> .
@prefix skill: <http://data.europa.eu/esco/skill/> .

occ:00cee175-1376-43fb-9f02-ba3d7a910a58 a esco:Occupation .
skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 a esco:Skill .

# population register
<id/person/p1> a tyo:Person ;
    tyo:homeMunicipality <code/municipality/091> ;
    tyo:homeMunicipalitySince "2019-06-01"^^xsd:date ;
    tyo:motherTongue <code/language/ar> ;
    tyo:serviceLanguage <code/language/fi> ;
    tyo:householdSize 3 ; tyo:birthYear 1952 ; tyo:sex <code/sex/2> .
<id/vtj/household-member/M1> a tyo:HouseholdMember ;
    dct:identifier "M1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:householdRelation <code/household-relation/LAPSI> ; tyo:birthYear 2015 .

# identity graph
<id/person/p1> tyo:identityCode "131052-308T" .

# Kela
<id/kela/benefit-decision/D1> a tyo:BenefitDecision ;
    dct:identifier "D1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:benefitType <code/benefit-type/TMT> ; tyo:applicationDate "2024-01-10"^^xsd:date ;
    tyo:decision <code/decision/HYL> ; tyo:rejectionReason <code/rejection-reason/TULOT> ;
    tyo:decisionDate "2024-02-01"^^xsd:date ; tyo:inPayment false .
<id/kela/benefit-decision/D2> a tyo:BenefitDecision ;
    dct:identifier "D2" ; tyo:concernsPerson <id/person/p1> ;
    tyo:benefitType <code/benefit-type/YAT> ; tyo:applicationDate "2024-03-10"^^xsd:date ;
    tyo:decision <code/decision/VIREILLA> ; tyo:inPayment false .
<id/kela/benefit-decision/D3> a tyo:BenefitDecision ;
    dct:identifier "D3" ; tyo:concernsPerson <id/person/p1> ;
    tyo:benefitType <code/benefit-type/TKE> ; tyo:applicationDate "2024-08-10"^^xsd:date ;
    tyo:startDate "2024-10-01"^^xsd:date ; tyo:decision <code/decision/MYON> ;
    tyo:decisionDate "2024-09-12"^^xsd:date ; tyo:inPayment true ; tyo:monthlyAmount 912.40 .
<id/kela/rehabilitation/R1> a tyo:RehabilitationPeriod ;
    dct:identifier "R1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:rehabilitationType <code/rehabilitation-type/TYOKOKEILU> ;
    tyo:startDate "2024-04-01"^^xsd:date ; tyo:endDate "2024-06-30"^^xsd:date .
<id/kela/sickness-allowance/S1> a tyo:SicknessAllowancePeriod ;
    dct:identifier "S1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:startDate "2023-09-01"^^xsd:date ; tyo:endDate "2023-11-30"^^xsd:date ;
    tyo:sicknessAllowanceDaysPaid 78 .
<id/kela/earnings/E1> a tyo:AnnualEarnings ;
    dct:identifier "E1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:year 2023 ; tyo:earningsEur 18250.75 .

# city employment services
<id/tyollisyyspalvelut/job-seeking/J1> a tyo:JobSeekingPeriod ;
    dct:identifier "J1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:municipality <code/municipality/091> ; tyo:startDate "2023-08-15"^^xsd:date ;
    tyo:employmentStatus <code/employment-status/TYOTON> ;
    tyo:employmentPlanValidUntil "2024-02-15"^^xsd:date ; tyo:multiSectorClient true .
<id/tyollisyyspalvelut/appointment/T1> a tyo:Appointment ;
    dct:identifier "T1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:date "2024-01-20"^^xsd:date ; tyo:appointmentStatus <code/appointment-status/EI_SAAPUNUT> .

# Koski
<id/koski/study-right/1.2.246.562.15.1> a tyo:StudyRight ;
    dct:identifier "1.2.246.562.15.1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:studyRightType <code/study-right-type/ammatillinenkoulutus> ;
    tyo:institution <id/koski/institution/1.2.246.562.10.2> ;
    tyo:startDate "2020-08-01"^^xsd:date ; tyo:endDate "2022-05-31"^^xsd:date ;
    tyo:studyRightStatus <code/study-right-status/valmistunut> ;
    tyo:studyRightStatusDate "2022-05-31"^^xsd:date ;
    tyo:qualification <code/qualification/351101> ;
    tyo:qualificationCompletedOn "2022-05-31"^^xsd:date .
<id/koski/institution/1.2.246.562.10.2> a tyo:EducationalInstitution ;
    dct:identifier "1.2.246.562.10.2" ; skos:prefLabel "Stadin ammatti- ja aikuisopisto"@fi .

# Migri
<id/migri/residence-permit/L1> a tyo:ResidencePermit ;
    dct:identifier "L1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:permitType <code/permit-type/B> ; tyo:permitGround <code/permit-ground/PERHE> ;
    tyo:startDate "2019-05-01"^^xsd:date ; tyo:validUntil "2025-04-30"^^xsd:date ;
    tyo:firstPermit true ; tyo:extensionPending true ;
    tyo:dateOfEntry "2019-04-20"^^xsd:date .

# wellbeing services county
<id/hyvinvointialue/medical-statement/M1> a tyo:MedicalStatement ;
    dct:identifier "M1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:medicalStatementType <code/medical-statement-type/B> ; tyo:date "2024-05-02"^^xsd:date .

# enforcement
<id/ulosotto/case/U1> a tyo:EnforcementCase ;
    dct:identifier "U1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:enforcementType <code/enforcement-type/VELKAJARJESTELY> ;
    tyo:startDate "2022-01-01"^^xsd:date ;
    tyo:enforcementStatus <code/enforcement-status/VAHVISTETTU> .

# job marketplace
<id/tyomarkkinatori/posting/P1> a tyo:JobPosting ;
    dct:identifier "P1" ;
    schema:title "Linja-autonkuljettaja"@fi ;
    schema:description "Kaupunkiliikenteen kuljettaja."@fi ;
    tyo:employerName "Esimerkki Oy" ; tyo:occupation occ:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:educationLevel <code/education-level/3> ; tyo:municipality <code/municipality/091> ;
    tyo:workingTime <code/working-time/KOKOAIKA> ;
    tyo:contractType <code/contract-type/VAKINAINEN> ;
    schema:datePosted "2024-05-01"^^xsd:date ; schema:validThrough "2024-05-31"^^xsd:date ;
    tyo:requiresLicence <code/licence/AJOKORTTI_D> .
<id/tyomarkkinatori/posting/P1/skill/1> a tyo:SkillRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:skill skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 ;
    tyo:skillRelevance <code/skill-relevance/olennainen> .
<id/tyomarkkinatori/posting/P1/language/1> a tyo:LanguageRequirement ;
    tyo:requirementOf <id/tyomarkkinatori/posting/P1> ;
    tyo:language <code/language/fi> ; tyo:cefrLevel <code/cefr-level/B1> .
<id/tyomarkkinatori/profile/F1> a tyo:JobSeekerProfile ;
    dct:identifier "F1" ; tyo:concernsPerson <id/person/p1> ;
    tyo:desiredOccupation occ:00cee175-1376-43fb-9f02-ba3d7a910a58 ;
    tyo:educationLevel <code/education-level/3> ; tyo:municipality <code/municipality/091> ;
    tyo:workingTime <code/working-time/OSA_AIKA> ;
    tyo:contractType <code/contract-type/MAARAAIKAINEN> ;
    schema:description "Etsin kuljettajan töitä."@fi ; schema:dateModified "2024-04-28"^^xsd:date ;
    tyo:hasSkill skill:2a82241a-216e-44d8-bb50-6b9a0ef82084 ;
    tyo:hasLicence <code/licence/AJOKORTTI_B> ; tyo:searchArea <code/municipality/049> .
<id/tyomarkkinatori/profile/F1/work/1> a tyo:WorkExperience ;
    tyo:experienceOf <id/tyomarkkinatori/profile/F1> ;
    tyo:occupation occ:00cee175-1376-43fb-9f02-ba3d7a910a58 ; tyo:employerName "Bussi Oy" ;
    tyo:startDate "2015-01-01"^^xsd:date ; tyo:endDate "2018-12-31"^^xsd:date .
<id/tyomarkkinatori/profile/F1/language/1> a tyo:LanguageSkill ;
    tyo:languageSkillOf <id/tyomarkkinatori/profile/F1> ;
    tyo:language <code/language/fi> ; tyo:cefrLevel <code/cefr-level/B2> .

# a client-reported fact, recorded by a case worker
<id/client-reported/C1> a tyo:ClientReportedFact ;
    tyo:concernsPerson <id/person/p1> ;
    prov:wasAttributedTo <id/case-worker/K1> ;
    tyo:recordedAt "2024-05-03T10:15:00+03:00"^^xsd:dateTime ;
    tyo:commentsOn <id/kela/benefit-decision/D1> ;
    tyo:statementText "Tulot pienenivät huhtikuussa."@fi .
<id/case-worker/K1> a tyo:CaseWorker .

# provenance of a loaded extract
<id/registry/kela> a tyo:RegistrySource ;
    dct:identifier "kela" ; rdfs:label "Kela"@fi .
<id/extract/kela/2024-05-01> a tyo:SourceExtract ;
    tyo:source <id/registry/kela> ;
    tyo:extractFile "etuuspaatokset.csv", "kuntoutus.csv" ;
    tyo:extractedAt "2024-05-01T02:00:00+03:00"^^xsd:dateTime ;
    prov:generatedAtTime "2024-05-01T06:12:00+03:00"^^xsd:dateTime ;
    dpv:hasLegalBasis eu-gdpr:A6-1-e ;
    tyo:lawReference "Laki Kansaneläkelaitoksesta 731/2001"@fi ;
    tyo:rowsRead 120 ; tyo:rowsLoaded 118 ; tyo:rowsRejected 2 ; tyo:tripleCount 1290 ;
    tyo:extractStatus tyo:Current ; tyo:graphKind tyo:ExtractGraph .
<graph/consent/7f3a> a tyo:ManagedGraph ; tyo:graphKind tyo:ConsentGraph .

# an anchor of the audit log's hash chain
<id/audit-anchor/a1> a tyo:AuditAnchor ;
    tyo:auditSeq 57 ;
    tyo:auditMac "cbdefghijklnrtuvcbdefghijklnrtuvcbdefghijklnrtuvcbdefghijklnrtuv" ;
    tyo:anchoredAt "2024-05-01T06:13:00+03:00"^^xsd:dateTime ;
    tyo:anchorSignature "vutrnlkjihgfedbcvutrnlkjihgfedbcvutrnlkjihgfedbcvutrnlkjihgfedbc" .

# a thumb on a recommendation, in the seeker's feedback graph
<id/feedback/f1> a tyo:RecommendationFeedback ;
    tyo:feedbackProfile <id/tyomarkkinatori/profile/F1> ;
    tyo:feedbackPosting <id/tyomarkkinatori/posting/P1> ;
    tyo:verdict tyo:ThumbsUp ;
    tyo:shownStructuredScore 71.5 ; tyo:shownTextScore 40.25 ; tyo:shownRank 3 ;
    tyo:feedbackGivenBy "city:helsinki/anna" ;
    tyo:feedbackGivenAt "2024-05-04T10:15:00+03:00"^^xsd:dateTime .

# an employer's request to an anonymous candidate, in the seeker's contact-request graph
<id/contact-request/r1> a tyo:ContactRequest ;
    tyo:contactRequestTo <id/person/abcdefghijklmnopqrstuvwxyz> ;
    tyo:aboutPosting <id/tyomarkkinatori/posting/P1> ;
    tyo:postingTitle "Myyjä" ; tyo:requestingEmployer "Kahvila Oy" ;
    tyo:requestingOrganisation "employer:kahvila-oy" ; tyo:requestedBy "rekry1" ;
    tyo:message "Hei! Olisitko kiinnostunut?" ;
    dct:created "2024-05-04T10:15:00+03:00"^^xsd:dateTime .
<id/forecast/F1> a tyo:WorkAbilityForecast ;
    dpv:hasDataSubject <id/person/abcdefghijklmnopqrstuvwxyz> ;
    tyo:riskScore 0.31 ; tyo:trafficLight "red" ; tyo:amberThreshold 0.12 ;
    tyo:redThreshold 0.21 ; tyo:indexDate "2026-02-01"^^xsd:date ;
    tyo:forecastFactor <id/forecast/F1/factor/1> ;
    prov:generatedAtTime "2026-03-01T09:00:00Z"^^xsd:dateTime ;
    prov:wasAttributedTo <org/city/helsinki> ; prov:wasGeneratedBy <id/forecast/F1/activity> .
<id/forecast/F1/factor/1> a tyo:ForecastFactor ; tyo:featureName "sickness_days" ;
    tyo:featureValue 120.0 ; tyo:impact 0.81 ; tyo:rank 1 .
<id/forecast/F1/factor/2> a tyo:ForecastFactor ; tyo:featureName "language" ;
    tyo:featureCategory "sv" ; tyo:impact -0.2 ; tyo:rank 2 .
<id/forecast/F1/activity> a prov:Activity ;
    prov:used <catalog/model/work-ability-forecast> ; tyo:modelVersion "2026-11-28T01-30-00Z" .
"""

# Mixing a registry fact and a client-reported fact must be caught by the reasoner.
CLIENT_FACT_AS_REGISTRY_FACT = """
@prefix tyo: <https://tyodata.fi/ontology#> .
<https://tyodata.fi/id/client-reported/C1> a tyo:BenefitDecision .
"""


def sample_graph() -> Graph:
    return Graph().parse(data=SAMPLE, format="turtle")


def test_sample_has_an_instance_of_every_class(onto: Graph) -> None:
    # The instances of tyo:ExtractStatus and tyo:GraphKind are in the ontology.
    instantiated = set((sample_graph() + onto).objects(None, RDF.type))
    missing = sorted(c for c in terms_of_kind(onto, OWL.Class) if c not in instantiated)
    # tyo:RegistryFact is abstract: its instances are those of its subclasses.
    assert missing == [TYO.RegistryFact]


def _world_with(*graphs: tuple[str, Graph]) -> owlready2.World:
    """An owlready2 world holding the graphs (owlready2 reads N-Triples, not Turtle)."""
    world = owlready2.World()
    for iri, graph in graphs:
        data = graph.serialize(format="nt", encoding="utf-8")
        world.get_ontology(iri).load(fileobj=io.BytesIO(data), format="ntriples")
    return world


def _reason(world: owlready2.World) -> None:
    # xsd:date and rdf:langString are outside the OWL 2 datatype map: HermiT must be told
    # to ignore them, or it refuses the ontology.
    owlready2.sync_reasoner_hermit(world, debug=0, ignore_unsupported_datatypes=True)


def require_java() -> str:
    """Fail (never skip) when Java is missing: the reasoner check is part of the suite."""
    path = shutil.which(owlready2.JAVA_EXE)
    if path is None:
        pytest.fail(
            "Java is needed to run the HermiT reasoner but was not found on PATH: "
            "install a JRE (apt-get install default-jre-headless)",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="module")
def reasoning_inputs(onto: Graph, codelists: Graph) -> list[tuple[str, Graph]]:
    return [
        ("https://tyodata.fi/ontology", onto),
        ("https://tyodata.fi/code/", codelists),
        ("https://tyodata.fi/test/sample", sample_graph()),
    ]


def test_hermit_finds_ontology_code_lists_and_sample_consistent(
    reasoning_inputs: list[tuple[str, Graph]],
) -> None:
    require_java()
    world = _world_with(*reasoning_inputs)
    try:
        _reason(world)
    except owlready2.OwlReadyInconsistentOntologyError:
        pytest.fail("HermiT: the ontology + code lists + sample are inconsistent")
    assert list(world.inconsistent_classes()) == []
    # the reasoner did its work: a benefit decision is inferred to be a registry fact
    decision = world["https://tyodata.fi/id/kela/benefit-decision/D1"]
    assert world[str(TYO.RegistryFact)] in decision.INDIRECT_is_a


def test_hermit_rejects_a_client_reported_fact_typed_as_a_registry_fact(
    reasoning_inputs: list[tuple[str, Graph]],
) -> None:
    require_java()
    bad = Graph().parse(data=CLIENT_FACT_AS_REGISTRY_FACT, format="turtle")
    world = _world_with(*reasoning_inputs, ("https://tyodata.fi/test/bad", bad))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _reason(world)


# --- Generated namespace module -----------------------------------------------------


def test_ns_module_is_up_to_date() -> None:
    assert NS_MODULE.read_text(encoding="utf-8") == render(), (
        "ontology/ns.py is stale: run python -m ontology.make_ns"
    )


def test_ns_module_is_closed_and_complete(onto: Graph) -> None:
    names = {t[len(TYO_NS) :] for t in tyo_terms(onto)}
    assert set(TYO.__annotations__) == names
    with pytest.raises(AttributeError):
        _ = TYO.NoSuchTerm
