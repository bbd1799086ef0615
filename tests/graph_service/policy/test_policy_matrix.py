"""The default policy matrix, decision by decision, against the default policy graph loaded
in a real store: every party x section x purpose x consent state (none, valid, withdrawn,
expired), with the basis or consent each permit rests on and the fields it shows. The
expectations are written out here from the matrix as agreed, not derived from the code.
The Markdown table the README shows is derived from the graph and must not drift."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from graph_service.policy.consent import consent_id, give_consent, withdraw_consent
from graph_service.policy.consent_record import Recipient
from graph_service.policy.odrl import matrix_markdown
from graph_service.policy.policy_graph import ensure_default_policy, policy_set
from graph_service.policy.section_decision import Withheld
from graph_service.policy.sections import FIELDS, Section
from graph_service.policy.situation_policy import situation_decisions
from graph_service.policy.tokens import Principal
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import read_directory

GDPR = "https://w3id.org/dpv/legal/eu/gdpr#"
E, B9, CONSENT, EXPLICIT = GDPR + "A6-1-e", GDPR + "A9-2-b", GDPR + "A6-1-a", GDPR + "A9-2-a"
TYP = "http://data.finlex.fi/eli/sd/2014/1369"
TYM = "http://data.finlex.fi/eli/sd/2023/381"
KELA_PURPOSES = {"case-management", "benefit-decision"}
CITY_ALL = {"case-management", "job-matching"}
CITY_CM = {"case-management"}
S = Section
ALL = None  # every field of the section
CITY_BENEFITS = {"benefit_type", "start_date", "end_date", "decision", "in_payment", "pending"}
CITY_HEALTH = {"sickness_allowance_days_paid", "sickness_allowance_max_days",
               "statement_type", "statement_date"}

# section -> party -> (purposes, legal basis or "consent", fields)
MATRIX: dict[Section, dict[str, tuple[set[str], tuple[str, ...] | str, set[str] | None]]] = {
    S.BASIC: {"kela": (KELA_PURPOSES, (E, TYP), ALL), "city": (CITY_ALL, (E, TYM), ALL)},
    S.MIGRATION: {"kela": (KELA_PURPOSES, "consent", ALL), "city": (CITY_CM, (E, TYM), ALL)},
    S.FAMILY: {"kela": (KELA_PURPOSES, (E, TYP), ALL), "city": (CITY_CM, "consent", ALL)},
    S.UNEMPLOYMENT: {"kela": (KELA_PURPOSES, (E, TYP), ALL),
                     "city": (CITY_ALL, (E, TYM), ALL)},
    S.ECONOMY: {"kela": (KELA_PURPOSES, "consent", ALL), "city": (CITY_CM, "consent", ALL)},
    S.STUDIES: {"kela": (KELA_PURPOSES, (E, TYP), ALL), "city": (CITY_ALL, (E, TYM), ALL)},
    S.BENEFITS: {"kela": (KELA_PURPOSES, (E, TYP), ALL),
                 "city": (CITY_CM, (E, TYM), CITY_BENEFITS)},
    S.REHABILITATION: {"kela": (KELA_PURPOSES, (E, B9, TYP), ALL),
                       "city": (CITY_CM, "consent", ALL)},
    S.HEALTH: {"kela": (KELA_PURPOSES, (E, B9, TYP), ALL),
               "city": (CITY_CM, "consent", CITY_HEALTH)},
}
PRINCIPALS = {"kela": Principal("kw", "kela", ("case_worker",), 0),
              "city": Principal("cw", "city:helsinki", ("case_worker",), 0)}
PURPOSES = ("case-management", "job-matching", "benefit-decision", "statistics")
STATES = ("none", "valid", "withdrawn", "expired")
T0 = datetime(2026, 2, 2, 8, 0, tzinfo=UTC)
DECIDED_AT = T0 + timedelta(hours=2)
PERSONS = {state: f"https://tyodata.fi/id/person/{letter * 26}"
           for state, letter in zip(STATES, "cdef", strict=True)}

README_TABLE = """\
| section | Kela case worker | city case worker |
|---|---|---|
| basic | GDPR 6(1)(e) + TYP act 1369/2014; for benefit-decision, case-management | GDPR 6(1)(e) + TYM act 381/2023; for case-management, job-matching |
| migration | consent; for benefit-decision, case-management | GDPR 6(1)(e) + TYM act 381/2023; for case-management |
| family | GDPR 6(1)(e) + TYP act 1369/2014; for benefit-decision, case-management | consent; for case-management |
| unemployment | GDPR 6(1)(e) + TYP act 1369/2014; for benefit-decision, case-management | GDPR 6(1)(e) + TYM act 381/2023; for case-management, job-matching |
| economy | consent; for benefit-decision, case-management | consent; for case-management |
| studies | GDPR 6(1)(e) + TYP act 1369/2014; for benefit-decision, case-management | GDPR 6(1)(e) + TYM act 381/2023; for case-management, job-matching |
| benefits | GDPR 6(1)(e) + TYP act 1369/2014; for benefit-decision, case-management | GDPR 6(1)(e) + TYM act 381/2023; for case-management; only benefit_type, decision, end_date, in_payment, pending, start_date |
| rehabilitation | GDPR 6(1)(e) + GDPR 9(2)(b) + TYP act 1369/2014; for benefit-decision, case-management | consent; for case-management |
| health | GDPR 6(1)(e) + GDPR 9(2)(b) + TYP act 1369/2014; for benefit-decision, case-management | consent (GDPR 9(2)(a)); for case-management; only sickness_allowance_days_paid, sickness_allowance_max_days, statement_date, statement_type |
"""  # noqa: E501


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):
    """The default policy in a real on-disk store, and four persons: one who never
    consented, one whose consent is valid, one who withdrew it, one whose consent expired.
    Each consent covers every section and purpose, for both parties."""
    with OxigraphStore(tmp_path_factory.mktemp("matrix") / "store") as opened:
        ensure_default_policy(opened)
        for state in ("valid", "withdrawn", "expired"):
            record = give_consent(
                opened, PERSONS[state], controller="kela",
                purposes=["case-management", "job-matching", "benefit-decision"],
                sections=list(Section),
                recipients=[Recipient("kela", "case_worker"), Recipient("city", "case_worker")],
                expires_at=T0 + (timedelta(hours=1) if state == "expired" else
                                 timedelta(days=30)),
                indicated_by="written", recorded_by="kw", recorded_org="kela", now=T0)
            if state == "withdrawn":
                withdraw_consent(opened, PERSONS[state], consent_id(record), by="kw",
                                 organisation="kela", now=T0 + timedelta(minutes=30))
        yield opened


CASES = [(party, section, purpose, state) for party in PRINCIPALS for section in Section
         for purpose in PURPOSES for state in STATES]


@pytest.mark.parametrize(("party", "section", "purpose", "state"), CASES,
                         ids=["-".join(c) for c in CASES])
def test_the_matrix(store: OxigraphStore, party: str, section: Section, purpose: str,
                    state: str):
    purposes, basis, fields = MATRIX[section][party]
    [decision] = situation_decisions(store, read_directory(store), PRINCIPALS[party], purpose,
                                     PERSONS[state], [section], now=DECIDED_AT)
    assert decision.section is section
    if purpose not in purposes:
        assert not decision.permit and "is not covered" in decision.reason
        assert decision.withheld is Withheld.PURPOSE
        assert decision.fields == frozenset() and decision.legal_basis == ()
        return
    wanted_fields = FIELDS[section] if fields is None else frozenset(fields)
    if basis != "consent":
        assert decision.permit and decision.consent is None
        assert decision.legal_basis == basis
        assert decision.fields == wanted_fields
        assert decision.policy == f"https://tyodata.fi/policy/situation/{section}-{party}"
        return
    if state == "valid":
        assert decision.permit and decision.consent is not None
        assert decision.consent.startswith("https://tyodata.fi/id/consent/")
        assert decision.legal_basis == ((CONSENT, EXPLICIT) if section is S.HEALTH
                                        else (CONSENT,))
        assert decision.fields == wanted_fields
        return
    assert not decision.permit and decision.consent is None and not decision.fields
    assert decision.reason.startswith({
        "none": "needs the client's consent",
        "withdrawn": "consent withdrawn on 2026-02-02",
        "expired": "consent expired on 2026-02-02"}[state]), decision.reason
    assert (decision.withheld, decision.withheld_on) == {
        "none": (Withheld.NEEDS_CONSENT, None),
        "withdrawn": (Withheld.CONSENT_WITHDRAWN, date(2026, 2, 2)),
        "expired": (Withheld.CONSENT_EXPIRED, date(2026, 2, 2))}[state]


@pytest.mark.parametrize("principal", [
    Principal("s", "dvv", ("steward",), 0),
    Principal("x", "employer:acme", ("case_worker",), 0),
    Principal("d", "kela", ("developer",), 0),
], ids=["steward", "case-worker-of-another-kind", "developer-at-kela"])
def test_no_rule_no_read(store: OxigraphStore, principal: Principal):
    for decision in situation_decisions(store, read_directory(store), principal,
                                        "case-management", PERSONS["valid"], list(Section),
                                        now=DECIDED_AT):
        assert not decision.permit and decision.reason.startswith("no rule lets a")


def test_one_consent_serves_only_its_own_person(store: OxigraphStore):
    """The valid person's consent does not open the sections of anybody else."""
    [decision] = situation_decisions(store, read_directory(store), PRINCIPALS["city"],
                                     "case-management", PERSONS["none"], [S.HEALTH],
                                     now=DECIDED_AT)
    assert not decision.permit


def test_the_readme_table_is_the_policy_graph(store: OxigraphStore):
    assert matrix_markdown(policy_set(store, read_directory(store))) == README_TABLE
