"""The per-person forecast over HTTP with a model trained for real (the ``forecast_home``
fixture): with the client's consent, the answer is the model's own forecast (risk, light,
thresholds from its threshold table, factors, explanation, version, index date), audited
once with the model version, and stored nowhere; saved on request, it lands in the
client's case graph only, marked as a model output, and reads back; a retrained model
refuses a stale save; a client without an open job-seeking period is 409; erasing the
person drops the case graph."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.pseudonyms import PERSON_NS
from forecasting.features import FEATURES
from forecasting.model_store import load_current
from forecasting.person import person_features
from graph_service.api.app import create_app
from graph_service.policy.consent import consents_of, give_forecast_consent, withdraw_consent
from graph_service.policy.decision import FORECAST_PURPOSE
from graph_service.policy.forecast_policy import FORECAST_BASIS
from graph_service.policy.tokens import issue, load_or_create_signing_key
from graph_service.store.registry import GraphKind, erase_person, graphs_of_person
from graph_service.views.situation import today_in_finland
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import ForecastHome
from tests.graph_service.api.forecast_support import (
    forecast_entities,
    forecast_settings,
    person_ids,
    without_open_period,
)
from tests.leaks import identity_codes


class Service:
    def __init__(self, client: TestClient, home: ForecastHome, mother: str, dropout: str
                 ) -> None:
        self.client, self.home = client, home
        self.mother, self.dropout = mother, dropout
        self.services = client.app.state.services
        self.store = self.services.store

    def headers(self, organisation: str = "city:helsinki") -> dict[str, str]:
        key = load_or_create_signing_key(self.services.settings.signing_key_path)
        token = issue(key, subject="anna", organisation=organisation, roles=["case_worker"])
        return {"Authorization": f"Bearer {token}", "X-Purpose": FORECAST_PURPOSE}

    def records(self) -> list[dict]:
        return list(self.services.audit.records())

    def post(self, person_id: str, path: str = "/forecast", **kwargs):
        before = len(self.records())
        response = self.client.post(f"/api/persons/{person_id}{path}", headers=self.headers(),
                                    **kwargs)
        added = self.records()[before:]
        assert len(added) == 1, [r["action"] for r in added]
        assert not identity_codes(response.text) and not identity_codes(str(added[0]))
        return response, added[0]


@pytest.fixture(scope="module")
def service(forecast_home: ForecastHome, tmp_path_factory: pytest.TempPathFactory):
    settings = forecast_settings(forecast_home, tmp_path_factory.mktemp("forecast-api"))
    mother, dropout = person_ids(forecast_home, MOTHER.hetu, DROPOUT.hetu)
    with TestClient(create_app(settings)) as client:
        made = Service(client, forecast_home, mother, dropout)
        for person in (mother, dropout):
            give_forecast_consent(made.store, PERSON_NS + person, organisation="city:helsinki",
                                  recorded_by="anna")
        yield made


def test_the_answer_is_the_models_forecast_with_its_thresholds_and_factors(service: Service):
    response, _ = service.post(service.mother)
    assert response.status_code == 200, response.text
    body = response.json()
    model = load_current(service.home.settings.forecast_path)
    assert model is not None and body["model_version"] == model.version
    assert body["model_version"] == service.home.run.version
    features = person_features(service.store, PERSON_NS + service.mother,
                               today=today_in_finland(datetime.now(UTC)))
    expected = model.forecast(features)
    assert body["risk"] == pytest.approx(expected.risk, abs=1e-4)
    assert body["light"] == expected.light
    assert body["index_date"] == expected.index_date.isoformat() == features.index.isoformat()
    # the light is the risk against the thresholds of the model's threshold table
    light = model.report["traffic_light"]
    thresholds = body["thresholds"]
    assert (thresholds["amber"], thresholds["red"]) == (light["amber"], light["red"])
    assert (thresholds["amber_fpr"], thresholds["red_fpr"]) == (0.13, 0.075)
    table = {row["fpr_target"]: row["recall"]
             for row in model.report["models"][model.report["chosen"]]["thresholds"]}
    assert thresholds["red_recall"] == pytest.approx(table[0.075])
    assert thresholds["amber_recall"] == pytest.approx(table[0.13])
    assert "threshold table" in thresholds["chosen_by"]
    risk = body["risk"]
    assert body["light"] == ("red" if risk >= light["red"] else
                             "amber" if risk >= light["amber"] else "green")
    # every factor is a model input, raised ones raise, lowered ones lower, strongest first
    factors = body["raised"] + body["lowered"]
    assert {f["name"] for f in factors} <= set(FEATURES) and factors
    assert all(f["impact"] > 0 for f in body["raised"])
    assert all(f["impact"] < 0 for f in body["lowered"])
    for side in (body["raised"], body["lowered"]):
        assert [abs(f["impact"]) for f in side] == sorted((abs(f["impact"]) for f in side),
                                                          reverse=True)
    own = {f.name: f.impact for f in expected.factors}
    assert all(f["impact"] == pytest.approx(own[f["name"]], abs=1e-4) for f in factors)
    assert "never decides a service" in body["explanation"]
    assert body["model"]["quality"]["pr_auc"] == pytest.approx(
        model.report["models"][model.report["chosen"]]["pr_auc"]["value"])
    assert body["model"]["iri"] == "https://tyodata.fi/catalog/model/work-ability-forecast"


def test_a_forecast_is_audited_once_with_the_model_version_and_stored_nowhere(service):
    graphs_before = set(service.store.named_graphs())
    assert forecast_entities(service.store) == {}
    response, record = service.post(service.dropout)
    assert response.status_code == 200, response.text
    assert record["action"] == "forecast" and record["decision"] == "permit"
    assert record["person"] == PERSON_NS + service.dropout
    assert record["model_version"] == service.home.run.version
    assert record["legal_basis"] == " ".join(FORECAST_BASIS)
    consent = consents_of(service.store, PERSON_NS + service.dropout)[0]
    assert record["sections"] == [f"work-ability-forecast permit: consent {consent.id}"]
    # nothing of it in any graph: no forecast entity, no new graph, no case graph
    assert forecast_entities(service.store) == {}
    assert set(service.store.named_graphs()) == graphs_before
    assert graphs_of_person(service.store, PERSON_NS + service.dropout, [GraphKind.CASE]) == []


def test_saved_on_request_it_is_only_in_the_case_graph_as_a_model_output(service: Service):
    formed = service.post(service.mother)[0].json()
    response, record = service.post(service.mother, "/forecast/saved",
                                    json={"model_version": formed["model_version"]})
    assert response.status_code == 201, response.text
    saved = response.json()
    assert record["action"] == "save-forecast" and record["model_version"] == \
        formed["model_version"]
    [graph] = graphs_of_person(service.store, PERSON_NS + service.mother, [GraphKind.CASE])
    assert saved["saved"]["graph"] == graph
    assert forecast_entities(service.store) == {graph: 1}  # nowhere else
    assert (saved["risk"], saved["light"]) == (formed["risk"], formed["light"])
    listed = service.client.get(f"/api/persons/{service.mother}/forecast/saved",
                                headers=service.headers())
    assert listed.status_code == 200
    [read] = listed.json()
    assert read["iri"] == saved["saved"]["iri"] and read["light"] == formed["light"]
    assert read["risk"] == pytest.approx(formed["risk"], abs=1e-4)
    assert read["model"] == "https://tyodata.fi/catalog/model/work-ability-forecast"
    assert read["model_version"] == formed["model_version"]
    assert (read["organisation"], read["saved_by"]) == ("city:helsinki", "anna")
    assert [f["name"] for f in read["raised"]] == [f["name"] for f in formed["raised"]]


def test_a_save_of_a_forecast_from_another_model_version_is_refused(service: Service):
    before = forecast_entities(service.store)
    response, record = service.post(service.dropout, "/forecast/saved",
                                    json={"model_version": "2020-01-01T00-00-00Z"})
    assert response.status_code == 409 and response.json()["type"].endswith("/model-changed")
    assert record["action"] == "save-forecast"
    assert forecast_entities(service.store) == before


def test_a_client_without_an_open_job_seeking_period_is_409(service: Service):
    person = without_open_period(service.store, today_in_finland(datetime.now(UTC)))
    give_forecast_consent(service.store, person, organisation="city:helsinki",
                          recorded_by="anna")
    response, record = service.post(person.removeprefix(PERSON_NS))
    assert response.status_code == 409, response.text
    assert response.json()["type"].endswith("/no-index-date")
    assert "no open job-seeking period" in response.json()["detail"]
    assert record["decision"] == "permit"  # the access was permitted; no forecast formed


def test_saved_forecasts_need_the_consent_and_go_with_the_person(service: Service,
                                                                  tmp_path: Path):
    person = PERSON_NS + service.mother
    assert graphs_of_person(service.store, person, [GraphKind.CASE])
    for record in consents_of(service.store, person):
        if record.withdrawn_at is None:
            withdraw_consent(service.store, person, record.id, by="anna",
                             organisation="city:helsinki")
    refused = service.client.get(f"/api/persons/{service.mother}/forecast/saved",
                                 headers=service.headers())
    assert refused.status_code == 403 and "withdrawn" in refused.json()["detail"]
    done = erase_person(service.store, person)
    service.services.directory.invalidate()
    assert graphs_of_person(service.store, person, [GraphKind.CASE]) == []
    assert [g for g in done.graphs if "/graph/case/" in g]
    assert forecast_entities(service.store) == {}
