"""The work-ability forecast in the catalogue: its training report as MLDCAT-AP 3.1 with the
pilot's model card (catalog/model_extension.ttl).

``describe_forecast_model(report)`` turns the report a training run wrote (forecasting's
report.json) into the model's description at ``https://tyodata.fi/catalog/model/
work-ability-forecast``: what MLDCAT-AP asks (through :func:`catalog.models.describe_model`),
every section of the pilot's metadata model, and what cannot be measured from the hand-
written catalog/forecast_model.ttl. The CLI writes it as the model graph
(``catalog.store_io.write_model``) and refreshes the catalogue.

Where its figures come from: the chosen model's test figures (ROC AUC and PR AUC with
their bootstrap intervals, Brier score, recall at the pilot's false-positive rates) and the
ceiling's (the true probabilities) are DQV measurements in the predictive-performance
dimension; recall and false-positive rate by sex, age band and language in the fairness
dimension.

Its files (model, report, plots) are served at ``/catalog/model/work-ability-forecast/
files/<version>/<file>`` (:func:`file_url`), a path under the model's own IRI: public to
read like the rest of the catalogue (they hold no personal data).

The data it was trained on: ``it6:trainedOn`` / ``it6:testedOn`` name the catalogue's
dataset series of the sources read (always in the catalogue, so the description stays
valid after the next ingest supersedes the extracts), ``prov:wasDerivedFrom`` the exact
extracts (``dataset/<source>/<extract id>``, from the graphs the report lists).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from catalog.iris import BASE, CATALOG, dataset_iri
from catalog.metadata import metadata
from catalog.models import (
    SUPERVISED_CLASSIFICATION,
    ModelDescriptionError,
    ModelFile,
    ModelMetric,
    describe_model,
    model_iri,
)
from catalog.rdf_helpers import LANGS, date_literal, datetime_literal, texts
from catalog.terms import (
    ACCESS_RIGHT,
    DCAT,
    DCT,
    DQV,
    FILE_TYPE,
    FINLEX_ELI,
    GDPR,
    IT6,
    LICENCE,
    MODEL_CARD,
    PROV,
)
from graph_service.store.registry import GRAPH_NS
from ontology.files import CODELISTS

MODEL_NAME = "work-ability-forecast"
MODEL_IRI = URIRef(model_iri(MODEL_NAME))
MODEL_FILE = "model.skops"
REPORT_FILE = "report.json"
EXTENSION_FILE = Path(__file__).with_name("model_extension.ttl")
HAND_WRITTEN_FILE = Path(__file__).with_name("forecast_model.ttl")
FAIRNESS = CATALOG + "/dimension/fairness"
AI_ACT = "http://data.europa.eu/eli/reg/2024/1689/oj"
LEGISLATION = (GDPR, AI_ACT, FINLEX_ELI + "2023/380", FINLEX_ELI + "1999/621",
               FINLEX_ELI + "2019/906")
"""The GDPR, the AI Act, the Act on the Organisation of Employment Services (the forecast
serves its service-need assessment), the Openness Act (the forecasts are confidential)
and the Information Management Act (classification)."""
PILOT_FPRS = (0.13, 0.075, 0.02)
"""The false-positive rates of the pilot's threshold table."""
MODEL_INPUT, EVALUATION_ONLY = "model input", "evaluation only"
"""A feature's use in the report (forecasting/features.toml): what the model reads, and what
only the fairness figures read."""
ACCEPTANCE_SHARE = 0.95
"""The acceptance criterion: test PR AUC at least this share of the ceiling's."""
_VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_FEATURE = re.compile(r"[a-z][a-z0-9_]{0,63}")
_FORMATS = {".png": FILE_TYPE.PNG, ".json": FILE_TYPE.JSON, ".skops": FILE_TYPE.ZIP}
_ALGORITHMS = {
    "HistGradientBoostingClassifier": ("gradienttitehostettu päätöspuujoukko",
                                       "gradient-boosted tree ensemble"),
    "GradientBoostingClassifier": ("gradienttitehostettu päätöspuujoukko",
                                   "gradient-boosted tree ensemble"),
    "LogisticRegression": ("logistinen regressio", "logistic regression"),
}
_GROUP_KINDS = {"sex": ("sukupuoli", "sex"), "age_band": ("ikäryhmä", "age band"),
                "language": ("kieliryhmä", "language group")}
