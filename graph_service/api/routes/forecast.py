"""The work-ability forecast of one client, with the client's consent: formed, saved in the
client's case on the worker's request, and read back.

- ``POST /api/persons/{id}/forecast`` forms the forecast and answers it; **nothing is
  stored**. The risk (0-1: the model's estimate of the chance of a work-disability benefit
  of at least EUR 300 a month for at least 4 months within two years of entering
  employment services), the traffic light with its thresholds and how they were chosen,
  the factors that raised and lowered this client's risk with their impacts, and the
  explanation: what the model is and is not. The forecast supports the case worker's
  conversation with the client; it never decides a service.
- ``POST /api/persons/{id}/forecast/saved`` forms it again and saves it in the client's
  case graph (``case_graph``: a model output with its model, version, time, organisation
  and worker, never a registry fact). The body names the model version the worker saw: a
  model retrained in between is 409, so what is saved is what the worker saw.
- ``GET /api/persons/{id}/forecast/saved``: the saved forecasts, newest first.

Each request is decided by the forecast's decision point (``policy.forecast_policy``): a
case worker declaring ``X-Purpose: work-ability-forecast`` (else 403), a person some
registry knows (else 404), and the client's valid consent to that purpose, read from the
store at every request (else 403 ``consent-required``, saying how to record it); there is
no legal-basis path. It leaves exactly one audit record, permit or deny (a malformed
person id too: 422, never echoed), naming the person, the consent it rests on
(``sections``) and, for a forecast formed or saved, the model version (``model_version``).
A permitted request's record is written once the model is loaded (so it names the
version; 503 ``no-model`` names the command that trains one), before any of the client's
features are read (409 without an open job-seeking period).

**Traffic light.** The thresholds come from the trained model's threshold table (the test
set's scores of the chosen model): red at the score where the false-positive rate is
7.5 % (the pilot's row "recall about 30 % at 7-8 %"), amber at 13 % (recall about 40 %),
green below amber. ``thresholds`` names both false-positive rates and the recall the test
set had at each, so a worker can read what a colour means.

**Factors.** Each factor is one of the model's inputs with this client's value and its
impact on the log-odds of the risk (positive raises, negative lowers), as the model
explains itself; ``strength`` puts the impact in words: ``strongly`` from 0.7 (the odds
about doubled or halved), ``moderately`` from 0.25, else ``slightly``.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from core.pseudonyms import PERSON_NS, PSEUDONYM
from forecasting.features import FEATURES
from graph_service.api.case_graph import (
    FORECAST_MODEL,
    SavedForecast,
    save_forecast,
    saved_forecasts,
)
from graph_service.api.deps import CurrentPrincipal, Purpose, Services, ServicesDep
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.policy.consent import consents_of
from graph_service.policy.decision import Action, Decision, audit_entry
from graph_service.policy.forecast_policy import (
    ForecastDecision,
    caller_ruling,
    forecast_consent,
)
from graph_service.policy.tokens import Principal
from graph_service.views.situation import person_known, today_in_finland

log = logging.getLogger("tyodata.forecast")
router = APIRouter(prefix="/api/persons", tags=["forecast"])
FORECAST = "/api/persons/{id}/forecast"
SAVED = FORECAST + "/saved"
TRAIN_COMMAND = "tyodata forecast train"
STRONG, MODERATE = 0.7, 0.25
"""Impact (log-odds) from which a factor raises or lowers the risk strongly, moderately."""
PersonIdText = Annotated[str, PathParam(
    description="The person's pseudonymous id (from /api/persons/lookup); never an "
                "identity code", max_length=64,
    json_schema_extra={"pattern": "^[a-z2-7]{26}$"})]
FEATURE_WORDS = {
    "sickness_periods": "sickness-allowance periods in the two years before",
    "sickness_days": "sickness-allowance days paid in the two years before",
    "rehabilitation": "vocational rehabilitation in the two years before",
    "interrupted_studies": "studies interrupted in the two years before entry",
    "employment_spells_ended": "job-seeking periods that ended in the two years before entry",
    "doctor_statements": "doctor's statements (B) in the two years before",
    "other_statements": "other medical statements in the two years before",
    "missed_appointments": "missed employment-service appointments since entry",
    "annual_earnings": "earnings of the year before entry (EUR)",
    "labour_market_subsidy": "labour market subsidy in the two years before",
    "age": "age at entry",
    "language": "language group (mother tongue)",
}
"""The model's inputs in plain English (the pages have them in Finnish and English)."""


