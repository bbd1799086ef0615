"""The forecast panel of the client's situation page, in the reader's language.

What it shows, from what the API's forecast flows answered (``routes.forecast``: decided
by the same decision point, audited the same way):

- the consent state for the forecast's purpose, from the consents the page read anyway
  (``forecast_policy.forecast_consent``, the decision point's own rule), with a form that
  records the client's consent through the consent panel's route;
- "form a forecast" and "show the saved forecasts" (plain forms: no script);
- a forecast just formed: the traffic light in colour, in words and as a shape; the risk;
  the factors that raised and lowered it in plain words with their impacts; "open
  details" (what the model uses, its quality beside the best possible, its limits, that
  it supports the worker and never decides); "save to the client's case";
- the saved forecasts, when asked for, each marked as a model output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from graph_service.api.problems import Problem
from graph_service.api.routes.forecast import (
    FactorOut,
    ForecastOut,
    ModelOut,
    SavedForecastOut,
)
from graph_service.policy.consent import INDICATION_METHODS
from graph_service.policy.consent_record import ConsentRecord, organisation_kind
from graph_service.policy.decision import FORECAST_PURPOSE
from graph_service.policy.forecast_policy import (
    CONSENT_ROLE,
    FORECAST_SECTIONS,
    forecast_consent,
)
from graph_service.policy.tokens import Principal
from graph_service.web.i18n import Catalogue

LIGHTS = ("green", "amber", "red")
# Problems of the forecast flows the panel explains itself (the rest are page errors).
PANEL_PROBLEMS = {"consent-required": "forecast.error.consent",
                  "no-model": "forecast.error.no_model",
                  "no-index-date": "forecast.error.no_period",
                  "outside-population": "forecast.error.outside",
                  "person-data": "forecast.error.person_data",
                  "forecast-unavailable": "forecast.error.unavailable",
                  "model-changed": "forecast.error.model_changed"}


@dataclass(frozen=True)
class Light:
    """A traffic light never told by colour alone: a colour, a shape and words."""

    light: str  # green, amber or red: the colour and the shape (circle, triangle, square)
    word: str
    meaning: str


@dataclass(frozen=True)
class FactorLine:
    label: str
    value: str
    effect: str  # "raises the risk strongly", in words
    impact: str  # the log-odds contribution, signed


@dataclass(frozen=True)
class QualityRow:
    label: str
    model: str
    ceiling: str


@dataclass(frozen=True)
class ModelDetails:
    """"Open details": what the model is, uses and achieves, and its limits."""

    version: str
    algorithm: str
    uses: list[tuple[str, str]]  # input, why it is needed
    quality: list[QualityRow]
    share: str  # the model's PR AUC as a share of the best possible, or ""
    trained_on: str


@dataclass(frozen=True)
class ForecastView:
    light: Light
    risk: str
    index_date: str
    thresholds: str
    raised: list[FactorLine]
    lowered: list[FactorLine]
    model_version: str


@dataclass(frozen=True)
class SavedView:
    light: Light
    risk: str
    generated_at: str
    index_date: str
    model_version: str
    organisation: str
    saved_by: str
    raised: list[FactorLine]
    lowered: list[FactorLine]


@dataclass(frozen=True)
class ConsentForm:
    """The hidden choices of the forecast's consent (its purpose, the sections the model
    reads, this worker's party) and the visible ones (how given, until when)."""

    purpose: str
    sections: list[tuple[str, str]]
    recipient: str
    recipient_text: str
    methods: list[tuple[str, str]]
    tomorrow: str


@dataclass(frozen=True)
class ForecastPanel:
    consent_state: str  # "given", or a withheld code: needs_consent, consent_withdrawn, ...
    consent_text: str
    consent_form: ConsentForm
    details: ModelDetails | None  # None: no model is trained
    forecast: ForecastView | None = None
    saved: list[SavedView] | None = None  # None: not asked for
    error: str | None = None  # a message key
    notice: str | None = None  # a message key


def percent(messages: Catalogue, share: float | None, places: int = 0) -> str:
    """A share as a percentage in the reader's way (``23 %``, ``7,5 %``)."""
    if share is None:
        return "–"
    value = round(share * 100, places)
    if float(value).is_integer():
        places = 0  # 13 %, not 13,0 %
    return f"{messages.number(round(value, places), places)}\u00a0%"


def light_of(messages: Catalogue, light: str) -> Light:
    light = light if light in LIGHTS else "green"
    return Light(light, messages.text(f"forecast.light.{light}"),
                 messages.text(f"forecast.light.{light}.meaning"))


def _value_text(messages: Catalogue, name: str, value: float | str) -> str:
    if isinstance(value, str):
        return messages.text_or(f"forecast.value.{name}.{value}", value)
    if name in ("rehabilitation", "labour_market_subsidy"):
        return messages.boolean(bool(value))
    if name == "annual_earnings":
        return f"{messages.number(round(float(value)), 0)}\u00a0€"
    return messages.number(round(float(value)) if float(value).is_integer() else
                           round(float(value), 1), None if float(value).is_integer() else 1)


