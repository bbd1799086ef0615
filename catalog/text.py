"""Words of catalogue texts in Finnish and English: tokens, Snowball stems, and how a query
word reaches the stems of the index.

Finnish inflects by suffix and by consonant gradation ("päätös", "päätökset",
"päätösten" stem to "päätös", "päätöks", "päätöst") and writes compounds as one word
("työnhakijaprofiili"). Stems take the suffixes; `expansions` matches a query stem to the
index's stems by prefix (a compound's head or a longer inflection), by a near prefix (the
last two letters of the stem may differ: gradation) and inside a compound (its tail),
each with a lower weight than an exact stem.

>>> stems("työnhakijoiden tiedot", "fi")
['työnhakij', 'tiedo']
>>> stems("Data on job seekers", "en")
['data', 'job', 'seeker']
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal

import Stemmer

Lang = Literal["fi", "en"]
LANGS: tuple[Lang, ...] = ("fi", "en")

EXACT, PREFIX, NEAR, INFIX = 1.0, 0.7, 0.6, 0.45
"""How much a query stem counts when it meets an index stem that is itself, continues it
(compound or longer form), differs from it only in the last two letters, or holds it inside
(the tail of a compound)."""
MIN_PREFIX = 3
MIN_NEAR = 4
MIN_INFIX = 5

def _words(text: str) -> list[str]:
    return text.split()


_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_STOP: dict[Lang, frozenset[str]] = {
    "fi": frozenset(_words(
        "ja sekä tai eli on ovat oli ei sen se ne joka jotka jonka joiden kuin kun "
        "myös vain mukaan että tämä nämä niiden osalta")),
    "en": frozenset(_words(
        "a an and or the of in on at to for with by from as is are was be its it this that "
        "these those about into per")),
}


def normalize(text: str) -> str:
    """NFC, lowercase, whitespace collapsed (å, ä, ö stay letters of their own)."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def tokens(text: str) -> list[str]:
    """Word tokens; a hyphenated word gives itself and its parts ("te-palvelut", "te",
    "palvelut"); one-letter words are dropped."""
    found: list[str] = []
    for word in _TOKEN.findall(normalize(text)):
        parts = re.split(r"[-']", word)
        found.extend(p for p in ([word, *parts] if len(parts) > 1 else [word]) if len(p) > 1)
    return found


@lru_cache(maxsize=2)
def _stemmer(lang: Lang) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer("finnish" if lang == "fi" else "english")
    stemmer.maxCacheSize = 100_000
    return stemmer


def _fix(stem: str, lang: Lang) -> str:
    # Snowball leaves the plural's -jo/-jö ("työntekijöiden" -> "työntekijö"); the singular
    # stem ends in -j: take it back there so both meet.
    if lang == "fi" and len(stem) > 4 and stem[-2] == "j" and stem[-1] in "oö":
        return stem[:-1]
    return stem


def stems(text: str, lang: Lang) -> list[str]:
    """Snowball stems of the text's words in ``lang``, stop words dropped."""
    words = [w for w in tokens(text) if w not in _STOP[lang]]
    return [_fix(s, lang) for s in _stemmer(lang).stemWords(words)]


def query_words(text: str) -> list[tuple[tuple[str, Lang], ...]]:
    """Each query word as its stems in both languages, each with the stemmer's language (the
    query's language is not known: "seekers" is English, "työnhakijan" Finnish). Stop words
    of either language are dropped; a word repeated counts once."""
    seen: set[str] = set()
    words: list[tuple[tuple[str, Lang], ...]] = []
    for word in tokens(text):
        if word in seen or word in _STOP["fi"] or word in _STOP["en"] or "-" in word:
            continue
        seen.add(word)
        variants = {_fix(_stemmer(lang).stemWord(word), lang): lang for lang in reversed(LANGS)}
        words.append(tuple(sorted(variants.items())))
    return words


def title_key(text: str) -> str:
    """Sort key in Finnish alphabetical order (å, ä, ö after z)."""
    return normalize(text).translate(_FINNISH_ORDER)


_FINNISH_ORDER = str.maketrans({"å": "{", "ä": "|", "ö": "}"})


class Vocabulary:
    """The index's distinct stems, sorted, for prefix and infix look-ups of query stems."""

    def __init__(self, terms: Iterable[str]) -> None:
        self.terms = sorted(set(terms))
        self._position = {term: i for i, term in enumerate(self.terms)}
        # One string with every term on its own line: str.find runs the infix scan in C.
        self._joined = "\n".join(self.terms)
        self._starts: list[int] = []
        offset = 0
        for term in self.terms:
            self._starts.append(offset)
            offset += len(term) + 1

    def expansions(self, stem: str, lang: Lang = "fi") -> dict[str, float]:
        """Index stems a query stem reaches, each with its weight (EXACT > PREFIX > NEAR >
        INFIX; the best kind of match wins for a term). Near and infix matches are for
        Finnish stems (gradation, compounds): in English they would join "decisions" and
        "decides"."""
        found: dict[str, float] = {}
        if stem in self._position:
            found[stem] = EXACT
        if len(stem) >= MIN_PREFIX:
            for term in self._with_prefix(stem):
                found.setdefault(term, PREFIX)
        if lang != "fi":
            return found
        if len(stem) >= MIN_NEAR + 1:
            # Gradation and inflection change the last letters of a stem: "koulutus" and
            # "koulutuks", "etuuspäätöks" and "etuuspäätöst" share all but two.
            core = stem[: max(MIN_NEAR, len(stem) - 2)]
            for term in self._with_prefix(core):
                if len(term) - _common_prefix(stem, term) <= 2:
                    found.setdefault(term, NEAR)
        # Inside a compound a stem may have its gradated form: "päätös" in "etuuspäätöks".
        core = stem if len(stem) < 6 else stem[:-1] if len(stem) < 8 else stem[:-2]
        if len(core) >= MIN_INFIX:
            for term in self._containing(core):
                found.setdefault(term, INFIX)
        return found

    def _with_prefix(self, prefix: str) -> list[str]:
        start = bisect.bisect_left(self.terms, prefix)
        end = bisect.bisect_left(self.terms, prefix + "\U0010ffff", lo=start)
        return self.terms[start:end]

    def _containing(self, part: str) -> list[str]:
        found: list[str] = []
        at = self._joined.find(part)
        while at >= 0:
            index = bisect.bisect_right(self._starts, at) - 1
            term = self.terms[index]
            if not term.startswith(part):
                found.append(term)
            at = self._joined.find(part, self._starts[index] + len(term) + 1)
        return found


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
