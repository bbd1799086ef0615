"""Job <-> job-seeker matching over ESCO, both directions, with the reasons.

- a case worker (or the seeker, with their own token) sees the seeker's recommended jobs,
  re-ranks them with expert settings, and gives thumbs up or down;
- an employer sees anonymous candidates for its own postings (a per-posting handle, an
  age band and a region, never the person) and can ask one to get in touch.

Every request asks the decision point and leaves exactly one audit record, naming the
person whose profile was read, or, for a candidate list, every person listed. The pages
call the functions below, so they take the very same path, audit included.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from core.pseudonyms import PERSON_NS
from graph_service.api.deps import (
    CurrentPrincipal,
    Purpose,
    Services,
    ServicesDep,
    record,
)
from graph_service.api.openapi import problem_responses
from graph_service.api.problems import Problem
from graph_service.api.routes.persons import PersonId
from graph_service.policy.decision import Action, Decision, decide
from graph_service.policy.tokens import Principal
from graph_service.views.labels import code_lists
from matchers.anonymous import age_band, speaks_for, unemployment_band
from matchers.contact_requests import (
    ContactRequest,
    ContactRequestError,
    contact_requests_of,
    send_contact_request,
)
from matchers.criteria import CRITERIA, DEDUCTIONS, WeightsError
from matchers.expert import ExpertSettings, ExpertSettingsError, Movement
from matchers.explain import Concept, Explanation, SkillMatch
from matchers.feedback import Feedback, FeedbackInputError, actor_string, record_feedback
from matchers.handles import HandleError, candidate_handle, key_at, resolve
from matchers.ranking import CandidateFilters, JobFilters, RankingError, expired_mask
from matchers.records import PostingRecord, SeekerRecord
from matchers.service import (
    MatchingService,
    Ranking,
    Recommendation,
    UnknownPostingError,
    UnknownSeekerError,
)

router = APIRouter(tags=["matching"])
POSTING_NS = "https://tyodata.fi/id/tyomarkkinatori/posting/"
JobId = Annotated[str, Path(description="The posting's id in the job marketplace",
                            pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Handle = Annotated[str, Path(description="A candidate's handle on this posting",
                             pattern=r"^c-[a-z2-7]{26}$")]
K = Annotated[int, Query(ge=1, le=100, description="How many to return")]
CODE = r"^[A-Za-z0-9_]{1,16}$"
T = TypeVar("T")


# -- answers ------------------------------------------------------------------------------


class ConceptOut(BaseModel):
    uri: str
    label_fi: str
    label_en: str


class CodeOut(BaseModel):
    code: str
    label_fi: str
    label_en: str


class SkillOut(BaseModel):
    skill: ConceptOut
    kind: str = Field(description="exact, partial or missing")
    credit: float = Field(description="0-1: how much of the skill the seeker brings")
    via: list[ConceptOut] = Field(description="The seeker's skills or occupations that "
                                              "gave a partial credit")


class ReasonsOut(BaseModel):
    occupation: str = Field(description="How close the posting's occupation is to a wish")
    gave: dict[str, float] = Field(description="Points each criterion gave (of 100)")
    took: dict[str, float] = Field(description="Points each deduction took")
    essential_matched: list[SkillOut]
    essential_missing: list[SkillOut]


class JobOut(BaseModel):
    id: str
    iri: str
    title: str
    employer: str
    occupation: ConceptOut | None
    municipality: CodeOut | None
    working_time: str | None
    contract: str | None
    valid_through: date | None
    structured: float = Field(description="Structured score 0-100 (criteria over ESCO)")
    text: float = Field(description="Text score 0-100 (free texts mapped to ESCO)")
    combined: float
    rank: int
    reasons: ReasonsOut


class RankingOut(BaseModel):
    weights: dict[str, float] = Field(description="The weights this list was ranked by")
    structured_share: float = Field(description="Share of the structured score in the "
                                                "combined one")
    learned_from: int = Field(description="Thumbs the weights were learned from (0: the "
                                          "configured weights)")
    index_built_at: str


class RecommendationsOut(RankingOut):
    person: str
    jobs: list[JobOut]


class CandidateOut(BaseModel):
    handle: str = Field(description="Opaque, per posting: the same seeker has another "
                                    "handle on another posting")
    age_band: str | None
    region: CodeOut | None
    status: str | None = Field(description="Employment status code, e.g. TYOTON")
    unemployment: str | None = Field(description="How long the job seeking has lasted, "
                                                 "as a band")
    wishes: list[ConceptOut] = Field(description="Occupations the seeker wishes")
    structured: float
    text: float
    combined: float
    rank: int
    reasons: ReasonsOut


class CandidatesOut(RankingOut):
    job: JobOut
    candidates: list[CandidateOut]


class ExperienceOut(BaseModel):
    position: int
    occupation: ConceptOut
    start: date | None
    end: date | None


class ProfileOut(BaseModel):
    """What the expert settings can choose from: the seeker's own profile."""

    desired_occupations: list[ConceptOut]
    skills: list[ConceptOut]
    experience: list[ExperienceOut]


