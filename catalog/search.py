"""Search of the catalogue: free text in Finnish and English, facets with counts, paging.

The index is built once from the catalogue graph (`CatalogueIndex.build`) and answers from
memory. Ranking is BM25F over the fields title > keywords > theme > publisher, description,
on Snowball stems, with compounds and gradated stems reached by `catalog.text.Vocabulary`;
ties go by title in Finnish alphabetical order, then IRI. Facets are standard faceted
search: AND across facets, OR within one, and a facet's counts leave out its own filter
(so choosing "Kela" still shows how many the other publishers have). Sets of items are
Python integers used as bit sets: a facet count is one AND and a popcount.

>>> from rdflib import Graph
>>> index = CatalogueIndex.build(Graph().parse(data='''
...   @prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
...   <https://tyodata.fi/catalog/dataset/a> a dcat:Dataset ;
...       dct:title "Työnhakijaprofiilit"@fi, "Job seeker profiles"@en .
... ''', format="turtle"))
>>> [h.title["fi"] for h in index.search("työnhakijoiden").hits]
['Työnhakijaprofiilit']
>>> index.search("seekers", lang="en").hits[0].title["en"]
'Job seeker profiles'
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rdflib import Graph

from catalog.search_items import FACETS, KIND_LABELS, Item, Labels, last_segment, pick, read_items
from catalog.text import LANGS, Lang, Vocabulary, query_words, stems, title_key, tokens
from core.errors import TyodataError

FIELD_WEIGHTS: dict[str, float] = {"title": 3.0, "keyword": 2.0, "theme": 1.2,
                                   "publisher": 1.0, "description": 1.0}
K1, B = 1.2, 0.75
MAX_TEXT_CHARS = 256
MAX_PAGE_SIZE = 100
MAX_FILTER_VALUES = 50
DEFAULT_FACET_LIMIT = 50
SORTS = ("relevance", "title", "modified")


class SearchError(TyodataError):
    """A search request the catalogue cannot answer; the message names the bad input."""


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: dict[str, str]
    count: int
    selected: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, "label": dict(self.label), "count": self.count,
                "selected": self.selected}


@dataclass(frozen=True)
class Hit:
    iri: str
    kind: str
    title: dict[str, str]
    description: dict[str, str]
    score: float
    modified: str | None
    keywords: dict[str, list[str]]

    def to_json(self) -> dict[str, Any]:
        return {"iri": self.iri, "kind": self.kind, "title": dict(self.title),
                "description": dict(self.description), "score": self.score,
                "modified": self.modified,
                "keywords": {lang: list(words) for lang, words in self.keywords.items()}}


@dataclass(frozen=True)
class SearchResult:
    text: str
    total: int
    page: int
    size: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    lang: str = "fi"
    sort: str = "relevance"
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "lang": self.lang, "sort": self.sort, "total": self.total,
                "page": self.page, "size": self.size, "pages": self.pages,
                "filters": {name: list(values) for name, values in self.filters.items()},
                "hits": [hit.to_json() for hit in self.hits],
                "facets": {name: [v.to_json() for v in values]
                           for name, values in self.facets.items()}}


class CatalogueIndex:
    """The catalogue's items, their stems' postings and their facet sets, in memory."""

    def __init__(self, items: list[Item], postings: dict[str, tuple[np.ndarray, np.ndarray]],
                 facet_sets: dict[str, dict[str, int]],
                 facet_labels: dict[str, dict[str, dict[str, str]]],
                 keyword_langs: dict[str, frozenset[str]]) -> None:
        self.items = items
        self._postings = postings
        self._vocabulary = Vocabulary(postings)
        self._facet_sets = facet_sets
        self._facet_labels = facet_labels
        self._keyword_langs = keyword_langs
        self._all = (1 << len(items)) - 1
        self._expansions: dict[tuple[str, Lang], dict[str, float]] = {}
        self._title_rank = {lang: _ranks([(title_key(item.title_in(lang)), item.iri)
                                          for item in items]) for lang in LANGS}
        self._modified_rank = {lang: _ranks([(_newest_first(item.modified),
                                              title_key(item.title_in(lang)), item.iri)
                                             for item in items]) for lang in LANGS}

    @classmethod
    def build(cls, graph: Graph) -> CatalogueIndex:
        """Index every item of the catalogue graph: BM25F weights of each stem per item
        (precomputed, so a query only adds them up) and each facet value's set of items."""
        labels = Labels(graph)
        items = list(read_items(graph, labels))
        term_fields = [_field_terms(item) for item in items]
        lengths: dict[str, float] = {}
        for name in FIELD_WEIGHTS:
            present = [fields[name][1] for fields in term_fields if fields[name][1]]
            lengths[name] = sum(present) / len(present) if present else 1.0
        pseudo: dict[str, dict[int, float]] = defaultdict(dict)
        for row, fields in enumerate(term_fields):
            weighted: Counter[str] = Counter()
            for name, (counts, length) in fields.items():
                norm = FIELD_WEIGHTS[name] / (1 - B + B * length / lengths[name])
                for term, count in counts.items():
                    weighted[term] += count * norm
            for term, tf in weighted.items():
                pseudo[term][row] = tf
        n = len(items)
        postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, rows in pseudo.items():
            idf = math.log(1 + (n - len(rows) + 0.5) / (len(rows) + 0.5))
            tf = np.fromiter(rows.values(), float, len(rows))
            postings[term] = (np.fromiter(rows.keys(), np.int64, len(rows)),
                              idf * tf * (K1 + 1) / (tf + K1))
        facet_sets: dict[str, dict[str, int]] = {name: defaultdict(int) for name in FACETS}
        keyword_langs: dict[str, set[str]] = defaultdict(set)
        for row, item in enumerate(items):
            for name, values in item.facets.items():
                for value in values:
                    facet_sets[name][value] |= 1 << row
            for lang, words in item.keywords.items():
                for word in words:
                    keyword_langs[word].add(lang)
        facet_labels: dict[str, dict[str, dict[str, str]]] = {}
        for name, values in facet_sets.items():
            if name == "type":
                facet_labels[name] = {v: dict(KIND_LABELS[v]) for v in values}
            elif name == "keyword":
                facet_labels[name] = {v: {lang: v for lang in LANGS} for v in values}
            else:
                facet_labels[name] = {v: dict(labels(v)) for v in values}
        return cls(items, postings, {k: dict(v) for k, v in facet_sets.items()}, facet_labels,
                   {k: frozenset(v) for k, v in keyword_langs.items()})

    def __len__(self) -> int:
        return len(self.items)

    def search(self, text: str = "", *, filters: Mapping[str, Sequence[str]] | None = None,
               page: int = 1, size: int = 20, lang: str = "fi", sort: str | None = None,
               facet_limit: int = DEFAULT_FACET_LIMIT) -> SearchResult:
        """Items matching every word of ``text`` (from three words on, three in four) and
        every facet filter, best first (``sort``: relevance, the default with text; title,
        the default without; modified, newest first), one page of them, and the facets'
        counts. Text without any word (only stop words or punctuation) browses everything.

        :raises SearchError: an unknown facet, language or sort; page < 1; size outside
            1..100; text over 256 characters; more than 50 values in one filter.
        """
        filters = self._checked(text, filters, page, size, lang, sort, facet_limit)
        words = query_words(text)
        sort = sort or ("relevance" if words else "title")
        scores = np.zeros(len(self.items))
        matched = self._all
        if words:
            scores, matched = self._match(words)
        chosen = {name: _union(self._facet_sets[name], values)
                  for name, values in filters.items()}
        hits_set = matched
        for mask in chosen.values():
            hits_set &= mask
        rows = _rows(hits_set, len(self.items))
        order = {"relevance": lambda: np.lexsort((self._title_rank[lang][rows], -scores[rows])),
                 "title": lambda: np.argsort(self._title_rank[lang][rows], kind="stable"),
                 "modified": lambda: np.argsort(self._modified_rank[lang][rows], kind="stable")}
        ranked = rows[order[sort]()]
        start = (page - 1) * size
        hits = [self._hit(int(row), float(scores[row])) for row in ranked[start:start + size]]
        facets = {name: self._facet(name, matched, chosen, filters.get(name, ()), lang,
                                    facet_limit)
                  for name in FACETS}
        return SearchResult(text=text, total=len(rows), page=page, size=size, hits=hits,
                            facets=facets, lang=lang, sort=sort,
                            filters={k: list(v) for k, v in filters.items()})

    def _checked(self, text: object, filters: Mapping[str, Sequence[str]] | None, page: object,
                 size: object, lang: str, sort: str | None,
                 facet_limit: int) -> dict[str, tuple[str, ...]]:
        if not isinstance(text, str):
            raise SearchError("the search text must be a string")
        if len(text) > MAX_TEXT_CHARS:
            raise SearchError(f"the search text has {len(text)} characters; at most "
                              f"{MAX_TEXT_CHARS} are allowed")
        if lang not in LANGS:
            raise SearchError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
        if sort is not None and sort not in SORTS:
            raise SearchError(f"unknown sort {sort!r}: use one of {', '.join(SORTS)}")
        if not isinstance(page, int) or isinstance(page, bool) or page < 1:
            raise SearchError(f"page must be a whole number from 1, not {page!r}")
        if not isinstance(size, int) or isinstance(size, bool) or not 1 <= size <= MAX_PAGE_SIZE:
            raise SearchError(f"size must be a whole number from 1 to {MAX_PAGE_SIZE}, "
                              f"not {size!r}")
        if facet_limit < 1:
            raise SearchError(f"facet_limit must be at least 1, not {facet_limit!r}")
        checked: dict[str, tuple[str, ...]] = {}
        for name, values in (filters or {}).items():
            if name not in FACETS:
                raise SearchError(f"unknown facet {name!r}: use one of {', '.join(FACETS)}")
            if isinstance(values, str):
                values = (values,)
            values = tuple(dict.fromkeys(values))
            if not all(isinstance(v, str) for v in values):
                raise SearchError(f"the values of facet {name!r} must be strings")
            if len(values) > MAX_FILTER_VALUES:
                raise SearchError(f"facet {name!r} has {len(values)} values; at most "
                                  f"{MAX_FILTER_VALUES} are allowed")
            if values:
                checked[name] = values
        return checked

    def _match(self, words: list[tuple[tuple[str, Lang], ...]]) -> tuple[np.ndarray, int]:
        n = len(self.items)
        scores = np.zeros(n)
        matched = np.zeros(n, np.int16)
        for variants in words:
            word_scores = np.zeros(n)
            for variant, lang in variants:
                for term, factor in self._expand(variant, lang).items():
                    rows, values = self._postings[term]
                    current = word_scores[rows]
                    np.maximum(current, values * factor, out=current)
                    word_scores[rows] = current
            scores += word_scores
            matched += word_scores > 0
        needed = len(words) if len(words) <= 2 else max(2, math.ceil(0.75 * len(words)))
        found = matched >= needed
        scores[~found] = 0.0
        return scores, _as_set(found)

    def _expand(self, stem: str, lang: Lang) -> dict[str, float]:
        found = self._expansions.get((stem, lang))
        if found is None:
            if len(self._expansions) > 50_000:  # a bound, not a policy: queries repeat
                self._expansions.clear()
            found = self._expansions[(stem, lang)] = self._vocabulary.expansions(stem, lang)
        return found

    def _facet(self, name: str, matched: int, chosen: Mapping[str, int],
               selected: Sequence[str], lang: str, limit: int) -> list[FacetValue]:
        base = matched
        for other, mask in chosen.items():
            if other != name:
                base &= mask
        labels = self._facet_labels[name]
        values: list[FacetValue] = []
        for value, members in self._facet_sets[name].items():
            count = (base & members).bit_count()
            is_selected = value in selected
            if name == "keyword" and not is_selected and not (
                    self._keyword_langs.get(value, frozenset()) & {lang, ""}):
                continue
            if count or is_selected:
                values.append(FacetValue(value, labels[value], count, is_selected))
        for value in selected:  # a chosen value the catalogue does not hold: shown at 0
            if value not in self._facet_sets[name]:
                label = {"fi": last_segment(value), "en": last_segment(value)}
                values.append(FacetValue(value, label, 0, True))
        values.sort(key=lambda v: (-v.count, title_key(v.label.get(lang, v.value)), v.value))
        return [v for i, v in enumerate(values) if i < limit or v.selected]

    def _hit(self, row: int, score: float) -> Hit:
        item = self.items[row]
        keywords = {lang: sorted({*item.keywords.get(lang, []), *item.keywords.get("", [])})
                    for lang in LANGS}
        return Hit(iri=item.iri, kind=item.kind,
                   title={lang: item.title_in(lang) for lang in LANGS},
                   description={lang: pick(item.description, lang) for lang in LANGS},
                   score=round(score, 4), modified=item.modified, keywords=keywords)


