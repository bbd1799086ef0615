"""Valid code values, read from the SKOS code lists (the single place codes are defined)."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from ontology.files import CODELISTS

CODE_NS = "https://tyodata.fi/code/"

_QUERY = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?scheme ?notation WHERE { ?c skos:inScheme ?scheme ; skos:notation ?notation }
"""


@lru_cache(maxsize=1)
def code_lists() -> dict[str, frozenset[str]]:
    """Code list id (e.g. ``municipality``) -> the notations it allows.

    >>> "091" in code_lists()["municipality"]
    True
    """
    store = ox.Store()
    store.load(path=str(CODELISTS), format=ox.RdfFormat.TURTLE)
    lists: dict[str, set[str]] = {}
    for row in store.query(_QUERY):
        scheme = row["scheme"].value.removeprefix(CODE_NS)
        lists.setdefault(scheme, set()).add(row["notation"].value)
    return {k: frozenset(v) for k, v in lists.items()}
