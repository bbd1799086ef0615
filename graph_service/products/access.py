"""May this caller have this product's answer about this person, for this purpose?

The decision point first rules on the caller (``decide``: ``Action.CALL_PRODUCT``, by role
and purpose); then the product's own ODRL policy (its folder's ``policy.ttl``) on its
party (organisation kind and role) and purpose; then one of:

- **a legal basis**: a permission of the policy for this party and purpose that rests on
  a GDPR article and an act (no consent token sent);
- **the person's consent**: the caller presents a consent token (``X-Consent-Token``),
  the policy takes consent from this party for this purpose, the token is this service's,
  unaltered, unexpired, for this product, this purpose and this very organisation and
  role, and the consent record it names is this person's and valid now: read from the
  store at every call, so a withdrawal or an expiry counts from the very next call.

Every answer has a reason a developer can act on; none repeats what the request sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from graph_service.policy.consent import consent_iri
from graph_service.policy.consent_record import ConsentRecord, ConsentStatus, organisation_kind
from graph_service.policy.decision import Action, Decision, decide
from graph_service.policy.errors import TokenError
from graph_service.policy.odrl import ProductRule
from graph_service.policy.tokens import Principal, verify_consent_token
from graph_service.products.contract import CompiledProduct


@dataclass(frozen=True)
class CallDecision:
    """Permit or deny of one call, with what a permit rests on."""

    permit: bool
    reason: str
    legal_basis: tuple[str, ...] = ()
    consent: str | None = None  # the consent record's IRI, for a call on consent
    rule: str | None = None  # the ODRL permission applied

    def decision(self) -> Decision:
        """As the audit record's decision (its legal basis: the IRIs, space-separated)."""
        return Decision(self.permit, self.reason, " ".join(self.legal_basis) or None)

    def audit_line(self, product_key: str) -> str:
        """The audit record's line: product, decision, and the basis or consent."""
        if not self.permit:
            return f"{product_key} deny: {self.reason}"
        rests_on = f"consent {self.consent}" if self.consent else " ".join(self.legal_basis)
        return f"{product_key} permit: {rests_on}"


def _deny(reason: str) -> CallDecision:
    return CallDecision(False, reason)


def _parties(rules: list[ProductRule] | tuple[ProductRule, ...]) -> str:
    return ", ".join(sorted({f"{r.party.key} ({'consent' if r.requires_consent else 'legal basis'}"
                             f", {', '.join(sorted(r.purposes))})" for r in rules}))


def caller_decision(principal: Principal, purpose: str | None) -> Decision:
    """The first ruling, on the caller alone: may its roles call products for ``purpose``."""
    return decide(principal, Action.CALL_PRODUCT, purpose)


def product_rule(product: CompiledProduct, principal: Principal, purpose: str, *,
                 on_consent: bool) -> ProductRule | CallDecision:
    """The permission of ``product``'s policy this caller calls under (on the person's
    consent, or on a legal basis), or the denial saying why there is none. Needs no
    person: a caller the policy refuses learns nothing about anyone."""
    key, policy = product.definition.key, product.policy
    kind = organisation_kind(principal.organisation)
    caller = f"{kind}/{'/'.join(principal.roles)}"
    rules = policy.rules_for(kind, principal.roles)
    if not rules:
        return _deny(f"the policy of {key} grants nothing to {caller}; it grants: "
                     f"{_parties(policy.rules)}")
    for_purpose = [r for r in rules if purpose in r.purposes]
    if not for_purpose:
        allowed = sorted({p for r in rules for p in r.purposes})
        return _deny(f"the policy of {key} lets {caller} call it only for: "
                     f"{', '.join(allowed)}")
    rule = next((r for r in for_purpose if r.requires_consent == on_consent), None)
    if rule is not None:
        return rule
    if on_consent:
        return _deny(f"the policy of {key} takes no consent from {caller} for this purpose: "
                     "it is called on a legal basis, without X-Consent-Token")
    return _deny(f"{key} is given to {caller} for this purpose only with the person's "
                 "consent: present X-Consent-Token (a consent token from the person's case "
                 "worker)")


def on_legal_basis(rule: ProductRule, purpose: str) -> CallDecision:
    return CallDecision(True, f"{rule.party.key} for {purpose} on a legal basis",
                        rule.legal_basis, rule=rule.iri)


def decide_call(product: CompiledProduct, principal: Principal, purpose: str, person: str, *,
                consent_token: str | None, token_key: bytes,
                consents: Callable[[], list[ConsentRecord]], now: datetime) -> CallDecision:
    """The product's ruling on a caller the decision point let through (``caller_decision``)
    asking about ``person`` (an IRI). ``consents`` reads the person's consent records from
    the store; it is called only for a call on consent."""
    rule = product_rule(product, principal, purpose, on_consent=consent_token is not None)
    if isinstance(rule, CallDecision):
        return rule
    if consent_token is None:
        return on_legal_basis(rule, purpose)
    return on_consent(product, rule, principal, purpose, consent_token, token_key, consents,
                      now)


def on_consent(product: CompiledProduct, rule: ProductRule, principal: Principal,
               purpose: str, token: str, token_key: bytes,
               consents: Callable[[], list[ConsentRecord]], now: datetime) -> CallDecision:
    """The ruling on a call under ``rule`` (a consent rule) presenting ``token``: the token
    checked, then the consent record it names, read now through ``consents`` (the person's
    records, straight from the store)."""
    try:
        grant = verify_consent_token(token_key, token)
    except TokenError as error:
        return _deny(str(error))
    if grant.product != product.definition.iri:
        return _deny("the consent token is for another data product")
    if grant.purpose != purpose:
        return _deny("the consent token is for another purpose than the one declared "
                     "(X-Purpose)")
    if grant.organisation != principal.organisation:
        return _deny("the consent token was issued to another recipient organisation")
    if grant.role not in principal.roles:
        return _deny("the consent token was issued to another role")
    try:
        wanted = consent_iri(grant.consent)
    except ValueError:
        return _deny("the consent token names no consent record")
    record = next((r for r in consents() if r.id == wanted), None)
    if record is None:
        return _deny("the consent token refers to no consent of this person")
    status = record.status(now)
    if status is ConsentStatus.WITHDRAWN:
        assert record.withdrawn_at is not None
        return _deny("the person withdrew this consent on "
                     f"{record.withdrawn_at.date().isoformat()}")
    if status is ConsentStatus.EXPIRED:
        assert record.expires_at is not None
        return _deny(f"this consent expired on {record.expires_at.date().isoformat()}")
    if not record.covers_product(product.definition.iri, purpose, principal.organisation,
                                 principal.roles):
        return _deny("the consent does not cover this product, purpose and recipient")
    return CallDecision(True, f"{rule.party.key} for {purpose} on the person's consent",
                        rule.legal_basis, consent=record.id, rule=rule.iri)
