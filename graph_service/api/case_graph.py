"""The client's case graph: what a case worker saved on purpose, apart from registry facts.

One case graph per person (``GraphKind.CASE``, registered like the other per-person
graphs: ``<graph> dpv:hasDataSubject <person>``, dropped when the person is erased). It
holds work-ability forecasts that a worker chose to save, each marked as a model output
with PROV-O: which model and version generated it, when, for which organisation and by
which worker; it is never a registry fact (no ``tyo:concernsPerson``, no extract graph)::

    <https://tyodata.fi/id/forecast/<uuid>> a tyo:WorkAbilityForecast, prov:Entity ;
        dpv:hasDataSubject <person> ;
        tyo:riskScore 0.1834 ; tyo:trafficLight "amber" ;
        tyo:amberThreshold 0.12 ; tyo:redThreshold 0.21 ; tyo:indexDate "2026-02-01" ;
        tyo:forecastFactor <.../factor/1>, ... ;     # name, value, impact, rank
        prov:generatedAtTime "..."^^xsd:dateTime ;
        prov:wasAttributedTo <https://tyodata.fi/org/city/helsinki> ;
        prov:wasGeneratedBy <.../activity> .
    <.../activity> a prov:Activity ;
        prov:used <https://tyodata.fi/catalog/model/work-ability-forecast> ;
        tyo:modelVersion "2026-11-28T01-30-00Z" ;
        prov:wasAssociatedWith <https://tyodata.fi/id/case-worker/city%3Ahelsinki/anna>,
                               <https://tyodata.fi/org/city/helsinki> ;
        prov:endedAtTime "..."^^xsd:dateTime .
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV

from core.pseudonyms import person_iri
from graph_service.policy.consent import organisation_iri, organisation_of
from graph_service.policy.visibility import Reader, dataset_for
from graph_service.queries import bind, rq_loader
from graph_service.store.base import GraphStore
from graph_service.store.registry import (
    GraphDirectory,
    GraphKind,
    graphs_of_person,
    register_graph,
)
from graph_service.views.client_reported import agent_iri, recorded_by

load_query = rq_loader(__package__)
TYO = Namespace("https://tyodata.fi/ontology#")
DPV = Namespace("https://w3id.org/dpv#")
FORECAST_NS = "https://tyodata.fi/id/forecast/"
FORECAST_MODEL = "https://tyodata.fi/catalog/model/work-ability-forecast"
"""The model's catalogue item (MLDCAT-AP): what generated every saved forecast."""
_writing = threading.Lock()  # finding or creating a person's case graph is read-then-write


@dataclass(frozen=True)
class SavedFactor:
    name: str
    value: float | str
    impact: float


@dataclass(frozen=True)
class SavedForecast:
    """A forecast as the case graph holds it."""

    iri: str
    graph: str
    risk: float
    light: str
    amber: float
    red: float
    index_date: date
    model: str
    model_version: str
    generated_at: datetime
    organisation: str
    saved_by: str
    factors: list[SavedFactor] = field(default_factory=list)


def _decimal(value: float) -> Literal:
    return Literal(Decimal(str(round(float(value), 6))), datatype=XSD.decimal)


