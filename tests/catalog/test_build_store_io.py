"""The catalogue graph in the store: registered as its own kind, replaced whole and
atomically, read back; refreshed (assembled, validated, written) with a report."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from rdflib import Graph, Literal, URIRef

from catalog.iris import CATALOG, CATALOGUE_GRAPH
from catalog.models import model_iri
from catalog.refresh import refresh_catalogue
from catalog.store_io import read_catalogue, write_catalogue, write_model
from catalog.terms import DCAT, DCT
from core.pseudonyms import PERSON_NS
from graph_service.products.definition import load_products
from graph_service.store.base import Dataset
from graph_service.store.factory import open_store
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import GraphKind, read_directory, register_graph
from tests.catalog.conftest import write_sample_product
from tests.catalog.test_describe_model import sample_model


@pytest.fixture(scope="module")
def store(loaded, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    root = tmp_path_factory.mktemp("catalogue-store")
    shutil.copytree(loaded.store_path, root / "store")
    opened = OxigraphStore(root / "store")
    yield opened
    opened.close()


def count(store: OxigraphStore) -> int:
    table = store.select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                         dataset=Dataset(default=(CATALOGUE_GRAPH,)))
    return int(table.rows[0][0])


def test_refresh_builds_validates_and_writes_the_catalogue(store, vocab_dir, all_products,
                                                          build_time):
    assert len(read_catalogue(store)) == 0
    report = refresh_catalogue(store, products=all_products, now=build_time, vocab_dir=vocab_dir)
    assert report.written and report.conforms
    assert report.counts["series"] == 11 and report.counts["datasets"] == 11
    assert report.counts["products"] == len(all_products)
    assert report.counts["services"] == 3
    assert report.counts["measurements"] > 40 and report.counts["distributions"] > 15
    assert report.to_json()["violations"] == []
    assert set(report.seconds) == {"build", "validate", "write"}
    assert read_directory(store).kind_of(CATALOGUE_GRAPH) is GraphKind.CATALOGUE
    assert count(store) == report.counts["triples"]
    print(f"\nrefresh: {report.counts['triples']} triples, "
          + ", ".join(f"{k} {v:.2f} s" for k, v in report.seconds.items()))


def test_a_rewrite_replaces_the_catalogue_and_keeps_when_it_was_first_issued(store, build_time):
    first = read_catalogue(store)
    issued = first.value(URIRef(CATALOG), DCT.issued)
    stale = Graph()
    stale += first
    stale.add((URIRef(CATALOG), DCT.alternative, Literal("a stale triple")))
    write_catalogue(store, stale)
    assert (URIRef(CATALOG), DCT.alternative, Literal("a stale triple")) in read_catalogue(store)
    later = build_time + timedelta(days=3)
    report = refresh_catalogue(store, products={}, now=later, validate=False)
    again = read_catalogue(store)
    assert report.written and report.validation is None
    assert (URIRef(CATALOG), DCT.alternative, None) not in again
    assert again.value(URIRef(CATALOG), DCT.issued) == issued
    assert again.value(URIRef(CATALOG), DCT.modified).toPython() == later
    assert set(again) == set(read_catalogue(store))  # read back as written


def test_readers_never_see_half_a_catalogue(store, read_store, build_time):
    from catalog.build import assemble

    small = assemble(read_store, products={}, now=build_time).graph
    large = Graph()
    large += small
    for i in range(3000):
        large.add((URIRef(f"{CATALOG}/padding/{i}"), DCT.title, Literal(f"padding {i}")))
    sizes = {len(small), len(large)}
    write_catalogue(store, small)
    seen: list[int] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.append(count(store))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(10):
            write_catalogue(store, large)
            write_catalogue(store, small)
    finally:
        done.set()
        reader.join()
    print(f"\n{len(seen)} reads during 20 writes: {sorted(set(seen))}")
    assert set(seen) <= sizes, sorted(set(seen) - sizes)[:5]
    assert set(seen) == sizes  # the reads did interleave with the writes


def test_refresh_with_require_valid_keeps_the_previous_catalogue(store, tmp_path, vocab_dir,
                                                                  build_time):
    before = refresh_catalogue(store, products={}, now=build_time, vocab_dir=vocab_dir)
    assert before.conforms and before.written
    write_sample_product(tmp_path, more_description=(  # a theme from no EU table
        "<> dcat:theme <https://example.org/themes/jobs> .\n"))
    report = refresh_catalogue(store, products=load_products(root=tmp_path), now=build_time,
                               vocab_dir=vocab_dir, require_valid=True)
    assert report.conforms is False and not report.written
    assert any("example.org/themes/jobs" in (f.value or "") for f in report.validation.violations)
    assert count(store) == before.counts["triples"]


def test_model_graphs_are_catalogued_unless_they_name_a_person(store, vocab_dir, build_time):
    graph = write_model(store, "work-ability-risk", sample_model(version="0.9"))
    assert write_model(store, "work-ability-risk", sample_model()) == graph  # retrained
    assert read_directory(store).kind_of(graph) is GraphKind.MODEL
    leaky = sample_model(name="leaky-model").serialize(format="nt") + (
        f'<https://tyodata.fi/catalog/model/leaky-model> <{DCT.subject}> '
        f'<{PERSON_NS}abcdefghijklmnopqrstuvwxyz> .\n')
    leaky_graph = register_graph(store, GraphKind.MODEL, name="leaky-model", data=leaky)
    report = refresh_catalogue(store, products={}, now=build_time, vocab_dir=vocab_dir)
    assert report.counts["models"] == 1 and report.conforms
    assert report.skipped_models == {leaky_graph: "names a person"}
    catalogue = read_catalogue(store)
    model = URIRef(model_iri("work-ability-risk"))
    assert [str(v) for v in catalogue.objects(model, DCAT.version)] == ["1.0"]  # replaced
    assert (URIRef(CATALOG), DCAT.resource, model) in catalogue
    text = catalogue.serialize(format="nt")
    assert "leaky-model" not in text and PERSON_NS not in text
    with pytest.raises(ValueError, match="lower-case"):
        write_model(store, "../identity", sample_model())


def test_the_catalogue_is_written_and_read_over_the_sparql_protocol(oxigraph_server, build_time):
    remote = open_store(None, endpoint=oxigraph_server)  # a SPARQL 1.1 server, nothing ingested
    try:
        register_graph(remote, GraphKind.MODEL, name="work-ability-risk",
                       data=sample_model().serialize(format="nt"))
        first = refresh_catalogue(remote, products={}, now=build_time, validate=False)
        second = refresh_catalogue(remote, products={}, now=build_time + timedelta(hours=1),
                                   validate=False)
        graph = read_catalogue(remote)
        assert first.written and second.written and first.counts["models"] == 1
        assert read_directory(remote).kind_of(CATALOGUE_GRAPH) is GraphKind.CATALOGUE
        assert len(graph) == second.counts["triples"]  # replaced, not added to
        modified = graph.value(URIRef(CATALOG), DCT.modified).toPython()
        assert modified == build_time + timedelta(hours=1)
        assert graph.value(URIRef(CATALOG), DCT.issued).toPython() == build_time
    finally:
        remote.close()