_GROUPS = {"female": "nainen", "male": "mies", "fi": "suomi", "sv": "ruotsi", "other": "muu"}
_SPACES = re.compile(r"\s+")


# --- The files' URLs -------------------------------------------------------------------

def files_path(version: str) -> str:
    """The service path of one version's files: ``/catalog/model/<name>/files/<version>``."""
    if not _VERSION.fullmatch(version):
        raise ModelDescriptionError(f"model version {version!r} is not letters, digits, "
                                    "'.', '_' and '-'")
    return f"{model_iri(MODEL_NAME).removeprefix(BASE)}/files/{version}"


def file_url(version: str, name: str) -> str:
    """Where the service serves a file of the model (its IRI in the catalogue too)."""
    return f"{BASE}{files_path(version)}/{name}"


def served_files(report: Mapping[str, Any]) -> list[str]:
    """The files of a training run the catalogue lists and the service serves: the model,
    the report and the plots the report names."""
    plots = _get(report, "plots")
    if not isinstance(plots, Mapping):
        raise ModelDescriptionError("report.json: plots is not an object of file names")
    return [MODEL_FILE, REPORT_FILE, *(str(name) for name in plots.values())]


# --- The report's figures -----------------------------------------------------------------

def _get(report: Mapping[str, Any], *keys: str) -> Any:
    value: Any = report
    for depth, key in enumerate(keys):
        if not isinstance(value, Mapping) or key not in value:
            raise ModelDescriptionError(f"report.json lacks {'.'.join(keys[: depth + 1])}")
        value = value[key]
    return value


def _pct(rate: float) -> str:
    """0.075 -> '7.5' (a false-positive rate as the pilot's table writes it)."""
    return f"{rate * 100:.4g}"


def _fpr_id(rate: float) -> str:
    return "recall-at-fpr-" + _pct(rate).replace(".", "-")


def chosen_model(report: Mapping[str, Any]) -> str:
    chosen = _get(report, "chosen")
    _get(report, "models", chosen)
    return str(chosen)


def threshold_row(report: Mapping[str, Any], which: str, fpr: float) -> Mapping[str, Any]:
    """The row of model ``which``'s threshold table for the target false-positive rate."""
    for row in _get(report, "models", which, "thresholds"):
        if abs(float(row["fpr_target"]) - fpr) < 1e-9:
            return row
    raise ModelDescriptionError(f"report.json: models.{which}.thresholds has no row for a "
                                f"false-positive rate of {_pct(fpr)} %")


