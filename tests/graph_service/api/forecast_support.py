"""What the forecast's API and page tests share: a service home over a copy of the
``forecast_home`` fixture's store (generated, ingested and trained for real), its model
folder read in place, and the personas' ids under that home's pseudonym key."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from core.settings import Settings
from forecasting.person import person_features
from graph_service.store.base import GraphStore
from tests.conftest import ForecastHome

TYO = "https://tyodata.fi/ontology#"


def forecast_settings(forecast_home: ForecastHome, root: Path) -> Settings:
    """Settings of a service over a copy of the trained home's store (the tests write
    consents and saved forecasts; the session's home stays as it was), its pseudonym key
    and its trained models read in place."""
    shutil.copytree(forecast_home.settings.store_path, root / "store")
    return Settings(home=root, store=root / "store",
                    pseudonym_key_file=forecast_home.settings.key_path,
                    forecast_dir=forecast_home.settings.forecast_path,
                    esco_dir=forecast_home.settings.esco_dir,
                    sparql_max_result_bytes=200_000, sparql_timeout_s=20)


def person_ids(forecast_home: ForecastHome, *codes: str) -> list[str]:
    """The pseudonymous ids of identity codes, under the home's key."""
    pseudonymize = forecast_home.pseudonymizer()
    return [pseudonymize(code) for code in codes]


def without_open_period(store: GraphStore, today: date) -> str:
    """A person the registries know who has no open job-seeking period today."""
    rows = store.select(f"SELECT DISTINCT ?p WHERE {{ GRAPH ?g {{ ?p a <{TYO}Person> }} }} "
                        "ORDER BY ?p LIMIT 400").rows
    for (person,) in rows:
        if person_features(store, str(person), today=today) is None:
            return str(person)
    raise AssertionError("every person has an open job-seeking period")


def forecast_entities(store: GraphStore) -> dict[str, int]:
    """Graph -> how many work-ability forecasts it holds, over every graph of the store."""
    rows = store.select(f"SELECT ?g (COUNT(?f) AS ?n) WHERE {{ GRAPH ?g {{ "
                        f"?f a <{TYO}WorkAbilityForecast> }} }} GROUP BY ?g").rows
    return {str(g): int(n.toPython()) for g, n in rows}
