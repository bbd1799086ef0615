"""The policy decision point: may this caller do this with personal data, for this purpose?

Every read of personal data asks :func:`decide`, and the caller records each decision,
permit or deny, in the audit log with the reason and the legal basis it rests on.
Purposes are DPV purposes. The legal basis is GDPR Art. 6(1)(e) (a task in the public
interest, laid down in the authorities' own acts) for case work and registry
maintenance.

The table below is deliberately small: who may do what, for which purposes. Turning an
identity code into a person (``lookup``) is case work only: a steward who could turn
codes into pseudonyms could then read that person's registry data over SPARQL, which is
re-identification under "statistics".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graph_service.policy.audit import AuditEntry
from graph_service.policy.tokens import Principal

DPV = "https://w3id.org/dpv#"
PUBLIC_TASK = "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"

# Purposes a caller may declare (X-Purpose header or `purpose` parameter) -> DPV purpose.
PURPOSES: dict[str, str] = {
    "case-management": DPV + "ServiceProvision",
    "job-matching": DPV + "ServiceProvision",
    "benefit-decision": DPV + "PublicBenefit",
    "data-quality": DPV + "DataQualityManagement",
    "statistics": DPV + "ResearchAndDevelopment",
    "oversight": DPV + "LegalCompliance",
    "own-data": DPV + "RightsManagement",  # a citizen exercising the right of access
    "recruitment": DPV + "RecruitmentApplicantSelection",  # an employer choosing whom to contact
    # A case worker forms the client's work-ability forecast to time the right service:
    # personalising the service to this client, only with the client's consent.
    "work-ability-forecast": DPV + "ServicePersonalisation",
}
FORECAST_PURPOSE = "work-ability-forecast"
"""The purpose of the work-ability forecast: declared by the case worker, named by the
client's consent (``graph_service.policy.forecast_policy`` decides on that consent)."""
CASE_WORK = frozenset({"case-management", "job-matching", "benefit-decision"})
PRODUCT_PURPOSES = CASE_WORK | {"recruitment"}
"""Purposes a data product may be called for at all; each product's own ODRL policy then
says which of them, for whom, on which basis."""


class Action(StrEnum):
    LOOKUP = "lookup"
    """Identity code -> the person's pseudonymous id."""
    READ_SUMMARY = "read-summary"
    """Which registries hold data on a person (no contents)."""
    QUERY_REGISTRY = "sparql"
    """SPARQL over the pseudonymous registry graphs."""
    READ_AUDIT = "read-audit"
    """The audit log."""
    READ_SITUATION = "read-situation"
    """A person's situation view (sections decided one by one by the policy graph)."""
    MANAGE_CONSENT = "manage-consent"
    """Record, list or withdraw a person's consents."""
    WRITE_CLIENT_REPORTED = "write-client-reported"
    """Record or revise a fact the client reported."""
    READ_OWN_ACCESS_LOG = "read-own-access-log"
    """A citizen reads who has accessed their own data."""
    REPLACE_POLICY = "replace-policy"
    """A steward replaces the access policy (no personal data; audited as an admin act)."""
    RECOMMEND_JOBS = "recommend-jobs"
    """Rank jobs for a person from their marketplace profile (and its expert settings)."""
    LIST_CANDIDATES = "list-candidates"
    """Anonymous, coarsened candidates for a posting (an employer: only its own postings)."""
    CONTACT_CANDIDATE = "contact-candidate"
    """An employer asks an anonymous candidate to get in touch; the seeker decides."""
    GIVE_FEEDBACK = "give-feedback"
    """Thumbs up or down on a recommended job, which the ranking learns from."""
    READ_CONTACT_REQUESTS = "read-contact-requests"
    """The contact requests employers sent to a person."""
    CALL_PRODUCT = "call-product"
    """A data product's answer about one person (the product's ODRL policy and the person's
    consent then decide the call)."""
    ISSUE_CONSENT_TOKEN = "issue-consent-token"
    """A signed reference to one of a person's consents, for one product, purpose and
    recipient, which that recipient presents when it calls the product."""
    FORECAST = "forecast"
    """Form a person's work-ability forecast (not stored), on the person's consent."""
    SAVE_FORECAST = "save-forecast"
    """Save a person's forecast, on the worker's explicit request, in the client's case
    graph (a model output, apart from registry facts), on the person's consent."""
    READ_SAVED_FORECASTS = "read-saved-forecasts"
    """Read the forecasts saved in the client's case graph, on the person's consent."""


