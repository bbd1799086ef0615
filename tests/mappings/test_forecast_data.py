"""The work-ability forecast's data after a real generate + ingest: the outcomes (TKE / KT
decisions with their monthly amounts) and the persons' sex reach the graph; the truth file
beside the extracts never does."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from decimal import Decimal

from graph_service.policy.visibility import Reader, dataset_for
from graph_service.store.registry import read_directory
from tests.conftest import Loaded

TYO = "https://tyodata.fi/ontology#"
CODE = "https://tyodata.fi/code/"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def _truth(loaded: Loaded) -> list[dict[str, str]]:
    with (loaded.extracts / "_evaluation" / "forecast_truth.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_the_truth_file_is_beside_the_extracts_but_no_source(loaded: Loaded):
    truth = _truth(loaded)
    assert len(truth) > 100 and any(r["outcome"] == "1" for r in truth)
    sources = {s.source for s in loaded.report.sources}
    assert "_evaluation" not in sources and "kela" in sources
    assert not any("_evaluation" in line or "forecast_truth" in line for line in loaded.log)


def test_no_graph_holds_a_truth_value(loaded: Loaded):
    truth = _truth(loaded)
    store = loaded.open()
    everything = store.query_serialized(
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "application/n-triples"
    ).decode()
    graphs = store.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }").dicts()
    store.close()
    assert everything.count("\n") > 10_000
    assert "forecast_truth" not in everything and "_evaluation" not in everything
    assert not any("_evaluation" in str(g["g"]) for g in graphs)
    probabilities = {f'"{r["probability"]}"' for r in truth}
    literals = {
        token for line in everything.splitlines() for token in line.split(" ")
        if token.startswith('"')
    }
    assert not any(literal.split("^^")[0] in probabilities for literal in literals)


def test_outcomes_monthly_amounts_and_sex_reach_the_graph(loaded: Loaded):
    truth = {loaded.pseudonymize.iri(r["hetu"]): r for r in _truth(loaded)}
    store = loaded.open()
    dataset = dataset_for(Reader.REGISTRY, read_directory(store))
    decisions = store.select(f"""PREFIX tyo: <{TYO}>
        SELECT ?person ?type ?start ?end ?amount (DATATYPE(?amount) AS ?datatype) WHERE {{
          ?d a tyo:BenefitDecision ; tyo:concernsPerson ?person ; tyo:benefitType ?type ;
             tyo:decision <{CODE}decision/MYON> ; tyo:startDate ?start ;
             tyo:monthlyAmount ?amount .
          OPTIONAL {{ ?d tyo:endDate ?end }}
          FILTER(?type IN (<{CODE}benefit-type/TKE>, <{CODE}benefit-type/KT>))
        }}""", dataset=dataset).dicts()
    sexes = store.select(f"""PREFIX tyo: <{TYO}>
        SELECT ?person ?sex WHERE {{ ?person a tyo:Person ; tyo:sex ?sex }}""",
        dataset=dataset).dicts()
    labels = store.select(f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?concept ?label WHERE {{
          VALUES ?concept {{ <{CODE}benefit-type/TKE> <{CODE}benefit-type/KT>
                            <{CODE}sex/1> <{CODE}sex/2> }}
          GRAPH ?codelists {{ ?concept skos:prefLabel ?label }} }}""").dicts()
    persons = store.select(f"""PREFIX tyo: <{TYO}>
        SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE {{ ?p a tyo:Person }}""",
        dataset=dataset).rows[0][0]
    store.close()

    assert decisions and {str(d["datatype"]) for d in decisions} == {XSD_DECIMAL}
    qualifying: dict[str, int] = {}
    for d in decisions:
        person = str(d["person"])
        assert person in truth, "a disability benefit of someone outside the cohort"
        entry = date.fromisoformat(truth[person]["entry_date"])
        start = date.fromisoformat(str(d["start"]))
        end = date.fromisoformat(str(d["end"])) if d.get("end") is not None else None
        if (
            Decimal(str(d["amount"])) >= 300
            and entry + timedelta(days=90) < start <= entry + timedelta(days=730)
            and (end is None or end >= start + timedelta(days=122))
        ):
            qualifying[person] = qualifying.get(person, 0) + 1
    positives = {p for p, r in truth.items() if r["outcome"] == "1"}
    assert set(qualifying) <= positives  # no member without the outcome has one
    # every member with the outcome has it, but for the few rows the injected faults spoil
    assert len(set(qualifying)) >= 0.8 * len(positives) and len(positives) >= 5

    sex_of = {str(s["person"]): str(s["sex"]) for s in sexes}
    assert len(sex_of) == int(persons)  # every person in the register has exactly one
    assert set(sex_of.values()) == {f"{CODE}sex/1", f"{CODE}sex/2"}
    wanted = {"female": f"{CODE}sex/2", "male": f"{CODE}sex/1"}
    for person, row in truth.items():
        if person in sex_of:
            assert sex_of[person] == wanted[row["sex"]]

    found = {(str(r["concept"]).rsplit("/", 1)[1], r["label"].language) for r in labels}
    assert {("TKE", "fi"), ("TKE", "en"), ("KT", "fi"), ("KT", "en"),
            ("1", "en"), ("2", "fi")} <= found
