"""ESCO occupation and skill labels (English and Finnish) read in place from the CSVs.

One row per label text: which concept it names, its language and whether it is the
preferred label. Finnish ``altLabels_fi`` lost their separators upstream (see the ESCO
folder's README), so that column is one free-text "label" of lower weight.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from mappings.esco import check_esco_dir, fingerprint

Kind = Literal["occupation", "skill"]
KINDS: tuple[Kind, ...] = ("occupation", "skill")
Lang = Literal["fi", "en"]
LABEL_PREFERRED, LABEL_ALT, LABEL_FREE_TEXT = 0, 1, 2


@dataclass(frozen=True)
class ConceptLabels:
    """The labels of one kind of ESCO concept; ``label_*`` arrays are parallel."""

    kind: Kind
    uris: tuple[str, ...]
    preferred: dict[Lang, tuple[str, ...]]
    """Preferred label per language, parallel to ``uris`` (English where fi is missing)."""
    isco_group: tuple[str, ...]
    """ISCO-08 unit group code per occupation ('' for skills)."""
    label_concept: tuple[int, ...] = field(repr=False)
    label_lang: tuple[Lang, ...] = field(repr=False)
    label_type: tuple[int, ...] = field(repr=False)
    label_text: tuple[str, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.uris)


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _read(esco_dir: Path, kind: Kind) -> ConceptLabels:
    en_file = esco_dir / "en" / ("occupations_en.csv" if kind == "occupation" else "skills_en.csv")
    fi_file = esco_dir / "fi" / ("occupations_fi.csv" if kind == "occupation" else "skills_fi.csv")
    uris: list[str] = []
    pref_en: list[str] = []
    isco: list[str] = []
    index: dict[str, int] = {}
    labels: list[tuple[int, Lang, int, str]] = []
    for row in _rows(en_file):
        uri = row["conceptUri"]
        index[uri] = len(uris)
        uris.append(uri)
        pref_en.append(row["preferredLabel"].strip())
        isco.append(row.get("code", "").split(".")[0] if kind == "occupation" else "")
        labels.append((index[uri], "en", LABEL_PREFERRED, pref_en[-1]))
        for alt in (row.get("altLabels") or "").split("\n"):
            if alt.strip() and alt.strip() != pref_en[-1]:
                labels.append((index[uri], "en", LABEL_ALT, alt.strip()))
    pref_fi = list(pref_en)
    if fi_file.is_file():
        for row in _rows(fi_file):
            position = index.get(row["conceptUri"])
            if position is None or not row.get("preferredLabel_fi", "").strip():
                continue
            pref_fi[position] = row["preferredLabel_fi"].strip()
            labels.append((position, "fi", LABEL_PREFERRED, pref_fi[position]))
            if row.get("altLabels_fi", "").strip():
                labels.append((position, "fi", LABEL_FREE_TEXT, row["altLabels_fi"].strip()))
    concept, lang, type_, text = zip(*labels, strict=True)
    return ConceptLabels(kind, tuple(uris), {"en": tuple(pref_en), "fi": tuple(pref_fi)},
                         tuple(isco), concept, lang, type_, text)


@lru_cache(maxsize=4)
def _cached(esco_dir: Path, print_: str, kind: Kind) -> ConceptLabels:
    return _read(esco_dir, kind)


def load_labels(esco_dir: Path, kind: Kind) -> ConceptLabels:
    """The labels of ``kind``, read once per ESCO folder and fingerprint."""
    check_esco_dir(esco_dir)
    return _cached(esco_dir.resolve(), fingerprint(esco_dir), kind)
