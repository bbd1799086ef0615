"""End to end: generate -> ingest -> SPARQL, on real ESCO and generated extracts."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from core.pseudonyms import Pseudonymizer
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.queries import bind_iri, load
from graph_service.store.base import Dataset
from graph_service.store.oxigraph_store import OxigraphStore
from graph_service.store.registry import (
    IDENTITY_GRAPH,
    META_GRAPH,
    current_graphs,
    read_directory,
    source_iri,
)
from synthetic import PERSONAS
from tests.conftest import KEY, Loaded, run_ingest
from tests.leaks import identity_codes

TYO = "https://tyodata.fi/ontology#"


def test_every_source_loaded_and_rows_accounted_for(loaded: Loaded):
    report = loaded.report
    assert report.ok, [s.error for s in report.sources]
    by_source = {s.source: s for s in report.sources}
    expected = {"kela", "tyollisyyspalvelut", "koski", "migri", "vtj", "hyvinvointialue",
                "ulosotto", "tyomarkkinatori", "esco", "ontology", "codelists"}
    assert set(by_source) == expected
    for s in report.sources:
        assert s.status == "loaded" and s.triples > 0, s.source
        for name, counts in s.files.items():
            assert counts.rows_read == counts.rows_loaded + counts.rows_rejected, (s.source, name)
            assert counts.rows_read > 0, (s.source, name)
    with (loaded.root / "rejects.csv").open(encoding="utf-8") as handle:
        rejects = list(csv.DictReader(handle))
    assert len(rejects) == sum(s.rows_rejected for s in report.sources)
    assert all(r["reason"] and r["line"].isdigit() for r in rejects)
    assert not any(identity_codes(r["reason"]) for r in rejects), "a reason repeats a code"


def test_every_injected_fault_is_rejected(loaded: Loaded):
    faults = json.loads((loaded.extracts / "faults.json").read_text())
    by_source = {s.source: s for s in loaded.report.sources}
    with (loaded.root / "rejects.csv").open(encoding="utf-8") as handle:
        reasons = [r["reason"] for r in csv.DictReader(handle)]
    kinds = {reason.split(":")[0] for reason in reasons}
    for wanted in ("invalid identity code", "unknown code", "end before start",
                   "missing required field", "duplicate key", "malformed row", "wrong encoding"):
        assert wanted in kinds, f"no row rejected for {wanted}"
    injected = _fault_counts(faults)
    for (source, file), count in injected.items():
        rejected = by_source[source].files[file].rows_rejected
        assert rejected >= count, (source, file, rejected, count)


def _fault_counts(faults: dict) -> dict[tuple[str, str], int]:
    """(source, file) -> number of faulty rows, whatever faults.json's nesting."""
    counts: dict[tuple[str, str], int] = {}
    for source, files in faults.items():
        if not isinstance(files, dict):
            continue
        for file, kinds in files.items():
            if isinstance(kinds, dict):
                counts[(source, file)] = sum(int(v) for v in kinds.values())
    return counts


def test_personas_facts_across_all_sources(loaded: Loaded):
    store = loaded.open()
    dataset = dataset_for(Reader.REGISTRY, read_directory(store))
    for persona in PERSONAS:
        iri = loaded.pseudonymize.iri(persona.hetu)
        rows = store.select(bind_iri(load("person_sources"), "person", iri), dataset=dataset)
        sources = {str(r["source"]).rsplit("/", 1)[-1] for r in rows.dicts()}
        assert {"vtj", "kela", "tyollisyyspalvelut", "koski"} <= sources, sources
        for row in rows.dicts():
            assert str(row["graph"]).startswith("https://tyodata.fi/graph/")
            assert "eu/gdpr#A6-1-e" in str(row["legalBasis"])
    mother, student = (loaded.pseudonymize.iri(p.hetu) for p in PERSONAS)
    assert store.ask(bind_iri(f"""PREFIX tyo: <{TYO}>
        ASK WHERE {{ ?permit tyo:concernsPerson ?p ;
            tyo:permitType <https://tyodata.fi/code/permit-type/B> ;
            tyo:extensionPending true .
          ?m tyo:concernsPerson ?p ; tyo:householdRelation
             <https://tyodata.fi/code/household-relation/LAPSI> }}""", "p", mother),
        dataset=dataset)
    children = store.select(bind_iri(f"""PREFIX tyo: <{TYO}>
        SELECT (COUNT(?m) AS ?n) WHERE {{ ?m tyo:concernsPerson ?p ;
          tyo:householdRelation <https://tyodata.fi/code/household-relation/LAPSI> }}""",
        "p", mother), dataset=dataset)
    assert int(children.rows[0][0]) == 3
    # Sickness allowance precedes rehabilitation; vocational studies were interrupted.
    assert store.ask(bind_iri(f"""PREFIX tyo: <{TYO}>
        ASK WHERE {{
          ?s a tyo:SicknessAllowancePeriod ; tyo:concernsPerson ?p ; tyo:startDate ?sick .
          ?r a tyo:RehabilitationPeriod ; tyo:concernsPerson ?p ; tyo:startDate ?rehab ;
             tyo:rehabilitationType <https://tyodata.fi/code/rehabilitation-type/AMMATILLINEN> .
          ?k a tyo:StudyRight ; tyo:concernsPerson ?p ;
             tyo:studyRightType <https://tyodata.fi/code/study-right-type/ammatillinenkoulutus> ;
             tyo:studyRightStatus ?status .
          FILTER(?sick < ?rehab)
          FILTER(?status IN (<https://tyodata.fi/code/study-right-status/katsotaaneronneeksi>,
                 <https://tyodata.fi/code/study-right-status/valiaikaisestikeskeytynyt>,
                 <https://tyodata.fi/code/study-right-status/eronnut>))
        }}""", "p", student), dataset=dataset)
    store.close()