def _field_terms(item: Item) -> dict[str, tuple[Counter[str], int]]:
    """Per searchable field: the stems' counts and the field's length in words."""
    found: dict[str, tuple[Counter[str], int]] = {}
    for name in FIELD_WEIGHTS:
        counts: Counter[str] = Counter()
        length = 0
        for lang, texts in item.fields.get(name, {}).items():
            for text in texts:
                if lang in LANGS:
                    counts.update(stems(text, lang))
                else:  # no language tag: both stemmers, a stem both give counted once
                    finnish = stems(text, "fi")
                    counts.update(finnish)
                    counts.update(set(stems(text, "en")) - set(finnish))
                length += len(tokens(text))
        found[name] = (counts, length)
    return found


def _ranks(keys: list[tuple]) -> np.ndarray:
    order = sorted(range(len(keys)), key=keys.__getitem__)
    ranks = np.empty(len(keys), np.int64)
    ranks[order] = np.arange(len(keys))
    return ranks


def _newest_first(modified: str | None) -> tuple[int, str]:
    # Inverting the characters sorts ISO dates newest first; no date sorts last.
    if not modified:
        return (1, "")
    return (0, "".join(chr(0x10FFFF - ord(c)) for c in modified))


def _union(sets: Mapping[str, int], values: Sequence[str]) -> int:
    mask = 0
    for value in values:
        mask |= sets.get(value, 0)
    return mask


def _as_set(flags: np.ndarray) -> int:
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


def _rows(members: int, n: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0, np.int64)
    raw = np.frombuffer(members.to_bytes((n + 7) // 8, "little"), np.uint8)
    return np.flatnonzero(np.unpackbits(raw, bitorder="little")[:n])
