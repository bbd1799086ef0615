"""Client-reported facts: forms become RDF that the SHACL shapes check field by field, are
stored in the person's own client-reported graph and nowhere else, are revised without
losing history, and show in their section only when that section is shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import TypeAdapter, ValidationError
from rdflib import URIRef

from graph_service.policy.sections import FIELDS, Section
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import GraphKind, read_directory
from graph_service.views import client_reported
from graph_service.views.client_reported import (
    FACT_NS,
    FactAlreadyRevised,
    FactNotFound,
    ReportRefused,
    agent_iri,
    recorded_by,
    to_graph,
    validate,
)
from graph_service.views.datasets import reported_graphs_of
from graph_service.views.labels import CodeLists, code_lists
from graph_service.views.reported_forms import FORMS, ReportForm
from graph_service.views.situation import read_situation
from tests.leaks import identity_codes

from .conftest import DROPOUT_IRI, MOTHER_IRI, NOW, deny, permit

FORM = TypeAdapter(ReportForm)
VALID = {
    "language_skill": {"form": "language_skill", "language": "fi", "cefr_level": "B1",
                 "note": "Suomen kurssi käynnissä"},
    "interpreter": {"form": "interpreter", "needed": True, "language": "ar"},
    "education_abroad": {"form": "education_abroad", "level": "6", "country": "IQ",
                         "years": 4, "qualification": "Bachelor of Nursing"},
    "health_centre": {"form": "health_centre", "name": "Myyrmäen terveysasema"},
    "housing": {"form": "housing", "housing_type": "VUOKRA"},
}
FACT = FACT_NS + "0" * 32


@pytest.fixture(scope="module")
def codes(store: OxigraphStore) -> CodeLists:
    return code_lists(store, read_directory(store))


def errors_of(body: dict, codes: CodeLists) -> dict[str, str]:
    form = FORM.validate_python(body)
    graph = to_graph(form, person=MOTHER_IRI, fact=FACT, agent=agent_iri("kela", "anna"),
                     organisation="kela", recorded_at=NOW)
    return {e.field: e.message for e in validate(graph, FACT, form.form, codes)}


@pytest.mark.parametrize("form", sorted(VALID))
def test_every_form_in_its_valid_shape_conforms(form: str, codes: CodeLists):
    assert errors_of(VALID[form], codes) == {}


def test_every_form_has_typed_fields_besides_the_note():
    assert set(VALID) == set(FORMS)
    for spec in FORMS.values():
        assert [f for f in spec.fields if f.name != "note" and f.required], spec.name
        assert {f.view for f in spec.fields} - {"note"} <= FIELDS[spec.section]


@pytest.mark.parametrize(("body", "expected"), [
    ({"form": "language_skill", "language": "zz", "cefr_level": "D9"},
     {"language": "must be an ISO 639-1 code of the language code list",
      "cefr_level": "must be a CEFR level A1, A2, B1, B2, C1 or C2"}),
    ({"form": "education_abroad", "level": "9", "country": "XX", "years": 11,
      "qualification": "   ", "note": "x" * 281},
     {"level": "must be an ISCED 2011 level, 1 to 8",
      "country": "must be an ISO 3166-1 alpha-2 country code",
      "years": "must be a whole number of years from 1 to 10",
      "qualification": "is required: a name of at most 100 characters",
      "note": "must be one text of at most 280 characters"}),
    ({"form": "education_abroad", "level": "6", "country": "FI", "years": 0,
      "qualification": "x" * 101},
     {"years": "must be a whole number of years from 1 to 10",
      "qualification": "is required: a name of at most 100 characters"}),
    ({"form": "health_centre", "name": "y" * 101},
     {"name": "is required: a name of at most 100 characters"}),
    ({"form": "housing", "housing_type": "LINNA"},
     {"housing_type": "must be a code of the housing-type code list"}),
    # A code that tries to break out of its IRI is just another unknown code.
    ({"form": "housing", "housing_type": '> . <x> <y> "z'},
     {"housing_type": "must be a code of the housing-type code list"}),
    ({"form": "interpreter", "needed": False, "language": "xx"},
     {"language": "must be an ISO 639-1 code of the language code list"}),
])
def test_the_shapes_name_each_failing_field(body: dict, expected: dict, codes: CodeLists):
    assert errors_of(body, codes) == expected


def test_an_identity_code_in_a_text_is_refused(codes: CodeLists):
    found = errors_of({**VALID["health_centre"], "note": "asiakas 131052-308T"}, codes)
    assert found == {"note": "must not contain an identity code"}


def test_a_missing_field_and_a_stray_field_are_caught_by_the_shapes(codes: CodeLists):
    form = FORM.validate_python(VALID["language_skill"])
    graph = to_graph(form, person=MOTHER_IRI, fact=FACT, agent=agent_iri("kela", "a"),
                     organisation="kela", recorded_at=NOW)
    graph.remove((URIRef(FACT), URIRef(FORMS["language_skill"].field("cefr_level").property), None))
    graph.add((URIRef(FACT), URIRef(FORMS["housing"].field("housing_type").property),
               URIRef("https://tyodata.fi/code/housing-type/VUOKRA")))
    assert {e.field: e.message for e in validate(graph, FACT, "language_skill", codes)} == {
        "cefr_level": "is required: one CEFR level",
        "form": "holds a field that is not part of this form"}


def test_the_models_check_json_types_only_and_refuse_unknown_forms_and_fields():
    with pytest.raises(ValidationError):
        FORM.validate_python({"form": "free_text", "text": "anything"})
    with pytest.raises(ValidationError):
        FORM.validate_python({**VALID["housing"], "comment": "x"})
    with pytest.raises(ValidationError):
        FORM.validate_python({**VALID["education_abroad"], "years": "4"})


def test_the_agent_is_the_case_worker_not_the_client():
    agent = agent_iri("city:helsinki", "anna k")
    assert agent == "https://tyodata.fi/id/case-worker/city%3Ahelsinki/anna%20k"
    assert recorded_by(agent) == "anna k"
    assert not identity_codes(agent_iri("kela", "131052-308T"))


def _registry_triples(store: OxigraphStore) -> dict[str, int]:
    return {graph: int(store.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> "
                                    "{ ?s ?p ?o } }").rows[0][0])  # type: ignore[arg-type]
            for graph in read_directory(store).of_kind(GraphKind.EXTRACT, GraphKind.REFERENCE)}


def test_a_fact_is_stored_in_the_persons_client_reported_graph_only(store: OxigraphStore,
                                                                    codes: CodeLists):
    before = _registry_triples(store)
    stored = client_reported.report(store, codes, FORM.validate_python(VALID["housing"]),
                                    person=DROPOUT_IRI, subject="anna", organisation="kela",
                                    now=NOW)
    assert stored.created_graph
    again = client_reported.report(store, codes, FORM.validate_python(VALID["language_skill"]),
                                   person=DROPOUT_IRI, subject="anna", organisation="kela",
                                   now=NOW)
    assert again.graph == stored.graph and not again.created_graph
    assert _registry_triples(store) == before
    directory = read_directory(store)
    holding = {str(g) for (g,) in store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ <{stored.fact}> ?p ?o }} }}").rows}
    assert holding == {stored.graph}
    assert directory.kind_of(stored.graph) is GraphKind.CLIENT_REPORTED
    # The graph's name says nothing of whose it is; the graph says so inside.
    assert DROPOUT_IRI.rsplit("/")[-1] not in stored.graph


def test_a_refused_form_stores_nothing(store: OxigraphStore, codes: CodeLists):
    graphs = set(store.named_graphs())
    with pytest.raises(ReportRefused) as refused:
        client_reported.report(store, codes, FORM.validate_python(
            {"form": "housing", "housing_type": "LINNA"}), person=MOTHER_IRI,
            subject="anna", organisation="kela", now=NOW)
    assert [e.field for e in refused.value.errors] == ["housing_type"]
    assert "LINNA" not in str(refused.value)
    assert set(store.named_graphs()) == graphs


def test_revisions_keep_the_history(store: OxigraphStore, codes: CodeLists):
    first = client_reported.report(store, codes, FORM.validate_python(VALID["health_centre"]),
                                   person=MOTHER_IRI, subject="anna", organisation="kela",
                                   now=NOW)
    moved = FORM.validate_python({"form": "health_centre", "name": "Tikkurilan terveysasema"})
    later = NOW + timedelta(days=1)
    second = client_reported.revise(store, codes, moved, person=MOTHER_IRI, fact=first.fact,
                                    subject="ben", organisation="city:vantaa", now=later)
    directory = read_directory(store)
    dataset = reported_graphs_of(store, directory, MOTHER_IRI)
    latest = client_reported.read_reported(store, dataset, MOTHER_IRI, [Section.HEALTH],
                                           codes)[Section.HEALTH]
    assert [(f.id, f.fields["health_centre"].value) for f in latest] == [
        (second.fact, "Tikkurilan terveysasema")]
    assert latest[0].reported.revision_of == first.fact
    assert latest[0].reported.recorded_by == "ben"
    assert latest[0].reported.organisation == "city:vantaa"
    history = client_reported.read_reported(store, dataset, MOTHER_IRI, [Section.HEALTH],
                                            codes, history=True)[Section.HEALTH]
    assert [f.id for f in history] == [first.fact, second.fact]
    assert history[0].reported.invalidated_at == later
    assert history[0].fields["health_centre"].value == "Myyrmäen terveysasema"
    with pytest.raises(FactAlreadyRevised):
        client_reported.revise(store, codes, moved, person=MOTHER_IRI, fact=first.fact,
                               subject="ben", organisation="kela", now=later)
    with pytest.raises(ReportRefused, match="same form"):
        client_reported.revise(store, codes, FORM.validate_python(VALID["housing"]),
                               person=MOTHER_IRI, fact=second.fact, subject="ben",
                               organisation="kela", now=later)
    with pytest.raises(FactNotFound):  # another person's fact
        client_reported.revise(store, codes, moved, person=DROPOUT_IRI, fact=second.fact,
                               subject="ben", organisation="kela", now=later)
    # Nothing was deleted: both revisions are still in the graph.
    assert store.ask(f"ASK {{ GRAPH ?g {{ <{first.fact}> ?p ?o }} }}")


def test_reported_facts_show_in_their_section_marked_and_only_when_it_is_shown(
        store: OxigraphStore, codes: CodeLists):
    client_reported.report(store, codes, FORM.validate_python(VALID["interpreter"]),
                           person=DROPOUT_IRI, subject="anna", organisation="kela", now=NOW)
    client_reported.report(store, codes, FORM.validate_python(VALID["education_abroad"]),
                           person=DROPOUT_IRI, subject="anna", organisation="kela", now=NOW)
    directory = read_directory(store)
    view = read_situation(store, directory, DROPOUT_IRI, [
        permit(Section.BASIC), permit(Section.FAMILY), deny(Section.STUDIES)], NOW)
    basic, family, studies = view.sections
    assert {f.kind for f in basic.reported} == {"interpreter", "language_skill"}
    assert all(f.reported is not None and f.source is None for f in basic.reported)
    interpreter = next(f for f in basic.reported if f.kind == "interpreter")
    assert interpreter.fields["interpreter_needed"].value is True
    assert interpreter.fields["interpreter_language"].labels["en"] == "Arabic"
    assert basic.summary["interpreter_needed"].value is True
    assert [f.fields["housing_type"].value for f in family.reported] == ["VUOKRA"]
    assert family.summary["housing_type"].labels == {"fi": "vuokra-asunto",
                                                    "en": "rented dwelling"}
    assert studies.reported == [] and not studies.permitted
    shown = read_situation(store, directory, DROPOUT_IRI, [permit(Section.STUDIES)], NOW)
    (abroad,) = shown.sections[0].reported
    assert {k: v.value for k, v in abroad.fields.items()} == {
        "level": "6", "country": "IQ", "years": 4, "qualification": "Bachelor of Nursing"}
    assert abroad.fields["country"].labels == {"fi": "Irak", "en": "Iraq"}
    # A minimised section keeps only the covered fields of a reported fact too.
    narrow = read_situation(store, directory, DROPOUT_IRI, [
        permit(Section.STUDIES, frozenset({"country"}))], NOW)
    assert [set(f.fields) for f in narrow.sections[0].reported] == [{"country"}]
