"""Matching over the API: both directions, reasons, anonymity, the decision point and one
audit record per request, contact requests and feedback, on the real generated store."""

from __future__ import annotations

import json
import re

import pytest

from core.pseudonyms import Pseudonymizer
from graph_service.policy.tokens import issue, load_or_create_signing_key
from matchers.anonymous import employer_organisation
from synthetic.personas import MOTHER
from tests.graph_service.api.conftest import KEY

PERSON_ID = re.compile(r"[a-z2-7]{26}")
HETU = re.compile(r"\d{6}[-+A-Y]\d{3}[0-9A-Y]")


def audit_lines(api) -> list[dict]:
    path = api.settings.audit_path
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def token(api, *, roles: list[str], organisation: str, person: str | None = None) -> dict:
    key = load_or_create_signing_key(api.settings.signing_key_path)
    value = issue(key, subject="t-" + roles[0], organisation=organisation, roles=roles,
                  person=person)
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture(scope="module")
def mother(api) -> str:
    return Pseudonymizer(KEY).iri(MOTHER.hetu).rsplit("/", 1)[-1]


@pytest.fixture(scope="module")
def seeker(api) -> str:
    """A person with a profile and recommended jobs (the first the index holds)."""
    index = api.client.app.state.services.matching.index()
    return index.seekers[0].person.rsplit("/", 1)[-1]


def test_a_case_worker_sees_ranked_jobs_with_reasons_and_one_audit_record(api, seeker):
    before = len(audit_lines(api))
    r = api.request("GET", f"/api/persons/{seeker}/recommended-jobs?k=10",
                    role="case_worker", purpose="job-matching")
    assert r.status_code == 200, r.text
    body = r.json()
    jobs = body["jobs"]
    assert 1 <= len(jobs) <= 10
    assert [j["rank"] for j in jobs] == list(range(1, len(jobs) + 1))
    combined = [j["combined"] for j in jobs]
    assert combined == sorted(combined, reverse=True)
    for j in jobs:
        assert 0 <= j["structured"] <= 100 and 0 <= j["text"] <= 100
        reasons = j["reasons"]
        assert set(reasons["gave"]) <= {
            "occupation", "essential_skills", "optional_skills", "experience", "education",
            "languages", "licences", "location", "working_time", "contract"}
        for skill in reasons["essential_matched"] + reasons["essential_missing"]:
            assert skill["skill"]["label_fi"] and skill["skill"]["label_en"]
    records = audit_lines(api)[before:]
    assert len(records) == 1
    assert records[0]["action"] == "recommend-jobs" and records[0]["decision"] == "permit"
    assert records[0]["person"].endswith(seeker)


def test_filters_narrow_the_jobs(api, seeker):
    r = api.request("GET", f"/api/persons/{seeker}/recommended-jobs?k=50&full_time=false",
                    role="case_worker", purpose="job-matching")
    assert r.status_code == 200
    assert all(j["working_time"] == "OSA_AIKA" for j in r.json()["jobs"])


@pytest.mark.parametrize(("role", "purpose"), [("steward", "statistics"),
                                               ("case_worker", "statistics"),
                                               ("employer", "recruitment"),
                                               ("case_worker", None)])
def test_others_are_refused_and_the_refusal_is_audited(api, seeker, role, purpose):
    before = len(audit_lines(api))
    r = api.request("GET", f"/api/persons/{seeker}/recommended-jobs", role=role,
                    purpose=purpose)
    assert r.status_code == 403
    records = audit_lines(api)[before:]
    assert [x["decision"] for x in records] == ["deny"]


def test_a_citizen_reads_only_their_own_recommendations(api, mother, seeker):
    own = api.request("GET", f"/api/persons/{mother}/recommended-jobs", role="citizen",
                      purpose="own-data")
    assert own.status_code in (200, 404)  # 404: the persona has no marketplace profile
    if seeker != mother:
        before = len(audit_lines(api))
        other = api.request("GET", f"/api/persons/{seeker}/recommended-jobs", role="citizen",
                            purpose="own-data")
        assert other.status_code == 403
        refused = audit_lines(api)[before:]
        assert [(x["decision"], x["person"]) for x in refused] == [
            ("deny", "https://tyodata.fi/id/person/" + seeker)]


def test_a_person_without_a_profile_is_a_clear_404(api):
    r = api.request("GET", f"/api/persons/{'a' * 26}/recommended-jobs", role="case_worker",
                    purpose="job-matching")
    assert r.status_code == 404
    assert r.json()["type"].endswith("unknown-seeker")


def _posting(api):
    index = api.client.app.state.services.matching.index()
    return next(p for p in index.postings if p.employer)


