"""The feature queries against hand-built graphs with known answers: every window's edges,
the cohort's rules and the outcome's EUR 300 / 4 months / two-year horizon."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from forecasting.cohort import cohort_table, cohort_window, shift_years
from forecasting.errors import MissingSourcesError, NoCohortError, PersonDataError
from forecasting.features import FEATURES
from forecasting.person import person_features
from tests.forecasting.builder import SOURCES, GraphBuilder, person

AS_OF = date(2026, 11, 1)
E = date(2022, 3, 15)  # entry of the main test person
I = E + timedelta(days=90)  # noqa: E741  (the contract's name for the index date)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def features_of(builder: GraphBuilder, who: str) -> dict[str, float | str]:
    table = cohort_table(builder.store(), as_of=AS_OF)
    row = table.persons.index(who)
    out: dict[str, float | str] = {}
    for j, name in enumerate(FEATURES):
        out[name] = table.X[row, j]
    out["language"] = table.groups["language"][row]
    out["sex"] = table.groups["sex"][row]
    out["age_band"] = table.groups["age_band"][row]
    out["outcome"] = float(table.y[row])
    return out


def base(who: str = person(1), born: int = 1980, **kw) -> GraphBuilder:
    b = GraphBuilder()
    b.person(who, born, **kw)
    b.seeking(who, E)
    return b


# -- the cohort -----------------------------------------------------------------------


def test_cohort_window_is_two_to_six_years_back():
    assert cohort_window(AS_OF) == (date(2020, 11, 1), date(2024, 11, 1))
    assert shift_years(date(2024, 2, 29), -2) == date(2022, 2, 28)


def test_cohort_takes_the_latest_entry_in_the_window_and_its_edges():
    b = GraphBuilder()
    first, last, outside_after, before, at_start = (person(n) for n in range(1, 6))
    for who in (first, last, outside_after, before, at_start):
        b.person(who, 1980)
    b.seeking(first, date(2021, 1, 1), date(2021, 6, 1))
    b.seeking(first, date(2023, 5, 1))  # the latest start in the window: the entry
    b.seeking(last, date(2024, 10, 31))  # the window's last day
    b.seeking(outside_after, date(2024, 11, 1))  # the window ends before this day
    b.seeking(before, date(2020, 10, 31))
    b.seeking(at_start, date(2020, 11, 1))  # the window's first day
    b.seeking(at_start, date(2025, 1, 1))  # later, outside: the entry stays in the window
    table = cohort_table(b.store(), as_of=AS_OF)
    entries = dict(zip(table.persons, table.entry.astype(str), strict=True))
    assert entries == {first: "2023-05-01", last: "2024-10-31", at_start: "2020-11-01"}
    indexes = dict(zip(table.persons, table.index.astype(str), strict=True))
    assert indexes[first] == "2023-07-30"  # entry + 90 days
    assert indexes[at_start] == "2021-01-30"


@pytest.mark.parametrize(("born", "member"), [(2004, True), (2005, False), (1958, True),
                                               (1957, False)])
def test_cohort_ages_18_to_64_at_entry(born, member):
    b = base(born=born)  # entry in 2022: age = 2022 - born
    b.person(person(9), 1980)  # someone always in, so the cohort is never empty
    b.seeking(person(9), E)
    assert (person(1) in cohort_table(b.store(), as_of=AS_OF).persons) is member


def test_no_birth_year_no_cohort_member_and_an_empty_cohort_is_an_error():
    b = GraphBuilder()
    b.seeking(person(1), E)  # not in the population register
    with pytest.raises(NoCohortError, match="2020-11-01 and 2024-11-01"):
        cohort_table(b.store(), as_of=AS_OF)


def test_a_missing_registry_is_named():
    b = base()
    with pytest.raises(MissingSourcesError, match="koski, hyvinvointialue"):
        cohort_table(b.store(sources=("kela", "tyollisyyspalvelut", "vtj")), as_of=AS_OF)


def test_a_non_current_graph_is_not_read():
    b = base()
    store = b.store()
    store.update("""DELETE WHERE { GRAPH <https://tyodata.fi/graph/meta> {
      ?g <https://tyodata.fi/ontology#source> <https://tyodata.fi/id/source/koski> ;
         <https://tyodata.fi/ontology#extractStatus> ?s } }""")
    with pytest.raises(MissingSourcesError, match="koski"):
        cohort_table(store, as_of=AS_OF)


# -- each feature at its window's edges -------------------------------------------------


def test_sickness_periods_and_days_in_the_two_years_before_the_index_date():
    who = person(1)
    b = base()
    b.sickness(who, I - days(730), 10)  # first day of B: in
    b.sickness(who, I - days(731), 100)  # out
    b.sickness(who, I - days(1), 20)  # in
    b.sickness(who, I, 40)  # the index day itself: out
    b.sickness(who, I - days(5), None)  # a period without days paid counts, adds none
    f = features_of(b, who)
    assert (f["sickness_periods"], f["sickness_days"]) == (3, 30)


def test_sickness_days_are_capped_at_300():
    who = person(1)
    b = base()
    for k in range(4):
        b.sickness(who, I - days(100 + k), 90)
    f = features_of(b, who)
    assert (f["sickness_periods"], f["sickness_days"]) == (4, 300)


@pytest.mark.parametrize(("start", "expected"), [(I - days(730), 1), (I - days(731), 0),
                                                 (I - days(1), 1), (I, 0)])
def test_rehabilitation_starting_in_b(start, expected):
    b = base()
    b.rehabilitation(person(1), start)
    assert features_of(b, person(1))["rehabilitation"] == expected


def test_interrupted_studies_by_status_and_its_date():
    who = person(1)
    b = base()
    b.study(who, "eronnut", E - days(730))  # in
    b.study(who, "valiaikaisestikeskeytynyt", E - days(1))  # in
    b.study(who, "katsotaaneronneeksi", E - days(10))  # in
    b.study(who, "eronnut", E - days(731))  # out: too early
    b.study(who, "eronnut", E)  # out: on entry
    b.study(who, "valmistunut", E - days(5))  # graduated: not interrupted
    b.study(who, "lasna", E - days(5))
    assert features_of(b, who)["interrupted_studies"] == 3


def test_employment_spells_ended_before_entry():
    who = person(1)
    b = base()
    b.seeking(who, E - days(900), E - days(730))  # ended on the window's first day: in
    b.seeking(who, E - days(200), E - days(1))  # in
    b.seeking(who, E - days(1000), E - days(731))  # out
    assert features_of(b, who)["employment_spells_ended"] == 2


def test_statements_b_apart_from_the_others():
    who = person(1)
    b = base()
    b.statement(who, "B", I - days(730))
    b.statement(who, "B", I - days(1))
    b.statement(who, "B", I)  # out
    b.statement(who, "A", I - days(3))
    b.statement(who, "C", I - days(3))
    b.statement(who, "E", I - days(731))  # out
    f = features_of(b, who)
    assert (f["doctor_statements"], f["other_statements"]) == (2, 2)


def test_missed_appointments_between_entry_and_index():
    who = person(1)
    b = base()
    b.appointment(who, E)
    b.appointment(who, I - days(1))
    b.appointment(who, I)  # out: on the index day
    b.appointment(who, E - days(1))  # out: before entry
    b.appointment(who, E + days(3), status="TOTEUTUNUT")  # came: not missed
    assert features_of(b, who)["missed_appointments"] == 2


def test_earnings_of_the_year_before_entry():
    who = person(1)
    b = base()
    b.earnings(who, E.year - 1, 18_500.25)
    b.earnings(who, E.year, 99_999.0)
    b.earnings(who, E.year - 2, 50_000.0)
    assert features_of(b, who)["annual_earnings"] == pytest.approx(18_500.25)
    b2 = base()
    assert features_of(b2, who)["annual_earnings"] == 0


@pytest.mark.parametrize(("start", "end", "decision", "expected"), [
    (I - days(900), I - days(730), "MYON", 1),  # ended on B's first day
    (I - days(900), I - days(731), "MYON", 0),  # ended the day before B
    (I - days(1), None, "MYON", 1),
    (I, None, "MYON", 0),  # starts on the index day
    (I - days(100), None, "HYL", 0),  # rejected
])
def test_labour_market_subsidy_overlapping_b(start, end, decision, expected):
    b = base()
    b.benefit(person(1), "TMT", start, end, decision=decision)
    assert features_of(b, person(1))["labour_market_subsidy"] == expected


def test_age_language_and_sex():
    b = GraphBuilder()
    for n, tongue, sex in ((1, "fi", "1"), (2, "sv", "2"), (3, "ru", "2"), (4, None, None)):
        b.person(person(n), 1990, tongue=tongue, sex=sex)
        b.seeking(person(n), E)
    table = cohort_table(b.store(), as_of=AS_OF)
    assert table.groups["language"].tolist() == ["fi", "sv", "other", "other"]
    assert table.groups["sex"].tolist() == ["male", "female", "female", "unknown"]
    assert table.column("age").tolist() == [32] * 4
    assert table.groups["age_band"].tolist() == ["30-49"] * 4
    assert table.column("language").tolist() == [0, 1, 2, 2]


# -- the outcome ----------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "start", "end", "amount", "decision", "expected"), [
    ("TKE", I + days(1), None, 300.0, "MYON", 1),
    ("KT", E + days(730), E + days(730 + 122), 1500.0, "MYON", 1),  # last day, 4 months
    ("TKE", I + days(1), None, 299.99, "MYON", 0),  # under EUR 300 a month
    ("TKE", I, None, 900.0, "MYON", 0),  # on the index day: not after it
    ("TKE", E + days(731), None, 900.0, "MYON", 0),  # past two years
    ("KT", I + days(10), I + days(10 + 121), 900.0, "MYON", 0),  # shorter than 4 months
    ("KT", I + days(10), None, 900.0, "HYL", 0),  # rejected
    ("TMT", I + days(10), None, 900.0, "MYON", 0),  # not a work-disability benefit
])
def test_outcome_definition(kind, start, end, amount, decision, expected):
    b = base()
    b.benefit(person(1), kind, start, end, decision=decision, amount=amount)
    assert features_of(b, person(1))["outcome"] == expected


