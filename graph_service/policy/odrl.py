"""Read an ODRL 2.2 policy graph (our profile) into the PolicySet the decision point uses.

The policy graph says, per section of a person's situation, who may read it (a party:
organisation kind and role), for which purposes, on which legal basis or only with the
client's consent, and which fields (see ``default_policy.ttl`` for how to read one).
:func:`read_policy` turns it into plain Python, checking what SHACL cannot say (a field
that is not one of its section's, two rules for one party, section and purpose, a basis
that does not fit), and :func:`matrix_markdown` draws the matrix a person reads.

>>> from rdflib import Graph
>>> policies = read_policy(Graph().parse(DEFAULT_POLICY))
>>> [r.legal_basis for r in policies.rules_for(Section.BASIC, "kela", "case_worker")]
[('https://w3id.org/dpv/legal/eu/gdpr#A6-1-e', 'http://data.finlex.fi/eli/sd/2014/1369')]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from graph_service.policy.decision import PURPOSES
from graph_service.policy.errors import PolicyError
from graph_service.policy.sections import FIELDS, Section
from graph_service.policy.tokens import ROLES

ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
DPV = Namespace("https://w3id.org/dpv#")
TYO = Namespace("https://tyodata.fi/ontology#")
GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
PURPOSE_NS = "https://tyodata.fi/purpose/"
PARTY_NS = "https://tyodata.fi/party/"
ORG_NS = "https://tyodata.fi/org/"
CONSENT_BASIS = GDPR + "A6-1-a"
EXPLICIT_CONSENT_BASIS = GDPR + "A9-2-a"
SPECIAL_CATEGORY = frozenset({Section.HEALTH})
"""Sections of special-category data (GDPR Art. 9): every rule needs an Art. 9 basis."""
DEFAULT_POLICY = Path(__file__).with_name("default_policy.ttl")


def purpose_iri(key: str) -> str:
    """
    >>> purpose_iri("case-management")
    'https://tyodata.fi/purpose/case-management'
    """
    return PURPOSE_NS + key


def purpose_key(iri: str) -> str | None:
    """The purpose key of a purpose IRI, or None when it is not one of ours."""
    key = iri.removeprefix(PURPOSE_NS)
    return key if iri.startswith(PURPOSE_NS) and key in PURPOSES else None


@dataclass(frozen=True)
class Violation:
    """One thing wrong with a policy: the node it is about, the property, and what."""

    focus: str
    path: str | None
    message: str

    def text(self) -> str:
        return f"{self.focus}" + (f" {self.path}" if self.path else "") + f": {self.message}"


class PolicyInvalid(PolicyError):
    """A policy that is not valid in our ODRL profile; ``violations`` says each problem."""

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        shown = "; ".join(v.text() for v in violations[:50])
        more = f"; and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(f"the policy has {len(violations)} violation(s): {shown}{more}")


@dataclass(frozen=True)
class Party:
    """Who a permission is for: everyone of one role at one kind of organisation."""

    iri: str
    organisation_kind: str
    role: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.organisation_kind}/{self.role}"


@dataclass(frozen=True)
class Permission:
    """One ODRL permission: ``party`` may read ``section`` for ``purposes``."""

    iri: str
    policy: str | None  # the odrl:Set that holds it
    section: Section
    assigners: tuple[str, ...]
    party: Party
    purposes: frozenset[str]
    legal_basis: tuple[str, ...]  # GDPR articles, then national acts
    requires_consent: bool
    fields: frozenset[str]


@dataclass(frozen=True)
class PolicySet:
    """Every permission of one policy graph, ready for the decision point."""

    permissions: tuple[Permission, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> English label
    version: int | None = None

    def rules_for(self, section: Section, organisation_kind: str, role: str
                  ) -> list[Permission]:
        return [p for p in self.permissions if p.section is section
                and p.party.organisation_kind == organisation_kind and p.party.role == role]

    def parties(self) -> list[Party]:
        return sorted({p.party for p in self.permissions}, key=lambda p: (p.key != "kela/"
                      "case_worker", p.key))

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


# -- reading -------------------------------------------------------------------------


def _one(graph: Graph, node: Node, path: URIRef, problems: list[Violation]) -> Node | None:
    values = list(graph.objects(node, path))
    if len(values) != 1:
        problems.append(Violation(str(node), str(path),
                                  f"needs exactly one value, has {len(values)}"))
        return None
    return values[0]


def _label(graph: Graph, node: Node) -> str | None:
    labels = [o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)]
    for wanted in ("en", None):
        for label in labels:
            if label.language == wanted:
                return str(label)
    return str(labels[0]) if labels else None


def _party(graph: Graph, node: Node, problems: list[Violation]) -> Party | None:
    kind = _one(graph, node, TYO.organisationKind, problems)
    role = _one(graph, node, TYO.role, problems)
    if not isinstance(kind, Literal) or not isinstance(role, Literal):
        return None
    return Party(str(node), str(kind), str(role), _label(graph, node) or
                 f"{kind} {role}".replace("_", " "))


def _purposes(graph: Graph, rule: Node, problems: list[Violation]) -> frozenset[str]:
    purposes: set[str] = set()
    for constraint in graph.objects(rule, ODRL.constraint):
        if (constraint, ODRL.leftOperand, ODRL.purpose) not in graph:
            problems.append(Violation(str(constraint), str(ODRL.leftOperand),
                                      "our profile constrains the purpose only "
                                      "(odrl:leftOperand odrl:purpose)"))
            continue
        for value in graph.objects(constraint, ODRL.rightOperand):
            key = purpose_key(str(value))
            if key is None:
                problems.append(Violation(str(constraint), str(ODRL.rightOperand),
                                          f"{value} is not a purpose; use one of "
                                          + ", ".join(purpose_iri(k) for k in PURPOSES)))
            else:
                purposes.add(key)
    if not purposes:
        problems.append(Violation(str(rule), str(ODRL.constraint),
                                  "names no purpose: a permission is for declared purposes"))
    return frozenset(purposes)


def _gdpr_problems(basis: set[str], requires_consent: bool) -> list[str]:
    """What is wrong with a rule's GDPR articles, whatever it targets."""
    gdpr = {b.removeprefix(GDPR) for b in basis if b.startswith(GDPR)}
    found = []
    if requires_consent:
        if "A6-1-a" not in gdpr:
            found.append("a permission that requires consent rests on GDPR 6(1)(a) "
                         f"({CONSENT_BASIS})")
    else:
        if not gdpr & {"A6-1-b", "A6-1-c", "A6-1-d", "A6-1-e", "A6-1-f"}:
            found.append("without tyo:requiresConsent a permission needs a GDPR Art. 6(1) "
                         "basis other than consent (e.g. A6-1-c or A6-1-e)")
        if "A6-1-a" in gdpr:
            found.append("GDPR 6(1)(a) is consent: set tyo:requiresConsent true instead")
    return found