def test_an_employer_sees_anonymous_candidates_for_its_own_posting_only(api):
    posting = _posting(api)
    own = token(api, roles=["employer"], organisation=employer_organisation(posting.employer))
    before = len(audit_lines(api))
    r = api.client.get(f"/api/jobs/{posting.identifier}/candidates?k=15",
                       headers={**own, "X-Purpose": "recruitment"})
    assert r.status_code == 200, r.text
    text = r.text
    assert "/id/person/" not in text and not HETU.search(text)
    cands = r.json()["candidates"]
    assert cands and all(re.fullmatch(r"c-[a-z2-7]{26}", c["handle"]) for c in cands)
    # Quasi-identifiers only coarsened: a ten-year band (from the year of birth), a region.
    # (a person the population register extract lacks, e.g. a rejected row, has none)
    bands = [c["age_band"] for c in cands if c["age_band"] is not None]
    assert len(bands) >= len(cands) * 0.8
    assert all(re.fullmatch(r"\d\d-\d\d|65\+|under-18", band) for band in bands)
    assert all(c["region"] is None or set(c["region"]) == {"code", "label_fi", "label_en"}
               for c in cands)
    assert all("birth" not in k and "person" not in k for c in cands for k in c)
    records = audit_lines(api)[before:]
    assert len(records) == 1 and records[0]["action"] == "list-candidates"
    assert len(records[0]["persons"]) == len(cands)
    # Another employer's token is refused for this posting, and that is audited too.
    other = token(api, roles=["employer"], organisation="employer:someone-else")
    before = len(audit_lines(api))
    r = api.client.get(f"/api/jobs/{posting.identifier}/candidates",
                       headers={**other, "X-Purpose": "recruitment"})
    assert r.status_code == 403
    refused = audit_lines(api)[before:]
    assert [(x["decision"], x.get("persons")) for x in refused] == [("deny", None)]


def test_handles_differ_per_posting_and_a_contact_request_reaches_the_seeker(api):
    services = api.client.app.state.services
    index = services.matching.index()
    postings = [p for p in index.postings if p.employer][:2]
    handles = []
    for posting in postings:
        own = token(api, roles=["employer"],
                    organisation=employer_organisation(posting.employer))
        r = api.client.get(f"/api/jobs/{posting.identifier}/candidates?k=100",
                           headers={**own, "X-Purpose": "recruitment"})
        handles.append({c["handle"] for c in r.json()["candidates"]})
    assert not handles[0] & handles[1]
    posting = postings[0]
    own = token(api, roles=["employer"], organisation=employer_organisation(posting.employer))
    handle = sorted(handles[0])[0]
    r = api.client.post(f"/api/jobs/{posting.identifier}/candidates/{handle}/contact-requests",
                        json={"message": "Hei! Olisitko kiinnostunut?"},
                        headers={**own, "X-Purpose": "recruitment"})
    assert r.status_code == 201, r.text
    sent = r.json()
    # Which person that was is known inside the service only: find it the way it does.
    person = next(s.person for s in index.seekers
                  if _handle(api, posting.posting, s.person) == handle)
    seen = api.request("GET", f"/api/persons/{person.rsplit('/', 1)[-1]}/contact-requests",
                       role="case_worker", purpose="job-matching")
    assert seen.status_code == 200
    assert sent["id"] in {x["id"] for x in seen.json()}
    # A made-up handle names nobody; an identity code in the message is refused.
    bad = api.client.post(f"/api/jobs/{posting.identifier}/candidates/c-{'a' * 26}"
                          "/contact-requests", json={"message": "hei"},
                          headers={**own, "X-Purpose": "recruitment"})
    assert bad.status_code == 404
    code = api.client.post(f"/api/jobs/{posting.identifier}/candidates/{handle}"
                           "/contact-requests", json={"message": "soita 131052-308T"},
                           headers={**own, "X-Purpose": "recruitment"})
    assert code.status_code == 422 and "131052-308T" not in code.text


def _handle(api, posting: str, person: str) -> str:
    from matchers.handles import candidate_handle, handle_key

    return candidate_handle(handle_key(api.settings.home), posting, person)


def test_feedback_is_stored_with_the_scores_of_now_and_the_ranking_learns(api, seeker):
    jobs = api.request("GET", f"/api/persons/{seeker}/recommended-jobs?k=5",
                       role="case_worker", purpose="job-matching").json()
    job = jobs["jobs"][0]
    r = api.request("POST", f"/api/persons/{seeker}/recommended-jobs/{job['id']}/feedback",
                    role="case_worker", purpose="job-matching", json={"verdict": "down"})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["rank"] == 1 and out["structured"] == pytest.approx(job["structured"], abs=0.1)
    again = api.request("GET", f"/api/persons/{seeker}/recommended-jobs?k=5",
                        role="case_worker", purpose="job-matching").json()
    assert again["learned_from"] >= 1
    bad = api.request("POST", f"/api/persons/{seeker}/recommended-jobs/{job['id']}/feedback",
                      role="case_worker", purpose="job-matching", json={"verdict": "meh"})
    assert bad.status_code == 422


def test_expert_settings_show_the_ranking_before_and_after(api, seeker):
    r = api.request("POST", f"/api/persons/{seeker}/recommended-jobs/expert",
                    role="case_worker", purpose="job-matching",
                    json={"weights": {"location": 0, "occupation": 10}, "k": 10,
                          "keywords": ["asiakaspalvelu"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["before"]["jobs"] and body["after"]["jobs"]
    assert body["after"]["weights"]["occupation"] == 10
    before = [j["id"] for j in body["before"]["jobs"]]
    after = [j["id"] for j in body["after"]["jobs"]]
    moved = {m["job"] for m in body["moved_up"] + body["moved_down"] + body["new"]}
    assert moved == {j for j in after if j not in before or before.index(j) != after.index(j)}
    assert body["profile"]["skills"]
    bad = api.request("POST", f"/api/persons/{seeker}/recommended-jobs/expert",
                      role="case_worker", purpose="job-matching",
                      json={"weights": {"charm": 3}})
    assert bad.status_code == 422
    citizen = api.request("POST", f"/api/persons/{seeker}/recommended-jobs/expert",
                          role="citizen", purpose="own-data", json={})
    assert citizen.status_code == 403