# -- one person's features ------------------------------------------------------------


def test_person_features_agree_with_the_cohort_and_stop_at_today():
    who = person(1)
    b = base(born=1975)
    b.sickness(who, I - days(10), 12)
    b.sickness(who, E + days(20), 7)  # after entry, before the index date
    b.appointment(who, E + days(5))
    b.earnings(who, E.year - 1, 12_000.0)
    store = b.store()
    later = person_features(store, who, today=E + days(400))
    assert later is not None and later.index == I and later.entry == E
    table = cohort_table(store, as_of=AS_OF)
    expected = dict(zip(FEATURES, table.X[0], strict=True))
    assert [later.row()[0, j] for j in range(len(FEATURES))] == list(expected.values())
    early = person_features(store, who, today=E + days(30))  # index: today
    assert early is not None and early.index == E + days(30)
    assert early.values["sickness_periods"] == 1  # the one 20 days after entry
    assert early.values["missed_appointments"] == 1
    assert early.age == 47 and early.in_population and early.values["language"] == "fi"


def test_person_features_none_without_an_open_period():
    who = person(1)
    b = GraphBuilder()
    b.person(who, 1980)
    b.seeking(who, E, E + days(100))
    store = b.store()
    assert person_features(store, who, today=E + days(200)) is None
    assert person_features(store, who, today=E + days(50)) is not None  # open then
    assert person_features(store, who, today=E - days(1)) is None  # not yet begun


