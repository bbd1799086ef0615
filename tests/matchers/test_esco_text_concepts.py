"""ConceptEncoder, the fast lexical path of the text score: shape, normalisation, empty
texts, duplicates, the trap, and that the cosine of two texts follows their meaning."""

from __future__ import annotations

import numpy as np
import pytest

from matchers.esco_text.concepts import ConceptEncoder
from matchers.esco_text.labels import load_labels
from tests.matchers.esco_support import SOCIAL_WORK_GROUPS, SOCIAL_WORKER


@pytest.fixture(scope="module")
def encoder(esco_dir):
    return ConceptEncoder(esco_dir)


def test_rows_are_unit_or_zero_and_duplicates_agree(encoder):
    texts = ["Olen työskennellyt lähihoitajana kymmenen vuotta.", "", "Python ja SQL",
             "Olen työskennellyt lähihoitajana kymmenen vuotta."]
    matrix = encoder.encode(texts)
    assert matrix.shape == (4, len(encoder.concepts))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, [1, 0, 1, 1], atol=1e-5)
    assert (matrix[0] != matrix[3]).nnz == 0
    assert encoder.encode([]).shape == (0, len(encoder.concepts))


def test_columns_are_occupations_then_skills(encoder, esco_dir):
    occupations = load_labels(esco_dir, "occupation").uris
    assert encoder.concepts[:len(occupations)] == occupations
    assert encoder.concepts[len(occupations)].startswith("http://data.europa.eu/esco/skill/")


def test_the_trap_gives_no_social_work_occupation(encoder, esco_dir):
    labels = load_labels(esco_dir, "occupation")
    row = encoder.encode(["olen sosiaalinen luonne, ahkera ja luotettava"])
    occupations = [labels.isco_group[c] for c in row.indices if c < len(labels)]
    assert not [g for g in occupations if g.startswith(SOCIAL_WORK_GROUPS)]
    named = encoder.encode(["työskentelen sosiaalityöntekijänä"])
    best = named.indices[np.argsort(-named.data)[:3]]
    assert labels.isco_group[best[0]] == "2635"  # a social worker, of some branch
    assert SOCIAL_WORKER in [encoder.concepts[c] for c in best]


def test_text_score_follows_meaning(encoder):
    seeker, nurse_job, coder_job = encoder.encode([
        "Olen lähihoitaja ja minulla on kokemusta vanhustenhoidosta ja lääkehoidosta.",
        "Haemme lähihoitajaa kotihoitoon, lääkehoidon osaaminen on plussaa.",
        "Haemme ohjelmistokehittäjää: Python, SQL ja pilvipalvelut.",
    ])
    assert seeker.multiply(nurse_job).sum() > 0.3
    assert seeker.multiply(nurse_job).sum() > 3 * seeker.multiply(coder_job).sum()
