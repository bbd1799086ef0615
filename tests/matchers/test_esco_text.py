"""Text -> ESCO (lexical path, real ESCO): the "sosiaalinen" trap, Finnish and English
inflection, ranking best first, labels in the asked language, bad requests."""

from __future__ import annotations

import pytest

from matchers.esco_text.matcher import EscoMatchError
from matchers.esco_text.normalize import detect_lang, stems
from tests.matchers.esco_support import (
    LAHIHOITAJA,
    SOCIAL_WORK_GROUPS,
    SOCIAL_WORKER,
    lexical_matcher,
)


@pytest.fixture(scope="module")
def matcher(esco_dir):
    return lexical_matcher(esco_dir)


def _isco(matcher, uri: str) -> str:
    labels = matcher.labels("occupation")
    return labels.isco_group[labels.uris.index(uri)]


TRAPS = [
    "olen sosiaalinen luonne",
    "Olen sosiaalinen, ahkera ja luotettava.",
    "Luonteeltani olen sosiaalinen ja empaattinen.",
    "olen sosiaalinen ja tykkään auttaa ihmisiä",
    "Olen reipas ja iloinen tyyppi",
    "I am a sociable and caring person",
    "I am social, reliable and hard-working.",
]


@pytest.mark.parametrize("text", TRAPS)
def test_personality_words_do_not_pull_social_work(matcher, text):
    found = matcher.match([text], "occupation", top=5)[0]
    assert not [m for m in found if _isco(matcher, m.uri).startswith(SOCIAL_WORK_GROUPS)], \
        [m.label for m in found]


def test_a_text_of_traits_only_names_no_occupation(matcher):
    assert matcher.match(["olen sosiaalinen luonne"], "occupation") == [[]]


@pytest.mark.parametrize("text", [
    "työskentelen sosiaalityöntekijänä",
    "Olen ollut sosiaalityöntekijänä kaupungilla viisi vuotta.",
    "haen sosiaalityöntekijän töitä",
    "kokemusta sosiaalityöntekijöiden tiimissä",
    "I work as a social worker",
    "Worked as social workers in a hospital",
])
def test_social_worker_is_found_inflected(matcher, text):
    found = [m.uri for m in matcher.match([text], "occupation", top=3)[0]]
    assert SOCIAL_WORKER in found, found


def test_a_trait_beside_an_occupation_does_not_hide_it(matcher):
    found = matcher.match(["Olen sosiaalinen ja työskentelen lähihoitajana"], "occupation")[0]
    assert found[0].uri == LAHIHOITAJA


@pytest.mark.parametrize("text", ["lähihoitaja", "olin lähihoitajana vanhainkodissa",
                                  "lähihoitajaksi valmistunut", "lähihoitajien vuorolistat",
                                  "lähihoitajalle"])
def test_finnish_case_endings_reach_the_same_occupation(matcher, text):
    assert matcher.match([text], "occupation", top=1)[0][0].uri == LAHIHOITAJA


def test_stems_of_inflected_forms_agree():
    assert stems("sosiaalityöntekijänä", "fi") == stems("sosiaalityöntekijä", "fi")
    assert stems("sosiaalityöntekijöiden", "fi") == stems("sosiaalityöntekijä", "fi")
    assert stems("sosiaalinen", "fi") != stems("sosiaalityöntekijä", "fi")
    assert stems("developers", "en") == stems("developer", "en")


def test_language_is_detected():
    assert detect_lang("työskentelen sosiaalityöntekijänä") == "fi"
    assert detect_lang("I worked as a nurse for years") == "en"


def test_results_are_best_first_and_labelled_in_the_asked_language(matcher):
    fi, en = (matcher.match(["social worker"], "occupation", lang, top=10)[0]
              for lang in ("fi", "en"))
    for found in (fi, en):
        scores = [m.score for m in found]
        assert scores == sorted(scores, reverse=True) and len(found) == 10
    assert fi[0].uri == en[0].uri == SOCIAL_WORKER
    assert fi[0].label == "sosiaalityöntekijä" and en[0].label == "social worker"


def test_skills_from_a_job_ad_sentence(matcher):
    found = matcher.match(["Experience with Python and SQL databases",
                           "osaan hoitaa asiakaspalvelua"], "skill", top=5)
    assert "Python (computer programming)" in [m.label for m in found[0]]
    assert any("asiakaspalvelu" in m.label for m in found[1])


def test_empty_texts_and_bad_requests(matcher):
    assert matcher.match(["", "   ", "ja"], "occupation") == [[], [], []]
    with pytest.raises(EscoMatchError, match="unknown kind"):
        matcher.match(["kokki"], "job")
    with pytest.raises(EscoMatchError, match="unknown language"):
        matcher.match(["kokki"], "occupation", "sv")
    with pytest.raises(EscoMatchError, match="top"):
        matcher.match(["kokki"], "occupation", top=0)
