"""Ingest: registry extracts -> validated, mapped, provenanced named graphs.

For each source folder: validate and stage every row (rejects kept with reasons),
run the source's declarative mapping, bulk-load into a fresh graph named by the
extract's content hash, validate the loaded graph against the source's SHACL
shapes, and only then make it current in one small transaction. A failure (or a
kill) before that switch leaves the previous graph current and whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from rdflib import PROV, RDF, RDFS, XSD, Graph, Literal, URIRef

from core.errors import TyodataError
from core.processes import die_with_parent
from core.pseudonyms import Pseudonymizer
from graph_service.policy.policy_graph import ensure_default_policy
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import (
    add_identities,
    begin_extract,
    collect_garbage,
    commit_extract,
    current_graphs,
    extract_graph,
    identity_entry,
    retire_identities,
    source_iri,
)
from mappings import esco
from mappings.rml import compile_mapping, load_mapping
from mappings.shacl_sparql import Violation, load_checks, validate_graph
from mappings.sources import SOURCES_YAML, SourceSpec, load_sources
from mappings.staging import FileCounts, RejectsWriter, read_manifest, stage_source
from ontology.files import CODELISTS, ONTOLOGY, shapes_for
from ontology.ns import DPV, EU_GDPR, TYO

INGEST_AGENT = URIRef("https://tyodata.fi/id/agent/tyodata-ingest")


class IngestError(TyodataError):
    """An extract could not be ingested; the previous graph of that source stays current."""


@dataclass
class SourceReport:
    source: str
    graph: str
    status: str  # loaded | unchanged | failed
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    triples: int = 0
    seconds: float = 0.0
    files: dict[str, FileCounts] = field(default_factory=dict)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    violations: int = 0
    violation_examples: list[Violation] = field(default_factory=list)
    error: str | None = None


@dataclass
class IngestReport:
    sources: list[SourceReport]
    rejects_file: str
    seconds: float
    graphs_dropped: int = 0
    identities_retired: int = 0

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.sources)

    def to_json(self) -> dict:
        return {
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "rejects_file": self.rejects_file,
            "graphs_dropped": self.graphs_dropped,
            "identities_retired": self.identities_retired,
            "sources": {
                s.source: {
                    "status": s.status,
                    "graph": s.graph,
                    "rows_read": s.rows_read,
                    "rows_loaded": s.rows_loaded,
                    "rows_rejected": s.rows_rejected,
                    "triples": s.triples,
                    "seconds": round(s.seconds, 3),
                    "stage_seconds": {k: round(v, 3) for k, v in s.stage_seconds.items()},
                    "files": {name: asdict(c) for name, c in s.files.items()},
                    "shacl_violations": s.violations,
                    "shacl_examples": [asdict(v) for v in s.violation_examples],
                    "error": s.error,
                }
                for s in self.sources
            },
        }


class _Lap:
    """Records how long each stage of a load took (shown in the report)."""

    def __init__(self, into: dict[str, float]) -> None:
        self._into = into
        self._last = time.perf_counter()

    def __call__(self, stage: str, since: float | None = None) -> None:
        now = time.perf_counter()
        self._into[stage] = now - (self._last if since is None else since)
        self._last = now


Log = Callable[[str], None]
Tick = Callable[[int], None]


def _hash_files(paths: list[Path], *extra: str) -> str:
    digest = hashlib.sha256()
    for text in extra:
        digest.update(text.encode())
    for path in paths:
        digest.update(path.name.encode())
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def _count_triples(store: GraphStore, graph: str) -> int:
    table = store.select(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", dataset=Dataset(default=(graph,))
    )
    return int(table.rows[0][0])  # type: ignore[arg-type]


def _describe(
    graph: str,
    source_id: str,
    *,
    organisation: str,
    organisation_id: str,
    legal_basis: tuple[str, ...],
    law: str | None,
    files: list[str],
    extracted_at: str | None,
    started: datetime,
    report: SourceReport,
) -> Graph:
    """PROV-O + DPV description of one loaded extract graph (lives in the meta graph)."""
    now = datetime.now(UTC)
    g = Graph()
    node = URIRef(graph)
    activity = URIRef(f"{graph}/load/{int(now.timestamp() * 1000)}")
    org = URIRef(f"https://tyodata.fi/id/organisation/{organisation_id.replace(':', '/')}")
    g.add((node, RDF.type, TYO.SourceExtract))
    g.add((node, RDF.type, PROV.Entity))
    g.add((node, TYO.source, URIRef(source_iri(source_id))))
    g.add((node, TYO.extractStatus, TYO.Current))
    g.add((node, PROV.wasAttributedTo, org))
    g.add((node, PROV.wasGeneratedBy, activity))
    g.add((node, PROV.generatedAtTime, Literal(now, datatype=XSD.dateTime)))
    if extracted_at:
        g.add((node, TYO.extractedAt, Literal(extracted_at, datatype=XSD.dateTime)))
    for name in files:
        g.add((node, TYO.extractFile, Literal(name)))
    for basis in legal_basis:
        g.add((node, DPV.hasLegalBasis, EU_GDPR[basis.removeprefix("eu-gdpr:")]))
    if law:
        g.add((node, TYO.lawReference, Literal(law, lang="fi")))
    for prop, value in (
        (TYO.rowsRead, report.rows_read),
        (TYO.rowsLoaded, report.rows_loaded),
        (TYO.rowsRejected, report.rows_rejected),
        (TYO.tripleCount, report.triples),
    ):
        g.add((node, prop, Literal(value, datatype=XSD.integer)))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, PROV.startedAtTime, Literal(started, datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(now, datatype=XSD.dateTime)))
    g.add((activity, PROV.wasAssociatedWith, INGEST_AGENT))
    g.add((org, RDF.type, PROV.Organization))
    g.add((org, RDFS.label, Literal(organisation)))
    return g


def _stored_report(store: GraphStore, source_id: str, graph: str) -> SourceReport:
    """The counts recorded when an unchanged extract was first loaded."""
    table = store.select(
        f"""SELECT ?read ?loaded ?rejected ?triples WHERE {{
          <{graph}> <{TYO.rowsRead}> ?read ; <{TYO.rowsLoaded}> ?loaded ;
                    <{TYO.rowsRejected}> ?rejected ; <{TYO.tripleCount}> ?triples }}""",
        dataset=Dataset(default=("https://tyodata.fi/graph/meta",)),
    )
    read, loaded, rejected, triples = (int(v) for v in table.rows[0])  # type: ignore[arg-type]
    return SourceReport(source_id, graph, "unchanged", read, loaded, rejected, triples)


def _load_reference(
    store: GraphStore, source_id: str, label: str, extract_id: str,
    write: Callable[[Path], int], work_dir: Path, log: Log, keep: bool = False,
) -> SourceReport:
    """ESCO, the ontology and the code lists go through the same switch as extracts."""
    graph = extract_graph(source_id, extract_id)
    if current_graphs(store).get(source_iri(source_id)) == graph:
        return _stored_report(store, source_id, graph)
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    log(f"loading {label}")
    store.drop_graph(graph)  # whatever an interrupted load left (no-op if none)
    begin_extract(store, source_id, graph)
    nq = work_dir / f"{source_id}.nt"
    write(nq)
    store.load_file(nq, graph)
    if not keep:
        nq.unlink()
    report = SourceReport(source_id, graph, "loaded")
    report.triples = _count_triples(store, graph)
    report.seconds = time.perf_counter() - t0
    commit_extract(
        store, source_id, graph,
        _describe(graph, source_id, organisation=label, organisation_id=source_id,
                  legal_basis=(), law=None, files=[], extracted_at=None,
                  started=started, report=report),
    )
    return report


def load_reference_graphs(store: GraphStore, esco_dir: Path, work_dir: Path,
                          log: Log = print, keep: bool = False) -> list[SourceReport]:
    """ESCO, the ontology and the code lists, each in its own named graph (reloaded on change)."""
    work_dir.mkdir(parents=True, exist_ok=True)

    def turtle(path: Path) -> Callable[[Path], int]:
        def write(nt: Path) -> int:
            g = Graph().parse(path, format="turtle")
            g.serialize(nt, format="nt", encoding="utf-8")
            return len(g)
        return write

    def write_esco(nt: Path) -> int:
        with nt.open("wb") as out:
            return esco.write_esco_ntriples(esco_dir, out)

    esco.check_esco_dir(esco_dir)
    return [
        _load_reference(store, "ontology", "Työdata ontology", _hash_files([ONTOLOGY]),
                        turtle(ONTOLOGY), work_dir, log, keep),
        _load_reference(store, "codelists", "Työdata code lists", _hash_files([CODELISTS]),
                        turtle(CODELISTS), work_dir, log, keep),
        _load_reference(store, "esco", f"ESCO v{esco.ESCO_VERSION}", esco.fingerprint(esco_dir),
                        write_esco, work_dir, log, keep),
    ]


def _read_manifest(folder: Path) -> dict:
    """The extract's manifest.json ({} when there is none); ExtractError when it is unusable."""
    return read_manifest(folder / "manifest.json")


