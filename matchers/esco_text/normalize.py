"""Text normalisation: lowercase (accents and å, ä, ö kept), tokens, Snowball stems.

Finnish inflects by suffix ("sosiaalityöntekijänä", "-lle", "-ssa"): the Finnish
Snowball stemmer takes these back to the stem of the nominative ("sosiaalityöntekij").
Compounds ("vanhustenhoitaja") keep their head at the end, which the occupation-evidence
gate uses (see gate.py). Language detection is a small cue-word heuristic: enough to pick
the stemmer and the label language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from matchers.esco_text.labels import Lang


def words(text: str) -> tuple[str, ...]:
    """A word list written as one string."""
    return tuple(text.split())


_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
_FI_CUES = frozenset(words(
    "olen olin ja on oli että myös ei en minä mä mulla minulla työskentelen työskentelin "
    "toimin toiminut tehnyt teen osaan haluan etsin kanssa tai sekä kuin jossa joka "
    "vuotta vuoden alalla alan työ töitä työt työssä kokemusta")
)
_EN_CUES = frozenset(words(
    "i am the and of in for with to a an as my have has worked work working years "
    "experience looking at on is are be we you our")
)
_STOP = {
    "fi": frozenset(words(
        "olen olin ole on oli olla ollut ovat olemme olette olivat ja sekä tai mutta että "
        "myös ei en et minä mä mun "
        "minun minulla mulla mulle minua mua sinä hän me te he se ne tämä tuo joka jotka "
        "kun kuin jos niin vaan vain kanssa jo nyt sitten paljon hyvin erittäin tosi aika "
        "ihan vähän enemmän kaikki mitä mikä missä jossa jonka nyt siis noin yli alle "
        "vuotta vuoden vuosi vuosia tällä hetkellä hetkellä aina koska ja/tai")
    ),
    "en": frozenset(words(
        "i am a an the and or but of in on at to for with as by from is are was were be "
        "been being have has had do does did my me we our you your he she it they this "
        "that these those very really also just so not no yes years year")
    ),
}


def normalize(text: str) -> str:
    """NFC, lowercase, whitespace collapsed; letters with accents are kept as they are."""
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


def tokens(text: str) -> list[str]:
    """Word tokens of normalised text (hyphenated words stay one token)."""
    return _TOKEN.findall(normalize(text))


_PARENTHESES = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_TITLE_NOISE = re.compile(
    r"\b(?:senior|junior|jr|sr|intern|internship|trainee|vacancy for|vacancy|urgent(?:ly)?|"
    r"hiring|fresh graduates?|m/f/d|m/w/d|f/m/d|m/f|full[- ]time|part[- ]time|"
    r"harjoittelija|osa-aikainen|kokoaikainen)\b", re.IGNORECASE)


def strip_title_noise(text: str) -> str:
    """Job-ad title decorations that name no occupation: "(Male Only)", "Senior",
    "Internship -", "Vacancy for". Short texts only (titles); sentences stay whole."""
    if len(text.split()) > 10:
        return text
    cleaned = _TITLE_NOISE.sub(" ", _PARENTHESES.sub(" ", text))
    cleaned = " ".join(cleaned.replace(" cum ", " / ").split()).strip(" -–,/")
    return cleaned or text


def detect_lang(text: str) -> Lang:
    """'fi' or 'en' for a text: Finnish letters or cue words decide; English by default."""
    words = tokens(text)
    lowered = text.lower()
    fi = sum(word in _FI_CUES for word in words) + sum(lowered.count(ch) for ch in "äöå")
    en = sum(word in _EN_CUES for word in words)
    return "fi" if fi > en else "en"


@lru_cache(maxsize=2)
def _stemmer(lang: Lang) -> Stemmer.Stemmer:
    stemmer = Stemmer.Stemmer("finnish" if lang == "fi" else "english")
    stemmer.maxCacheSize = 200_000
    return stemmer


def stems(text: str, lang: Lang, *, drop_stop: bool = True) -> list[str]:
    """Snowball stems of the text's words (stop words dropped), hyphen parts included."""
    words = tokens(text)
    if drop_stop:
        words = [w for w in words if w not in _STOP[lang]]
    parts = [p for w in words for p in ([w] if "-" not in w else [w, *w.split("-")])]
    found = _stemmer(lang).stemWords(parts)
    if lang == "fi":  # plural stems: "työntekijöiden" -> "työntekijö" -> "työntekij"
        found = [s[:-1] if len(s) > 4 and s[-2] == "j" and s[-1] in "oö" else s
                 for s in found]
    return found


def stem_word(word: str, lang: Lang) -> str:
    found = _stemmer(lang).stemWord(word)
    if lang == "fi" and len(found) > 4 and found[-2] == "j" and found[-1] in "oö":
        return found[:-1]
    return found
