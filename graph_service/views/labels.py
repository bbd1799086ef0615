"""The code lists as the views need them, from the SKOS code lists loaded in the store as
a reference graph: each concept's scheme and its labels by language.

Read once per code-lists graph (its IRI changes when its content does), so the view needs
no label joins in its per-request queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import Literal

from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import GraphDirectory, source_iri
from graph_service.views.queries import load


@dataclass(frozen=True)
class CodeLists:
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """concept IRI -> {"fi": ..., "en": ...}"""
    schemes: Mapping[str, str] = field(default_factory=dict)
    """concept IRI -> its concept scheme's IRI"""


_NONE = CodeLists()


def code_lists(store: GraphStore, directory: GraphDirectory) -> CodeLists:
    """The current code lists; empty when none are loaded."""
    graph = directory.current().get(source_iri("codelists"))
    return _NONE if graph is None else _read(store, graph)


@lru_cache(maxsize=4)
def _read(store: GraphStore, graph: str) -> CodeLists:
    labels: dict[str, dict[str, str]] = {}
    schemes: dict[str, str] = {}
    for concept, scheme, label in store.select(load("labels"),
                                               dataset=Dataset(named=(graph,))).rows:
        schemes[str(concept)] = str(scheme)
        if isinstance(label, Literal) and label.language:
            labels.setdefault(str(concept), {})[label.language] = str(label)
    return CodeLists(labels, schemes)
