"""The data-minimisation list is complete and the queries read nothing else."""

from __future__ import annotations

import re
from importlib import resources

from forecasting.features import (
    ALL_QUERIES,
    EVALUATION_ONLY,
    FEATURES,
    FILES,
    GRAPH_VARIABLES,
    MODEL_QUERIES,
    load,
)
from forecasting.minimisation import listed_terms, minimisation_list, report_features

TYO = re.compile(r"\btyo:(\w+)")
CODE = re.compile(r"<https://tyodata\.fi/code/([^>]+)>")
FULL_IRI = re.compile(r"<(https?://[^>]+)>")


def query_text(name: str) -> str:
    """The query without its comment lines and prologue."""
    lines = [line for line in load(name).splitlines()
             if not line.lstrip().startswith(("#", "PREFIX"))]
    return "\n".join(lines)


def test_every_rq_file_is_known():
    shipped = {p.name.removesuffix(".rq")
               for p in resources.files("forecasting.features").iterdir()
               if p.name.endswith(".rq")}
    assert shipped == set(FILES)


def test_the_list_names_exactly_the_features_and_the_evaluation_only_ones():
    entries = minimisation_list()["feature"]
    names = [e["name"] for e in entries]
    assert names == [*FEATURES, *EVALUATION_ONLY]
    for entry in entries:
        expected = "evaluation only" if entry["name"] in EVALUATION_ONLY else "model input"
        assert entry["use"] == expected
        assert entry["why"].strip() and entry["source"] in GRAPH_VARIABLES


def test_every_term_a_query_reads_is_listed():
    listed = listed_terms()
    for name in FILES:
        text = query_text(name)
        used = {f"tyo:{t}" for t in TYO.findall(text)} | set(CODE.findall(text))
        assert used <= listed, f"{name}.rq reads {sorted(used - listed)}, not in features.toml"
        others = [iri for iri in FULL_IRI.findall(text)
                  if not iri.startswith("https://tyodata.fi/code/")]
        assert others == [], f"{name}.rq names other IRIs: {others}"


def test_each_query_reads_only_the_graphs_of_its_listed_registry():
    graph_of = {variable: source for source, variable in GRAPH_VARIABLES.items()}
    listed = {e["query"]: e["source"] for e in minimisation_list()["feature"]}
    for query in ALL_QUERIES:
        text = query_text(query.name)
        graphs = {graph_of[v] for v in re.findall(r"GRAPH \?(\w+)", text)}
        assert graphs == set(query.sources)
        if query.name in listed:
            assert listed[query.name] in query.sources
        variable_predicates = [line for line in text.splitlines()
                               if re.match(r"\s*\?\w+\s+\?\w+\s", line)]
        assert variable_predicates == [], f"{query.name}.rq reads any property"


def test_sex_is_never_a_model_input_nor_read_for_a_forecast():
    assert "sex" not in FEATURES
    for query in MODEL_QUERIES:
        assert "tyo:sex" not in query_text(query.name)
    assert "tyo:sex" not in query_text("seeking_periods")


def test_report_features_carry_source_and_reason():
    rows = report_features()
    assert [r["name"] for r in rows] == [*FEATURES, *EVALUATION_ONLY]
    assert all(r["source"] and r["why"] and "\n" not in r["why"] for r in rows)
    sex = next(r for r in rows if r["name"] == "sex")
    assert sex["use"] == "evaluation only" and "tyo:sex" in sex["source"]