def figures(report: Mapping[str, Any], which: str) -> list[ModelMetric]:
    """The headline figures of one model of the report (the chosen one, or ``ceiling``):
    ROC AUC and PR AUC with their intervals, Brier score, recall at the pilot's FPRs."""
    ceiling = which == "ceiling"
    prefix, fi, en = ("ceiling-", "Katonarvo: ", "Ceiling: ") if ceiling else ("", "", "")
    scope = ("the true probabilities (the best possible scorer) on the test set" if ceiling
             else "the test set")
    found = []
    for key, title, label_fi, label_en in (
            ("roc_auc", "ROC AUC", "ROC-käyrän alainen pinta-ala (ROC AUC)",
             "Area under the ROC curve (ROC AUC)"),
            ("pr_auc", "PR AUC", "tarkkuus-saantikäyrän alainen pinta-ala (PR AUC)",
             "Area under the precision-recall curve (PR AUC)")):
        auc = _get(report, "models", which, key)
        found.append(ModelMetric(
            prefix + key.replace("_", "-"), float(auc["value"]), f"{en}{title}",
            labels={"fi": f"{fi}{label_fi}", "en": f"{en}{label_en}"},
            description=f"{title} on {scope}; interval: bootstrap 95 %.",
            lower=float(auc["low"]), upper=float(auc["high"])))
    found.append(ModelMetric(
        prefix + "brier", float(_get(report, "models", which, "brier")), f"{en}Brier score",
        labels={"fi": f"{fi}Brierin pistemäärä", "en": f"{en}Brier score"},
        description=f"Mean squared error of the probabilities on {scope} (lower is better)."))
    for rate in PILOT_FPRS:
        row = threshold_row(report, which, rate)
        found.append(ModelMetric(
            prefix + _fpr_id(rate), float(row["recall"]), f"{en}Recall at FPR {_pct(rate)} %",
            labels={"fi": f"{fi}saanti, kun väärien hälytysten osuus on {_pct(rate)} %",
                    "en": f"{en}recall at a false-positive rate of {_pct(rate)} %"},
            description=(f"Share of the outcomes found on {scope} at the score threshold "
                         f"{float(row['threshold']):.4g}, where the false-positive rate is "
                         f"{float(row['fpr']):.4g}.")))
    return found


def ceiling_shares(report: Mapping[str, Any]) -> list[ModelMetric]:
    """The chosen model's ROC AUC and PR AUC as shares of the ceiling's (none without a
    truth file)."""
    ratio = report.get("ceiling_ratio")
    if not ratio:
        return []
    return [ModelMetric(
        f"{key.replace('_', '-')}-share-of-ceiling", float(ratio[key]),
        f"{title} share of the ceiling",
        labels={"fi": f"{title} osuutena katonarvosta", "en": f"{title} share of the ceiling"},
        description=f"The chosen model's test {title} divided by the ceiling's.")
        for key, title in (("roc_auc", "ROC AUC"), ("pr_auc", "PR AUC"))]


def all_figures(report: Mapping[str, Any]) -> list[ModelMetric]:
    """Every predictive-performance figure the catalogue gives: the chosen model's, the
    ceiling's (when the report has it) and the shares."""
    found = figures(report, chosen_model(report))
    if "ceiling" in _get(report, "models"):
        found += figures(report, "ceiling")
    return found + ceiling_shares(report)


# --- Hand-written parts -------------------------------------------------------------------

def _read_turtle(path: Path) -> Graph:
    """A hand-written Turtle file; wrapped texts become one paragraph (as catalog.metadata)."""
    parsed = Graph().parse(path, format="turtle")
    for s, p, o in list(parsed):
        if isinstance(o, Literal) and o.datatype is None and "\n" in o:
            parsed.remove((s, p, o))
            parsed.add((s, p, Literal(_SPACES.sub(" ", str(o)).strip(), lang=o.language)))
    return parsed


@cache
def hand_written() -> Graph:
    """catalog/forecast_model.ttl. Shared: copy it, never change it."""
    return _read_turtle(HAND_WRITTEN_FILE)


@cache
def extension() -> Graph:
    """The model-card vocabulary (catalog/model_extension.ttl). Shared: never change it."""
    return Graph().parse(EXTENSION_FILE, format="turtle")


@cache
def _codelists() -> Graph:
    return Graph().parse(CODELISTS, format="turtle")


def _feature_node(name: str) -> URIRef:
    return URIRef(f"{MODEL_IRI}#feature-{name}")


def _is_feature(node: Node) -> bool:
    return str(node).startswith(f"{MODEL_IRI}#feature-")


# --- Pieces of the description -----------------------------------------------------------

def _sources(report: Mapping[str, Any]) -> dict[str, list[str]]:
    """Source id -> the extract ids read, from the graph IRIs the report lists."""
    graphs = _get(report, "data", "graphs")
    read: dict[str, list[str]] = {}
    for graph in graphs:
        parts = str(graph).removeprefix(GRAPH_NS).split("/")
        if not str(graph).startswith(GRAPH_NS) or len(parts) != 2 or not all(parts):
            raise ModelDescriptionError(f"report.json: {graph} in data.graphs is not an "
                                        f"extract graph ({GRAPH_NS}<source>/<extract>)")
        read.setdefault(parts[0], []).append(parts[1])
    if not read:
        raise ModelDescriptionError("report.json: data.graphs names no graph the model read")
    return read