class MovementOut(BaseModel):
    job: str
    title: str
    before: int | None
    after: int | None


class ExpertRequest(BaseModel):
    desired_occupations: list[str] | None = Field(
        default=None, max_length=50, description="Which wishes count (ESCO IRIs of the "
                                                 "seeker's own); none: all")
    skills: list[str] | None = Field(default=None, max_length=200,
                                     description="Which skills count; none: all")
    experience: list[int] | None = Field(default=None, max_length=50,
                                         description="Which work experiences count "
                                                     "(positions in the profile); none: all")
    keywords: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default=[], max_length=10, description="Extra keywords, mapped to ESCO skills")
    weights: dict[str, Annotated[float, Field(ge=0, le=100)]] = Field(
        default={}, description="Weight overrides: " + ", ".join((*CRITERIA, *DEDUCTIONS)))
    k: int = Field(default=20, ge=1, le=100)


class ExpertOut(BaseModel):
    person: str
    profile: ProfileOut
    keyword_concepts: list[ConceptOut]
    before: RecommendationsOut
    after: RecommendationsOut
    moved_up: list[MovementOut]
    moved_down: list[MovementOut]
    new: list[MovementOut]
    dropped: list[MovementOut]


class FeedbackRequest(BaseModel):
    verdict: Literal["up", "down"]


class FeedbackOut(BaseModel):
    id: str
    verdict: str
    structured: float
    text: float
    rank: int
    at: datetime


class ContactRequestIn(BaseModel):
    message: str = Field(default="", max_length=500,
                         description="A short greeting; never personal data")


class ContactRequestOut(BaseModel):
    id: str
    job: str
    job_title: str
    employer: str
    message: str
    sent_at: datetime


# -- helpers --------------------------------------------------------------------------------


def _concept(c: Concept) -> ConceptOut:
    return ConceptOut(uri=c.uri, label_fi=c.label_fi, label_en=c.label_en)


def _skill(m: SkillMatch) -> SkillOut:
    return SkillOut(skill=_concept(m.skill), kind=m.kind, credit=round(m.credit, 2),
                    via=[_concept(c) for c in m.via])


def _reasons(why: Explanation) -> ReasonsOut:
    return ReasonsOut(occupation=why.occupation, gave=why.gave, took=why.took,
                      essential_matched=[_skill(m) for m in why.matched],
                      essential_missing=[_skill(m) for m in why.missing])


