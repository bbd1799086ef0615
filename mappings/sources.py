"""The source registries as declared in sources.yaml (read once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

MAPPINGS_DIR = Path(__file__).resolve().parent
SOURCES_YAML = MAPPINGS_DIR / "sources.yaml"
ISO_DATE = "%Y-%m-%d"
CSV_DELIMITER = ";"


BIRTH_YEAR_COLUMN = "henkilo_syntymavuosi"
"""Staged beside the pseudonym: the person's year of birth, from the identity code."""
SEX_COLUMN = "henkilo_sukupuoli"
"""Staged beside the pseudonym: the person's sex as the population register codes it
(1 male, 2 female), from the identity code's individual number (odd male, even female)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    codelist: str | None = None
    min: float | None = None
    max: float | None = None
    path: str | None = None  # where a JSON record holds the value (dotted, [i] indexes)


@dataclass(frozen=True)
class FileSpec:
    name: str
    key: str
    columns: tuple[Column, ...]
    checks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    parent: tuple[str, str] | None = None  # (parent file, key column)
    format: str = "csv"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def staged_columns(self) -> list[str]:
        """Columns of the staged file: the identity code becomes the pseudonym `henkilo`,
        and its year of birth and sex are added as `henkilo_syntymavuosi` and
        `henkilo_sukupuoli` (the code never leaves staging; these are what the mappings
        may use of it)."""
        columns = ["henkilo" if c.type == "hetu" else c.name for c in self.columns]
        if any(c.type == "hetu" for c in self.columns):
            columns += [BIRTH_YEAR_COLUMN, SEX_COLUMN]
        return columns


@dataclass(frozen=True)
class SourceSpec:
    id: str
    organisation: str
    organisation_id: str
    legal_basis: tuple[str, ...]
    law: str
    date_format: str
    files: dict[str, FileSpec] = field(default_factory=dict)

    @property
    def mapping_path(self) -> Path:
        return MAPPINGS_DIR / f"{self.id}.yarrrml.yml"

    def files_in_load_order(self) -> list[FileSpec]:
        """Parents before children, so a child row can be checked against loaded parents."""
        return sorted(self.files.values(), key=lambda f: f.parent is not None)


def _file(name: str, raw: dict) -> FileSpec:
    columns = tuple(
        Column(
            name=col,
            type=spec["type"],
            required=bool(spec.get("required", False)),
            codelist=spec.get("codelist"),
            min=spec.get("min"),
            max=spec.get("max"),
            path=spec.get("path"),
        )
        for col, spec in raw["columns"].items()
    )
    checks = tuple(
        (kind, tuple(args)) for check in raw.get("checks", []) for kind, args in check.items()
    )
    parent = raw.get("parent")
    return FileSpec(
        name=name,
        key=raw["key"],
        columns=columns,
        checks=checks,
        parent=(parent["file"], parent["column"]) if parent else None,
        format=raw.get("format", "csv"),
    )


@lru_cache(maxsize=4)
def load_sources(path: Path = SOURCES_YAML) -> dict[str, SourceSpec]:
    """Every source by id, in the order sources.yaml lists them.

    >>> sorted(load_sources())[:3]
    ['hyvinvointialue', 'kela', 'koski']
    """
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]
    return {
        sid: SourceSpec(
            id=sid,
            organisation=spec["organisation"],
            organisation_id=spec["organisation_id"],
            legal_basis=tuple(spec["legal_basis"]),
            law=spec["law"],
            date_format=spec.get("date_format", ISO_DATE),
            files={name: _file(name, f) for name, f in spec["files"].items()},
        )
        for sid, spec in raw.items()
    }