def test_person_features_need_a_birth_year():
    b = GraphBuilder()
    b.seeking(person(1), E)
    with pytest.raises(PersonDataError, match="year of birth"):
        person_features(b.store(), person(1), today=E + days(100))


def test_person_features_refuse_what_is_not_a_person_id():
    with pytest.raises(ValueError, match="not a person id"):
        person_features(GraphBuilder().store(), "131052-308T", today=E)


def test_the_identity_graph_is_never_read():
    who = person(1)
    b = base()
    store = b.store()
    store.update(f"""INSERT DATA {{ GRAPH <https://tyodata.fi/graph/identity> {{
      <{who}> <https://tyodata.fi/ontology#birthYear> 1900 .
      <{who}> <https://tyodata.fi/ontology#motherTongue> <https://tyodata.fi/code/language/sv>
    }} }}""")
    table = cohort_table(store, as_of=AS_OF)
    assert table.groups["language"].tolist() == ["fi"]
    assert table.column("age").tolist() == [42]
    assert all("identity" not in g for g in table.graphs)
    assert sorted(g.split("/")[-2] for g in table.graphs) == sorted(SOURCES)


def test_cohort_matrix_is_numeric_and_ordered_like_features():
    b = base()
    table = cohort_table(b.store(), as_of=AS_OF)
    assert table.X.shape == (1, len(FEATURES)) and table.X.dtype == np.float64