@dataclass
class Prepared:
    """A source extract validated, staged and mapped to N-Triples, ready to load."""

    source_id: str
    files: dict[str, FileCounts]
    triples_file: Path
    identities_file: Path | None
    rejects_file: Path
    stage_seconds: dict[str, float]

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files.values())


def prepare_source(source: SourceSpec, folder: Path, work_dir: Path,
                   pseudonymize: Pseudonymizer, esco_dir: Path) -> Prepared:
    """Validate and map one extract (CPU-bound Python: runs in a worker process while the
    previous source loads). Writes its rejects to a file of its own."""
    timings: dict[str, float] = {}
    lap = _Lap(timings)
    staging = work_dir / source.id
    rejects_file = work_dir / f"{source.id}.rejects.csv"
    rejects = RejectsWriter(rejects_file)
    try:
        staged = stage_source(source, folder, staging, rejects, pseudonymize,
                              lambda kind: esco.concept_iris(esco_dir, kind))
    finally:
        rejects.close()
    lap("validate")
    plan = compile_mapping(load_mapping(source.mapping_path), base_dir=staging)
    triples_file = work_dir / f"{source.id}.nt"
    with triples_file.open("wb") as out:
        plan.run(out, graph=None)
    identities_file = None
    if staged.identities:
        identities_file = work_dir / f"{source.id}.identity.nt"
        with identities_file.open("w", encoding="utf-8") as out:
            for pseudonym, code in staged.identities.items():
                out.write(identity_entry(pseudonym, code))
    shutil.rmtree(staging, ignore_errors=True)  # staged rows are personal data
    lap("map")
    return Prepared(source.id, staged.files, triples_file, identities_file, rejects_file,
                    timings)