def _basis_problems(rule: Node, section: Section, basis: set[str], requires_consent: bool
                    ) -> list[Violation]:
    path, found = str(DPV.hasLegalBasis), _gdpr_problems(basis, requires_consent)
    gdpr = {b.removeprefix(GDPR) for b in basis if b.startswith(GDPR)}
    if section in SPECIAL_CATEGORY:
        if requires_consent and "A9-2-a" not in gdpr:
            found.append(f"the {section} section holds special-category data: consent to it "
                         f"is explicit consent, GDPR 9(2)(a) ({EXPLICIT_CONSENT_BASIS})")
        if not requires_consent and not any(g.startswith("A9-2-") for g in gdpr):
            found.append(f"the {section} section holds special-category data: it needs a "
                         "GDPR Art. 9(2) basis (e.g. A9-2-b)")
    return [Violation(str(rule), path, message) for message in found]


def _check_read_action(graph: Graph, rule: Node, problems: list[Violation]) -> None:
    action = _one(graph, rule, ODRL.action, problems)
    if action is not None and action != ODRL.read:
        problems.append(Violation(str(rule), str(ODRL.action),
                                  "our profile permits odrl:read only"))


def _requires_consent(graph: Graph, rule: Node) -> bool:
    return any(isinstance(v, Literal) and v.toPython() is True
               for v in graph.objects(rule, TYO.requiresConsent))