def _feature_source(text: str, sources: Iterable[str]) -> str | None:
    """The source a feature's ``source`` text names: 'Kela (graph kela: ...)' -> 'kela'
    (else the one source id among its words, if exactly one is)."""
    known = set(sources)
    graph = re.search(r"\bgraph ([a-z][a-z0-9]*)", text)
    if graph and graph.group(1) in known:
        return graph.group(1)
    named = sorted(known & set(re.findall(r"[a-z][a-z0-9]*", text.lower())))
    return named[0] if len(named) == 1 else None


def _add_features(graph: Graph, report: Mapping[str, Any], sources: Iterable[str]) -> None:
    written = hand_written()
    for feature in _get(report, "data", "features"):
        name = str(feature.get("name", ""))
        if not _FEATURE.fullmatch(name):
            raise ModelDescriptionError(f"report.json: feature name {name!r} is not "
                                        "lower-case letters, digits and '_'")
        node = _feature_node(name)
        use = str(feature.get("use", MODEL_INPUT))
        if use not in (MODEL_INPUT, EVALUATION_ONLY):
            raise ModelDescriptionError(f"report.json: feature {name} has use {use!r}, not "
                                        f"{MODEL_INPUT!r} or {EVALUATION_ONLY!r}")
        graph.add((MODEL_IRI, MODEL_CARD.inputFeature if use == MODEL_INPUT
                   else MODEL_CARD.evaluationFeature, node))
        graph.add((node, RDF.type, IT6.Feature))
        graph.add((node, DCT.title, Literal(name)))
        for p, o in written.predicate_objects(node):
            graph.add((node, p, o))
        if graph.value(node, DCT.type) is None:  # a feature the hand-written file lacks
            graph.add((node, DCT.type, MODEL_CARD.other))
        if feature.get("why"):
            graph.add((node, MODEL_CARD.necessity, Literal(str(feature["why"]))))
        source = _feature_source(str(feature.get("source", "")), sources)
        if source is not None:
            graph.add((node, DCT.source, URIRef(dataset_iri(source))))


def _add_fairness(graph: Graph, model: Mapping[str, Any], now: datetime) -> None:
    """Recall and false-positive rate of each group as DQV measurements (dimension
    fairness), like catalog.models' metrics."""
    for kind, groups in (model.get("fairness") or {}).items():
        kind_fi, kind_en = _GROUP_KINDS.get(kind, (kind, kind))
        for group, found in groups.items():
            slug = re.sub(r"[^a-z0-9]+", "-", f"{kind}-{group}".lower()).strip("-")
            for key, fi, en in (("recall", "saanti", "recall"),
                                ("fpr", "väärien hälytysten osuus", "false-positive rate")):
                if found.get(key) is None:
                    continue
                metric_id = f"{key}-{slug}"
                definition = URIRef(f"{MODEL_IRI}#metric-{metric_id}")
                graph.add((definition, RDF.type, DQV.Metric))
                graph.add((definition, RDF.type, IT6.DataQuality))
                graph.add((definition, DCT.identifier, Literal(metric_id)))
                graph.add((definition, DCT.title, Literal(f"{en.capitalize()}, {kind_en} "
                                                          f"{group}")))
                graph.add((definition, SKOS.prefLabel,
                           Literal(f"{fi.capitalize()}, {kind_fi} {_GROUPS.get(group, group)}",
                                   lang="fi")))
                graph.add((definition, SKOS.prefLabel,
                           Literal(f"{en.capitalize()}, {kind_en} {group}", lang="en")))
                graph.add((definition, DCT.description, Literal(
                    f"On the test set's {found.get('n', '?')} persons of the group "
                    f"({found.get('positives', '?')} with the outcome).")))
                graph.add((definition, DQV.expectedDataType, XSD.decimal))
                graph.add((definition, DQV.inDimension, URIRef(FAIRNESS)))
                measurement = URIRef(f"{MODEL_IRI}#{metric_id}")
                graph.add((measurement, RDF.type, DQV.QualityMeasurement))
                graph.add((measurement, DQV.computedOn, MODEL_IRI))
                graph.add((measurement, DQV.isMeasurementOf, definition))
                graph.add((measurement, DCT.type, definition))
                graph.add((measurement, DQV.value,
                           Literal(float(found[key]), datatype=XSD.double)))
                graph.add((measurement, PROV.generatedAtTime, datetime_literal(now)))
                graph.add((MODEL_IRI, DQV.hasQualityMeasurement, measurement))