@dataclass
class _Planned:
    source: SourceSpec
    folder: Path
    graph: str
    files: list[Path]
    manifest: dict


def _plan(store: GraphStore, source: SourceSpec, folder: Path,
          key_fingerprint: str) -> _Planned | SourceReport:
    """The graph this extract would become, or the stored report if it is already current."""
    files = [folder / spec.name for spec in source.files.values()]
    missing = [p.name for p in files if not p.exists()]
    if missing:
        raise IngestError(f"{source.id}: the extract in {folder} lacks {', '.join(missing)}")
    manifest = _read_manifest(folder)  # a bad manifest fails the source before any work
    manifest_file = folder / "manifest.json"
    extract_id = _hash_files(
        [*files, *([manifest_file] if manifest_file.exists() else []), source.mapping_path,
         SOURCES_YAML, shapes_for(source.id), CODELISTS],
        key_fingerprint,
    )
    graph = extract_graph(source.id, extract_id)
    if current_graphs(store).get(source_iri(source.id)) == graph:
        return _stored_report(store, source.id, graph)
    return _Planned(source, folder, graph, files, manifest)


def _load_prepared(store: GraphStore, planned: _Planned, prepared: Prepared, *,
                   started: datetime | None, t0: float, log: Log, keep_intermediate: bool,
                   shapes: Path) -> SourceReport:
    """Load a prepared extract into its fresh graph, check its shapes, make it current."""
    source, graph = planned.source, planned.graph
    report = SourceReport(
        source.id, graph, "loaded", prepared.rows_read,
        sum(f.rows_loaded for f in prepared.files.values()),
        sum(f.rows_rejected for f in prepared.files.values()), files=prepared.files,
        stage_seconds=dict(prepared.stage_seconds),
    )
    lap = _Lap(report.stage_seconds)
    store.drop_graph(graph)  # whatever an interrupted load of this extract left (no-op if none)
    begin_extract(store, source.id, graph)
    log(f"{source.id}: loading {report.rows_loaded} mapped rows")
    store.load_file(prepared.triples_file, graph)
    if prepared.identities_file:
        add_identities(store, prepared.identities_file)
    if not keep_intermediate:  # mapped rows are personal data: keep them no longer than needed
        prepared.triples_file.unlink()
        if prepared.identities_file:
            prepared.identities_file.unlink()
    lap("load")
    log(f"{source.id}: checking SHACL shapes")
    report.violations, report.violation_examples = validate_graph(
        store, graph, load_checks(shapes)
    )
    lap("shacl")
    if report.violations:
        store.drop_graph(graph)
        report.status = "failed"
        report.error = (
            f"{report.violations} SHACL violation(s) in the mapped graph; the previous "
            "extract stays current. This points at a mapping or shape error: see "
            "shacl_examples in the report."
        )
        report.seconds = time.perf_counter() - t0
        return report
    report.triples = _count_triples(store, graph)
    report.seconds = time.perf_counter() - t0
    manifest = planned.manifest
    commit_extract(
        store, source.id, graph,
        _describe(graph, source.id, organisation=source.organisation,
                  organisation_id=source.organisation_id, legal_basis=source.legal_basis,
                  law=source.law, files=sorted(p.name for p in planned.files),
                  extracted_at=manifest.get("extracted_at"), started=started, report=report),
    )
    lap("commit")
    log(
        f"{source.id}: {report.rows_loaded}/{report.rows_read} rows loaded, "
        f"{report.rows_rejected} rejected, {report.triples} triples"
    )
    return report


