"""Seekers and postings read from the graph: SeekerRecord and PostingRecord lists.

Reads only the *current* graphs (the registry's directory): the marketplace extract
(postings, profiles), the city employment services extract (status, start of the
job-seeking period) and the code lists (municipality -> region). Each question is one
.rq file in ``matchers/queries``; many-valued facts are read in their own queries and
joined here, so no query multiplies rows. Works on the embedded and the remote store
alike (plain SELECTs over a restricted dataset).

The person's year of birth comes from the population register (staged from the identity
code; the code itself never reaches the graph): employers see only an age band of it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from rdflib.term import Literal as RdfLiteral
from rdflib.term import Node

from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import META_GRAPH, GraphKind, read_directory, source_iri
from matchers.queries import bind, load
from matchers.records import Experience, PostingRecord, SeekerRecord

MARKETPLACE = "tyomarkkinatori"
EMPLOYMENT_SERVICES = "tyollisyyspalvelut"
POPULATION = "vtj"
SOURCES = (MARKETPLACE, EMPLOYMENT_SERVICES, POPULATION, "codelists", "esco")
"""The sources whose current graphs the matching index is built from."""
ESSENTIAL = "olennainen"
TYO = "https://tyodata.fi/ontology#"


def _code(node: Node | None) -> str | None:
    """The code of a code-list IRI (``.../education-level/3`` -> ``"3"``)."""
    return None if node is None else str(node).rsplit("/", 1)[-1]


def _text(node: Node | None) -> str:
    return "" if node is None else str(node)


def _date(node: Node | None) -> date | None:
    if node is None:
        return None
    value = node.toPython() if isinstance(node, RdfLiteral) else None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(node)[:10])
    except ValueError:
        return None


@dataclass(frozen=True)
class GraphSources:
    """The current graph of each source matching reads (missing sources are absent)."""

    graphs: dict[str, str]

    def dataset(self, *sources: str) -> Dataset:
        return Dataset.of(self.graphs[s] for s in sources if s in self.graphs)

    def fingerprint(self) -> str:
        """Changes exactly when an ingest made another graph current for one of them:
        the graph IRIs carry their content hash."""
        text = "\n".join(f"{s}={self.graphs.get(s, '')}" for s in SOURCES)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def current_sources(store: GraphStore) -> GraphSources:
    """The current extract and reference graphs matching reads (one meta-graph query)."""
    directory = read_directory(store)
    current = directory.current()
    graphs = {s: current[source_iri(s)] for s in SOURCES if source_iri(s) in current}
    return GraphSources(graphs)


def _select(store: GraphStore, name: str, dataset: Dataset) -> list[dict[str, Node | None]]:
    if not dataset.default:
        return []
    return store.select(load(name), dataset=dataset).dicts()


def read_postings(store: GraphStore, sources: GraphSources | None = None) -> list[PostingRecord]:
    """Every posting of the current marketplace extract, ordered by IRI."""
    sources = sources or current_sources(store)
    dataset = sources.dataset(MARKETPLACE)
    essential: dict[str, list[str]] = defaultdict(list)
    optional: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, "posting_skills", dataset):
        target = essential if _code(row["relevance"]) == ESSENTIAL else optional
        target[str(row["posting"])].append(str(row["skill"]))
    languages: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _select(store, "posting_languages", dataset):
        languages[str(row["posting"])][_code(row["language"]) or ""] = _code(row["level"]) or ""
    licences: dict[str, list[str]] = defaultdict(list)
    for row in _select(store, "posting_licences", dataset):
        licences[str(row["posting"])].append(_code(row["licence"]) or "")
    postings = []
    for row in _select(store, "postings", dataset):
        iri = str(row["posting"])
        postings.append(PostingRecord(
            posting=iri, identifier=_text(row["identifier"]), title=_text(row["title"]),
            description=_text(row["description"]), employer=_text(row["employer"]),
            occupation=None if row["occupation"] is None else str(row["occupation"]),
            essential_skills=tuple(sorted(set(essential[iri]))),
            optional_skills=tuple(sorted(set(optional[iri]) - set(essential[iri]))),
            education_level=_code(row["education"]), languages=dict(languages[iri]),
            licences=tuple(sorted(set(licences[iri]))), municipality=_code(row["municipality"]),
            working_time=_code(row["workingTime"]), contract=_code(row["contract"]),
            posted=_date(row["posted"]), valid_through=_date(row["validThrough"]),
        ))
    return sorted(_unique(postings, "posting"), key=lambda p: p.posting)


def _unique(records: Iterable, key: str) -> list:
    """One record per IRI (a dirty extract may give a single-valued fact twice: the first
    row wins, deterministically after sorting)."""
    seen: dict[str, object] = {}
    for record in records:
        seen.setdefault(getattr(record, key), record)
    return list(seen.values())


def _seeking(store: GraphStore, sources: GraphSources
             ) -> dict[str, tuple[str | None, date | None]]:
    """Person IRI -> (current status, start of the current job-seeking period)."""
    best: dict[str, tuple[bool, date, str | None, date | None]] = {}
    for row in _select(store, "seeking_status", sources.dataset(EMPLOYMENT_SERVICES)):
        person, start, end = str(row["person"]), _date(row["start"]), _date(row["end"])
        # the open period wins, then the latest start
        rank = (end is None, start or date.min, _code(row["status"]), start)
        if person not in best or rank[:2] > best[person][:2]:
            best[person] = rank
    return {person: (r[2], r[3]) for person, r in best.items()}


def read_seekers(store: GraphStore, sources: GraphSources | None = None) -> list[SeekerRecord]:
    """Every job-seeker profile of the current marketplace extract, ordered by IRI, with the
    person's status and job-seeking start from the employment services."""
    sources = sources or current_sources(store)
    dataset = sources.dataset(MARKETPLACE)
    values: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in _select(store, "profile_values", dataset):
        values[str(row["profile"])][str(row["property"]).removeprefix(TYO)].append(
            str(row["value"]))
    experience: dict[str, list[Experience]] = defaultdict(list)
    for row in _select(store, "profile_experience", dataset):
        experience[str(row["profile"])].append(
            Experience(str(row["occupation"]), _date(row["start"]), _date(row["end"])))
    languages: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _select(store, "profile_languages", dataset):
        languages[str(row["profile"])][_code(row["language"]) or ""] = _code(row["level"]) or ""
    seeking = _seeking(store, sources)
    born = {str(r["person"]): int(str(r["year"]))
            for r in _select(store, "birth_years", sources.dataset(POPULATION))
            if str(r["year"]).isdigit()}
    seekers = []
    for row in _select(store, "profiles", dataset):
        iri, person = str(row["profile"]), str(row["person"])
        facts = values[iri]
        status, since = seeking.get(person, (None, None))
        seekers.append(SeekerRecord(
            profile=iri, person=person,
            desired_occupations=tuple(sorted(set(facts["desiredOccupation"]))),
            skills=tuple(sorted(set(facts["hasSkill"]))),
            experience=tuple(sorted(set(experience[iri]), key=_experience_order)),
            education_level=_code(row["education"]), languages=dict(languages[iri]),
            licences=tuple(sorted({_code(v) or "" for v in facts["hasLicence"]})),
            municipality=_code(row["municipality"]),
            search_areas=tuple(sorted({_code(v) or "" for v in facts["searchArea"]})),
            working_time=_code(row["workingTime"]), contract=_code(row["contract"]),
            description=_text(row["description"]), updated=_date(row["updated"]),
            status=status, seeking_since=since, birth_year=born.get(person),
        ))
    return sorted(_unique(seekers, "profile"), key=lambda s: s.profile)


def _experience_order(e: Experience) -> tuple:
    return (e.end is not None, e.end or date.max, e.start or date.min, e.occupation)


def extract_date(store: GraphStore, sources: GraphSources | None = None) -> date | None:
    """The day the current marketplace extract was taken (its tyo:extractedAt)."""
    sources = sources or current_sources(store)
    graph = sources.graphs.get(MARKETPLACE)
    if graph is None:
        return None
    rows = store.select(bind(load("extract_date"), graph=graph),
                        dataset=Dataset(named=(META_GRAPH,))).rows
    return max((d for (at,) in rows if (d := _date(at)) is not None), default=None)


def read_regions(store: GraphStore, sources: GraphSources | None = None) -> dict[str, str]:
    """Municipality code -> region (maakunta) code, from the code lists."""
    sources = sources or current_sources(store)
    return {_code(r["municipality"]) or "": _code(r["region"]) or ""
            for r in _select(store, "municipality_regions", sources.dataset("codelists"))}


__all__ = ["GraphKind", "GraphSources", "current_sources", "extract_date", "read_postings",
           "read_regions", "read_seekers"]