def _bias_text(model: Mapping[str, Any]) -> str | None:
    parts = []
    for kind, groups in (model.get("fairness") or {}).items():
        shown = ", ".join(f"{group} {float(f['recall']):.2f} / {float(f['fpr']):.3f} "
                          f"(n {f.get('n', '?')})" for group, f in groups.items()
                          if f.get("recall") is not None and f.get("fpr") is not None)
        if shown:
            parts.append(f"{_GROUP_KINDS.get(kind, (kind, kind))[1]}: {shown}")
    if not parts:
        return None
    return ("Recall / false-positive rate by group on the test set (each also a measurement "
            "in the fairness dimension): " + "; ".join(parts) + ".")


def _libraries(graph: Graph, report: Mapping[str, Any]) -> None:
    """What the model needs to run (``dct:requires``), as MLDCAT-AP libraries."""
    found: dict[str, str | None] = {}
    for part in re.split(r"[,;]", str(_get(report, "model", "library"))):
        words = part.split()
        if words:
            found[words[0].lower()] = words[1] if len(words) > 1 else None
    if MODEL_FILE.endswith(".skops"):
        found.setdefault("skops", None)  # reading the model file needs it
    for name, version in found.items():
        node = URIRef(f"https://pypi.org/project/{name}/" + (f"{version}/" if version else ""))
        graph.add((MODEL_IRI, DCT.requires, node))
        graph.add((node, RDF.type, IT6.Library))
        graph.add((node, DCT.title, Literal(name)))
        if version:
            graph.add((node, IT6.version, Literal(version)))


def _copy_descriptions(graph: Graph) -> None:
    """Every concept, agent, act and standard the description names, as the catalogue's
    metadata, the model-card vocabulary or the code lists describe it, so the model graph
    validates and reads alone (the catalogue has the same triples)."""
    sources = (metadata(), extension())
    named = {o for p, o in graph.predicate_objects() if p != RDF.type and isinstance(o, URIRef)}
    further: set[URIRef] = set()
    for node in named:
        for source in sources:
            for p, o in source.predicate_objects(node):
                graph.add((node, p, o))
                if p in (SKOS.inScheme, DCT.type, DCAT.contactPoint) and isinstance(o, URIRef):
                    further.add(o)
    for node in further - named:
        for source in sources:
            for p, o in source.predicate_objects(node):
                graph.add((node, p, o))
    codes = _codelists()
    for scheme in graph.objects(MODEL_IRI, MODEL_CARD.usesClassification):
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        for label in codes.objects(scheme, SKOS.prefLabel):
            graph.add((scheme, DCT.title, label))


