"""The occupation-evidence gate: personality words are not occupations.

The national job marketplace learned that "olen sosiaalinen luonne" (I am a sociable
person) pulled social-work occupations: character n-grams and embeddings both find
"sosiaali-" close to "sosiaalityöntekijä". Two rules stop that:

1. Trait words are removed before an occupation query is scored at all: personality
   adjectives and the nouns that carry them ("sosiaalinen", "ahkera", "luotettava",
   "reipas", "luonne", "ihminen"; "sociable", "reliable", "person"), matched by Snowball
   stem so inflected forms go too. A text that is only traits has no occupation.
2. An occupation has *evidence* when the text holds the stem of a head noun of one of its
   labels: the agent noun that names the job ("sosiaalityöntekijä" in
   "työskentelen sosiaalityöntekijänä", "worker" + "social" in "social worker"), either as
   a word or as the end of a compound ("vanhustenhoitajana" ends in "hoitaja"). Heads that
   name no job on their own ("työntekijä", "worker", "assistant", "manager"...) count only
   with another word of the same label. Occupations without evidence are scored down
   (``matcher.FUSION.no_evidence_factor``) and dropped below ``no_evidence_min``.

The head of a label is the last word of its first part: "social worker" -> "worker",
"johtaja, sosiaalinen asuntotuotanto" -> "johtaja", "head of unit" -> "head".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from matchers.esco_text.labels import ConceptLabels, Lang
from matchers.esco_text.normalize import stem_word, stems, tokens, words

TRAIT_WORDS: dict[Lang, tuple[str, ...]] = {
    "fi": words(
        "sosiaalinen sosiaalisena sosiaalisuus ahkera luotettava reipas huolellinen "
        "tunnollinen ystävällinen avulias empaattinen oma-aloitteinen joustava positiivinen "
        "iloinen rauhallinen täsmällinen pitkäjänteinen kärsivällinen innostunut innokas "
        "motivoitunut utelias aktiivinen avoin ulospäinsuuntautunut ekstrovertti "
        "hymyileväinen hymyilevä rehellinen vastuullinen vastuuntuntoinen yritteliäs "
        "sinnikäs tarmokas energinen nopea nopeasti oppiva oppimiskykyinen tiimihenkinen "
        "yhteistyökykyinen välittävä huolehtivainen lämmin kiltti mukava hauska luova "
        "järjestelmällinen tarkka stressinsietokykyinen paineensietokykyinen palvelualtis "
        "asiakaspalveluhenkinen itsenäinen ujo hiljainen puhelias seurallinen "
        "luonne luonteeltani luonteinen ihminen tyyppi persoona henkilö sellainen "
        "hyvä hyvät vahva vahvuus vahvuuteni vahvuuksiani taito taitoinen kyky "
        "tykkään pidän rakastan nautin viihdyn haluan auttaa auttamaan auttaminen auttavainen "
        "ihmiset ihmisiä ihmisten ihmisistä ihmisille kaikkien toimeen tulen tuun "
        "yhteistyökyky yhteistyötaidot vuorovaikutustaidot vuorovaikutustaitoinen "
        "ryhmätyötaidot tiimityötaidot sosiaaliset taidot ominaisuus ominaisuuksia"),
    "en": words(
        "social sociable outgoing friendly hardworking hard-working reliable punctual "
        "diligent conscientious helpful caring empathetic empathic motivated enthusiastic "
        "positive cheerful calm patient flexible proactive curious honest responsible "
        "energetic quick learner team player people person personality nature kind "
        "warm creative organised organized accurate independent shy talkative "
        "person guy type love like enjoy good great strong help helping people"),
}
GENERIC_HEADS: dict[Lang, tuple[str, ...]] = {
    "fi": words("työntekijä työntekijät henkilö avustaja apulainen assistentti johtaja "
                "päällikkö asiantuntija ammattilainen tekijä hoitaja ohjaaja neuvoja "
                "suunnittelija operaattori koordinaattori konsultti edustaja"),
    "en": words("worker workers employee staff person assistant helper manager director "
                "head officer specialist expert professional technician operator "
                "coordinator consultant representative supervisor agent"),
}
_FIRST_PART = re.compile(r"\s*(?:,|\(|/| of | for | in | at |–| - )\s*")
MIN_COMPOUND_HEAD = 5
"""A head found at the end of a compound word must be at least this long (a stem)."""


def _stem_set(words: Iterable[str], lang: Lang) -> frozenset[str]:
    return frozenset(stem_word(w, lang) for w in words)


TRAIT_STEMS = {lang: _stem_set(words, lang) for lang, words in TRAIT_WORDS.items()}
GENERIC_STEMS = {lang: _stem_set(words, lang) for lang, words in GENERIC_HEADS.items()}


def without_traits(text: str, lang: Lang) -> str:
    """The text with trait words (by stem) removed, for scoring occupations."""
    kept = [w for w in tokens(text) if stem_word(w, lang) not in TRAIT_STEMS[lang]]
    return " ".join(kept)


class EvidenceGate:
    """Which occupations a text names by a head noun of one of their labels."""

    def __init__(self, labels: ConceptLabels) -> None:
        self.size = len(labels)
        self.heads: dict[str, set[int]] = defaultdict(set)
        self.generic: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for concept, lang, text in zip(labels.label_concept, labels.label_lang,
                                       labels.label_text, strict=True):
            first = _FIRST_PART.split(text.lower(), maxsplit=1)[0]
            words = stems(first, lang)
            if not words:
                continue
            head, modifiers = words[-1], frozenset(words[:-1])
            if head in GENERIC_STEMS[lang] or len(head) < 3:
                if modifiers:
                    self.generic[head].append((concept, modifiers))
            else:
                self.heads[head].add(concept)

    def evidence(self, text: str, lang: Lang) -> np.ndarray:
        """Boolean per occupation: the text names it by a head noun."""
        found = np.zeros(self.size, dtype=bool)
        query = set(stems(text, lang))  # modifiers: any word ("social" in "social worker")
        heads = query if not query & TRAIT_STEMS[lang] else set(
            stems(without_traits(text, lang), lang))  # heads: never a trait word
        hits: set[int] = set()
        for word in heads:
            # the word itself, or its end when a compound ("vanhusten|hoitaja")
            for start in range(0, max(1, len(word) - MIN_COMPOUND_HEAD + 1)):
                hits.update(self.heads.get(word[start:], ()))
            for concept, modifiers in self.generic.get(word, ()):
                if modifiers & query:
                    hits.add(concept)
        if hits:
            found[list(hits)] = True
        return found
