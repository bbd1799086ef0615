"""Who may read what, for which purpose, under which legal basis.

Every decision names its reason; the API records each one, permit or deny, in the
audit log. Purposes are DPV purposes; the legal basis is GDPR Art. 6(1)(e)
(public task) for the authorities' own case work.
"""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.policy.tokens import Principal
from graph_service.store.base import Dataset
from graph_service.store.registry import META_GRAPH, source_iri

DPV = "https://w3id.org/dpv#"
PUBLIC_TASK = "https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"

# Purposes a caller may declare (X-Purpose header or `purpose` parameter) -> DPV purpose.
PURPOSES: dict[str, str] = {
    "case-management": DPV + "ServiceProvision",
    "job-matching": DPV + "ServiceProvision",
    "benefit-decision": DPV + "PublicBenefit",
    "data-quality": DPV + "DataQualityManagement",
    "statistics": DPV + "ResearchAndDevelopment",
}

# Which roles may read personal data, and for which purposes.
PERSONAL_DATA_ROLES: dict[str, frozenset[str]] = {
    "case_worker": frozenset({"case-management", "job-matching", "benefit-decision"}),
    "steward": frozenset({"data-quality", "statistics"}),
    "admin": frozenset({"data-quality"}),
}
REFERENCE_SOURCES = ("esco", "ontology", "codelists")


@dataclass(frozen=True)
class Decision:
    permit: bool
    reason: str
    legal_basis: str | None = None

    @property
    def word(self) -> str:
        return "permit" if self.permit else "deny"


def decide_personal_read(principal: Principal, purpose: str | None) -> Decision:
    """May this caller read (pseudonymous) personal data for this purpose?"""
    roles = [r for r in principal.roles if r in PERSONAL_DATA_ROLES]
    if not roles:
        return Decision(False, f"roles {', '.join(principal.roles) or 'none'} may not read "
                               f"personal data; needs one of {', '.join(PERSONAL_DATA_ROLES)}")
    if not purpose:
        return Decision(False, "a purpose is required: send the X-Purpose header "
                               f"(one of {', '.join(sorted(PURPOSES))})")
    if purpose not in PURPOSES:
        return Decision(False, f"unknown purpose {purpose!r}; use one of "
                               f"{', '.join(sorted(PURPOSES))}")
    allowed = set().union(*(PERSONAL_DATA_ROLES[r] for r in roles))
    if purpose not in allowed:
        return Decision(False, f"role(s) {', '.join(roles)} may not read personal data for "
                               f"{purpose!r}; allowed: {', '.join(sorted(allowed))}")
    return Decision(True, f"{'/'.join(roles)} for {purpose}", PUBLIC_TASK)


def sees_registry_graphs(principal: Principal) -> bool:
    """Stewards (and admins) see the pseudonymous registry graphs over SPARQL; others do not."""
    return principal.has("steward", "admin")


def sparql_dataset(current: dict[str, str], principal: Principal) -> Dataset:
    """The graphs a caller's SPARQL may touch, decided here and never by the query.

    ``current`` is :func:`graph_service.store.registry.current_graphs`'s answer.

    Stewards: every current graph but the identity graph. Everyone else: ESCO, the
    ontology, the code lists and the provenance (meta) graph, which hold no personal data.
    """
    if sees_registry_graphs(principal):
        graphs = list(current.values())
    else:
        graphs = [g for src, g in current.items()
                  if src in {source_iri(s) for s in REFERENCE_SOURCES}]
    return Dataset.of([*graphs, META_GRAPH])
