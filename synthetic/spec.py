"""The generator's contract, read at run time: sources.yaml and the SKOS code lists.

Nothing here is retyped: files, columns and their order, date formats and checks
come from ``mappings/sources.yaml`` (through ``mappings.sources``, the loader
staging uses too), and code values with their Finnish labels from
``ontology/codelists.ttl`` (rdflib, once per run).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mappings.sources import Column
from mappings.sources import load_sources as load_source_specs
from ontology.files import CODELISTS

from .errors import ContractError

CODE_BASE = "https://tyodata.fi/code/"


@dataclass(frozen=True)
class FileSpec:
    """One extract file, with what the generator needs to write and to break it."""

    source: str
    name: str
    format: str  # "csv" or "json"
    key: str
    date_format: str
    columns: tuple[Column, ...]
    not_before: tuple[tuple[str, str], ...] = ()
    required_if: tuple[tuple[str, str, str], ...] = ()
    parent: tuple[str, str] | None = None  # (file, column)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class SourceSpec:
    name: str
    organisation: str
    organisation_id: str
    date_format: str
    files: dict[str, FileSpec]


@dataclass(frozen=True)
class CodeLists:
    """Notations per code list (sorted) and their Finnish labels."""

    notations: dict[str, tuple[str, ...]]
    labels_fi: dict[tuple[str, str], str] = field(default_factory=dict)

    def codes(self, codelist: str) -> tuple[str, ...]:
        try:
            return self.notations[codelist]
        except KeyError:
            raise ContractError(f"code list {codelist!r} is not in {CODELISTS.name}") from None

    def label(self, codelist: str, code: str) -> str:
        return self.labels_fi.get((codelist, code), code)

    def require(self, codelist: str, codes: Iterable[str]) -> None:
        """Fail loudly when the generator's domain tables name a code the list lacks."""
        known = set(self.codes(codelist))
        missing = sorted(set(codes) - known)
        if missing:
            raise ContractError(
                f"generator refers to codes {missing} that code list {codelist!r} does not hold; "
                "update synthetic/ tables or ontology/codelists.ttl"
            )


@dataclass(frozen=True)
class Contract:
    sources: dict[str, SourceSpec]
    codelists: CodeLists

    def file(self, source: str, name: str) -> FileSpec:
        return self.sources[source].files[name]

    def files(self) -> list[FileSpec]:
        return [f for s in self.sources.values() for f in s.files.values()]


def load_sources() -> dict[str, SourceSpec]:
    sources: dict[str, SourceSpec] = {}
    for sid, s in load_source_specs().items():
        files: dict[str, FileSpec] = {}
        for fname, f in s.files.items():
            files[fname] = FileSpec(
                source=sid,
                name=fname,
                format=f.format,
                key=f.key,
                date_format=s.date_format,
                columns=f.columns,
                not_before=tuple((a[0], a[1]) for kind, a in f.checks if kind == "not_before"),
                required_if=tuple(
                    (a[0], a[1], a[2]) for kind, a in f.checks if kind == "required_if"
                ),
                parent=f.parent,
            )
        sources[sid] = SourceSpec(sid, s.organisation, s.organisation_id, s.date_format, files)
    return sources


def load_codelists(path: Path = CODELISTS) -> CodeLists:
    from rdflib import Graph, Literal  # imported late: only the main process parses
    from rdflib.namespace import SKOS

    graph = Graph()
    graph.parse(path, format="turtle")
    notations: dict[str, set[str]] = {}
    labels: dict[tuple[str, str], str] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        scheme_iri = str(scheme)
        notation = graph.value(concept, SKOS.notation)
        if not scheme_iri.startswith(CODE_BASE) or notation is None:
            continue
        name, code = scheme_iri[len(CODE_BASE) :], str(notation)
        notations.setdefault(name, set()).add(code)
        for label in graph.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language == "fi":
                labels[(name, code)] = str(label)
    return CodeLists({k: tuple(sorted(v)) for k, v in notations.items()}, labels)


@lru_cache(maxsize=1)
def load_contract() -> Contract:
    return Contract(load_sources(), load_codelists())
