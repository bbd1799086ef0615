"""`tyodata forecast`: train the work-ability forecast and catalogue it; show its report.

``train`` reads the cohort from the store (forecasting.train), writes the model, its report
and plots into ``$TYODATA_FORECAST_DIR/<version>/``, describes the model as MLDCAT-AP 3.1
with the pilot's model card (catalog.forecast_model), writes that as the model graph and
refreshes the catalogue. forecasting and catalog never import each other: this is where
they meet.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from core.errors import TyodataError
from core.settings import Settings
from tyodata.common import (
    EndpointOpt,
    StoreOpt,
    TokenOpt,
    err,
    errors,
    open_store_of,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from graph_service.store.base import GraphStore

forecast_app = typer.Typer(help="The work-ability forecast: train it (and catalogue it), "
                                "show its report.", no_args_is_help=True)
PILOT = {"roc_auc": "0.94", "pr_auc": "0.67", "brier": "", "recall_13": "~40 %",
         "recall_7.5": "~30 %", "recall_2": "~20 %"}
"""The pilot's own figures, beside ours (its report: ROC AUC 0.94, PR AUC 0.67; recall
about 40 % at 13 %, 30 % at 7-8 %, 20 % at 2 % false positives)."""
MODELS = ("dummy", "logistic", "boosted")
TRUTH_FILE = Path("_evaluation") / "forecast_truth.csv"
"""Where `tyodata generate` writes the cohort's true probabilities, under the extracts."""


class ForecastCommandError(TyodataError):
    """A `tyodata forecast` command cannot start (no store, no truth file, a bad date)."""


@dataclass
class Trained:
    """What `forecast train` did: the run's version and folder, its report, and whether
    the catalogue that now lists it conforms."""

    version: str
    directory: Path
    report: dict[str, Any]
    catalogue_conforms: bool | None
    violations: list[str] = field(default_factory=list)


# --- the table of figures ----------------------------------------------------------------

def _auc(found: Mapping[str, Any], *, interval: bool) -> str:
    text = f"{float(found['value']):.3f}"
    if interval:
        text += f" ({float(found['low']):.3f}-{float(found['high']):.3f})"
    return text


def _row_value(report: Mapping[str, Any], which: str, key: str, *, interval: bool) -> str:
    model = report["models"][which]
    if key in ("roc_auc", "pr_auc"):
        return _auc(model[key], interval=interval)
    if key == "brier":
        return f"{float(model['brier']):.4f}"
    rate = float(key.removeprefix("recall_")) / 100
    row = next(r for r in model["thresholds"] if abs(float(r["fpr_target"]) - rate) < 1e-9)
    return f"{float(row['recall']) * 100:.1f} %"


def _share(report: Mapping[str, Any], chosen: str, key: str) -> str:
    models = report["models"]
    if "ceiling" not in models:
        return ""
    ratio = report.get("ceiling_ratio") or {}
    if key in ratio and ratio[key] is not None:
        return f"{float(ratio[key]) * 100:.1f} %"
    if key == "brier":
        return ""
    # "40.0 %" -> 40.0
    mine, best = (float(_row_value(report, m, key, interval=False).split()[0])
                  for m in (chosen, "ceiling"))
    return f"{mine / best * 100:.1f} %" if best else ""


def quality_table(report: Mapping[str, Any]) -> Table:
    """The chosen model's test figures beside the other models', the ceiling's (the true
    probabilities) and the pilot's."""
    chosen = str(report["chosen"])
    others = [m for m in MODELS if m in report["models"] and m != chosen]
    has_ceiling = "ceiling" in report["models"]
    table = Table(title=f"Work-ability forecast {report['model']['version']}: test set "
                        f"({report['data']['test']['n']} persons, "
                        f"{report['data']['test']['positives']} with the outcome)")
    table.add_column("figure")
    table.add_column(f"{chosen} (chosen, 95 % CI)", justify="right")
    for other in others:
        table.add_column(other, justify="right")
    if has_ceiling:
        table.add_column("ceiling (true probabilities)", justify="right")
        table.add_column("share of ceiling", justify="right")
    table.add_column("pilot", justify="right")
    rows = (("ROC AUC", "roc_auc"), ("PR AUC", "pr_auc"), ("Brier score", "brier"),
            ("recall at FPR 13 %", "recall_13"), ("recall at FPR 7.5 %", "recall_7.5"),
            ("recall at FPR 2 %", "recall_2"))
    for title, key in rows:
        cells = [title, _row_value(report, chosen, key, interval=True)]
        cells += [_row_value(report, m, key, interval=False) for m in others]
        if has_ceiling:
            cells += [_row_value(report, "ceiling", key, interval=True),
                      _share(report, chosen, key)]
        table.add_row(*cells, PILOT[key])
    return table


def print_report(report: Mapping[str, Any], console: Console = out) -> None:
    """The quality table and the verdict on the acceptance criterion."""
    from catalog.forecast_model import ACCEPTANCE_SHARE

    console.print(quality_table(report))
    data = report["data"]
    console.print(f"cohort {data['cohort']} persons entering {data['train']['entries_from']} "
                  f"to {data['test']['entries_to']} ({float(data['prevalence']) * 100:.1f} % "
                  f"with the outcome); trained in "
                  f"{float(report['model']['training_seconds']):.1f} s")
    light = report.get("traffic_light") or {}
    if light:
        console.print(f"traffic light: amber from {float(light['amber']):.3f} (FPR "
                      f"{float(light['amber_fpr']) * 100:g} %), red from "
                      f"{float(light['red']):.3f} (FPR {float(light['red_fpr']) * 100:g} %)")
    ratio = (report.get("ceiling_ratio") or {}).get("pr_auc")
    if ratio is None:
        console.print("acceptance (PR AUC >= 95 % of the ceiling's): not measured, no truth "
                      "file (--truth)")
    else:
        met = float(ratio) >= ACCEPTANCE_SHARE
        console.print(f"acceptance (PR AUC >= 95 % of the ceiling's): "
                      f"{float(ratio) * 100:.1f} % - "
                      + ("[green]met[/green]" if met else "[red]NOT met[/red]"))