def _permission(graph: Graph, rule: Node, policy: str | None, problems: list[Violation]
                ) -> Permission | None:
    before = len(problems)
    target = _one(graph, rule, ODRL.target, problems)
    section = Section.from_iri(str(target)) if target is not None else None
    if target is not None and section is None:
        problems.append(Violation(str(rule), str(ODRL.target),
                                  f"{target} is not a section; sections are "
                                  + ", ".join(s.iri for s in Section)))
    _check_read_action(graph, rule, problems)
    assignee = _one(graph, rule, ODRL.assignee, problems)
    party = _party(graph, assignee, problems) if assignee is not None else None
    purposes = _purposes(graph, rule, problems)
    requires_consent = _requires_consent(graph, rule)
    basis = {str(b) for b in graph.objects(rule, DPV.hasLegalBasis)}
    fields = {str(f) for f in graph.objects(rule, TYO.permittedField)}
    if not any((d, ODRL.action, TYO.recordInAuditLog) in graph
               for d in graph.objects(rule, ODRL.duty)):
        problems.append(Violation(str(rule), str(ODRL.duty),
                                  "every permission carries the duty to record the read in "
                                  "the audit log (odrl:action tyo:recordInAuditLog)"))
    if section is not None:
        problems.extend(_basis_problems(rule, section, basis, requires_consent))
        unknown = sorted(fields - FIELDS[section])
        if unknown:
            problems.append(Violation(str(rule), str(TYO.permittedField),
                                      f"not fields of the {section} section: "
                                      f"{', '.join(unknown)}; its fields are "
                                      f"{', '.join(sorted(FIELDS[section]))}"))
        if not fields:
            problems.append(Violation(str(rule), str(TYO.permittedField),
                                      "names no field: a permission shows the fields its "
                                      "basis covers"))
    if len(problems) > before or section is None or party is None:
        return None
    return Permission(str(rule), policy, section,
                      tuple(sorted(str(a) for a in graph.objects(rule, ODRL.assigner))),
                      party, purposes, _in_order(basis), requires_consent,
                      frozenset(fields))


def _in_order(basis: set[str]) -> tuple[str, ...]:
    """GDPR articles first, then national acts."""
    return tuple(sorted(basis, key=lambda b: (not b.startswith(GDPR), b)))


def _overlaps(permissions: Iterable[Permission]) -> list[Violation]:
    """Two rules for one party, section and purpose would make a decision ambiguous."""
    seen: dict[tuple[str, Section, str], str] = {}
    problems = []
    for p in sorted(permissions, key=lambda p: p.iri):
        for purpose in sorted(p.purposes):
            other = seen.setdefault((p.party.key, p.section, purpose), p.iri)
            if other != p.iri:
                problems.append(Violation(p.iri, str(ODRL.target),
                                          f"{other} already decides the {p.section} section "
                                          f"for {p.party.key} and purpose {purpose}"))
    return problems


def read_policy(graph: Graph, version: int | None = None) -> PolicySet:
    """The permissions of ``graph``; PolicyInvalid lists everything wrong with it."""
    problems: list[Violation] = []
    policy_of = {rule: str(policy) for policy, rule in graph.subject_objects(ODRL.permission)}
    rules = set(graph.subjects(RDF.type, ODRL.Permission)) | set(policy_of)
    permissions = [p for rule in sorted(rules, key=str)
                   if (p := _permission(graph, rule, policy_of.get(rule), problems))]
    for node, kind in ((p, "prohibition") for p in graph.objects(None, ODRL.prohibition)):
        problems.append(Violation(str(node), str(ODRL.prohibition),
                                  f"our profile has no {kind}s: whatever no permission "
                                  "names is denied"))
    if not rules and not problems:
        problems.append(Violation("(the policy)", str(ODRL.permission),
                                  "holds no odrl:Permission: it would deny every read"))
    problems.extend(_overlaps(permissions))
    if problems:
        raise PolicyInvalid(problems)
    labels = {str(s): label for s in set(graph.subjects(RDFS.label))
              if (label := _label(graph, s)) is not None}
    return PolicySet(tuple(permissions), labels, version)


