"""The policy graph in a real store: loaded once by default, replaced whole in one
transaction with its history, never changed by a refused upload, readable by everyone,
and compiled once per version (a change counts at once in-process, and at the next
reading of the graph directory when another process made it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import XSD, Graph
from rdflib import Literal as RdfLiteral
from rdflib.compare import isomorphic

from graph_service.policy.odrl import DEFAULT_POLICY, PolicyInvalid
from graph_service.policy.policy_graph import (
    POLICY_GRAPH,
    content_hash,
    current_version,
    ensure_default_policy,
    parse_policy,
    policy_graph,
    policy_history,
    policy_set,
    replace_policy,
)
from graph_service.policy.sections import Section
from graph_service.policy.situation_policy import situation_decisions
from graph_service.policy.tokens import Principal
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.queries import Literal, bind, rq_loader
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    DirectoryCache,
    GraphKind,
    collect_garbage,
    read_directory,
)
from tests.conftest import Loaded

load_query = rq_loader("graph_service.policy")
DEFAULT = DEFAULT_POLICY.read_text(encoding="utf-8")
PERSON = "https://tyodata.fi/id/person/" + "b" * 26
CITY = Principal("c", "city:helsinki", ("case_worker",), 0)
# The city may no longer read the basic section: the steward's change of the matrix.
NO_CITY_BASIC = DEFAULT.replace("sit:basic a odrl:Set ;\n    odrl:profile tyo-odrl: ;\n"
                                "    odrl:permission sit:basic-kela, sit:basic-city .",
                                "sit:basic a odrl:Set ;\n    odrl:profile tyo-odrl: ;\n"
                                "    odrl:permission sit:basic-kela .").replace(
    "sit:basic-city a odrl:Permission ;", "sit:basic-city-retired a odrl:Rule ;")


def plain(graph: Graph) -> Graph:
    """``graph`` with xsd:string literals written plain (RDF 1.1: the same literal; the
    store answers them typed)."""
    result = Graph()
    for s, p, o in graph:
        if isinstance(o, RdfLiteral) and o.datatype == XSD.string:
            o = RdfLiteral(str(o))
        result.add((s, p, o))
    return result


def same(a: Graph, b: Graph) -> bool:
    return isomorphic(plain(a), plain(b))


@pytest.fixture
def store(tmp_path: Path):
    with OxigraphStore(tmp_path / "store") as opened:
        yield opened


def basic_for_city(store: OxigraphStore, directory) -> bool:
    [decision] = situation_decisions(store, directory, CITY, "case-management", PERSON,
                                     [Section.BASIC])
    return decision.permit


def test_the_default_is_loaded_once_as_a_policy_graph(store: OxigraphStore):
    first = ensure_default_policy(store)
    assert first is not None and first.version == 1 and first.revision_of is None
    assert ensure_default_policy(store) is None  # there is one: left alone
    directory = read_directory(store)
    assert directory.kind_of(POLICY_GRAPH) is GraphKind.POLICY
    assert same(policy_graph(store), Graph().parse(data=DEFAULT, format="turtle"))
    # never garbage-collected, and in every reader's dataset (anyone may read it)
    assert POLICY_GRAPH not in collect_garbage(store)
    for reader in (Reader.PUBLIC, Reader.REGISTRY, Reader.CASE_WORK):
        assert POLICY_GRAPH in dataset_for(reader, directory).default


def test_a_read_only_store_without_a_policy_denies_everything(tmp_path: Path):
    OxigraphStore(tmp_path / "s").close()
    with OxigraphStore(tmp_path / "s", read_only=True) as read_only:
        assert ensure_default_policy(read_only) is None
        [decision] = situation_decisions(read_only, read_directory(read_only), CITY,
                                         "case-management", PERSON, [Section.BASIC])
        assert not decision.permit and decision.reason == "no access policy is loaded"


def test_a_replacement_is_a_new_version_with_its_history(store: OxigraphStore):
    ensure_default_policy(store)
    second = replace_policy(store, NO_CITY_BASIC, by="anna", organisation="dvv")
    assert (second.version, second.loaded_by, second.organisation) == (2, "anna", "dvv")
    assert second.revision_of == "https://tyodata.fi/id/policy-version/situation/1"
    assert second.content_hash == content_hash(parse_policy(NO_CITY_BASIC))
    history = policy_history(store)
    assert [v.version for v in history] == [2, 1]
    assert history[1].loaded_by == "tyodata (default policy)"
    assert same(policy_graph(store), parse_policy(NO_CITY_BASIC))  # nothing old left


def test_the_hash_is_the_content_not_the_writing():
    reformatted = parse_policy(DEFAULT).serialize(format="turtle")
    assert reformatted != DEFAULT
    assert content_hash(parse_policy(reformatted)) == content_hash(parse_policy(DEFAULT))


def test_a_refused_policy_changes_nothing(store: OxigraphStore):
    ensure_default_policy(store)
    before, triples = current_version(store), len(policy_graph(store))
    with pytest.raises(PolicyInvalid):
        replace_policy(store, DEFAULT.replace("odrl:action odrl:read", "odrl:action odrl:use"),
                       by="anna", organisation="dvv")
    assert current_version(store) == before and len(policy_graph(store)) == triples
    assert basic_for_city(store, read_directory(store))


def test_a_change_in_this_process_counts_from_the_very_next_decision(store: OxigraphStore):
    ensure_default_policy(store)
    directory = DirectoryCache(store, ttl=3600)  # the same reading throughout
    assert basic_for_city(store, directory)
    replace_policy(store, NO_CITY_BASIC, by="anna", organisation="dvv")
    assert not basic_for_city(store, directory)
    replace_policy(store, DEFAULT, by="anna", organisation="dvv")
    assert basic_for_city(store, directory)


def test_the_policy_is_compiled_once_per_version(store: OxigraphStore):
    ensure_default_policy(store)
    reading = read_directory(store)
    first = policy_set(store, reading)
    assert policy_set(store, reading) is first  # same reading: nothing read again
    assert policy_set(store, read_directory(store)) is first  # new reading, same version
    replace_policy(store, DEFAULT, by="anna", organisation="dvv")  # same content, version 3
    assert policy_set(store, reading).version == 2


def test_a_change_by_another_process_counts_at_the_next_directory_reading(
        store: OxigraphStore):
    """Another process writes the store directly (here: the same update, sent without this
    process's cache knowing). Decisions made with the reading in hand still use the old
    policy; the next reading, which the service's DirectoryCache makes at most every 2 s,
    sees the new version."""
    ensure_default_policy(store)
    reading = read_directory(store)
    assert basic_for_city(store, reading)
    graph = parse_policy(NO_CITY_BASIC)
    update = bind(load_query("replace_policy"),
                  at=Literal("2030-01-01T00:00:00+00:00",
                             "http://www.w3.org/2001/XMLSchema#dateTime"),
                  by=Literal("elsewhere"), organisation=Literal("dvv"),
                  hash=Literal(content_hash(graph)))
    store.update(update + f" ;\nINSERT DATA {{ GRAPH <{POLICY_GRAPH}> {{\n"
                 f"{graph.serialize(format='nt')}\n}} }}")
    assert basic_for_city(store, reading)  # the bound: until the next reading
    assert not basic_for_city(store, read_directory(store))
    assert current_version(store).loaded_by == "elsewhere"


def test_ingest_loads_the_default_policy(loaded: Loaded):
    with loaded.open() as store:
        version = current_version(store)
        assert version is not None and version.version == 1
        assert same(policy_graph(store), Graph().parse(data=DEFAULT, format="turtle"))
