"""The graphs the situation view reads, per reading of the graph directory.

Each section's query reads only the current extracts of the registries that hold that
section's facts (``SECTION_SOURCES``: the engine then looks in two graphs instead of
every extract, which halves a section's cost), and a person's client-reported facts only
that person's client-reported graphs (found by one index look-up per request). All are
narrowed from the case-work dataset by the one visibility function (``dataset_for``), so
a request never passes the engine a list of every per-person graph in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graph_service.policy.sections import Section
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import (
    GraphDirectory,
    GraphKind,
    graphs_of_person,
    source_iri,
)

SECTION_SOURCES: dict[Section, tuple[str, ...]] = {
    Section.BASIC: ("vtj", "tyomarkkinatori"),  # population register; the profile's languages
    Section.MIGRATION: ("migri",),
    Section.FAMILY: ("vtj",),
    Section.UNEMPLOYMENT: ("tyollisyyspalvelut",),
    Section.ECONOMY: ("ulosotto",),
    Section.STUDIES: ("koski",),
    Section.BENEFITS: ("kela",),
    Section.REHABILITATION: ("kela",),  # rehabilitation periods and annual earnings
    Section.HEALTH: ("kela", "hyvinvointialue"),  # sickness allowance; doctor's statements
}
"""The registries (sources of mappings/sources.yaml) whose extracts hold each section."""


@dataclass(frozen=True)
class CaseWorkGraphs:
    registry: Dataset
    """Every current registry extract, as named graphs."""
    sections: dict[Section, Dataset]
    """Section -> the current extracts of its registries (absent: none is loaded)."""

    def section(self, section: Section) -> Dataset | None:
        return self.sections.get(section)


def case_work_graphs(directory: GraphDirectory) -> CaseWorkGraphs:
    return _read(directory)


def _named(directory: GraphDirectory, graphs: list[str]) -> Dataset | None:
    # dataset_for without graphs would mean "everything visible": none means none here.
    return dataset_for(Reader.CASE_WORK, directory, named=graphs) if graphs else None


@lru_cache(maxsize=4)
def _read(directory: GraphDirectory) -> CaseWorkGraphs:
    current = directory.current()
    extracts = set(directory.of_kind(GraphKind.EXTRACT))
    sections = {}
    for section, sources in SECTION_SOURCES.items():
        graphs = [g for s in sources if (g := current.get(source_iri(s))) in extracts]
        if (dataset := _named(directory, graphs)) is not None:
            sections[section] = dataset
    registry = _named(directory, sorted(extracts)) or Dataset(named=())
    return CaseWorkGraphs(registry, sections)


def reported_graphs_of(store: GraphStore, directory: GraphDirectory,
                       person: str) -> Dataset | None:
    """``person``'s client-reported graphs as named graphs (None: they have none)."""
    return _named(directory, graphs_of_person(store, person, [GraphKind.CLIENT_REPORTED]))