def _texts(graph: Graph, model: Mapping[str, Any], report: Mapping[str, Any]) -> None:
    """What the report says in words: the chosen algorithm, the training and test sets."""
    chosen = chosen_model(report)
    algorithm = str(_get(report, "model", "algorithm"))
    library = str(_get(report, "model", "library"))
    fi, en = _ALGORITHMS.get(algorithm, (algorithm, algorithm))
    others = [m for m in ("logistic", "boosted") if m != chosen and m in report["models"]]
    graph.add((MODEL_IRI, MODEL_CARD.principle, Literal(
        f"Malli on {fi} ({algorithm}, {library})"
        + (", joka valittiin, koska sen PR AUC oli opetusjakson validointiosassa suurempi "
           f"kuin vaihtoehdon ({', '.join(others)}); testijoukkoa ei käytetty valintaan."
           if others else "."), lang="fi")))
    graph.add((MODEL_IRI, MODEL_CARD.principle, Literal(
        f"The model is a {en} ({algorithm}, {library})"
        + (f", chosen over the alternative ({', '.join(others)}) for its higher PR AUC on "
           "the train period's validation slice; the test set was not used for choosing."
           if others else "."), lang="en")))
    graph.add((MODEL_IRI, IT6.modelArchitecture, Literal(f"{algorithm} ({library})")))
    train, test = _get(report, "data", "train"), _get(report, "data", "test")
    outcome = _get(report, "outcome")
    graph.add((MODEL_IRI, IT6.trainingProcess, Literal(
        f"Trained by `tyodata forecast train` on {train['n']} persons ({train['positives']} "
        f"with the outcome) whose job seeking started {train['entries_from']} to "
        f"{train['entries_to']}, as of the extract date {_get(report, 'data', 'as_of')}; "
        f"features as of {outcome.get('index', 'entry + 90 days')}; seed "
        f"{_get(report, 'model', 'seed')}; "
        f"{float(_get(report, 'model', 'training_seconds')):.1f} s.")))
    graph.add((MODEL_IRI, IT6.testingDescription, Literal(
        f"Tested on the {test['n']} persons ({test['positives']} with the outcome) whose job "
        f"seeking started {test['entries_from']} to {test['entries_to']}, after every "
        "training entry (a time-based split).")))
    bias = _bias_text(model)
    if bias:
        graph.add((MODEL_IRI, IT6.bias, Literal(bias)))


def _time_and_population(graph: Graph, report: Mapping[str, Any]) -> None:
    horizon = int(_get(report, "outcome", "horizon_months"))
    if horizon <= 0:
        raise ModelDescriptionError("report.json: outcome.horizon_months is not positive")
    graph.add((MODEL_IRI, MODEL_CARD.forecastHorizon,
               Literal(f"P{horizon}M", datatype=XSD.duration, normalize=False)))
    period = URIRef(f"{MODEL_IRI}#temporal-coverage")
    graph.add((MODEL_IRI, DCT.temporal, period))
    graph.add((period, RDF.type, DCT.PeriodOfTime))
    graph.add((period, DCAT.startDate,
               date_literal(date.fromisoformat(str(_get(report, "data", "train",
                                                        "entries_from"))))))
    graph.add((period, DCAT.endDate,
               date_literal(date.fromisoformat(str(_get(report, "data", "as_of"))))))
    graph.add((MODEL_IRI, MODEL_CARD.cohortSize,
               Literal(int(_get(report, "data", "cohort")), datatype=XSD.integer)))
    prevalence = Decimal(str(round(float(_get(report, "data", "prevalence")), 6)))
    graph.add((MODEL_IRI, MODEL_CARD.outcomePrevalence,
               Literal(prevalence, datatype=XSD.decimal)))
    ratio = report.get("ceiling_ratio")
    if ratio:
        met = float(ratio["pr_auc"]) >= ACCEPTANCE_SHARE
        graph.add((MODEL_IRI, MODEL_CARD.acceptanceCriterionMet, Literal(met)))


