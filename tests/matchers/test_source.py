"""Seekers and postings read from the real store the e2e ingest made (SPARQL)."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from matchers.esco_graph import esco_graph
from matchers.source import current_sources, read_postings, read_regions, read_seekers


@pytest.fixture(scope="module")
def store(loaded):
    opened = loaded.open()
    yield opened
    opened.close()


def _rows(loaded, name: str) -> list[dict[str, str]]:
    with (loaded.extracts / "tyomarkkinatori" / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=_delimiter(loaded, name)))


def _delimiter(loaded, name: str) -> str:
    head = (loaded.extracts / "tyomarkkinatori" / name).read_text(encoding="utf-8")[:500]
    return ";" if head.count(";") > head.count(",") else ","


def test_postings_carry_what_the_extract_says(store, loaded) -> None:
    postings = read_postings(store)
    assert len(postings) >= 40
    by_id = {p.identifier: p for p in postings}
    skills = defaultdict(set)
    for row in _rows(loaded, "tyopaikan_taidot.csv"):
        if row["ilmoitus_id"] in by_id:
            skills[row["ilmoitus_id"]].add(row["taito"])
    read = asked = 0
    for identifier, wanted in skills.items():
        p = by_id[identifier]
        got = set(p.essential_skills) | set(p.optional_skills)
        assert got <= wanted  # dirty rows may have been rejected at ingest, nothing added
        assert not set(p.essential_skills) & set(p.optional_skills)
        read, asked = read + len(got), asked + len(wanted)
    assert len(skills) >= 30 and read >= 0.8 * asked
    assert all(p.occupation is None or p.occupation.startswith("http://data.europa.eu/esco/")
               for p in postings)
    assert any(p.languages for p in postings) and any(p.valid_through for p in postings)


def test_seekers_with_status_from_employment_services(store) -> None:
    seekers = read_seekers(store)
    assert len(seekers) >= 50
    assert len({s.profile for s in seekers}) == len(seekers)
    assert all(s.person.startswith("https://tyodata.fi/id/person/") for s in seekers)
    assert sum(1 for s in seekers if s.status) > len(seekers) // 2
    assert sum(1 for s in seekers if s.seeking_since) > len(seekers) // 2
    assert any(s.experience for s in seekers) and any(s.search_areas for s in seekers)
    assert all(level in {"A1", "A2", "B1", "B2", "C1", "C2", ""}
               for s in seekers for level in s.languages.values())
    # the year of birth from the population register, for the employers' age bands
    assert sum(1 for s in seekers if s.birth_year) > len(seekers) * 0.8
    assert all(1900 < s.birth_year < 2015 for s in seekers if s.birth_year)


def test_regions_from_the_code_lists(store) -> None:
    regions = read_regions(store)
    assert regions["091"] == "01" and regions["049"] == "01" and regions["837"] == "06"
    assert len(set(regions.values())) >= 10


def test_esco_hierarchy_from_the_store(store) -> None:
    graph = esco_graph(store)
    assert esco_graph(store) is graph  # cached per ESCO version
    assert len(graph.unit_group) > 2900 and len(graph.skill_parent) > 13000
    assert all(len(u) == 4 and graph.minor_group[o] == u[:3]
               for o, u in graph.unit_group.items())
    assert sum(len(v) for v in graph.essential_skills.values()) > 50_000
    nurse = "http://data.europa.eu/esco/occupation/e43d0f86-7abf-4c6e-b2b3-10970ddf6518"
    assert graph.unit_group[nurse] == "7122" and graph.label(nurse, "fi") == "mattoasentaja"


def test_fingerprint_is_stable_and_names_the_sources(store) -> None:
    first, second = current_sources(store), current_sources(store)
    assert first.fingerprint() == second.fingerprint()
    assert {"tyomarkkinatori", "tyollisyyspalvelut", "esco", "codelists"} <= set(first.graphs)