class _Labels:
    """ESCO and code-list labels for the answers."""

    def __init__(self, services: Services, matching: MatchingService) -> None:
        self.esco = matching.esco()
        self.codes = code_lists(services.store, services.directory.get()).labels

    def concept(self, uri: str | None) -> ConceptOut | None:
        if not uri:
            return None
        return ConceptOut(uri=uri, label_fi=self.esco.label(uri, "fi"),
                          label_en=self.esco.label(uri, "en"))

    def code(self, scheme: str, code: str | None) -> CodeOut | None:
        if not code:
            return None
        labels = self.codes.get(f"https://tyodata.fi/code/{scheme}/{code}", {})
        return CodeOut(code=code, label_fi=labels.get("fi", code),
                       label_en=labels.get("en", labels.get("fi", code)))


def _job(item: Recommendation, labels: _Labels) -> JobOut:
    p, r = item.posting, item.ranked
    return JobOut(id=p.identifier, iri=p.posting, title=p.title, employer=p.employer,
                  occupation=labels.concept(p.occupation),
                  municipality=labels.code("municipality", p.municipality),
                  working_time=p.working_time, contract=p.contract,
                  valid_through=p.valid_through, structured=round(r.structured, 1),
                  text=round(r.text, 1), combined=round(r.combined, 1), rank=r.rank,
                  reasons=_reasons(item.why))


def _ranking_fields(ranking: Ranking) -> dict:
    return {"weights": ranking.weights.as_dict(), "structured_share": ranking.structured_share,
            "learned_from": ranking.learned_from, "index_built_at": ranking.index_built_at}


def _matching(services: Services) -> MatchingService:
    if services.matching is None:  # wired by create_app; a test app may lack it
        raise Problem(503, "Matching unavailable", "the matching service is not configured",
                      "matching-unavailable")
    return services.matching


def _own_person(principal: Principal, person: str) -> None:
    """A citizen's token acts only for its own person."""
    if principal.has("citizen") and principal.person != person:
        raise Problem(403, "Forbidden", "a citizen's token reads only its own data",
                      "forbidden")


def _domain_problem(error: Exception) -> Problem:
    if isinstance(error, UnknownSeekerError):
        return Problem(404, "No job-seeker profile", str(error), "unknown-seeker")
    if isinstance(error, UnknownPostingError):
        return Problem(404, "Unknown posting", str(error), "unknown-posting")
    if isinstance(error, HandleError):
        return Problem(404, "Unknown candidate", str(error), "unknown-candidate")
    if isinstance(error, (FeedbackInputError, ContactRequestError)):
        return Problem(422, "Invalid request", str(error), "invalid-request",
                       fields=(error.field,))
    return Problem(422, "Invalid request", str(error), "invalid-request")


_DOMAIN_ERRORS = (UnknownSeekerError, UnknownPostingError, HandleError, RankingError,
                  WeightsError, ExpertSettingsError, FeedbackInputError, ContactRequestError)


def _audited(services: Services, principal: Principal, purpose: str | None, action: Action,
             *, person: str | None, resource: str, work: Callable[[], T],
             persons: Callable[[T], list[str]] | None = None) -> T:
    """Ask the decision point, do ``work`` only on a permit, and leave ONE audit record
    (written after the work when it names the persons the work read)."""
    decision: Decision = decide(principal, action, purpose)
    if not decision.permit:
        record(services, principal, purpose, person=person, action=action.value,
               resource=resource, decision=decision)
        raise Problem(403, "Forbidden", decision.reason, "forbidden")
    try:
        result = work()
    except Problem as problem:  # e.g. an employer asking about another's posting
        refused = decision.denied(problem.detail) if problem.status == 403 else decision
        record(services, principal, purpose, person=person, action=action.value,
               resource=resource, decision=refused,
               reason=None if problem.status == 403 else
               f"{decision.reason}; refused: {problem.kind}")
        raise
    except _DOMAIN_ERRORS as error:
        record(services, principal, purpose, person=person, action=action.value,
               resource=resource, decision=decision,
               reason=f"{decision.reason}; refused: {error.__class__.__name__}")
        raise _domain_problem(error) from None
    except BaseException as error:
        record(services, principal, purpose, person=person, action=action.value,
               resource=resource, decision=decision,
               reason=f"{decision.reason}; failed: {error.__class__.__name__}")
        raise
    record(services, principal, purpose, person=person, action=action.value,
           resource=resource, decision=decision,
           persons=persons(result) if persons else None)
    return result


