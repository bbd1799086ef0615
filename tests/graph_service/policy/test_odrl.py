"""Our ODRL profile: the default policy conforms, the shapes agree with the code's lists,
and every kind of bad upload is refused with a message naming its focus node and path."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from graph_service.policy.decision import PURPOSES
from graph_service.policy.odrl import (
    DEFAULT_POLICY,
    ODRL,
    TYO,
    PolicyInvalid,
    purpose_iri,
    read_policy,
)
from graph_service.policy.policy_graph import SHAPES, check_policy
from graph_service.policy.sections import FIELDS, Section
from graph_service.policy.tokens import ROLES

DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")
SIT = "https://tyodata.fi/policy/situation/"


def violations(text: str) -> list[tuple[str, str | None, str]]:
    with pytest.raises(PolicyInvalid) as raised:
        check_policy(text)
    return [(v.focus, v.path, v.message) for v in raised.value.violations]


def test_the_default_policy_conforms_to_the_profile():
    graph, policies = check_policy(DEFAULT)
    assert len(policies.permissions) == 2 * len(Section)  # one per party and section
    assert {p.party.key for p in policies.permissions} == {"kela/case_worker",
                                                           "city/case_worker"}
    assert all(p.iri.startswith(SIT) for p in policies.permissions)
    # the duty to log and the source organisation are on every permission
    for p in policies.permissions:
        assert p.assigners and all(a.startswith("https://tyodata.fi/org/") for a in p.assigners)
        duty = graph.value(URIRef(p.iri), ODRL.duty)
        assert (duty, ODRL.action, TYO.recordInAuditLog) in graph


def _in_list(shapes: Graph, path: URIRef) -> set[str]:
    for prop in shapes.subjects(SH.path, path):
        head = shapes.value(prop, SH["in"])
        if head is not None:
            return {str(v) for v in shapes.items(head)}
    raise AssertionError(f"no sh:in for {path}")


def test_the_shapes_list_exactly_the_sections_purposes_and_roles_the_code_knows():
    shapes = Graph().parse(SHAPES)
    assert _in_list(shapes, ODRL.target) == {s.iri for s in Section}
    assert _in_list(shapes, ODRL.rightOperand) == {purpose_iri(p) for p in PURPOSES}
    assert _in_list(shapes, TYO.role) == set(ROLES) - {"citizen"}


def _edit(old: str, new: str, text: str = DEFAULT) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BASIC_KELA = f"{SIT}basic-kela"
CASES = [
    # (what, the edit, expected focus, expected path, words of the message)
    ("a target that is no section",
     ("odrl:target section:basic ;", "odrl:target section:salary ;"),
     BASIC_KELA, str(ODRL.target), "section"),
    ("an action other than read",
     ("odrl:action odrl:read ;\n    odrl:target section:basic",
      "odrl:action odrl:modify ;\n    odrl:target section:basic"),
     BASIC_KELA, str(ODRL.action), "odrl:read"),
    ("a field of another section",
     ('tyo:permittedField "cefr_level",', 'tyo:permittedField "rejection_reason", "cefr_level",'),
     BASIC_KELA, str(TYO.permittedField), "rejection_reason"),
    ("a permission without the duty to log",
     ("odrl:constraint sit:for-kela-case-work ;\n    odrl:duty sit:record-in-audit-log ;\n"
      "    dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2014/1369> ;\n"
      '    tyo:permittedField "cefr_level"',
      "odrl:constraint sit:for-kela-case-work ;\n"
      "    dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2014/1369> ;\n"
      '    tyo:permittedField "cefr_level"'),
     BASIC_KELA, str(ODRL.duty), "audit log"),
    ("an unknown purpose",
     ("odrl:rightOperand purpose:case-management, purpose:benefit-decision",
      "odrl:rightOperand purpose:case-management, purpose:curiosity"),
     f"{SIT}for-kela-case-work", str(ODRL.rightOperand), "purpose"),
    ("consent without GDPR 6(1)(a)",
     ("tyo:requiresConsent true ;\n    dpv:hasLegalBasis gdpr:A6-1-a ;",
      "tyo:requiresConsent true ;\n    dpv:hasLegalBasis gdpr:A6-1-e ;"),
     f"{SIT}migration-kela", "https://w3id.org/dpv#hasLegalBasis", "6(1)(a)"),
    ("consent to health data without 9(2)(a)",
     ("dpv:hasLegalBasis gdpr:A6-1-a, gdpr:A9-2-a ;", "dpv:hasLegalBasis gdpr:A6-1-a ;"),
     f"{SIT}health-city", "https://w3id.org/dpv#hasLegalBasis", "9(2)(a)"),
    ("health data on a basis without Art. 9",
     ("dpv:hasLegalBasis gdpr:A6-1-e, gdpr:A9-2-b, <http://data.finlex.fi/eli/sd/2014/1369> ;"
      "\n    tyo:permittedField \"end_date\", \"health_centre\"",
      "dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2014/1369> ;"
      "\n    tyo:permittedField \"end_date\", \"health_centre\""),
     f"{SIT}health-kela", "https://w3id.org/dpv#hasLegalBasis", "Art. 9(2)"),
    ("consent given as a basis without requiring it",
     ("dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2014/1369> ;\n"
      '    tyo:permittedField "cefr_level"',
      "dpv:hasLegalBasis gdpr:A6-1-a, <http://data.finlex.fi/eli/sd/2014/1369> ;\n"
      '    tyo:permittedField "cefr_level"'),
     BASIC_KELA, "https://w3id.org/dpv#hasLegalBasis", "consent"),
    ("a legal basis that is no GDPR article or act",
     ("dpv:hasLegalBasis gdpr:A6-1-e, <http://data.finlex.fi/eli/sd/2014/1369> ;\n"
      '    tyo:permittedField "cefr_level"',
      "dpv:hasLegalBasis gdpr:A6-1-e, <https://example.org/because> ;\n"
      '    tyo:permittedField "cefr_level"'),
     BASIC_KELA, "https://w3id.org/dpv#hasLegalBasis", "GDPR"),
    ("a party without a role",
     ('tyo:organisationKind "kela" ;\n    tyo:role "case_worker" .',
      'tyo:organisationKind "kela" .'),
     "https://tyodata.fi/party/kela-case-worker", str(TYO.role), "role"),
    ("a prohibition",
     ("sit:basic a odrl:Set ;", "sit:basic a odrl:Set ;\n    odrl:prohibition sit:no ;"),
     f"{SIT}basic", str(ODRL.prohibition), "prohibition"),
]


@pytest.mark.parametrize(("edit", "focus", "path", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_a_bad_policy_is_refused_naming_focus_and_path(edit, focus, path, words):
    found = violations(_edit(*edit))
    assert any(f == focus and p == path and words in m for f, p, m in found), found


def test_a_second_rule_for_the_same_party_section_and_purpose_is_refused():
    extra = """