def print_locations(trained: Trained, base_url: str, console: Console = out) -> None:
    """Where the model, report and plots are, on disk and through the service."""
    from catalog.forecast_model import MODEL_IRI, REPORT_FILE, file_url, served_files
    from catalog.iris import BASE

    def served(iri: str) -> str:
        return base_url + iri.removeprefix(BASE)

    console.print(f"model folder:   {trained.directory}")
    console.print(f"catalogue:      {served(str(MODEL_IRI))}.ttl (page: {base_url}/ui/catalog/"
                  f"model/{str(MODEL_IRI).rsplit('/', 1)[-1]})")
    console.print(f"report:         {served(file_url(trained.version, REPORT_FILE))}")
    plots = [name for name in served_files(trained.report) if name.endswith(".png")]
    for name in plots:
        console.print(f"plot:           {served(file_url(trained.version, name))}")


# --- training ---------------------------------------------------------------------------

def default_as_of(store: GraphStore) -> date:
    """The extract date training takes when none is given: the newest current registry
    extract's (the cohort's outcomes are seen up to it)."""
    from catalog.provenance import read_extracts

    days = [r.extracted_at.date() for r in read_extracts(store)
            if not r.is_reference and r.extracted_at is not None]
    if not days:
        raise ForecastCommandError("the store holds no registry extract: ingest the extracts "
                                   "first (tyodata ingest <folder>, or tyodata demo)")
    return max(days)


def train_and_catalogue(settings: Settings, store: GraphStore, *, truth: Path | None,
                        as_of: date | None, seed: int = 0) -> Trained:
    """Train (with progress on standard error), describe the model, write its graph and
    refresh the catalogue."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from catalog.forecast_model import MODEL_NAME, describe_forecast_model
    from catalog.store_io import write_model
    from core.keys import load_or_create_key
    from core.pseudonyms import Pseudonymizer
    from forecasting.train import train
    from tyodata.catalogue import refresh

    if truth is not None and not truth.is_file():
        raise ForecastCommandError(f"no truth file at {truth} (tyodata generate writes it to "
                                   f"<extracts>/{TRUTH_FILE})")
    pseudonym_of = None
    if truth is not None:  # its rows name persons by identity code: join them as ingest did
        pseudonym_of = Pseudonymizer(load_or_create_key(settings.key_path,
                                                        what="pseudonym key")).iri
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("reading the cohort", total=None)
        day = as_of or default_as_of(store)
        run = train(store, settings.forecast_path, as_of=day, truth=truth,
                    pseudonym_of=pseudonym_of, seed=seed,
                    progress=lambda step: bar.update(task, description=step))
        bar.update(task, description="describing the model for the catalogue")
        graph = describe_forecast_model(run.report, directory=run.directory)
        write_model(store, MODEL_NAME, graph)
        bar.update(task, description="refreshing the catalogue")
    catalogue = refresh(settings, store)
    validation = catalogue.validation
    return Trained(version=run.version, directory=run.directory, report=run.report,
                   catalogue_conforms=catalogue.conforms,
                   violations=[str(f) for f in validation.violations] if validation else [])


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ForecastCommandError(f"--as-of {text!r} is not a date (YYYY-MM-DD)") from None


@forecast_app.command("train")
def train_command(
    truth: Annotated[Path | None, typer.Option(
        "--truth", help="The cohort's true probabilities (<extracts>/_evaluation/"
        "forecast_truth.csv from tyodata generate): the report then gives the ceiling, the "
        "best any model could do. Never loaded into the graph.")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="The extract date, YYYY-MM-DD: the cohort entered 6 to 2 years "
        "before it (default: the newest current extract's date).")] = None,
    seed: Annotated[int, typer.Option(help="Random seed of the models and bootstrap.")] = 0,
    store: StoreOpt = None, endpoint: EndpointOpt = None, endpoint_token: TokenOpt = None,
) -> None:
    """Train the work-ability forecast on the store's cohort, write the model, its report
    and plots, and catalogue it (MLDCAT-AP 3.1 with the pilot's model card)."""
    settings = settings_for(store, None, endpoint, endpoint_token)
    with errors():
        day = _parse_day(as_of)
        if settings.endpoint is None and not settings.store_path.exists():
            raise ForecastCommandError(f"no store at {settings.store_path}: ingest the "
                                       "extracts first (tyodata ingest <folder>, or tyodata "
                                       "demo)")
        graph_store = open_store_of(settings)
        try:
            trained = train_and_catalogue(settings, graph_store, truth=truth, as_of=day,
                                          seed=seed)
        finally:
            graph_store.close()
    print_report(trained.report)
    print_locations(trained, f"http://{settings.host}:{settings.port}")
    if trained.catalogue_conforms is False:
        err.print("[red]the catalogue does not conform[/red] (the model is trained and "
                  "written; `tyodata catalog validate` names the violations)")
        raise typer.Exit(1)


@forecast_app.command("report")
def report_command() -> None:
    """Print the current (newest) model's quality table beside the ceiling and the pilot."""
    from forecasting.model_store import load_current

    settings = settings_for()
    with errors():
        model = load_current(settings.forecast_path)
        if model is None:
            raise ForecastCommandError(f"no trained model in {settings.forecast_path}: run "
                                       "`tyodata forecast train` first")
    print_report(model.report)
    out.print(f"model version {model.version} in {settings.forecast_path / model.version}")
