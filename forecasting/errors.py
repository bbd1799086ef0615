"""The forecast's errors: each says what is wrong and what to do (under the project's root)."""

from __future__ import annotations

from pathlib import Path

from core.errors import TyodataError


class ForecastError(TyodataError):
    """Root of the work-ability forecast's errors."""


class MissingSourcesError(ForecastError):
    """The store has no current extract of a registry the features are read from."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "the store holds no current extract of " + ", ".join(missing)
            + ": the forecast's features come from them; ingest the extracts first "
            "(tyodata ingest <folder>)")
        self.missing = missing


class NoCohortError(ForecastError):
    """Nobody in the store entered employment services in the cohort window."""


class TooFewPositivesError(ForecastError):
    """Too few persons with the outcome to train and evaluate a model."""

    def __init__(self, where: str, positives: int, needed: int) -> None:
        super().__init__(
            f"the {where} has {positives} persons with the outcome (a work-disability "
            f"benefit within two years), at least {needed} are needed to train and judge "
            "a model: generate or ingest a larger population")
        self.positives, self.needed = positives, needed


class TruthFileError(ForecastError):
    """The evaluation's truth file is missing, malformed or does not match the store."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"truth file {path}: {reason}")
        self.path = path


class ModelFolderError(ForecastError):
    """A model version's folder is missing, incomplete or cannot be read."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"forecast model at {path}: {reason}; train one with "
                         "`tyodata forecast train`")
        self.path = path


class PersonDataError(ForecastError):
    """The registries hold too little on a person to form their forecast."""


class OutsidePopulationError(ForecastError):
    """The person lies outside the population the model was trained on."""
