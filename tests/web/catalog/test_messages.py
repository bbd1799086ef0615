"""The catalogue pages' messages: every key their templates and code name is in every
language, with the same placeholders, and every family the pages build keys from is whole."""

from __future__ import annotations

import re
import string

import pytest

from catalog.lineage import RELATION_LABELS
from catalog.search import FACETS
from catalog.search_items import KIND_LABELS
from graph_service.web import i18n
from tests.web.conftest import pages_root

KEY = re.compile(r"""["'](catalog\.[a-z0-9_.-]+)["']""")


def _named() -> set[str]:
    root = pages_root()
    files = [*(root / "templates").glob("*catalog*.html"), *root.glob("catalog_*.py")]
    assert len(files) >= 8
    keys = {k for f in files for k in KEY.findall(f.read_text(encoding="utf-8"))}
    return {k for k in keys if not k.endswith((".", ".html"))}


def _families() -> set[str]:
    keys = {f"catalog.facet.{f}" for f in FACETS}
    keys |= {f"catalog.kind.{k}" for k in KIND_LABELS} | {f"catalog.kinds.{k}"
                                                          for k in KIND_LABELS}
    keys |= {f"catalog.relation.{r}" for r in RELATION_LABELS}
    keys |= {f"catalog.format.{f}" for f in ("ttl", "jsonld", "rdf")}
    return keys


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("language", sorted(i18n.catalogues()))
def test_every_key_is_in_every_language_with_the_same_placeholders(language: str):
    found = i18n.catalogues()
    fi, other = found["fi"], found[language]
    wanted = _named() | _families()
    assert len(wanted) > 100
    missing = sorted(k for k in wanted if k not in other.messages)
    assert not missing, f"{language} lacks {missing}"
    for key in wanted:
        assert _placeholders(other.messages[key]) == _placeholders(fi.messages[key]), key