def _files(report: Mapping[str, Any], version: str, directory: Path | None) -> list[ModelFile]:
    titles = {MODEL_FILE: "The model (skops: loading it runs no code)",
              REPORT_FILE: "The training run's report (figures, data, features; JSON)"}
    plot_titles = {"roc": "ROC curve (PNG)", "pr": "Precision-recall curve (PNG)",
                   "calibration": "Reliability curve (PNG)",
                   "feature_effects": "Feature effects (PNG)"}
    for kind, name in _get(report, "plots").items():
        titles[str(name)] = plot_titles.get(kind, f"{kind} (PNG)")
    names = served_files(report)
    missing = [n for n in names if directory is not None and not (directory / n).is_file()]
    if missing:
        raise ModelDescriptionError(f"the training run's folder {directory} lacks "
                                    f"{', '.join(missing)}")
    files = []
    for name in names:
        if "/" in name or name.startswith("."):
            raise ModelDescriptionError(f"report.json: file name {name!r} is not a plain name")
        digest = (hashlib.sha256((directory / name).read_bytes()).hexdigest()
                  if directory is not None else None)
        fmt = _FORMATS.get(Path(name).suffix.lower(), FILE_TYPE.BIN)
        files.append(ModelFile(url=file_url(version, name), identifier=name,
                               title=titles[name], format=str(fmt), sha256=digest))
    return files


def describe_forecast_model(report: Mapping[str, Any], *, directory: Path | None = None,
                            now: datetime | None = None) -> Graph:
    """The work-ability forecast's description (MLDCAT-AP 3.1 and the pilot's model card)
    from a training run's report (forecasting's report.json, as a mapping).

    ``directory``: the run's folder; given, every file must be there and each gets its
    SHA-256. Raises :class:`ModelDescriptionError` naming what the report lacks.
    """
    now = now or datetime.now().astimezone()
    name = str(_get(report, "model", "name"))
    if name != MODEL_NAME:
        raise ModelDescriptionError(f"report.json describes model {name!r}, not {MODEL_NAME}")
    version = str(_get(report, "model", "version"))
    files_path(version)  # checks the version
    created = datetime.fromisoformat(str(_get(report, "model", "created")))
    chosen = chosen_model(report)
    sources = _sources(report)
    series = [dataset_iri(source) for source in sorted(sources)]
    written = hand_written()
    graph = describe_model(
        name=MODEL_NAME, version=version, created=created,
        titles={lang: texts(written, MODEL_IRI, DCT.title).get(lang, "") for lang in LANGS},
        descriptions={lang: texts(written, MODEL_IRI, DCT.description).get(lang, "")
                      for lang in LANGS},
        trained_on=series, tested_on=series, files=_files(report, version, directory),
        metrics=all_figures(report), task_type=SUPERVISED_CLASSIFICATION,
        licence=str(LICENCE.CC_BY_4_0), access_rights=str(ACCESS_RIGHT.PUBLIC),
        legislation=LEGISLATION, now=now,
        extra={str(PROV.wasDerivedFrom): [dataset_iri(source, extract)
                                          for source, extracts in sorted(sources.items())
                                          for extract in extracts]})
    graph.bind("mc", MODEL_CARD)
    graph.add((MODEL_IRI, RDF.type, MODEL_CARD.ForecastModel))
    for triple in written:
        if not _is_feature(triple[0]):
            graph.add(triple)
    graph.add((MODEL_IRI, DCT.conformsTo, URIRef(str(MODEL_CARD).rstrip("#"))))
    model = _get(report, "models", chosen)
    _texts(graph, model, report)
    _time_and_population(graph, report)
    _add_features(graph, report, sources)
    _add_fairness(graph, model, now)
    _libraries(graph, report)
    _copy_descriptions(graph)
    return graph


def section_terms() -> dict[str, list[URIRef]]:
    """Each section of the pilot's metadata model (its English label) -> the terms a
    model's description answers it with (mc:sectionTerm), in the sections' order."""
    vocab = extension()
    sections = sorted(vocab.subjects(SKOS.inScheme, MODEL_CARD.Sections),
                      key=lambda s: int(vocab.value(s, SKOS.notation)))
    return {str(next(label for label in vocab.objects(s, SKOS.prefLabel)
                     if label.language == "en")):
            sorted(o for o in vocab.objects(s, MODEL_CARD.sectionTerm) if isinstance(o, URIRef))
            for s in sections}