# -- recommended jobs ----------------------------------------------------------------------


RECOMMENDED = "/api/persons/{id}/recommended-jobs"


def recommended_jobs(services: Services, principal: Principal, purpose: str | None,
                     person: str, *, k: int = 20, municipalities: tuple[str, ...] = (),
                     full_time: bool | None = None) -> RecommendationsOut:
    """The person's recommended jobs with the reasons (one audit record)."""
    matching = _matching(services)
    filters = JobFilters(municipalities=municipalities, working_time=None if full_time is None
                         else "KOKOAIKA" if full_time else "OSA_AIKA")

    def work() -> RecommendationsOut:
        _own_person(principal, person)
        ranking = matching.recommend(person, k=k, filters=filters)
        labels = _Labels(services, matching)
        return RecommendationsOut(person=person, jobs=[_job(i, labels) for i in ranking.items],
                                  **_ranking_fields(ranking))

    return _audited(services, principal, purpose, Action.RECOMMEND_JOBS, person=person,
                    resource=RECOMMENDED, work=work)


@router.get("/api/persons/{person_id}/recommended-jobs", response_model=RecommendationsOut,
            summary="A job seeker's recommended jobs, with both scores and the reasons",
            responses=problem_responses(403, 404, 422, 502, 503, meaning={
                403: "Role or purpose refused, or a citizen asking for someone else",
                404: "The person has no job-seeker profile in the current extract"}))
async def get_recommended_jobs(
    person_id: PersonId, services: ServicesDep, principal: CurrentPrincipal, purpose: Purpose,
    k: K = 20,
    municipality: Annotated[list[Annotated[str, Field(pattern=CODE)]] | None, Query(
        description="Only jobs in these municipalities (codes, repeatable)")] = None,
    full_time: Annotated[bool | None, Query(description="Only full-time (true) or "
                                                        "part-time (false) jobs")] = None,
) -> RecommendationsOut:
    return await run_in_threadpool(
        recommended_jobs, services, principal, purpose, PERSON_NS + person_id, k=k,
        municipalities=tuple(municipality or ()), full_time=full_time)


def _profile(seeker: SeekerRecord, labels: _Labels) -> ProfileOut:
    return ProfileOut(
        desired_occupations=[c for u in seeker.desired_occupations if (c := labels.concept(u))],
        skills=[c for u in seeker.skills if (c := labels.concept(u))],
        experience=[ExperienceOut(position=i, occupation=labels.concept(e.occupation),
                                  start=e.start, end=e.end)
                    for i, e in enumerate(seeker.experience)])


def _movements(movements: list[Movement], index_postings: list[PostingRecord]
               ) -> list[MovementOut]:
    return [MovementOut(job=index_postings[m.row].identifier, title=index_postings[m.row].title,
                        before=m.before, after=m.after) for m in movements]


