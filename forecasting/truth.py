"""The generator's truth file (evaluation only; never in the graph): each cohort member's true
probability of the outcome, the outcome drawn and the features as the generator measured them.

Rows are keyed by identity code in the file; they are joined to the store's persons by
pseudonym (``pseudonym_of``: identity code -> person IRI) and the codes are dropped at once.
No message here ever repeats an identity code.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from forecasting.errors import TruthFileError
from forecasting.features import FEATURES, LANGUAGES

MEASURED = tuple(name for name in FEATURES if name != "language")
HEADER = ("hetu", "entry_date", "index_date", "probability", "outcome", *MEASURED[:-1],
          "age", "language", "sex")
MIN_COVERAGE = 0.95  # of the test set found in the truth file, for a ceiling worth reporting


@dataclass(frozen=True)
class TruthRow:
    entry: date
    index: date
    probability: float
    outcome: int
    features: dict[str, float | str]  # FEATURES names
    sex: str


def read_truth(path: Path, pseudonym_of: Callable[[str], str]) -> dict[str, TruthRow]:
    """Person IRI -> their truth row; :class:`TruthFileError` names the line and the
    problem of a malformed file."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise TruthFileError(path, f"cannot be read ({error.strerror})") from None
    rows: dict[str, TruthRow] = {}
    with handle:
        reader = csv.reader(handle, delimiter=",")
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as error:
            raise TruthFileError(path, f"not a UTF-8 CSV file ({error})") from None
        if header is None or tuple(h.strip() for h in header) != HEADER:
            raise TruthFileError(path, "the header must be " + ",".join(HEADER))
        try:
            for row in reader:
                if not row:
                    continue
                line = reader.line_num
                person, truth = _parse(path, line, row, pseudonym_of)
                if person in rows:
                    raise TruthFileError(path, f"line {line}: the person appears twice")
                rows[person] = truth
        except (csv.Error, UnicodeDecodeError) as error:
            raise TruthFileError(path, f"line {reader.line_num}: unreadable ({error})") from None
    return rows


def _parse(path: Path, line: int, row: list[str],
           pseudonym_of: Callable[[str], str]) -> tuple[str, TruthRow]:
    if len(row) != len(HEADER):
        raise TruthFileError(path, f"line {line}: {len(row)} fields, expected {len(HEADER)}")
    values = dict(zip(HEADER, (v.strip() for v in row), strict=True))
    try:
        person = pseudonym_of(values["hetu"])
    except Exception:  # never echo the code itself
        raise TruthFileError(path, f"line {line}: not a valid identity code") from None
    try:
        probability = float(values["probability"])
        outcome = int(values["outcome"])
        entry = date.fromisoformat(values["entry_date"])
        index = date.fromisoformat(values["index_date"])
        features: dict[str, float | str] = {name: _number(values[name]) for name in MEASURED}
    except ValueError as error:
        raise TruthFileError(path, f"line {line}: {error}") from None
    if not 0.0 <= probability <= 1.0 or outcome not in (0, 1):
        raise TruthFileError(path, f"line {line}: probability must lie in 0-1 and outcome "
                                   "be 0 or 1")
    if values["language"] not in LANGUAGES:
        raise TruthFileError(path, f"line {line}: language must be one of "
                                   + ", ".join(LANGUAGES))
    features["language"] = values["language"]
    return person, TruthRow(entry, index, probability, outcome, features, values["sex"])


def _number(text: str) -> float:
    """A count, amount or flag (0/1, or true/false)."""
    flag = {"true": 1.0, "false": 0.0}.get(text.lower())
    return flag if flag is not None else float(text)


def ceiling_scores(path: Path, truth: dict[str, TruthRow], persons: list[str]) -> np.ndarray:
    """The true probability of each of ``persons`` (NaN where the file has none);
    :class:`TruthFileError` when too few of them are in the file to judge against."""
    scores = np.array([truth[p].probability if p in truth else np.nan for p in persons])
    found = float(np.mean(~np.isnan(scores))) if len(scores) else 0.0
    if found < MIN_COVERAGE:
        raise TruthFileError(
            path, f"holds only {found:.0%} of the test set's persons: it was not written "
                  "for the extracts in this store (or with another pseudonym key)")
    return scores