def test_esco_is_first_class(loaded: Loaded):
    store = loaded.open()
    dataset = dataset_for(Reader.REGISTRY, read_directory(store))
    counts = store.select("""
        SELECT ?class (COUNT(?c) AS ?n) WHERE { ?c a ?class
          FILTER(?class IN (<http://data.europa.eu/esco/model#Occupation>,
                            <http://data.europa.eu/esco/model#Skill>)) } GROUP BY ?class""",
        dataset=dataset)
    got = {str(c).rsplit("#", 1)[-1]: int(n) for c, n in counts.rows}
    assert got == {"Occupation": 3007, "Skill": 13896}
    # Postings link to real ESCO occupations with Finnish labels, and to their skills.
    assert store.ask("""PREFIX tyo: <https://tyodata.fi/ontology#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        ASK { ?post a tyo:JobPosting ; tyo:occupation ?occ .
              ?occ skos:prefLabel ?fi FILTER(lang(?fi) = "fi")
              ?occ <http://data.europa.eu/esco/model#relatedEssentialSkill> ?skill .
              ?req tyo:requirementOf ?post ; tyo:skill ?skill }""", dataset=dataset)
    store.close()


def test_provenance_of_each_extract(loaded: Loaded):
    store = loaded.open()
    table = store.select(f"""PREFIX tyo: <{TYO}> PREFIX prov: <http://www.w3.org/ns/prov#>
        PREFIX dpv: <https://w3id.org/dpv#>
        SELECT ?g ?read ?loaded ?rejected ?triples ?extracted ?at ?basis WHERE {{
          GRAPH <{META_GRAPH}> {{ ?g tyo:extractStatus tyo:Current ; tyo:rowsRead ?read ;
            tyo:rowsLoaded ?loaded ; tyo:rowsRejected ?rejected ; tyo:tripleCount ?triples ;
            prov:generatedAtTime ?at ; prov:wasAttributedTo ?org ; prov:wasGeneratedBy ?act ;
            tyo:extractedAt ?extracted ; dpv:hasLegalBasis ?basis }} }}""")
    rows = {str(r["g"]): r for r in table.dicts()}
    for s in loaded.report.sources:
        if s.source in ("esco", "ontology", "codelists"):
            continue
        row = rows[s.graph]
        assert (int(row["read"]), int(row["loaded"]), int(row["rejected"]), int(row["triples"])) \
            == (s.rows_read, s.rows_loaded, s.rows_rejected, s.triples)
    store.close()


def test_no_identity_code_outside_the_identity_graph(loaded: Loaded):
    store = loaded.open()
    everything = store.query_serialized(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <%s>) }"
        % IDENTITY_GRAPH,
        "application/n-triples").decode()
    assert everything.count("\n") > 10_000
    assert not identity_codes(everything)
    # ...while the identity graph does hold them, and the default view never shows it.
    identities = store.select(f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH "
                              f"<{IDENTITY_GRAPH}> {{ ?s ?p ?o }} }}").rows[0][0]
    persons = store.select(f"""PREFIX tyo: <{TYO}> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{
        {{ ?x tyo:concernsPerson ?p }} UNION {{ ?p a tyo:Person }} }}""",
        dataset=dataset_for(Reader.REGISTRY, read_directory(store))).rows[0][0]
    assert int(identities) == int(persons) > 390  # every person, and only them
    hidden = store.select(f"SELECT * WHERE {{ GRAPH <{IDENTITY_GRAPH}> {{ ?s ?p ?o }} }}",
                          dataset=dataset_for(Reader.REGISTRY, read_directory(store)))
    assert hidden.rows == []
    store.close()
    assert not any(identity_codes(line) for line in loaded.log)
    assert not any(identity_codes(p.name) for p in loaded.root.rglob("*"))


def _dump_current(store: OxigraphStore) -> set[str]:
    graphs = current_graphs(store).values()
    data = store.query_serialized("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }",
                                  "application/n-triples", dataset=Dataset(default=tuple(graphs)))
    return set(data.decode().splitlines())


