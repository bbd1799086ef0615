"""An MLDCAT-AP 3.1 description of a machine learning model, from plain Python values.

Training fills the values; the graph goes to the store as a model graph (kind ``model``,
``catalog.store_io.write_model(store, name, graph)``: the CLI wires it, since forecasting
and catalog do not import each other), and the next refresh copies every model graph into
the catalogue and lists each model (``dcat:resource``)::

    graph = describe_model(
        name="work-ability-risk", version="1.0", created=date.today(),
        titles={"fi": "Työkykyriskin ennuste", "en": "Work-ability risk forecast"},
        descriptions={"fi": "...", "en": "..."},
        trained_on=[dataset_iri("kela"), dataset_iri("hyvinvointialue")],
        files=[ModelFile(url=".../model.joblib", identifier="model.joblib",
                         title="Model weights (joblib)")],
        metrics=[ModelMetric("roc-auc", 0.81, "ROC AUC", lower=0.78, upper=0.84)],
        task_type=SUPERVISED_CLASSIFICATION)

What MLDCAT-AP asks of a model, and how it is met: an identifier, a title, exactly one
version and creation date, at least one training dataset (``it6:trainedOn``, a
``dcat:Dataset``: name the catalogue's series, ``dataset_iri(source)``, which are always
in it) and at least one file (``it6:File`` with its URL, format, identifier and title).
Metrics are DQV measurements on the model (``dqv:hasQualityMeasurement``) of per-model
metrics that are also ``it6:DataQuality`` (MLDCAT-AP types every measurement with one);
``it6:evaluationResults`` sums them up as text. Lineage: ``prov:wasDerivedFrom`` each
training dataset. MLDCAT-AP has no terms for a forecast's horizon, target population,
exclusions or security classification: pass those in ``extra`` (predicate -> values) with
a local extension's terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from catalog.iris import CATALOG, MODEL_NS
from catalog.metadata import metadata
from catalog.rdf_helpers import LANGS, date_literal, datetime_literal
from catalog.sources_described import SERVICE_AGENT
from catalog.terms import ACCESS_RIGHT, DCAT, DCT, DQV, FILE_TYPE, IT6, PROV, SPDX
from core.errors import TyodataError

TASK_TYPE_NS = "http://openml.org/openml/task-type#"
SUPERVISED_CLASSIFICATION = TASK_TYPE_NS + "supervisedclassification"
SUPERVISED_REGRESSION = TASK_TYPE_NS + "supervisedregression"
SURVIVAL_ANALYSIS = TASK_TYPE_NS + "survivalanalysis"
PREDICTIVE_PERFORMANCE = CATALOG + "/dimension/predictive-performance"
_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


class ModelDescriptionError(TyodataError):
    """A model description that MLDCAT-AP (or the catalogue) would refuse; says what."""


@dataclass(frozen=True)
class ModelMetric:
    """One evaluation figure of the model, e.g. ``ModelMetric("roc-auc", 0.81, "ROC AUC")``."""

    id: str
    """Lower-case words joined by hyphens: part of the measurement's IRI."""
    value: float
    title: str
    """One title (MLDCAT-AP allows a quality type one); ``labels`` gives it per language."""
    labels: Mapping[str, str] | None = None
    description: str | None = None
    lower: float | None = None
    """The lower end of its interval (e.g. a 95 % confidence interval), if known."""
    upper: float | None = None


@dataclass(frozen=True)
class ModelFile:
    """A file of the model (weights, a model card)."""

    url: str
    identifier: str
    title: str
    format: str = str(FILE_TYPE.BIN)
    """A concept of the EU file-type table."""
    sha256: str | None = None


def model_iri(name: str) -> str:
    return MODEL_NS + name