class FactorOut(BaseModel):
    name: str = Field(description="The model input (a feature name)")
    words: str = Field(description="The input in plain words")
    value: float | str = Field(description="This client's value")
    impact: float = Field(description="Contribution to the log-odds of the risk: + raises, "
                                      "- lowers")
    strength: Literal["strongly", "moderately", "slightly"]


class ThresholdsOut(BaseModel):
    amber: float = Field(description="Risk from which the light is amber")
    red: float = Field(description="Risk from which the light is red")
    amber_fpr: float = Field(description="False-positive rate on the test set at amber")
    red_fpr: float = Field(description="False-positive rate on the test set at red")
    amber_recall: float | None = Field(description="Recall on the test set at amber")
    red_recall: float | None = Field(description="Recall on the test set at red")
    chosen_by: str = Field(description="How the thresholds were chosen")


class QualityOut(BaseModel):
    """The chosen model's test-set figures beside the ceiling (the true probabilities)."""

    roc_auc: float | None
    pr_auc: float | None
    brier: float | None
    ceiling_roc_auc: float | None
    ceiling_pr_auc: float | None
    prevalence: float | None = Field(description="Share of the cohort with the outcome")


class ModelOut(BaseModel):
    iri: str = Field(description="The model's catalogue item")
    version: str
    algorithm: str | None
    trained_on: int | None = Field(description="Persons in the training cohort")
    quality: QualityOut
    uses: list[dict[str, str]] = Field(description="Each model input: name, source, why "
                                                   "(the data-minimisation list)")


class SavedOut(BaseModel):
    iri: str = Field(description="The saved forecast's IRI in the client's case graph")
    graph: str
    generated_at: datetime
    organisation: str
    saved_by: str


class ForecastOut(BaseModel):
    person: str = Field(description="The person's pseudonymous IRI")
    risk: float = Field(ge=0, le=1, description="Estimated chance of the outcome (0-1)")
    light: Literal["green", "amber", "red"]
    thresholds: ThresholdsOut
    raised: list[FactorOut] = Field(description="Factors that raised the risk, strongest "
                                                "first")
    lowered: list[FactorOut] = Field(description="Factors that lowered the risk, strongest "
                                                 "first")
    explanation: str = Field(description="What the model is and is not")
    model_version: str
    index_date: date = Field(description="The day the forecast is formed for: three months "
                                         "into the current job-seeking period, or today")
    model: ModelOut
    saved: SavedOut | None = Field(default=None, description="Where it was saved, if it was")


class SavedForecastOut(BaseModel):
    iri: str
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
    raised: list[FactorOut]
    lowered: list[FactorOut]


class SaveRequest(BaseModel):
    model_version: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z:._-]+$",
                               description="The model version of the forecast the worker "
                                           "saw (its model_version)")


# -- the model ------------------------------------------------------------------------

_models: dict[Path, tuple[tuple, Any]] = {}
_loading = threading.Lock()


def _fingerprint(folder: Path) -> tuple:
    """What changes when a model is trained: the published version folders (a hidden one
    is still being written) and their times."""
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir()
                            if p.is_dir() and not p.name.startswith(".")))
    except OSError:
        return ()


def current_model(services: Services) -> Any:
    """The newest trained model (``forecasting.model_store.load_current``), loaded once per
    training; None when none is trained."""
    # Imported here: scikit-learn loads with the first forecast, not with every command.
    from forecasting.model_store import load_current

    folder = services.settings.forecast_path
    with _loading:
        key = _fingerprint(folder)
        cached = _models.get(folder)
        if cached is None or cached[0] != key:
            cached = _models[folder] = (key, load_current(folder) if key else None)
        return cached[1]


