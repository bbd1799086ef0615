"""ESCO (occupations, skills, ISCO groups, hierarchy, relations) as RDF.

Reads the official ESCO v1.1.1 CSV package (``en/``) and the Finnish labels
(``fi/``) from a configured folder, never from the repository, and writes
N-Triples with ESCO's own concept IRIs and the ESCO model's classes.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from core.errors import TyodataError

ESCO_VERSION = "1.1.1"
ESCO_MODEL = "http://data.europa.eu/esco/model#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCT = "http://purl.org/dc/terms/"
DOWNLOAD_HINT = (
    "Download the official ESCO v1.1.1 CSV package (all languages or English) from "
    "https://esco.ec.europa.eu/en/use-esco/download, unpack it into a folder with en/ "
    "(and fi/ for Finnish labels), and point TYODATA_ESCO_DIR (or --esco-dir) at it."
)
REQUIRED = (
    "en/occupations_en.csv",
    "en/skills_en.csv",
    "en/ISCOGroups_en.csv",
    "en/skillGroups_en.csv",
    "en/occupationSkillRelations.csv",
    "en/broaderRelationsOccPillar.csv",
    "en/broaderRelationsSkillPillar.csv",
)
OPTIONAL = ("fi/occupations_fi.csv", "fi/skills_fi.csv")


class EscoMissingError(TyodataError):
    """The ESCO folder or one of its files is missing."""


def check_esco_dir(esco_dir: Path) -> None:
    if not esco_dir.is_dir():
        raise EscoMissingError(f"no ESCO folder at {esco_dir}. {DOWNLOAD_HINT}")
    missing = [name for name in REQUIRED if not (esco_dir / name).is_file()]
    if missing:
        raise EscoMissingError(
            f"the ESCO folder {esco_dir} lacks {', '.join(missing)}. {DOWNLOAD_HINT}"
        )


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def _lit(text: str, lang: str | None = None) -> str:
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def fingerprint(esco_dir: Path) -> str:
    """A short hash of the ESCO files read, so an unchanged ESCO is not reloaded."""
    digest = hashlib.sha256(ESCO_VERSION.encode())
    for name in (*REQUIRED, *OPTIONAL):
        path = esco_dir / name
        if path.is_file():
            stat = path.stat()
            digest.update(f"{name}:{stat.st_size}:{int(stat.st_mtime)}".encode())
    return digest.hexdigest()[:16]


def write_esco_ntriples(esco_dir: Path, out: BinaryIO) -> int:
    """Write ESCO as N-Triples; returns the number of triples."""
    check_esco_dir(esco_dir)
    count = 0
    buffer: list[str] = []

    def emit(s: str, p: str, o: str) -> None:
        nonlocal count
        buffer.append(f"<{s}> <{p}> {o} .\n")
        count += 1
        if len(buffer) >= 50_000:
            out.write("".join(buffer).encode())
            buffer.clear()

    def labels(uri: str, row: dict[str, str], lang: str) -> None:
        if row.get("preferredLabel"):
            emit(uri, SKOS + "prefLabel", _lit(row["preferredLabel"], lang))
        for alt in (row.get("altLabels") or "").split("\n"):
            if alt.strip():
                emit(uri, SKOS + "altLabel", _lit(alt.strip(), lang))
        if row.get("description"):
            emit(uri, DCT + "description", _lit(row["description"], lang))

    en = esco_dir / "en"
    for row in _rows(en / "occupations_en.csv"):
        uri = row["conceptUri"]
        emit(uri, RDF_TYPE, f"<{ESCO_MODEL}Occupation>")
        emit(uri, RDF_TYPE, f"<{SKOS}Concept>")
        emit(uri, SKOS + "inScheme", "<http://data.europa.eu/esco/concept-scheme/occupations>")
        if row.get("code"):
            emit(uri, SKOS + "notation", _lit(row["code"]))
        labels(uri, row, "en")
    for row in _rows(en / "skills_en.csv"):
        uri = row["conceptUri"]
        emit(uri, RDF_TYPE, f"<{ESCO_MODEL}Skill>")
        emit(uri, RDF_TYPE, f"<{SKOS}Concept>")
        emit(uri, SKOS + "inScheme", "<http://data.europa.eu/esco/concept-scheme/skills>")
        if row.get("skillType"):
            kind = "skill" if row["skillType"].startswith("skill") else row["skillType"]
            emit(uri, ESCO_MODEL + "skillType", f"<http://data.europa.eu/esco/skill-type/{kind}>")
        if row.get("reuseLevel"):
            emit(
                uri,
                ESCO_MODEL + "skillReuseLevel",
                f"<http://data.europa.eu/esco/skill-reuse-level/{row['reuseLevel']}>",
            )
        labels(uri, row, "en")
    for row in _rows(en / "ISCOGroups_en.csv"):
        uri = row["conceptUri"]
        emit(uri, RDF_TYPE, f"<{SKOS}Concept>")
        emit(uri, SKOS + "inScheme", "<http://data.europa.eu/esco/concept-scheme/isco>")
        emit(uri, SKOS + "notation", _lit(row["code"]))
        labels(uri, row, "en")
    for row in _rows(en / "skillGroups_en.csv"):
        uri = row["conceptUri"]
        emit(uri, RDF_TYPE, f"<{SKOS}Concept>")
        emit(uri, SKOS + "inScheme", "<http://data.europa.eu/esco/concept-scheme/skills>")
        labels(uri, row, "en")
    for name in ("broaderRelationsOccPillar.csv", "broaderRelationsSkillPillar.csv"):
        for row in _rows(en / name):
            emit(row["conceptUri"], SKOS + "broader", f"<{row['broaderUri']}>")
    relation = {
        "essential": ESCO_MODEL + "relatedEssentialSkill",
        "optional": ESCO_MODEL + "relatedOptionalSkill",
    }
    for row in _rows(en / "occupationSkillRelations.csv"):
        emit(row["occupationUri"], relation[row["relationType"]], f"<{row['skillUri']}>")
    for name in OPTIONAL:
        if (esco_dir / name).is_file():
            for row in _rows(esco_dir / name):
                uri = row["conceptUri"]
                if row.get("preferredLabel_fi"):
                    emit(uri, SKOS + "prefLabel", _lit(row["preferredLabel_fi"], "fi"))
                if row.get("description_fi"):
                    emit(uri, DCT + "description", _lit(row["description_fi"], "fi"))
    out.write("".join(buffer).encode())
    return count


@lru_cache(maxsize=4)
def concept_iris(esco_dir: Path, kind: str) -> frozenset[str]:
    """The IRIs of ESCO occupations (kind ``occupation``) or skills (``skill``)."""
    check_esco_dir(esco_dir)
    name = {"occupation": "occupations_en.csv", "skill": "skills_en.csv"}[kind]
    return frozenset(row["conceptUri"] for row in _rows(esco_dir / "en" / name))
