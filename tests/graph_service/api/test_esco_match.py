"""POST /api/esco/match: behind authentication, limits as RFC 9457 problems, results in
order and best first. The app's matcher is the real lexical one (``app.state``), so the
test builds no embedding cache; the hybrid is measured by bench/matching_quality.py."""

from __future__ import annotations

import pytest

from graph_service.api.routes import esco
from tests.matchers.esco_support import SOCIAL_WORKER, lexical_matcher

URL = "/api/esco/match"


@pytest.fixture(scope="module")
def esco_api(api, esco_dir):
    app = api.client.app
    # The lexical matcher (a real one, without the label embeddings' cache to build).
    app.state.esco_matcher = lexical_matcher(esco_dir)
    yield api
    del app.state.esco_matcher


def test_needs_a_token(esco_api):
    response = esco_api.request("POST", URL, json={"texts": ["kokki"], "kind": "occupation"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("role", ["case_worker", "citizen"])
def test_matches_in_order_best_first(esco_api, role):
    texts = ["työskentelen sosiaalityöntekijänä", "olen sosiaalinen luonne", ""]
    response = esco_api.request("POST", URL, role=role,
                                json={"texts": texts, "kind": "occupation", "top": 5})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["text"] for r in results] == texts
    assert response.json()["matcher"] == "lexical"
    assert results[0]["matches"][0]["uri"] == SOCIAL_WORKER
    assert results[0]["matches"][0]["label"] == "sosiaalityöntekijä"
    assert results[1]["matches"] == results[2]["matches"] == []
    scores = [m["score"] for m in results[0]["matches"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 5


def test_skills_in_english(esco_api):
    response = esco_api.request("POST", URL, role=next(iter(esco_api.tokens)), json={
        "texts": ["Experience with Python and SQL databases"], "kind": "skill", "lang": "en"})
    assert response.status_code == 200
    labels = [m["label"] for m in response.json()["results"][0]["matches"]]
    assert "Python (computer programming)" in labels[:5]


@pytest.mark.parametrize(("body", "kind"), [
    ({"texts": [], "kind": "skill"}, "bad-text-count"),
    ({"texts": ["kokki"] * (esco.MAX_TEXTS + 1), "kind": "skill"}, "bad-text-count"),
    ({"texts": ["x" * (esco.MAX_TEXT_CHARS + 1)], "kind": "skill"}, "text-too-long"),
    ({"texts": ["kokki"], "kind": "skill", "top": 0}, "bad-top"),
    ({"texts": ["kokki"], "kind": "skill", "top": esco.MAX_TOP + 1}, "bad-top"),
    ({"texts": ["kokki"], "kind": "job"}, None),
    ({"texts": ["kokki"], "kind": "skill", "lang": "sv"}, None),
    ({"texts": "kokki", "kind": "skill"}, None),
])
def test_bad_requests_are_problems(esco_api, body, kind):
    response = esco_api.request("POST", URL, role=next(iter(esco_api.tokens)), json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == 422 and problem["detail"]
    if kind:
        assert problem["type"].endswith(kind)


def test_without_the_embedding_cache_the_service_answers_lexically_at_once(esco_api):
    """No request waits minutes for the label embeddings: until their cache exists under
    $TYODATA_HOME, the service's own matcher is the lexical one, and says so."""
    app = esco_api.client.app
    injected = app.state.esco_matcher
    del app.state.esco_matcher
    try:
        response = esco_api.request("POST", URL, role="case_worker", json={
            "texts": ["työskentelen sosiaalityöntekijänä"], "kind": "occupation", "top": 3})
    finally:
        app.state.esco_matcher = injected
    assert response.status_code == 200, response.text
    assert response.json()["matcher"] == "lexical"
    assert SOCIAL_WORKER in {m["uri"] for m in response.json()["results"][0]["matches"]}