def described_model(services: Services) -> ModelOut | None:
    """What a page says about the current model ("open details"), or None when none is
    trained or it cannot be read (logged): the page shows either way."""
    from forecasting.errors import ForecastError

    try:
        model = current_model(services)
    except ForecastError as error:
        log.error("the forecast model cannot be read: %s", error)
        return None
    return None if model is None else model_out(model.report, model.version)


# -- what the answer says ---------------------------------------------------------------


def _strength(impact: float) -> Literal["strongly", "moderately", "slightly"]:
    size = abs(impact)
    return "strongly" if size >= STRONG else "moderately" if size >= MODERATE else "slightly"


def factors_out(factors: list[tuple[str, float | str, float]]
                ) -> tuple[list[FactorOut], list[FactorOut]]:
    """The factors that raised and that lowered the risk, strongest first (zero: neither)."""
    out = [FactorOut(name=name, words=FEATURE_WORDS.get(name, name.replace("_", " ")),
                     value=value, impact=round(impact, 4), strength=_strength(impact))
           for name, value, impact in sorted(factors, key=lambda f: -abs(f[2]))]
    return [f for f in out if f.impact > 0], [f for f in out if f.impact < 0]


def _value(figure: Any) -> float | None:
    if isinstance(figure, dict):
        figure = figure.get("value")
    return None if figure is None else float(figure)


def _recall_at(report: dict, fpr: float) -> float | None:
    chosen = report.get("models", {}).get(report.get("chosen", ""), {})
    rows = [r for r in chosen.get("thresholds", []) if abs(float(r["fpr_target"]) - fpr) < 1e-9]
    return float(rows[0]["recall"]) if rows else None


def thresholds_out(report: dict, amber: float, red: float) -> ThresholdsOut:
    light = report.get("traffic_light", {})
    amber_fpr, red_fpr = float(light.get("amber_fpr", 0.13)), float(light.get("red_fpr", 0.075))
    amber_recall, red_recall = _recall_at(report, amber_fpr), _recall_at(report, red_fpr)

    def recall(value: float | None) -> str:
        return "" if value is None else f", recall {value:.0%}"

    return ThresholdsOut(
        amber=amber, red=red, amber_fpr=amber_fpr, red_fpr=red_fpr, amber_recall=amber_recall,
        red_recall=red_recall,
        chosen_by=(f"from the model's threshold table on its test set: red from the score "
                   f"where {red_fpr:.1%} of clients without the outcome score higher"
                   f"{recall(red_recall)}; amber from {amber_fpr:.0%}{recall(amber_recall)}; "
                   "green below. The pilot's table: recall about 40 % at 13 %, 30 % at "
                   "7-8 %, 20 % at 2 %"))


def model_out(report: dict, version: str) -> ModelOut:
    models = report.get("models", {})
    chosen, ceiling = models.get(report.get("chosen", ""), {}), models.get("ceiling", {})
    data = report.get("data", {})
    return ModelOut(
        iri=FORECAST_MODEL, version=version,
        algorithm=report.get("model", {}).get("algorithm"),
        trained_on=data.get("train", {}).get("n"),
        quality=QualityOut(roc_auc=_value(chosen.get("roc_auc")),
                           pr_auc=_value(chosen.get("pr_auc")),
                           brier=_value(chosen.get("brier")),
                           ceiling_roc_auc=_value(ceiling.get("roc_auc")),
                           ceiling_pr_auc=_value(ceiling.get("pr_auc")),
                           prevalence=_value(data.get("prevalence"))),
        uses=[{k: str(v) for k, v in f.items() if k in ("name", "source", "why")}
              for f in data.get("features", []) if f.get("name") in FEATURES])


