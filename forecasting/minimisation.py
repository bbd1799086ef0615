"""The data-minimisation list (forecasting/features.toml): what the forecast reads and why."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any


@cache
def minimisation_list() -> dict[str, list[dict[str, Any]]]:
    """``{"feature": [...], "read": [...]}`` as features.toml lists them."""
    text = resources.files(__package__).joinpath("features.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def listed_terms() -> set[str]:
    """Every class and property (``tyo:...``) and code (``scheme/notation``) the list names."""
    terms: set[str] = set()
    for entry in (*minimisation_list()["feature"], *minimisation_list()["read"]):
        terms.update(entry["classes"], entry["properties"], entry.get("codes", []))
    return terms


def report_features() -> list[dict[str, str]]:
    """The list as report.json's data.features: name, source, why, use."""
    out = []
    for entry in minimisation_list()["feature"]:
        terms = ", ".join([*entry["classes"], *entry["properties"]])
        out.append({"name": entry["name"], "use": entry["use"],
                    "source": f"{entry['registry']} (graph {entry['source']}: {terms})",
                    "why": " ".join(entry["why"].split())})
    return out
