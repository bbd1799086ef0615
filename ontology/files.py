"""Paths of the ontology files, so nobody retypes them.

>>> ONTOLOGY.name
'tyodata.ttl'
>>> shapes_for("kela").relative_to(SHAPES_DIR).as_posix()
'kela.ttl'
>>> "tyomarkkinatori" in shape_sources()
True
"""

from __future__ import annotations

from pathlib import Path

ONTOLOGY_DIR: Path = Path(__file__).parent
ONTOLOGY: Path = ONTOLOGY_DIR / "tyodata.ttl"
CODELISTS: Path = ONTOLOGY_DIR / "codelists.ttl"
SHAPES_DIR: Path = ONTOLOGY_DIR / "shapes"
NS_MODULE: Path = ONTOLOGY_DIR / "ns.py"


def shape_sources() -> list[str]:
    """Names of the sources that have a shapes file, sorted."""
    return sorted(path.stem for path in SHAPES_DIR.glob("*.ttl"))


def shapes_for(source: str) -> Path:
    """Path of the SHACL shapes of ``source`` (a key of mappings/sources.yaml).

    :raises ValueError: if there is no shapes file for ``source``.
    """
    if source not in shape_sources():
        raise ValueError(f"no shapes for source {source!r}; known: {', '.join(shape_sources())}")
    return SHAPES_DIR / f"{source}.ttl"