def explanation(model: ModelOut) -> str:
    """What the model is and is not, in words a case worker can pass on."""
    quality = model.quality
    figures = ""
    if quality.pr_auc is not None and quality.roc_auc is not None:
        figures = (f" On clients it had not seen, its ROC AUC was {quality.roc_auc:.2f} and "
                   f"its PR AUC {quality.pr_auc:.2f}")
        if quality.ceiling_pr_auc:
            figures += (f" (the best possible on the same data: {quality.ceiling_roc_auc:.2f} "
                        f"and {quality.ceiling_pr_auc:.2f})")
        figures += "."
    return (
        "This forecast estimates the chance that the client is granted a work-disability "
        "benefit (a disability pension or a rehabilitation subsidy of at least EUR 300 a "
        "month for at least 4 months) within two years of entering employment services. It "
        f"is a statistical model ({model.algorithm or 'a classifier'}) learnt from earlier "
        "clients' registry data; it reads only the inputs listed, dated before the "
        "forecast's index date, and nothing the client told." + figures + " It is not a "
        "diagnosis, not an assessment of the client's work ability and not a decision: it "
        "misses some clients who will need a disability benefit, and most clients it "
        "flags red will not. It supports the case worker's conversation with the client "
        "and never decides a service; the case worker and the client decide together.")


# -- the flows (the API's and the pages') -----------------------------------------------


def _audit(services: Services, principal: Principal, purpose: str | None, person: str | None,
           action: Action, resource: str, ruling: ForecastDecision, *,
           model_version: str | None = None, note: str | None = None) -> None:
    """The request's one audit record: the ruling, the consent it rests on, the model."""
    decision = ruling.decision()
    if note is not None:
        decision = Decision(decision.permit, f"{decision.reason}; {note}",
                            decision.legal_basis)
    services.audit.append(audit_entry(
        principal, purpose, action, resource=resource, decision=decision, person=person,
        sections=[ruling.audit_line()], model_version=model_version))


def _person(services: Services, principal: Principal, purpose: str | None, person_id: str,
            action: Action, resource: str) -> str:
    """The person's IRI; a malformed id is refused (422, audited, never echoed)."""
    if PSEUDONYM.fullmatch(person_id):
        return PERSON_NS + person_id
    reason = "the path does not hold a pseudonymous person id"
    _audit(services, principal, purpose, None, action, resource,
           ForecastDecision(False, reason))
    raise Problem(422, "Invalid person id", reason + ": use the id /api/persons/lookup "
                  "answers (26 letters a-z and digits 2-7), never an identity code",
                  "invalid-person")


def rule_on(services: Services, principal: Principal, purpose: str | None, person: str,
            action: Action, resource: str, now: datetime) -> ForecastDecision:
    """The decision point's ruling: the caller, then whether the registries know the
    person, then the person's consent read from the store now. A refusal is the request's
    one audit record and a Problem (403 saying what the worker can do, or 404)."""
    ruling = caller_ruling(principal, action, purpose)
    if ruling.permit and not person_known(services.store, services.directory.get(), person):
        reason = "no registry extract holds data on this person"
        _audit(services, principal, purpose, person, action, resource,
               ForecastDecision(False, reason))
        raise Problem(404, "Unknown person", reason, "unknown-person")
    if ruling.permit:
        ruling = forecast_consent(consents_of(services.store, person), person, principal, now)
    if not ruling.permit:
        _audit(services, principal, purpose, person, action, resource, ruling)
        raise Problem(403, "Forbidden", ruling.reason,
                      "consent-required" if ruling.withheld else "forbidden")
    return ruling


def _no_model() -> Problem:
    return Problem(503, "No forecast model", "no work-ability forecast model is trained yet: "
                   f"an administrator trains one with `{TRAIN_COMMAND}` (it reads the "
                   "ingested registry extracts)", "no-model")