def expert_view(services: Services, principal: Principal, purpose: str | None, person: str,
                body: ExpertRequest) -> ExpertOut:
    """The ranking before and after the case worker's expert settings (one audit record)."""
    matching = _matching(services)
    settings = ExpertSettings(
        desired_occupations=None if body.desired_occupations is None
        else tuple(body.desired_occupations),
        skills=None if body.skills is None else tuple(body.skills),
        experience=None if body.experience is None else tuple(body.experience),
        keywords=tuple(body.keywords), weights=dict(body.weights))

    def work() -> ExpertOut:
        if principal.has("citizen"):
            raise Problem(403, "Forbidden", "the expert settings are for case workers",
                          "forbidden")
        comparison, before, after = matching.expert(person, settings, k=body.k)
        labels = _Labels(services, matching)
        index = matching.index()
        seeker = index.seekers[index.seeker_row(person)]
        return ExpertOut(
            person=person, profile=_profile(seeker, labels),
            keyword_concepts=[c for u in comparison.keyword_concepts
                              if (c := labels.concept(u))],
            before=RecommendationsOut(person=person, jobs=[_job(i, labels)
                                                           for i in before.items],
                                      **_ranking_fields(before)),
            after=RecommendationsOut(person=person, jobs=[_job(i, labels)
                                                          for i in after.items],
                                     **_ranking_fields(after)),
            moved_up=_movements(comparison.moved_up, index.postings),
            moved_down=_movements(comparison.moved_down, index.postings),
            new=_movements(comparison.new, index.postings),
            dropped=_movements(comparison.dropped, index.postings))

    return _audited(services, principal, purpose, Action.RECOMMEND_JOBS, person=person,
                    resource=RECOMMENDED + "/expert", work=work)


@router.post("/api/persons/{person_id}/recommended-jobs/expert", response_model=ExpertOut,
             summary="Re-rank with expert settings: which wishes, skills and experiences "
                     "count, extra keywords, weights; the answer shows before and after",
             responses=problem_responses(403, 404, 422, 502, 503))
async def post_expert(person_id: PersonId, body: ExpertRequest, services: ServicesDep,
                      principal: CurrentPrincipal, purpose: Purpose) -> ExpertOut:
    return await run_in_threadpool(expert_view, services, principal, purpose,
                                   PERSON_NS + person_id, body)


def give_feedback(services: Services, principal: Principal, purpose: str | None, person: str,
                  job: str, verdict: str) -> FeedbackOut:
    """A thumb on one recommended job, with the scores and rank it has now."""
    matching = _matching(services)

    def work() -> FeedbackOut:
        _own_person(principal, person)
        seeker, posting, structured, text, rank = matching.pair_now(person, job)
        feedback = Feedback(person=person, profile=seeker.profile, posting=posting.posting,
                            verdict=verdict, structured_score=round(structured, 2),
                            text_score=round(text, 2), rank=rank,
                            actor=actor_string(principal.subject, principal.organisation),
                            at=datetime.now(UTC))
        iri = record_feedback(services.store, feedback)
        return FeedbackOut(id=iri.rsplit("/", 1)[-1], verdict=verdict,
                           structured=feedback.structured_score, text=feedback.text_score,
                           rank=rank, at=feedback.at)

    return _audited(services, principal, purpose, Action.GIVE_FEEDBACK, person=person,
                    resource=RECOMMENDED + "/{job_id}/feedback", work=work)


@router.post("/api/persons/{person_id}/recommended-jobs/{job_id}/feedback", status_code=201,
             response_model=FeedbackOut,
             summary="Thumbs up or down on a recommended job (the ranking learns from it)",
             responses=problem_responses(403, 404, 422, 502, 503))
async def post_feedback(person_id: PersonId, job_id: JobId, body: FeedbackRequest,
                        services: ServicesDep, principal: CurrentPrincipal,
                        purpose: Purpose) -> FeedbackOut:
    return await run_in_threadpool(give_feedback, services, principal, purpose,
                                   PERSON_NS + person_id, job_id, body.verdict)


# -- candidates for a posting -------------------------------------------------------------------


CANDIDATES = "/api/jobs/{id}/candidates"


def _posting_for(services: Services, principal: Principal, job: str) -> PostingRecord:
    """The posting, if this caller may see candidates for it (an employer: its own)."""
    matching = _matching(services)
    index = matching.index()
    posting = index.postings[matching.posting_row(index, job)]
    if principal.has("employer") and not principal.has("case_worker") and not speaks_for(
            principal.organisation, posting.employer):
        raise Problem(403, "Forbidden", "an employer sees candidates only for its own "
                                        "postings", "forbidden")
    return posting