# action -> role -> purposes allowed
RULES: dict[Action, dict[str, frozenset[str]]] = {
    Action.LOOKUP: {"case_worker": CASE_WORK},
    Action.READ_SUMMARY: {"case_worker": CASE_WORK, "steward": frozenset({"data-quality"})},
    Action.QUERY_REGISTRY: {"steward": frozenset({"data-quality", "statistics"}),
                            "admin": frozenset({"data-quality"})},
    Action.READ_AUDIT: {"steward": frozenset({"oversight", "data-quality"}),
                        "admin": frozenset({"oversight", "data-quality"})},
    # Which sections, on which basis, is then decided per section by the policy graph.
    Action.READ_SITUATION: {"case_worker": CASE_WORK},
    Action.MANAGE_CONSENT: {"case_worker": CASE_WORK},
    Action.WRITE_CLIENT_REPORTED: {"case_worker": CASE_WORK},
    Action.READ_OWN_ACCESS_LOG: {"citizen": frozenset({"own-data"})},
    # Matching: a case worker for the client, the seeker for themself (the route checks the
    # token is bound to that very person); employers see only anonymous candidates.
    Action.RECOMMEND_JOBS: {"case_worker": CASE_WORK, "citizen": frozenset({"own-data"})},
    Action.GIVE_FEEDBACK: {"case_worker": CASE_WORK, "citizen": frozenset({"own-data"})},
    Action.READ_CONTACT_REQUESTS: {"case_worker": CASE_WORK,
                                   "citizen": frozenset({"own-data"})},
    Action.LIST_CANDIDATES: {"employer": frozenset({"recruitment"}),
                             "case_worker": frozenset({"job-matching"})},
    Action.CONTACT_CANDIDATE: {"employer": frozenset({"recruitment"})},
    # Data products: a service (another authority's or a company's system) or a case worker;
    # which product, for which purpose, on which basis is the product's own policy's say.
    Action.CALL_PRODUCT: {"service": PRODUCT_PURPOSES, "case_worker": CASE_WORK},
    # The client's case worker hands a consent's token to the recipient, or the citizen
    # takes it for their own consent (the route checks the token is bound to that person).
    Action.ISSUE_CONSENT_TOKEN: {"case_worker": CASE_WORK, "citizen": frozenset({"own-data"})},
    # The forecast: a case worker, for the forecast's own purpose; then the person's valid
    # consent to it decides (``forecast_policy``): there is no legal-basis path.
    Action.FORECAST: {"case_worker": frozenset({FORECAST_PURPOSE})},
    Action.SAVE_FORECAST: {"case_worker": frozenset({FORECAST_PURPOSE})},
    Action.READ_SAVED_FORECASTS: {"case_worker": frozenset({FORECAST_PURPOSE})},
}


@dataclass(frozen=True)
class Decision:
    permit: bool
    reason: str
    legal_basis: str | None = None

    @property
    def word(self) -> str:
        return "permit" if self.permit else "deny"

    def denied(self, reason: str) -> Decision:
        """This decision turned into a denial (e.g. the query guard refused the query)."""
        return Decision(False, reason)


def decide(principal: Principal, action: Action, purpose: str | None) -> Decision:
    """May ``principal`` do ``action`` on personal data for ``purpose``? Always a reason."""
    rules = RULES[action]
    roles = [r for r in principal.roles if r in rules]
    if not roles:
        return Decision(False, f"roles {', '.join(principal.roles) or 'none'} may not "
                               f"{action.value} personal data; needs one of "
                               f"{', '.join(rules)}")
    if not purpose:
        return Decision(False, "a purpose is required: send the X-Purpose header "
                               f"(one of {', '.join(sorted(PURPOSES))})")
    if purpose not in PURPOSES:
        return Decision(False, "unknown purpose; use one of " + ", ".join(sorted(PURPOSES)))
    allowed = frozenset().union(*(rules[r] for r in roles))
    if purpose not in allowed:
        return Decision(False, f"role(s) {', '.join(roles)} may not {action.value} for "
                               f"this purpose; allowed: {', '.join(sorted(allowed))}")
    return Decision(True, f"{'/'.join(roles)} for {purpose}", PUBLIC_TASK)


def audit_entry(principal: Principal, purpose: str | None, action: Action | str, *,
                resource: str, decision: Decision, person: str | None = None,
                statement: str | None = None, reason: str | None = None,
                sections: list[str] | None = None,
                persons: list[str] | None = None,
                model_version: str | None = None) -> AuditEntry:
    """The audit record of one decision (the audit log redacts identity codes itself);
    ``model_version``: the version of the model whose output this access formed."""
    return AuditEntry(
        subject=principal.subject, organisation=principal.organisation,
        roles=list(principal.roles), purpose=purpose, person=person, action=str(action),
        resource=resource, decision=decision.word, reason=reason or decision.reason,
        legal_basis=decision.legal_basis, statement=statement, sections=sections,
        persons=persons, model_version=model_version)