def _formed(services: Services, principal: Principal, purpose: str | None, person: str,
            action: Action, resource: str, now: datetime
            ) -> tuple[Any, Any, ForecastDecision]:
    """Decide, audit once (with the model version), then form the forecast: (model,
    forecast, ruling). Problem: 403, 404, 409, 503."""
    from forecasting.errors import ForecastError, OutsidePopulationError, PersonDataError
    from forecasting.person import person_features

    ruling = rule_on(services, principal, purpose, person, action, resource, now)
    try:
        model = current_model(services)
    except ForecastError as error:  # a model folder that cannot be read
        log.error("the forecast model cannot be read: %s", error)  # the path: logs only
        _audit(services, principal, purpose, person, action, resource, ruling,
               note="the model could not be read: no forecast formed")
        raise Problem(503, "Forecast model unreadable", "the trained forecast model cannot "
                      f"be read: an administrator trains it again with `{TRAIN_COMMAND}`",
                      "no-model") from None
    if model is None:
        _audit(services, principal, purpose, person, action, resource, ruling,
               note="no model is trained: no forecast formed")
        raise _no_model()
    _audit(services, principal, purpose, person, action, resource, ruling,
           model_version=model.version)
    try:
        features = person_features(services.store, person, today=today_in_finland(now))
        if features is None:
            raise Problem(409, "No open job-seeking period", "the client has no open "
                          "job-seeking period: the forecast is formed for a client in "
                          "employment services, three months into (or so far into) their "
                          "current job-seeking period", "no-index-date")
        forecast = model.forecast(features)
    except OutsidePopulationError as error:
        raise Problem(409, "Outside the model's population", str(error),
                      "outside-population") from None
    except PersonDataError as error:
        raise Problem(409, "Too little data on this client", str(error),
                      "person-data") from None
    except ForecastError as error:  # e.g. a registry's extract missing from the store
        raise Problem(503, "Forecast unavailable", str(error),
                      "forecast-unavailable") from None
    return model, forecast, ruling


def _answer(person: str, model: Any, forecast: Any, saved: SavedOut | None = None
            ) -> ForecastOut:
    described = model_out(model.report, model.version)
    raised, lowered = factors_out([(f.name, f.value, f.impact) for f in forecast.factors])
    return ForecastOut(
        person=person, risk=round(float(forecast.risk), 4), light=forecast.light,
        thresholds=thresholds_out(model.report, float(forecast.thresholds.amber),
                                  float(forecast.thresholds.red)),
        raised=raised, lowered=lowered, explanation=explanation(described),
        model_version=forecast.model_version, index_date=forecast.index_date,
        model=described, saved=saved)


def form_forecast(services: Services, principal: Principal, purpose: str | None,
                  person: str) -> ForecastOut:
    """Form ``person``'s forecast (not stored): decided, audited once, answered."""
    model, forecast, _ = _formed(services, principal, purpose, person, Action.FORECAST,
                                 FORECAST, datetime.now(UTC))
    return _answer(person, model, forecast)


def save(services: Services, principal: Principal, purpose: str | None, person: str,
         model_version: str) -> ForecastOut:
    """Form ``person``'s forecast again with the model version the worker saw and save it
    in the client's case graph: decided, audited once."""
    now = datetime.now(UTC)
    model, forecast, _ = _formed(services, principal, purpose, person, Action.SAVE_FORECAST,
                                 SAVED, now)
    if forecast.model_version != model_version:
        raise Problem(409, "The model changed", "the forecast model was retrained after the "
                      "forecast was formed: form the forecast again, then save that one",
                      "model-changed")
    factors = [(f.name, f.value, float(f.impact)) for f in forecast.factors]
    iri, graph = save_forecast(
        services.store, person, risk=float(forecast.risk), light=forecast.light,
        amber=float(forecast.thresholds.amber), red=float(forecast.thresholds.red),
        index_date=forecast.index_date, model_version=forecast.model_version,
        factors=factors, organisation=principal.organisation, subject=principal.subject,
        at=now)
    services.directory.invalidate()  # a new case graph is registered in the meta graph
    return _answer(person, model, forecast, SavedOut(
        iri=iri, graph=graph, generated_at=now, organisation=principal.organisation,
        saved_by=principal.subject))