def candidates(services: Services, principal: Principal, purpose: str | None, job: str, *,
               k: int = 20, filters: CandidateFilters | None = None) -> CandidatesOut:
    """Anonymous candidates for the posting (one audit record naming every person listed)."""
    matching = _matching(services)
    key = key_at(services.settings.handle_key_path)

    def work() -> tuple[CandidatesOut, list[str]]:
        posting = _posting_for(services, principal, job)
        ranking = matching.candidates(job, k=k, filters=filters)
        labels = _Labels(services, matching)
        today = date.today()
        index = matching.index()
        out = [CandidateOut(
            handle=candidate_handle(key, posting.posting, i.seeker.person),
            age_band=age_band(i.seeker.birth_year, today),
            region=labels.code("region", index.regions.get(i.seeker.municipality or "")),
            status=i.seeker.status,
            unemployment=unemployment_band(i.seeker.seeking_since, today),
            wishes=[c for u in i.seeker.desired_occupations if (c := labels.concept(u))],
            structured=round(i.ranked.structured, 1), text=round(i.ranked.text, 1),
            combined=round(i.ranked.combined, 1), rank=i.ranked.rank,
            reasons=_reasons(i.why)) for i in ranking.items]
        job_out = _job(Recommendation(ranking.items[0].ranked, ranking.items[0].seeker,
                                      posting, ranking.items[0].why), labels) if out else \
            _bare_job(posting, labels)
        return (CandidatesOut(job=job_out, candidates=out, **_ranking_fields(ranking)),
                [i.seeker.person for i in ranking.items])

    result, _persons = _audited(services, principal, purpose, Action.LIST_CANDIDATES,
                                person=None, resource=CANDIDATES, work=work,
                                persons=lambda r: r[1])
    return result


def _bare_job(posting: PostingRecord, labels: _Labels) -> JobOut:
    return JobOut(id=posting.identifier, iri=posting.posting, title=posting.title,
                  employer=posting.employer, occupation=labels.concept(posting.occupation),
                  municipality=labels.code("municipality", posting.municipality),
                  working_time=posting.working_time, contract=posting.contract,
                  valid_through=posting.valid_through, structured=0, text=0, combined=0,
                  rank=0, reasons=ReasonsOut(occupation="", gave={}, took={},
                                             essential_matched=[], essential_missing=[]))


@router.get("/api/jobs/{job_id}/candidates", response_model=CandidatesOut,
            summary="Anonymous candidates for a posting (an employer: only its own)",
            responses=problem_responses(403, 404, 422, 502, 503, meaning={
                403: "Role or purpose refused, or an employer asking about another "
                     "employer's posting"}))
async def get_candidates(
    job_id: JobId, services: ServicesDep, principal: CurrentPrincipal, purpose: Purpose,
    k: K = 20,
    status: Annotated[list[Annotated[str, Field(pattern=CODE)]] | None, Query(
        description="Employment status codes, e.g. TYOTON (repeatable)")] = None,
    min_unemployment_days: Annotated[int | None, Query(ge=0, le=20000)] = None,
    max_unemployment_days: Annotated[int | None, Query(ge=0, le=20000)] = None,
    search_area: Annotated[str | None, Query(pattern=CODE, description="A municipality "
                                             "code in the seeker's search area")] = None,
    full_time: Annotated[bool | None, Query(description="Seekers wishing full time (true) "
                                                        "or part time (false)")] = None,
) -> CandidatesOut:
    filters = CandidateFilters(statuses=tuple(status or ()),
                               min_unemployment_days=min_unemployment_days,
                               max_unemployment_days=max_unemployment_days,
                               search_area=search_area, full_time=full_time)
    return await run_in_threadpool(candidates, services, principal, purpose, job_id, k=k,
                                   filters=filters)


