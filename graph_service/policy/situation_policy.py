"""The decision point of the situation view: may this caller read these sections of this
person's situation, for this purpose, and on what does each permit rest?

Per section, in this order:

1. a permission of the policy graph for the caller's party (organisation kind and role)
   and purpose that rests on a legal basis: permit, with that basis and its fields;
2. else a permission that requires the client's consent, and a valid consent record that
   covers the section, the purpose and the caller's party: permit, resting on that
   consent (GDPR 6(1)(a), and 9(2)(a) for health data), with the permission's fields;
3. else deny, with a reason the case worker can act on: no rule for their organisation
   and role, a purpose the rule does not cover, or the consent it needs (never given,
   withdrawn on a date, expired on a date).

Whether the caller may read situations at all (role, declared purpose) is decided before,
by ``decision.decide(..., Action.READ_SITUATION, ...)``; this decides each section.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime

from graph_service.policy.consent import consents_of
from graph_service.policy.consent_check import valid_consent
from graph_service.policy.consent_record import ConsentRecord, organisation_kind
from graph_service.policy.odrl import Permission, PolicySet
from graph_service.policy.policy_graph import policy_set
from graph_service.policy.section_decision import SectionDecision, Withheld
from graph_service.policy.sections import Section
from graph_service.policy.tokens import Principal
from graph_service.store.base import GraphStore
from graph_service.store.registry import DirectoryCache, GraphDirectory


def _rules(policies: PolicySet, principal: Principal, section: Section) -> list[Permission]:
    kind = organisation_kind(principal.organisation)
    return [rule for role in principal.roles for rule in policies.rules_for(section, kind, role)]


def _who(principal: Principal) -> str:
    return (f"{' or '.join(principal.roles) or 'no role'} at "
            f"{organisation_kind(principal.organisation) or 'no organisation'}")


def _consent_for(rule: Permission, consents: Iterable[ConsentRecord], person: str,
                 purpose: str, now: datetime) -> tuple[ConsentRecord | None, str,
                                                       Withheld | None, date | None]:
    """The newest valid consent covering ``rule`` for ``purpose``, or why there is none."""
    found = valid_consent(consents, person, lambda c: c.covers(
        rule.section, purpose, rule.party.organisation_kind, rule.party.role), now)
    if found.record is not None:
        return found.record, "", None, None
    if found.withheld is Withheld.NEEDS_CONSENT:
        return None, (f"needs the client's consent: the {rule.section} section is shown to "
                      f"a {rule.party.label} for {purpose} only with the client's consent"
                      ), Withheld.NEEDS_CONSENT, None
    assert found.on is not None
    day = found.on.isoformat()
    if found.withheld is Withheld.CONSENT_WITHDRAWN:
        return None, (f"consent withdrawn on {day}: the client's new consent is needed"
                      ), Withheld.CONSENT_WITHDRAWN, found.on
    return None, (f"consent expired on {day}: the client's new consent is needed"
                  ), Withheld.CONSENT_EXPIRED, found.on


def _decide(principal: Principal, purpose: str | None, person: str, section: Section,
            policies: PolicySet, consents: list[ConsentRecord], now: datetime
            ) -> SectionDecision:
    rules = _rules(policies, principal, section)
    if not rules:
        why = ("no access policy is loaded" if not policies.permissions else
               f"no rule lets a {_who(principal)} read the {section} section")
        return SectionDecision(section, False, why, withheld=Withheld.NO_RULE
                               if policies.permissions else Withheld.NO_POLICY)
    for_purpose = [r for r in rules if purpose in r.purposes]
    if not for_purpose:
        allowed = sorted({p for r in rules for p in r.purposes})
        return SectionDecision(section, False, f"purpose {purpose or '(none)'} is not covered: "
                               f"the {section} section is shown to you for "
                               f"{', '.join(allowed)}", withheld=Withheld.PURPOSE)
    basis = sorted((r for r in for_purpose if not r.requires_consent), key=lambda r: r.iri)
    if basis:
        rule = basis[0]
        return SectionDecision(section, True, f"{rule.party.label} for {purpose}",
                               legal_basis=rule.legal_basis, fields=rule.fields,
                               policy=rule.iri)
    reasons: list[tuple[str, Withheld | None, date | None]] = []
    for rule in sorted(for_purpose, key=lambda r: r.iri):
        record, why, code, day = _consent_for(rule, consents, person, purpose or "", now)
        if record is not None:
            return SectionDecision(section, True, f"the client's consent, given "
                                   f"{record.given_at.date().isoformat()}",
                                   legal_basis=rule.legal_basis, consent=record.id,
                                   fields=rule.fields, policy=rule.iri)
        reasons.append((why, code, day))
    return SectionDecision(section, False, "; ".join(why for why, _, _ in reasons),
                           policy=sorted(r.iri for r in for_purpose)[0],
                           withheld=reasons[0][1], withheld_on=reasons[0][2])


def decide_sections(principal: Principal, purpose: str | None, person: str,
                    sections: Iterable[Section], policies: PolicySet,
                    consents: list[ConsentRecord], now: datetime) -> list[SectionDecision]:
    """Permit or deny each of ``sections`` of ``person``'s situation (pure: no I/O)."""
    return [_decide(principal, purpose, person, section, policies, consents, now)
            for section in sections]


def needs_consents(principal: Principal, purpose: str | None, sections: Iterable[Section],
                   policies: PolicySet) -> bool:
    """Whether deciding these sections may rest on a consent (so the consents must be read)."""
    for section in sections:
        rules = [r for r in _rules(policies, principal, section) if purpose in r.purposes]
        if rules and all(r.requires_consent for r in rules):
            return True
    return False


def situation_decisions(store: GraphStore, directory: GraphDirectory | DirectoryCache,
                        principal: Principal, purpose: str | None, person: str,
                        sections: Iterable[Section], now: datetime | None = None
                        ) -> list[SectionDecision]:
    """:func:`decide_sections` with the policy in force (cached by version, see
    ``policy_graph``) and the person's consents read from the store now (never cached)."""
    sections = list(sections)
    policies = policy_set(store, directory)
    consents = (consents_of(store, person)
                if needs_consents(principal, purpose, sections, policies) else [])
    return decide_sections(principal, purpose, person, sections, policies, consents,
                           now or datetime.now(UTC))