def _append_rejects(part: Path, into: Path) -> None:
    with part.open(encoding="utf-8") as src, into.open("a", encoding="utf-8") as dst:
        next(src, None)  # each part has its own header
        shutil.copyfileobj(src, dst)
    part.unlink()


def ingest(
    extract_dir: Path,
    store: GraphStore,
    *,
    pseudonymize: Pseudonymizer,
    key_fingerprint: str,
    esco_dir: Path,
    work_dir: Path,
    rejects_path: Path,
    only: list[str] | None = None,
    log: Log = print,
    tick: Tick | None = None,
    keep_intermediate: bool = False,
) -> IngestReport:
    """Ingest every source folder found in ``extract_dir`` (or those in ``only``)."""
    t0 = time.perf_counter()
    if not extract_dir.is_dir():
        raise IngestError(f"no extract folder at {extract_dir}")
    sources = load_sources()
    unknown = [s for s in (only or []) if s not in sources]
    if unknown:
        raise IngestError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sources)}")
    present = [s for s in sources.values() if (extract_dir / s.id).is_dir()]
    if only:
        present = [s for s in present if s.id in only]
    if not present:
        raise IngestError(
            f"{extract_dir} holds no source folder ({', '.join(sources)}); "
            "create extracts with `tyodata generate` or copy the registries' extracts there"
        )
    work_dir.mkdir(parents=True, exist_ok=True)
    reports = load_reference_graphs(store, esco_dir, work_dir, log, keep_intermediate)
    RejectsWriter(rejects_path).close()  # a fresh file with its header
    planned: list[_Planned] = []
    for source in present:
        try:
            outcome = _plan(store, source, extract_dir / source.id, key_fingerprint)
        except TyodataError as err:
            log(f"{source.id}: FAILED: {err}")
            reports.append(SourceReport(source.id, "", "failed", error=str(err)))
            continue
        if isinstance(outcome, SourceReport):
            log(f"{source.id}: unchanged extract, already current")
            reports.append(outcome)
        else:
            planned.append(outcome)
    # Validation and mapping (Python) of the next source overlap the load of this one.
    # The worker dies with this process, even on kill -9 (then the resource tracker, whose
    # pipe the worker holds too, sees it close and exits as well): nothing is orphaned.
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        futures: list[Future[Prepared]] = []

        def submit(k: int) -> None:
            if k < len(planned):
                p = planned[k]
                futures.append(pool.submit(prepare_source, p.source, p.folder, work_dir,
                                           pseudonymize, esco_dir))

        submit(0)
        for k, plan in enumerate(planned):
            submit(k + 1)
            started, source_t0 = datetime.now(UTC), time.perf_counter()
            log(f"{plan.source.id}: validating and mapping rows")
            try:
                prepared = futures[k].result()
                _append_rejects(prepared.rejects_file, rejects_path)
                if tick:
                    tick(prepared.rows_read)
                reports.append(_load_prepared(store, plan, prepared, started=started,
                                              t0=source_t0,
                                              log=log, keep_intermediate=keep_intermediate,
                                              shapes=shapes_for(plan.source.id)))
            except TyodataError as err:
                log(f"{plan.source.id}: FAILED: {err}")
                reports.append(SourceReport(plan.source.id, "", "failed", error=str(err)))
    dropped = collect_garbage(store)
    if dropped:
        log(f"removed {len(dropped)} superseded or incomplete graph(s)")
    retired = retire_identities(store)
    if retired:
        log(f"retired the identity entries of {retired} person(s) no current extract holds")
    if ensure_default_policy(store) is not None:
        log("loaded the default access policy of the situation view (none was loaded)")
    order = {s.id: i for i, s in enumerate(present)}
    reports.sort(key=lambda r: order.get(r.source, -1))  # reference graphs first, then sources
    return IngestReport(reports, str(rejects_path), time.perf_counter() - t0,
                        graphs_dropped=len(dropped), identities_retired=retired)