def contact_candidate(services: Services, principal: Principal, purpose: str | None,
                      job: str, handle: str, message: str) -> ContactRequestOut:
    """An employer asks a candidate to get in touch; the request goes to the seeker."""
    matching = _matching(services)
    key = key_at(services.settings.handle_key_path)

    def work() -> tuple[ContactRequestOut, str]:
        posting = _posting_for(services, principal, job)
        persons = (s.person for s in matching.index().seekers)
        person = resolve(key, posting.posting, handle, persons)
        sent = send_contact_request(
            services.store, person=person, posting=posting.posting,
            posting_title=posting.title, employer=posting.employer,
            organisation=principal.organisation, sender=principal.subject, message=message)
        return _contact_out(sent), person

    result, _person = _audited(services, principal, purpose, Action.CONTACT_CANDIDATE,
                               person=None, resource=CANDIDATES + "/{handle}/contact-requests",
                               work=work, persons=lambda r: [r[1]])
    return result


def _contact_out(r: ContactRequest) -> ContactRequestOut:
    return ContactRequestOut(id=r.id, job=r.posting.removeprefix(POSTING_NS),
                             job_title=r.posting_title, employer=r.employer,
                             message=r.message, sent_at=r.sent_at)


@router.post("/api/jobs/{job_id}/candidates/{handle}/contact-requests", status_code=201,
             response_model=ContactRequestOut,
             summary="Ask an anonymous candidate to get in touch (the seeker decides)",
             responses=problem_responses(403, 404, 422, 502, 503))
async def post_contact_request(job_id: JobId, handle: Handle, body: ContactRequestIn,
                               services: ServicesDep, principal: CurrentPrincipal,
                               purpose: Purpose) -> ContactRequestOut:
    return await run_in_threadpool(contact_candidate, services, principal, purpose, job_id,
                                   handle, body.message)


def contact_requests(services: Services, principal: Principal, purpose: str | None,
                     person: str) -> list[ContactRequestOut]:
    """The contact requests employers sent to the person (one audit record)."""

    def work() -> list[ContactRequestOut]:
        _own_person(principal, person)
        return [_contact_out(r) for r in contact_requests_of(services.store, person)]

    return _audited(services, principal, purpose, Action.READ_CONTACT_REQUESTS, person=person,
                    resource="/api/persons/{id}/contact-requests", work=work)


@router.get("/api/persons/{person_id}/contact-requests", response_model=list[ContactRequestOut],
            summary="Contact requests employers sent to a job seeker",
            responses=problem_responses(403, 422, 502, 503))
async def get_contact_requests(person_id: PersonId, services: ServicesDep,
                               principal: CurrentPrincipal, purpose: Purpose
                               ) -> list[ContactRequestOut]:
    return await run_in_threadpool(contact_requests, services, principal, purpose,
                                   PERSON_NS + person_id)


def own_postings(services: Services, principal: Principal) -> list[JobOut]:
    """The postings an employer's token speaks for (no personal data: not audited)."""
    if not principal.has("employer"):
        raise Problem(403, "Forbidden", "only an employer's token has postings of its own",
                      "forbidden")
    matching = _matching(services)
    labels = _Labels(services, matching)
    index = matching.index()
    closed = expired_mask(index)
    return [_bare_job(p, labels) for row, p in enumerate(index.postings)
            if not closed[row] and speaks_for(principal.organisation, p.employer)]


@router.get("/api/employer/jobs", response_model=list[JobOut],
            summary="An employer's own open postings (scores and reasons are empty here)",
            responses=problem_responses(403, 502, 503))
async def get_own_postings(services: ServicesDep, principal: CurrentPrincipal
                           ) -> list[JobOut]:
    return await run_in_threadpool(own_postings, services, principal)


__all__ = ["own_postings", "candidates", "contact_candidate", "contact_requests", "expert_view",
           "give_feedback", "recommended_jobs"]