def saved_out(saved: SavedForecast) -> SavedForecastOut:
    raised, lowered = factors_out([(f.name, f.value, f.impact) for f in saved.factors])
    return SavedForecastOut(
        iri=saved.iri, risk=saved.risk, light=saved.light, amber=saved.amber, red=saved.red,
        index_date=saved.index_date, model=saved.model, model_version=saved.model_version,
        generated_at=saved.generated_at, organisation=saved.organisation,
        saved_by=saved.saved_by, raised=raised, lowered=lowered)


def read_saved(services: Services, principal: Principal, purpose: str | None,
               person: str) -> list[SavedForecastOut]:
    """The forecasts saved in the client's case graph, newest first: decided, audited."""
    action = Action.READ_SAVED_FORECASTS
    ruling = rule_on(services, principal, purpose, person, action, SAVED, datetime.now(UTC))
    _audit(services, principal, purpose, person, action, SAVED, ruling)
    return [saved_out(s) for s in saved_forecasts(services.store, services.directory.get(),
                                                  person)]


# -- routes -------------------------------------------------------------------------------

_MEANINGS = {
    403: "Not a case worker declaring X-Purpose work-ability-forecast (forbidden), or no "
         "valid consent of the client to the forecast (consent-required: never given, "
         "withdrawn or expired; the detail says how to record it); audited",
    404: "No current registry extract holds data on this person",
    409: "The client has no open job-seeking period (no-index-date), lies outside the "
         "population the model was trained on (outside-population), or the registries hold "
         "too little on them (person-data)",
    422: "The path holds no pseudonymous person id (never echoed), or an invalid body",
    503: "No forecast model is trained yet (no-model: the detail names the command), a "
         "registry the model reads has no current extract (forecast-unavailable), or the "
         "store or the audit log is unavailable",
}


@router.post("/{person_id}/forecast", response_model=ForecastOut,
             summary="Form the client's work-ability forecast, with their consent; not "
                     "stored (case work)",
             responses=problem_responses(403, 404, 409, 422, 502, 503, meaning=_MEANINGS))
def post_forecast(person_id: PersonIdText, services: ServicesDep,
                  principal: CurrentPrincipal, purpose: Purpose) -> ForecastOut:
    person = _person(services, principal, purpose, person_id, Action.FORECAST, FORECAST)
    return form_forecast(services, principal, purpose, person)


@router.post("/{person_id}/forecast/saved", response_model=ForecastOut, status_code=201,
             summary="Form the client's forecast and save it in the client's case graph, on "
                     "the worker's request (case work)",
             responses=problem_responses(403, 404, 409, 422, 502, 503, meaning={
                 **_MEANINGS, 409: _MEANINGS[409] + ", or the model was retrained after "
                 "the forecast the worker saw (model-changed)"}))
def post_saved(person_id: PersonIdText, body: SaveRequest, services: ServicesDep,
               principal: CurrentPrincipal, purpose: Purpose) -> ForecastOut:
    person = _person(services, principal, purpose, person_id, Action.SAVE_FORECAST, SAVED)
    return save(services, principal, purpose, person, body.model_version)


@router.get("/{person_id}/forecast/saved", response_model=list[SavedForecastOut],
            summary="The forecasts saved in the client's case graph, newest first (case "
                    "work, with the client's consent)",
            responses=problem_responses(403, 404, 422, 502, 503, meaning=_MEANINGS))
def get_saved(person_id: PersonIdText, services: ServicesDep, principal: CurrentPrincipal,
              purpose: Purpose) -> list[SavedForecastOut]:
    person = _person(services, principal, purpose, person_id, Action.READ_SAVED_FORECASTS,
                     SAVED)
    return read_saved(services, principal, purpose, person)


async def other_methods() -> None:
    """405 with the whole Allow: left to the router, a 405 came from the first route on the
    path (POST's) and its Allow left GET out."""
    raise HTTPException(405, headers={"Allow": "GET, HEAD, POST"})


router.add_api_route("/{person_id}/forecast/saved", other_methods, include_in_schema=False,
                     methods=["PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY"])