# -- the matrix a person reads --------------------------------------------------------


def cell_text(policies: PolicySet, rules: list[Permission]) -> str:
    """One cell: the basis (or consent), the purposes and, when minimised, the fields."""
    if not rules:
        return "—"
    parts = []
    for rule in sorted(rules, key=lambda r: sorted(r.purposes)):
        if rule.requires_consent:
            extra = [policies.label(b) for b in rule.legal_basis if b != CONSENT_BASIS]
            basis = "consent" + (f" ({', '.join(extra)})" if extra else "")
        else:
            basis = " + ".join(policies.label(b) for b in rule.legal_basis)
        text = f"{basis}; for {', '.join(sorted(rule.purposes))}"
        if rule.fields != FIELDS[rule.section]:
            text += f"; only {', '.join(sorted(rule.fields))}"
        parts.append(text)
    return " / ".join(parts)


def matrix_rows(policies: PolicySet) -> list[tuple[Section, dict[str, list[Permission]]]]:
    """Per section (in the view's order): party key -> the rules for that party."""
    return [(section, {party.key: policies.rules_for(section, party.organisation_kind,
                                                     party.role)
                       for party in policies.parties()})
            for section in Section]


def matrix_markdown(policies: PolicySet) -> str:
    """The policy as a Markdown table: rows sections, columns parties."""
    parties = policies.parties()
    lines = ["| section | " + " | ".join(p.label for p in parties) + " |",
             "|---" * (len(parties) + 1) + "|"]
    for section, cells in matrix_rows(policies):
        lines.append(f"| {section} | " + " | ".join(cell_text(policies, cells[p.key])
                                                   for p in parties) + " |")
    return "\n".join(lines) + "\n"


# -- data products' policies ----------------------------------------------------------
#
# A data product's folder holds its own ODRL policy (``policy.ttl``), read with the same
# party, purpose and legal-basis reading as the situation's: who may call the product (a
# party: organisation kind and role), for which purposes, and on which legal basis (GDPR
# article and the national act as an ELI IRI) or only with the person's consent.

ELI = "http://data.finlex.fi/eli/"
PRODUCT_DUTIES = frozenset({str(TYO.recordInAuditLog), str(ODRL.inform)})
"""Duties a product permission may carry: recording the call in the audit log (always),
and informing the person (``odrl:inform``: every call is in their own access log)."""


@dataclass(frozen=True)
class ProductRule:
    """One ODRL permission of a data product: ``party`` may call it for ``purposes``."""

    iri: str
    party: Party
    purposes: frozenset[str]
    legal_basis: tuple[str, ...]  # GDPR articles, then national acts
    requires_consent: bool
    duties: tuple[str, ...]  # the duties' action IRIs
    assigners: tuple[str, ...]


