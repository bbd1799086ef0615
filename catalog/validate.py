"""The catalogue checked against the official shapes: DCAT-AP 3.0.1 and MLDCAT-AP 3.1.0.

The shapes are read in place from the vocabulary folder (``Settings().vocab_dir``, never
copied): DCAT-AP's main shapes, its range shapes and its controlled-vocabulary shapes, and
MLDCAT-AP's shapes decide whether the catalogue *conforms* (no ``sh:Violation``); DCAT-AP's
recommended-property and deprecated-URI shapes add warnings only. All of them run in one
pyshacl pass over one merged shapes graph, which is prepared once per process (parsing is
the slow part) and cached.

Problems of the official files, handled here (the issue found the first two):

* **Dangling property shapes.** The range file (``dcat-ap-3.0.1-SHACL-ranges.ttl``) is a
  companion of the main file: its node shapes list, with ``sh:property``, the main file's
  property shapes by IRI and add their own. Five of the IRIs so listed are defined in
  neither file (``dcat:DatasetShape/4918ff...``, ``.../95c69c...``,
  ``dcat:DistributionShape/653804...``, ``.../a07d6e...``,
  ``dcat:RelationshipShape/b7aa98...``) and pyshacl refuses a shapes graph that names a
  property shape it cannot read ("exists but is not a well-formed SHACL PropertyShape").
  Such dangling ``sh:property`` references (an object with no ``sh:path``) are dropped from
  the merged shapes graph before validating; :attr:`ValidationReport.dropped` lists them.
  Dropping them loses nothing: there is no constraint behind them.
* **Range checks need inference.** The range shapes check classes (``sh:class``) that the
  DCAT 3 ontology implies (a ``dcat:DatasetSeries`` is a ``dcat:Dataset``, an endpoint URL
  an ``rdfs:Resource``), so pyshacl runs with the W3C DCAT 3 ontology (``dcat3.ttl``) as
  its ontology graph and RDFS inference. Controlled-vocabulary values must be typed too
  (``skos:Concept`` with ``skos:inScheme``, ``dct:LicenseDocument``, ...): the catalogue
  carries the few EU authority concepts it uses, typed and labelled (catalog/metadata.ttl),
  instead of whole EU vocabularies.
* **...but not RDFS's sub-property rule.** DCAT 3 makes ``dcat:mediaType`` a sub-property
  of ``dct:format`` and ``dcat:dataset`` / ``dcat:service`` (through ``dcat:resource``) of
  ``dct:hasPart``. Entailed, every distribution with a media type gets a second
  ``dct:format`` (DCAT-AP allows one, from the EU file-type table) and every catalogued
  dataset becomes a ``dct:hasPart`` of the catalogue (DCAT-AP allows only catalogues
  there): false violations of a correct catalogue. The range checks need only the class
  axioms (``rdfs:subClassOf``, ``rdfs:domain``, ``rdfs:range``), so the ontology graph is
  DCAT 3 without its ``rdfs:subPropertyOf`` axioms.
* **A checksum algorithm pattern of the wrong scheme.** The controlled-vocabulary shapes
  (``dcat-ap-3.0.1-mdr-vocabularies.shape.ttl``) require a checksum algorithm IRI to start
  with ``https://spdx.org/rdf/terms``, while SPDX's namespace (and MLDCAT-AP's own
  example) is ``http://spdx.org/rdf/terms#``: ``spdx:checksumAlgorithm_sha256`` fails it. That one
  ``sh:pattern`` is dropped (the shape still requires an ``spdx:ChecksumAlgorithm``) and
  listed in :attr:`ValidationReport.dropped` too.

Beside the official files, the catalogue's own extension shapes (the pilot's model card,
catalog/model_extension_shapes.ttl, see catalog/model_extension.ttl) run in the same pass
and decide conformance too: they apply only to an ``mc:ForecastModel``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyshacl
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from core.errors import TyodataError

SH = Namespace("http://www.w3.org/ns/shacl#")
_R5R = "http://data.europa.eu/r5r#"

CONFORMANCE_SHAPES = (
    "dcat-ap-3.0.1-SHACL.ttl",
    "dcat-ap-3.0.1-SHACL-ranges.ttl",
    "dcat-ap-3.0.1-mdr-vocabularies.shape.ttl",
    "mldcat-ap-3.1.0-SHACL.ttl",
)
"""Shapes whose violations make the catalogue non-conformant."""
ADVISORY_SHAPES = (
    "dcat-ap-3.0.1-shapes_recommended.ttl",
    "dcat-ap-3.0.1-deprecateduris.ttl",
)
"""Shapes that only warn (their every constraint is sh:Warning)."""
ONTOLOGY = "dcat3.ttl"
EXTENSION_SHAPES = Path(__file__).with_name("model_extension_shapes.ttl")
"""The pilot's model-card shapes: ours, shipped with the code (not in the vocabulary folder)."""


class VocabularyMissingError(TyodataError):
    """The vocabulary folder lacks an official shapes or ontology file."""


