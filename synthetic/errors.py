"""Errors of the synthetic-extract generator, under one root."""

from __future__ import annotations

from pathlib import Path

from core.errors import TyodataError


class GeneratorError(TyodataError):
    """Root of the generator's errors (under the project's one root)."""


class ContractError(GeneratorError):
    """sources.yaml or codelists.ttl no longer matches what the generator writes."""


class EscoFileMissingError(GeneratorError, FileNotFoundError):
    """An ESCO CSV file the generator reads is missing."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"ESCO file not found: {path}. Download the official ESCO v1.1.1 CSV package "
            "(https://esco.ec.europa.eu/en/use-esco/download, classification in English) "
            "into a folder with en/ and fi/ subfolders (Finnish labels in fi/occupations_fi.csv "
            "and fi/skills_fi.csv) and set TYODATA_ESCO_DIR to that folder."
        )
        self.path = path
