"""The catalogue's hand-written metadata (catalog/metadata.ttl), read once."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal

METADATA_FILE = Path(__file__).with_name("metadata.ttl")
_SPACES = re.compile(r"\s+")


@cache
def metadata() -> Graph:
    """The parsed metadata file. Shared: copy it (``graph += metadata()``), never change it.

    Texts are written wrapped in the file; each becomes one paragraph (whitespace runs
    collapsed to one space)."""
    parsed = Graph().parse(METADATA_FILE, format="turtle")
    for s, p, o in list(parsed):
        if isinstance(o, Literal) and o.datatype is None and "\n" in o:
            parsed.remove((s, p, o))
            parsed.add((s, p, Literal(_SPACES.sub(" ", str(o)).strip(), lang=o.language)))
    return parsed