def forecast_graph(*, person: str, forecast: str, risk: float, light: str, amber: float,
                   red: float, index_date: date, model_version: str,
                   factors: Sequence[tuple[str, float | str, float]], organisation: str,
                   subject: str, at: datetime) -> Graph:
    """The RDF of one saved forecast (``factors``: name, value, impact; most influential
    first)."""
    node, activity = URIRef(forecast), URIRef(f"{forecast}/activity")
    org, agent = URIRef(organisation_iri(organisation)), URIRef(agent_iri(organisation, subject))
    g = Graph()
    g.add((node, RDF.type, TYO.WorkAbilityForecast))
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, DPV.hasDataSubject, URIRef(person)))
    g.add((node, TYO.riskScore, _decimal(risk)))
    g.add((node, TYO.trafficLight, Literal(light)))
    g.add((node, TYO.amberThreshold, _decimal(amber)))
    g.add((node, TYO.redThreshold, _decimal(red)))
    g.add((node, TYO.indexDate, Literal(index_date.isoformat(), datatype=XSD.date)))
    g.add((node, PROV.generatedAtTime, Literal(at.isoformat(), datatype=XSD.dateTime)))
    g.add((node, PROV.wasAttributedTo, org))
    g.add((node, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.used, URIRef(FORECAST_MODEL)))
    g.add((activity, TYO.modelVersion, Literal(model_version)))
    g.add((activity, PROV.wasAssociatedWith, agent))
    g.add((activity, PROV.wasAssociatedWith, org))
    g.add((activity, PROV.endedAtTime, Literal(at.isoformat(), datatype=XSD.dateTime)))
    g.add((agent, RDF.type, TYO.CaseWorker))
    for rank, (name, value, impact) in enumerate(factors, start=1):
        factor = URIRef(f"{forecast}/factor/{rank}")
        g.add((node, TYO.forecastFactor, factor))
        g.add((factor, TYO.featureName, Literal(name)))
        if isinstance(value, str):
            g.add((factor, TYO.featureCategory, Literal(value)))
        else:
            g.add((factor, TYO.featureValue, _decimal(value)))
        g.add((factor, TYO.impact, _decimal(impact)))
        g.add((factor, TYO.rank, Literal(rank)))
    return g


def save_forecast(store: GraphStore, person: str, *, risk: float, light: str, amber: float,
                  red: float, index_date: date, model_version: str,
                  factors: Sequence[tuple[str, float | str, float]], organisation: str,
                  subject: str, at: datetime) -> tuple[str, str]:
    """Save one forecast in ``person``'s case graph (created on first use); its IRI and
    the graph's."""
    person = person_iri(person)
    forecast = FORECAST_NS + str(uuid.uuid4())
    data = forecast_graph(person=person, forecast=forecast, risk=risk, light=light,
                          amber=amber, red=red, index_date=index_date,
                          model_version=model_version, factors=factors,
                          organisation=organisation, subject=subject,
                          at=at).serialize(format="nt")
    with _writing:
        graphs = graphs_of_person(store, person, [GraphKind.CASE])
        if graphs:
            graph = graphs[0]
            store.update(f"INSERT DATA {{ GRAPH <{graph}> {{\n{data}\n}} }}")
        else:
            graph = register_graph(store, GraphKind.CASE, person=person, data=data)
    return forecast, graph


def saved_forecasts(store: GraphStore, directory: GraphDirectory, person: str
                    ) -> list[SavedForecast]:
    """The forecasts saved in ``person``'s case graph, newest first, each with its factors
    (most influential first)."""
    person = person_iri(person)
    dataset = dataset_for(Reader.CASE_WORK, directory)
    found: dict[str, SavedForecast] = {}
    for row in store.select(bind(load_query("saved_forecasts"), person=person),
                            dataset=dataset).dicts():
        key = str(row["forecast"])
        saved = found.get(key)
        if saved is None:
            saved = found[key] = SavedForecast(
                iri=key, graph=str(row["graph"]), risk=float(row["risk"].toPython()),
                light=str(row["light"]), amber=float(row["amber"].toPython()),
                red=float(row["red"].toPython()), index_date=row["index"].toPython(),
                model=str(row["model"]), model_version=str(row["version"]),
                generated_at=row["at"].toPython(),
                organisation=organisation_of(str(row["org"])),
                saved_by=recorded_by(str(row["agent"])))
        if row["name"] is not None:
            value = row["value"].toPython()
            saved.factors.append(SavedFactor(str(row["name"]), value if isinstance(value, str)
                                             else float(value), float(row["impact"].toPython())))
    return sorted(found.values(), key=lambda s: (s.generated_at, s.iri), reverse=True)
