"""Answer a data product for one person: the same few steps for every product.

1. The graphs: the current extracts of the product's sources (its description's
   ``prov:wasDerivedFrom``) and the reference graphs (ESCO, the code lists: labels, no
   personal data), narrowed by the one visibility function. Nothing else is read.
2. The query, with the person put in place of ``?person`` (an IRI of ours, checked; no
   request text ever goes into a query).
3. The answer, built from the rows by the output schema (:mod:`.shape`) and validated
   against it: a product whose answer breaks its own schema is a fault of the product
   (:class:`ProductContractError`, a 500 naming where, never the value).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from graph_service.policy.visibility import Reader, dataset_for
from graph_service.products.contract import CompiledProduct, compile_product
from graph_service.products.definition import DEFINITIONS_DIR, load_products
from graph_service.products.shape import ProductContractError
from graph_service.queries import substitute
from graph_service.store.base import Dataset, GraphStore
from graph_service.store.registry import (
    REFERENCE_SOURCES,
    GraphDirectory,
    GraphKind,
    source_iri,
)

MAX_PROBLEMS = 5


@cache
def served_products(root: Path = DEFINITIONS_DIR) -> dict[str, CompiledProduct]:
    """Every product under ``root``, checked and compiled, by key (read once per root)."""
    return {key: compile_product(p) for key, p in load_products(root).items()}


@lru_cache(maxsize=64)
def product_dataset(directory: GraphDirectory, sources: tuple[str, ...]) -> Dataset | None:
    """The graphs a product with these sources reads, or None when none of its registries
    has a current extract (it then has nothing to say about anyone)."""
    current = directory.current()
    extracts = set(directory.of_kind(GraphKind.EXTRACT))
    registries = [g for s in sources if s not in REFERENCE_SOURCES
                  and (g := current.get(source_iri(s))) in extracts]
    if not registries:
        return None
    references = [g for s in REFERENCE_SOURCES if (g := current.get(source_iri(s)))]
    return dataset_for(Reader.CASE_WORK, directory, default=registries + references)


@dataclass(frozen=True)
class Answer:
    data: dict
    rows: int
    query_ms: float


def answer(store: GraphStore, directory: GraphDirectory, product: CompiledProduct,
           person: str) -> Answer | None:
    """``product``'s answer about ``person`` (a person IRI), or None when its sources hold
    nothing on them. ProductContractError when the answer breaks the output schema."""
    dataset = product_dataset(directory, product.definition.sources)
    if dataset is None:
        return None
    started = time.perf_counter()
    table = store.select(substitute(product.definition.query, person=person),
                         dataset=dataset)
    query_ms = (time.perf_counter() - started) * 1000
    if not table.rows:
        return None
    data = product.shape.answer(table.dicts())
    check_answer(product, data)
    return Answer(data, len(table.rows), query_ms)


def check_answer(product: CompiledProduct, data: dict) -> None:
    """ProductContractError naming where ``data`` breaks the product's output schema (the
    places and rules, never the values: they are a person's data)."""
    errors = sorted(product.output_validator.iter_errors(data), key=lambda e: list(e.path))
    if errors:
        shown = "; ".join(f"{e.json_path} fails {e.validator!r} (schema "
                          f"{'/'.join(map(str, e.schema_path))})" for e in errors[:MAX_PROBLEMS])
        more = f"; and {len(errors) - MAX_PROBLEMS} more" if len(errors) > MAX_PROBLEMS else ""
        raise ProductContractError(f"{product.definition.key} broke its own output schema: "
                                   f"{shown}{more}")