def factor_lines(messages: Catalogue, factors: list[FactorOut]) -> list[FactorLine]:
    lines = []
    for factor in factors:
        direction = "raises" if factor.impact > 0 else "lowers"
        lines.append(FactorLine(
            label=messages.text_or(f"forecast.feature.{factor.name}", factor.words),
            value=_value_text(messages, factor.name, factor.value),
            effect=messages.text(f"forecast.effect.{direction}.{factor.strength}"),
            impact=("+" if factor.impact > 0 else "−")
            + messages.number(round(abs(factor.impact), 2), 2)))
    return lines


def model_details(messages: Catalogue, model: ModelOut) -> ModelDetails:
    quality = model.quality

    def figure(value: float | None, places: int = 2) -> str:
        return "–" if value is None else messages.number(round(value, places), places)

    share = ""
    if quality.pr_auc is not None and quality.ceiling_pr_auc:
        share = percent(messages, quality.pr_auc / quality.ceiling_pr_auc)
    return ModelDetails(
        version=model.version,
        algorithm=model.algorithm or "–",
        uses=[(messages.text_or(f"forecast.feature.{f.get('name', '')}", f.get("name", "")),
               messages.text_or(f"forecast.why.{f.get('name', '')}", f.get("why", "")))
              for f in model.uses],
        quality=[QualityRow(messages.text("forecast.quality.roc_auc"),
                            figure(quality.roc_auc), figure(quality.ceiling_roc_auc)),
                 QualityRow(messages.text("forecast.quality.pr_auc"),
                            figure(quality.pr_auc), figure(quality.ceiling_pr_auc)),
                 QualityRow(messages.text("forecast.quality.brier"),
                            figure(quality.brier, 3), "–"),
                 QualityRow(messages.text("forecast.quality.prevalence"),
                            percent(messages, quality.prevalence, 1), "")],
        share=share,
        trained_on="–" if model.trained_on is None else messages.number(model.trained_on))


def forecast_view(messages: Catalogue, forecast: ForecastOut) -> ForecastView:
    t = forecast.thresholds
    return ForecastView(
        light=light_of(messages, forecast.light), risk=percent(messages, forecast.risk),
        index_date=messages.date(forecast.index_date),
        thresholds=messages.text(
            "forecast.thresholds", amber=percent(messages, t.amber, 1),
            red=percent(messages, t.red, 1), amber_fpr=percent(messages, t.amber_fpr, 1),
            red_fpr=percent(messages, t.red_fpr, 1),
            amber_recall=percent(messages, t.amber_recall),
            red_recall=percent(messages, t.red_recall)),
        raised=factor_lines(messages, forecast.raised),
        lowered=factor_lines(messages, forecast.lowered),
        model_version=forecast.model_version)


def saved_view(messages: Catalogue, saved: SavedForecastOut) -> SavedView:
    return SavedView(
        light=light_of(messages, saved.light), risk=percent(messages, saved.risk),
        generated_at=messages.datetime(saved.generated_at),
        index_date=messages.date(saved.index_date), model_version=saved.model_version,
        organisation=saved.organisation, saved_by=saved.saved_by,
        raised=factor_lines(messages, saved.raised),
        lowered=factor_lines(messages, saved.lowered))


def consent_form(messages: Catalogue, principal: Principal, today: date) -> ConsentForm:
    kind = organisation_kind(principal.organisation)
    recipient = f"{kind}/{CONSENT_ROLE}"
    return ConsentForm(
        purpose=FORECAST_PURPOSE,
        sections=[(s.value, messages.text(f"section.{s.value}")) for s in FORECAST_SECTIONS],
        recipient=recipient,
        recipient_text=messages.text_or(f"recipient.{kind}.{CONSENT_ROLE}", recipient),
        methods=[(m, messages.text(f"consent.method.{m}")) for m in INDICATION_METHODS],
        tomorrow=(today + timedelta(days=1)).isoformat())


def panel(messages: Catalogue, principal: Principal, person: str,
          consents: list[ConsentRecord], now: datetime, today: date, *,
          model: ModelOut | None, forecast: ForecastOut | None = None,
          saved: list[SavedForecastOut] | None = None, error: str | None = None,
          notice: str | None = None) -> ForecastPanel:
    """The panel: the consent state (the decision point's rule over the consents the page
    read), the model's details, and what the worker asked for."""
    ruling = forecast_consent(consents, person, principal, now)
    state = "given" if ruling.permit else (ruling.withheld.value if ruling.withheld
                                           else "needs_consent")
    given = next((c for c in consents if c.id == ruling.consent), None)
    when = (given.given_at if given else None) or ruling.withheld_on
    return ForecastPanel(
        consent_state=state,
        consent_text=messages.text(f"forecast.consent.{state}",
                                   date=messages.date(when) if when else ""),
        consent_form=consent_form(messages, principal, today),
        details=model_details(messages, model) if model is not None else None,
        forecast=forecast_view(messages, forecast) if forecast is not None else None,
        saved=[saved_view(messages, s) for s in saved] if saved is not None else None,
        error=error, notice=notice)


def problem_key(problem: Problem) -> str | None:
    """The panel's message for a refusal it explains itself, else None (a page error)."""
    return PANEL_PROBLEMS.get(problem.kind)