def _check(name: str, version: str, titles: Mapping[str, str],
           descriptions: Mapping[str, str], trained_on: Sequence[str],
           files: Sequence[ModelFile], metrics: Sequence[ModelMetric]) -> None:
    problems = []
    if not _NAME.fullmatch(name):
        problems.append(f"name {name!r} is not lower-case words joined by hyphens")
    if not version.strip():
        problems.append("a version is required")
    for what, given in (("titles", titles), ("descriptions", descriptions)):
        missing = [lang for lang in LANGS if not (given.get(lang) or "").strip()]
        if missing:
            problems.append(f"{what} lack {', '.join(missing)}")
    if not trained_on:
        problems.append("at least one training dataset (trained_on) is required")
    if not files:
        problems.append("at least one file is required")
    for file in files:
        if file.sha256 is not None and not _SHA256.fullmatch(file.sha256):
            problems.append(f"file {file.identifier}: sha256 is not 64 lower-case hex digits")
    seen = set()
    for metric in metrics:
        if not _NAME.fullmatch(metric.id) or metric.id in seen:
            problems.append(f"metric id {metric.id!r} is not unique lower-case-with-hyphens")
        seen.add(metric.id)
    if problems:
        raise ModelDescriptionError(f"model {name!r}: " + "; ".join(problems))


def _copy_from_metadata(graph: Graph, iri: str) -> None:
    """The catalogue's own description of a concept the model uses (a licence, a file type,
    a task type), with the concepts it points to, so the model graph validates alone."""
    node = URIRef(iri)
    for predicate, value in metadata().predicate_objects(node):
        graph.add((node, predicate, value))
        if predicate in (DCT.type, SKOS.inScheme) and isinstance(value, URIRef):
            for p, o in metadata().predicate_objects(value):
                graph.add((value, p, o))


def _add_metric(graph: Graph, model: URIRef, metric: ModelMetric, now: datetime) -> str:
    definition = URIRef(f"{model}#metric-{metric.id}")
    graph.add((definition, RDF.type, DQV.Metric))
    graph.add((definition, RDF.type, IT6.DataQuality))
    graph.add((definition, DCT.identifier, Literal(metric.id)))
    graph.add((definition, DCT.title, Literal(metric.title)))
    for lang, label in (metric.labels or {"en": metric.title}).items():
        graph.add((definition, SKOS.prefLabel, Literal(label, lang=lang)))
    if metric.description:
        graph.add((definition, DCT.description, Literal(metric.description)))
    graph.add((definition, DQV.expectedDataType, XSD.decimal))
    graph.add((definition, DQV.inDimension, URIRef(PREDICTIVE_PERFORMANCE)))
    measurement = URIRef(f"{model}#{metric.id}")
    graph.add((measurement, RDF.type, DQV.QualityMeasurement))
    graph.add((measurement, DQV.computedOn, model))
    graph.add((measurement, DQV.isMeasurementOf, definition))
    graph.add((measurement, DCT.type, definition))
    graph.add((measurement, DQV.value, Literal(metric.value, datatype=XSD.double)))
    for prop, bound in ((IT6.intervalStart, metric.lower), (IT6.intervalEnd, metric.upper)):
        if bound is not None:
            graph.add((measurement, prop, Literal(bound, datatype=XSD.double)))
    graph.add((measurement, PROV.generatedAtTime, datetime_literal(now)))
    graph.add((model, DQV.hasQualityMeasurement, measurement))
    interval = (f" ({metric.lower:g}–{metric.upper:g})"
                if metric.lower is not None and metric.upper is not None else "")
    return f"{metric.title} = {metric.value:g}{interval}"