def test_same_extract_twice_changes_nothing(loaded: Loaded, esco_dir: Path, tmp_path: Path):
    copy = tmp_path / "store"
    shutil.copytree(loaded.store_path, copy)
    store = OxigraphStore(copy)
    before, graphs_before = _dump_current(store), current_graphs(store)
    report = run_ingest(loaded.extracts, store, tmp_path, [], esco_dir=esco_dir)
    assert {s.status for s in report.sources} == {"unchanged"}
    assert current_graphs(store) == graphs_before
    assert _dump_current(store) == before
    store.close()


def test_a_failed_source_keeps_the_previous_graph(loaded: Loaded, esco_dir: Path,
                                                    tmp_path: Path):
    copy = tmp_path / "store"
    shutil.copytree(loaded.store_path, copy)
    broken = tmp_path / "extracts"
    shutil.copytree(loaded.extracts / "migri", broken / "migri")
    (broken / "migri" / "oleskeluluvat.csv").write_text("lupa_id;hetu\n1;2\n", encoding="utf-8")
    store = OxigraphStore(copy)
    before = current_graphs(store)
    report = run_ingest(broken, store, tmp_path, [], esco_dir=esco_dir)
    migri = next(s for s in report.sources if s.source == "migri")
    assert migri.status == "failed" and "header lacks column" in (migri.error or "")
    assert current_graphs(store) == before
    store.close()


def test_mapped_rdf_breaking_a_shape_never_becomes_current(loaded: Loaded, esco_dir: Path,
                                                      tmp_path: Path):
    from mappings.ingest import _load_prepared, _plan, prepare_source
    from mappings.sources import load_sources
    from ontology.files import shapes_for

    source = load_sources()["ulosotto"]
    # A shape the mapping cannot meet: every case must name its own sub-type.
    shapes = tmp_path / "strict.ttl"
    shapes.write_text(shapes_for("ulosotto").read_text() + """
<https://example.org/strict> a <http://www.w3.org/ns/shacl#NodeShape> ;
  <http://www.w3.org/ns/shacl#targetClass> <https://tyodata.fi/ontology#EnforcementCase> ;
  <http://www.w3.org/ns/shacl#property> [
    <http://www.w3.org/ns/shacl#path> <https://example.org/subType> ;
    <http://www.w3.org/ns/shacl#minCount> 1 ] .
""")
    copy = tmp_path / "store"
    shutil.copytree(loaded.store_path, copy)
    store = OxigraphStore(copy)
    before = current_graphs(store)
    prepared = prepare_source(source, loaded.extracts / "ulosotto", tmp_path, Pseudonymizer(KEY),
                              esco_dir)
    planned = _plan(OxigraphStore(None), source, loaded.extracts / "ulosotto", "other-key")
    graph = planned.graph
    report = _load_prepared(store, planned, prepared, started=None, t0=0.0, log=print,
                            keep_intermediate=False, shapes=shapes)
    assert report.violations == prepared.files["asiat.csv"].rows_loaded > 0
    assert report.violation_examples[0].constraint == "minCount"
    assert report.status == "failed" and "previous extract stays current" in (report.error or "")
    assert current_graphs(store) == before and graph not in store.named_graphs()
    store.close()


def test_graphs_that_are_not_extracts_survive_ingest(loaded: Loaded, esco_dir: Path,
                                                     tmp_path: Path):
    """Consents, client-reported facts, feedback, catalogue and models have lifecycles of
    their own: a new extract supersedes the old one, and garbage collection removes the
    old extract graph but nothing else."""
    from graph_service.store.registry import GraphKind, register_graph

    copy = tmp_path / "store"
    shutil.copytree(loaded.store_path, copy)
    store = OxigraphStore(copy)
    person = Pseudonymizer(KEY).iri(PERSONAS[0].hetu)
    kept = [register_graph(store, kind, person=person, data="<urn:a> <urn:b> 1 .")
            for kind in (GraphKind.CONSENT, GraphKind.CLIENT_REPORTED, GraphKind.FEEDBACK)]
    kept += [register_graph(store, GraphKind.CATALOGUE, name="main", data="<urn:c> <urn:d> 1 ."),
             register_graph(store, GraphKind.MODEL, name="m1", data="<urn:e> <urn:f> 1 .")]
    newer = tmp_path / "extracts"
    shutil.copytree(loaded.extracts / "ulosotto", newer / "ulosotto")
    cases = newer / "ulosotto" / "asiat.csv"
    cases.write_text("\n".join(cases.read_text(encoding="utf-8").splitlines()[:-3]) + "\n",
                     encoding="utf-8")  # three cases fewer: a different extract
    old = current_graphs(store)[source_iri("ulosotto")]
    report = run_ingest(newer, store, tmp_path, [], esco_dir=esco_dir)
    assert next(s for s in report.sources if s.source == "ulosotto").status == "loaded"
    assert report.graphs_dropped == 1 and old not in store.named_graphs()
    assert set(kept) <= set(store.named_graphs())
    for graph in kept:
        assert store.ask(f"ASK {{ GRAPH <{graph}> {{ ?s ?p 1 }} }}")
    store.close()