@dataclass(frozen=True)
class Finding:
    """One validation result."""

    focus: str
    path: str | None
    message: str
    shape: str
    severity: str  # Violation | Warning | Info
    value: str | None = None
    source: str = ""
    """The shapes file the shape comes from."""

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: <{self.focus}>{where}: {self.message} [{self.source}]"


@dataclass
class ValidationReport:
    conforms: bool
    """No sh:Violation."""
    violations: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    """What was removed from the official shapes: the dangling sh:property references and
    the checksum algorithm pattern (see the module's docstring)."""
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{'conforms' if self.conforms else 'does NOT conform'}: "
                f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s)")


@dataclass(frozen=True)
class PreparedShapes:
    shapes: Graph
    ontology: Graph
    dropped: tuple[str, ...]
    file_of: dict[Node, str]
    """Shape node -> the file that defines it."""


def _read(path: Path) -> Graph:
    if not path.is_file():
        raise VocabularyMissingError(
            f"{path.name} is missing from {path.parent}: the official DCAT-AP / MLDCAT-AP "
            "files are read from TYODATA_VOCAB_DIR (see its README.md and SOURCES.txt)")
    return Graph().parse(path, format="turtle")


def prepare_shapes(vocab_dir: Path) -> PreparedShapes:
    """The merged official shapes and the extension's (read once per folder and version of
    the files)."""
    files = (*CONFORMANCE_SHAPES, *ADVISORY_SHAPES, ONTOLOGY)
    paths = (*(vocab_dir / f for f in files), EXTENSION_SHAPES)
    stamps = tuple(path.stat().st_mtime_ns if path.is_file() else 0 for path in paths)
    return _prepare(vocab_dir.resolve(), stamps)


@lru_cache(maxsize=2)
def _prepare(vocab_dir: Path, _stamps: tuple[int, ...]) -> PreparedShapes:
    shapes = Graph()
    file_of: dict[Node, str] = {}
    for path in (*(vocab_dir / name for name in (*CONFORMANCE_SHAPES, *ADVISORY_SHAPES)),
                 EXTENSION_SHAPES):
        part = _read(path)
        for subject in part.subjects(unique=True):
            file_of.setdefault(subject, path.name)
        shapes += part
    dropped = []
    checksum = URIRef(_R5R + "ChecksumAlgorithmRestriction")
    for pattern in list(shapes.objects(checksum, SH.pattern)):
        shapes.remove((checksum, SH.pattern, pattern))
        dropped.append(f"{checksum} sh:pattern {pattern}")
    for shape, ref in list(shapes.subject_objects(SH.property)):
        if (ref, SH.path, None) not in shapes:
            shapes.remove((shape, SH.property, ref))
            dropped.append(str(ref))
    ontology = _read(vocab_dir / ONTOLOGY)
    ontology.remove((None, RDFS.subPropertyOf, None))
    return PreparedShapes(shapes, ontology, tuple(sorted(dropped)), file_of)


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, BNode):
        return "_:" + str(node)
    return str(node)


def _finding(results: Graph, result: Node, prepared: PreparedShapes) -> Finding:
    def one(prop: URIRef) -> Node | None:
        return results.value(result, prop)

    severity = str(one(SH.resultSeverity) or SH.Violation).removeprefix(str(SH))
    shape = one(SH.sourceShape)
    messages = sorted(str(m) for m in results.objects(result, SH.resultMessage)
                      if isinstance(m, Literal))
    component = str(one(SH.sourceConstraintComponent) or "").removeprefix(str(SH))
    path = one(SH.resultPath)
    return Finding(
        focus=_text(one(SH.focusNode)) or "",
        path=None if path is None or isinstance(path, BNode) else str(path),
        message="; ".join(messages) or component,
        shape=_text(shape) or "",
        severity=severity,
        value=_text(one(SH.value)),
        source=prepared.file_of.get(shape, "") if shape is not None else "",
    )


def validate_catalogue(graph: Graph, vocab_dir: Path) -> ValidationReport:
    """``graph`` against DCAT-AP 3.0.1 (main, ranges, controlled vocabularies; recommended
    and deprecated URIs as warnings) and MLDCAT-AP 3.1.0, read from ``vocab_dir``, and the
    pilot's model-card extension (catalog/model_extension_shapes.ttl)."""
    prepared = prepare_shapes(vocab_dir)
    started = time.perf_counter()
    _, results, _ = pyshacl.validate(
        graph, shacl_graph=prepared.shapes, ont_graph=prepared.ontology, inference="rdfs",
        abort_on_first=False, allow_warnings=True, meta_shacl=False, advanced=False,
        inplace=False)
    # Only the report's own results: nested ones (sh:detail, under an sh:node that failed)
    # carry their inner shape's severity, not the severity of the shape that used them.
    top = {r for report in results.subjects(RDF.type, SH.ValidationReport)
           for r in results.objects(report, SH.result)}
    findings = sorted((_finding(results, r, prepared) for r in top),
                      key=lambda f: (f.focus, f.path or "", f.message))
    violations = [f for f in findings if f.severity == "Violation"]
    return ValidationReport(
        conforms=not violations, violations=violations,
        warnings=[f for f in findings if f.severity != "Violation"],
        dropped=list(prepared.dropped), seconds=time.perf_counter() - started)