def _add_file(graph: Graph, model: URIRef, file: ModelFile) -> None:
    node = URIRef(f"{model}#file-{file.identifier}")
    graph.add((model, IT6.hasFile, node))
    graph.add((node, RDF.type, IT6.File))
    graph.add((node, IT6.url, URIRef(file.url)))
    graph.add((URIRef(file.url), RDF.type, DCAT.Resource))
    graph.add((node, DCT.identifier, Literal(file.identifier)))
    graph.add((node, DCT.title, Literal(file.title)))
    graph.add((node, DCT.format, URIRef(file.format)))
    graph.add((URIRef(file.format), RDF.type, SKOS.Concept))
    _copy_from_metadata(graph, file.format)
    if file.sha256 is not None:
        checksum = URIRef(f"{node}-sha256")
        graph.add((node, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((SPDX.checksumAlgorithm_sha256, RDF.type, SPDX.ChecksumAlgorithm))
        graph.add((checksum, SPDX.checksumValue, Literal(file.sha256, datatype=XSD.hexBinary)))


def describe_model(
    *,
    name: str,
    version: str,
    created: date | datetime,
    titles: Mapping[str, str],
    descriptions: Mapping[str, str],
    trained_on: Sequence[str],
    files: Sequence[ModelFile],
    metrics: Sequence[ModelMetric] = (),
    tested_on: Sequence[str] = (),
    validated_on: Sequence[str] = (),
    keywords: Mapping[str, Sequence[str]] | None = None,
    themes: Sequence[str] = (),
    task_type: str | None = None,
    licence: str | None = None,
    publisher: str = str(SERVICE_AGENT),
    access_rights: str = str(ACCESS_RIGHT.NON_PUBLIC),
    legislation: Sequence[str] = (),
    intended_use: str | None = None,
    limitations: str | None = None,
    architecture: str | None = None,
    training_process: str | None = None,
    evaluation_strategy: str | None = None,
    extra: Mapping[str, Sequence[Node | str]] | None = None,
    now: datetime | None = None,
) -> Graph:
    """The model's MLDCAT-AP 3.1 description at ``model_iri(name)``.

    ``trained_on`` / ``tested_on`` / ``validated_on``: catalogue dataset IRIs;
    ``titles`` / ``descriptions`` / ``keywords``: by language (fi and en required);
    ``licence``, ``themes``, ``task_type``, ``access_rights``: IRIs of the EU tables (or of
    the task-type code list); ``legislation``: ELI IRIs; ``extra``: more properties (an
    IRI value as a str is taken as an IRI when it starts with http).
    """
    _check(name, version, titles, descriptions, trained_on, files, metrics)
    now = now or datetime.now().astimezone()
    graph = Graph()
    model = URIRef(model_iri(name))
    graph.add((model, RDF.type, IT6.MachineLearningModel))
    graph.add((model, DCT.identifier, Literal(name)))
    graph.add((model, DCAT.version, Literal(version)))
    graph.add((model, DCT.created, date_literal(created)))
    graph.add((model, DCT.modified, datetime_literal(now)))
    for lang in LANGS:
        graph.add((model, DCT.title, Literal(titles[lang], lang=lang)))
        graph.add((model, DCT.description, Literal(descriptions[lang], lang=lang)))
    for lang, words in (keywords or {}).items():
        for word in words:
            graph.add((model, DCAT.keyword, Literal(word, lang=lang)))
    for prop, datasets in ((IT6.trainedOn, trained_on), (IT6.testedOn, tested_on),
                           (IT6.validatedOn, validated_on)):
        for dataset in datasets:
            graph.add((model, prop, URIRef(dataset)))
    for dataset in trained_on:
        graph.add((model, PROV.wasDerivedFrom, URIRef(dataset)))
    for file in files:
        _add_file(graph, model, file)
    results = [_add_metric(graph, model, metric, now) for metric in metrics]
    if results:
        graph.add((model, IT6.evaluationResults, Literal("; ".join(results))))
    for prop, value in ((DCT.publisher, publisher), (IT6.hasProvider, publisher),
                        (DCT.accessRights, access_rights), (DCT.license, licence),
                        (DCT.type, task_type)):
        if value:
            graph.add((model, prop, URIRef(value)))
            if prop != DCT.publisher:
                _copy_from_metadata(graph, value)
    if task_type and (URIRef(task_type), RDF.type, SKOS.Concept) not in graph:
        raise ModelDescriptionError(f"model {name!r}: unknown task type {task_type}; use one "
                                    "of catalog.models' task-type constants")
    for theme in themes:
        graph.add((model, DCAT.theme, URIRef(theme)))
        _copy_from_metadata(graph, theme)
    for act in legislation:
        graph.add((model, URIRef("http://data.europa.eu/r5r/applicableLegislation"), URIRef(act)))
    for prop, text in ((IT6.intendedUse, intended_use), (IT6.limitations, limitations),
                       (IT6.modelArchitecture, architecture),
                       (IT6.trainingProcess, training_process),
                       (IT6.evaluationStrategies, evaluation_strategy)):
        if text:
            graph.add((model, prop, Literal(text)))
    for predicate, values in (extra or {}).items():
        for value in values:
            term = (URIRef(value) if isinstance(value, str) and value.startswith("http")
                    else value if not isinstance(value, str) else Literal(value))
            graph.add((model, URIRef(predicate), term))
    return graph