@dataclass(frozen=True)
class ProductPolicy:
    """Every permission of one data product's policy."""

    target: str  # the product's IRI
    rules: tuple[ProductRule, ...]
    labels: dict[str, str] = field(default_factory=dict)

    def rules_for(self, organisation_kind: str, roles: Iterable[str]) -> list[ProductRule]:
        """The rules of a caller: its organisation kind and any of its roles."""
        held = set(roles)
        return [r for r in self.rules
                if r.party.organisation_kind == organisation_kind and r.party.role in held]

    def label(self, iri: str) -> str:
        return self.labels.get(iri) or iri.rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def _product_rule(graph: Graph, rule: Node, target: str, problems: list[Violation]
                  ) -> ProductRule | None:
    before = len(problems)
    found_target = _one(graph, rule, ODRL.target, problems)
    if found_target is not None and str(found_target) != target:
        problems.append(Violation(str(rule), str(ODRL.target),
                                  f"{found_target} is not this product: a product's policy "
                                  f"targets the product itself (<{target}>, or <> in its "
                                  "folder's policy.ttl)"))
    _check_read_action(graph, rule, problems)
    assignee = _one(graph, rule, ODRL.assignee, problems)
    party = _party(graph, assignee, problems) if assignee is not None else None
    if party is not None and (party.role not in ROLES or party.role == "citizen"):
        problems.append(Violation(str(assignee), str(TYO.role),
                                  f"{party.role} is not a role a caller of a product may have; "
                                  "use one of " + ", ".join(r for r in ROLES if r != "citizen")))
    purposes = _purposes(graph, rule, problems)
    requires_consent = _requires_consent(graph, rule)
    basis = {str(b) for b in graph.objects(rule, DPV.hasLegalBasis)}
    basis_path = str(DPV.hasLegalBasis)
    problems.extend(Violation(str(rule), basis_path, m)
                    for m in _gdpr_problems(basis, requires_consent))
    if not requires_consent and not any(b.startswith(ELI) for b in basis):
        problems.append(Violation(str(rule), basis_path,
                                  "a legal basis other than consent names the national act "
                                  f"it rests on, as an ELI IRI ({ELI}sd/<year>/<number>)"))
    strange = sorted(b for b in basis if not b.startswith((GDPR, ELI)))
    if strange:
        problems.append(Violation(str(rule), basis_path,
                                  f"{', '.join(strange)}: a legal basis is a GDPR article "
                                  f"({GDPR}...) or an act ({ELI}...)"))
    duties = tuple(sorted({str(a) for d in graph.objects(rule, ODRL.duty)
                           for a in graph.objects(d, ODRL.action)}))
    if str(TYO.recordInAuditLog) not in duties:
        problems.append(Violation(str(rule), str(ODRL.duty),
                                  "every permission carries the duty to record the call in "
                                  "the audit log (odrl:action tyo:recordInAuditLog)"))
    unknown = sorted(set(duties) - PRODUCT_DUTIES)
    if unknown:
        problems.append(Violation(str(rule), str(ODRL.duty),
                                  f"{', '.join(unknown)}: a product's duties are "
                                  + ", ".join(sorted(PRODUCT_DUTIES))))
    if len(problems) > before or party is None:
        return None
    return ProductRule(str(rule), party, purposes, _in_order(basis), requires_consent, duties,
                       tuple(sorted(str(a) for a in graph.objects(rule, ODRL.assigner))))


def read_product_policy(graph: Graph, target: str) -> ProductPolicy:
    """The permissions of a data product's policy ``graph`` (its IRI ``target``);
    PolicyInvalid lists everything wrong with it."""
    problems: list[Violation] = []
    rules = set(graph.subjects(RDF.type, ODRL.Permission)) | set(
        graph.objects(None, ODRL.permission))
    read = [r for rule in sorted(rules, key=str)
            if (r := _product_rule(graph, rule, target, problems))]
    for node in graph.objects(None, ODRL.prohibition):
        problems.append(Violation(str(node), str(ODRL.prohibition),
                                  "our profile has no prohibitions: whatever no permission "
                                  "names is denied"))
    if not rules and not problems:
        problems.append(Violation("(the policy)", str(ODRL.permission),
                                  "holds no odrl:Permission: it would deny every call"))
    seen: dict[tuple[str, str, bool], str] = {}
    for r in read:
        for purpose in sorted(r.purposes):
            other = seen.setdefault((r.party.key, purpose, r.requires_consent), r.iri)
            if other != r.iri:
                problems.append(Violation(r.iri, str(ODRL.assignee),
                                          f"{other} already decides {r.party.key} for purpose "
                                          f"{purpose} " + ("with consent" if r.requires_consent
                                                           else "on a legal basis")))
    if problems:
        raise PolicyInvalid(problems)
    labels = {str(s): label for s in set(graph.subjects(RDFS.label))
              if (label := _label(graph, s)) is not None}
    return ProductPolicy(target, tuple(read), labels)