sit:basic-kela-again a odrl:Permission ;
    odrl:assigner org:dvv ; odrl:assignee party:kela-case-worker ; odrl:action odrl:read ;
    odrl:target section:basic ; odrl:constraint sit:for-kela-case-work ;
    odrl:duty sit:record-in-audit-log ; tyo:requiresConsent true ;
    dpv:hasLegalBasis gdpr:A6-1-a ; tyo:permittedField "mother_tongue" .
"""
    found = violations(DEFAULT + extra)
    assert any(f == f"{SIT}basic-kela-again" and "already decides" in m for f, _, m in found)


def test_a_permission_without_an_iri_is_refused():
    text = _edit("sit:basic a odrl:Set ;\n    odrl:profile tyo-odrl: ;\n"
                 "    odrl:permission sit:basic-kela, sit:basic-city .",
                 "sit:basic a odrl:Set ;\n    odrl:profile tyo-odrl: ;\n"
                 "    odrl:permission sit:basic-city, [ a odrl:Permission ;"
                 " odrl:target section:basic ] .")
    found = violations(text)
    assert any("needs an IRI" in m for _, _, m in found), found


@pytest.mark.parametrize("text", ["", "# nothing but a comment\n",
                                  "@prefix ex: <https://example.org/> . ex:a ex:b ex:c ."])
def test_a_policy_without_permissions_is_refused(text: str):
    assert any("no odrl:Permission" in m for _, _, m in violations(text))


def test_text_that_is_not_turtle_is_refused_with_the_parser_s_words():
    [(focus, path, message)] = violations("this is not { turtle")
    assert focus == "(the upload)" and path is None and message.startswith("not valid Turtle")


def test_an_iri_that_could_break_out_of_an_update_is_refused():
    # rdflib accepts an IRI with a space when written with a \u escape; we never write it
    text = DEFAULT + '\n<https://tyodata.fi/x\\u0020y> a <https://example.org/C> .\n'
    assert any("not an absolute IRI" in m for _, _, m in violations(text))


def test_every_field_set_is_a_subset_of_its_section():
    policies = read_policy(Graph().parse(data=DEFAULT, format="turtle"))
    for p in policies.permissions:
        assert p.fields <= FIELDS[p.section]
        assert p.fields, p.iri
