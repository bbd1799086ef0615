"""The seeker's recommended jobs page: the API's ranking with both scores and the reasons,
filters, thumbs up or down through a CSRF-checked POST and a 303 back, the contact
requests, and a citizen's own page."""

from __future__ import annotations

import re

from core.pseudonyms import PERSON_NS
from graph_service.api.routes.matching import recommended_jobs
from graph_service.policy.tokens import Principal
from graph_service.web import i18n
from matchers.anonymous import AGE_BANDS, UNEMPLOYMENT_BANDS
from matchers.criteria import CRITERIA, DEDUCTIONS
from tests.web.conftest import Web
from tests.web.matching.conftest import audit, seeker_id

TITLE = re.compile(r'<h3 id="job-([A-Za-z0-9_-]+)-title" class="job__title">')


def _page(person: str, **query: str) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"/ui/persons/{person}/jobs?purpose=job-matching{extra}"


def _api_jobs(web: Web, person: str, **kwargs) -> list:
    principal = Principal(subject="t", organisation="city:helsinki", roles=("case_worker",),
                          expires_at=2**40)
    return recommended_jobs(web.app.state.services, principal, "job-matching",
                            PERSON_NS + person, **kwargs).jobs


def test_the_page_shows_the_apis_ranking_with_both_scores_and_the_reasons(web: Web):
    person = seeker_id(web)
    browser = web.browser("city")
    before = len(audit(web, PERSON_NS + person))
    page = browser.get(_page(person))
    assert page.status_code == 200, page.text
    expected = _api_jobs(web, person)
    assert expected
    assert TITLE.findall(page.text) == [job.id for job in expected]
    assert page.text.count('<details class="why">') == len(expected)
    assert "Rakenteellinen" in page.text and "Tekstipohjainen" in page.text
    assert "Täyttyvät keskeiset taidot" in page.text and "Pisteitä antoivat" in page.text
    # the page's two reads (jobs, contact requests) are decided and audited like the API's
    actions = [r["action"] for r in audit(web, PERSON_NS + person)[before:]]
    assert actions.count("recommend-jobs") == 2 and "read-contact-requests" in actions
    assert f"/ui/persons/{person}?purpose=job-matching" in page.text  # back to the situation
    english = browser.get(_page(person, lang="en")).text
    assert "Structured" in english and "Essential skills matched" in english


def test_filters_narrow_the_list_and_a_bad_code_is_not_written_back(web: Web):
    person = seeker_id(web)
    browser = web.browser("city")
    part_time = browser.get(_page(person, full_time="no"))
    assert part_time.status_code == 200
    ids = TITLE.findall(part_time.text)
    assert ids == [j.id for j in _api_jobs(web, person, full_time=False)]
    assert part_time.text.count("kokoaikainen</span>") == 0
    bad = browser.get(_page(person, municipality_code="<x>"))
    assert bad.status_code == 422
    assert "Kuntakoodi ei kelpaa" in bad.text and "&lt;x&gt;" not in bad.text
    also_bad = browser.get(_page(person, municipality="zz%22zz"))
    assert also_bad.status_code == 422 and "zz" not in also_bad.text


def test_a_thumb_is_recorded_and_shown_after_the_redirect(web: Web):
    person = seeker_id(web)
    browser = web.browser("city")
    job = TITLE.findall(browser.get(_page(person)).text)[0]
    before = audit(web, PERSON_NS + person)
    answer = browser.submit(_page(person), f"/ui/persons/{person}/jobs/{job}/feedback",
                            {"verdict": "up", "purpose": "job-matching"})
    assert answer.status_code == 303
    assert answer.headers["location"].endswith(f"#job-{job}")
    records = [r for r in audit(web, PERSON_NS + person)[len(before):]
               if r["action"] == "give-feedback"]
    assert [r["decision"] for r in records] == ["permit"]
    shown = browser.follow(answer).text
    article = shown[shown.index(f'id="job-{job}"'):]
    article = article[:article.index("</article>")]
    assert "Peukku ylös tallennettu" in article


def test_a_thumb_without_the_csrf_token_is_refused(web: Web):
    person = seeker_id(web)
    browser = web.browser("city")
    job = TITLE.findall(browser.get(_page(person)).text)[0]
    before = len(audit(web, PERSON_NS + person))
    answer = browser.post(f"/ui/persons/{person}/jobs/{job}/feedback",
                          {"verdict": "up", "purpose": "job-matching"})
    assert answer.status_code == 403
    assert len(audit(web, PERSON_NS + person)) == before


def test_a_citizen_opens_only_their_own_jobs_and_gives_a_thumb(web: Web):
    browser = web.browser("citizen")
    own = browser.get("/ui/me/jobs")
    # the pilot persona may have no marketplace profile: then a clear page, not a crash
    assert own.status_code in (200, 404)
    if own.status_code == 404:
        assert "työnhakijaprofiilia" in own.text
    else:
        assert "Omien tietojen katselu" in own.text and "/ui/persons/" not in own.text
        job = TITLE.findall(own.text)[0]
        answer = browser.submit("/ui/me/jobs", f"/ui/me/jobs/{job}/feedback",
                                {"verdict": "down"})
        assert answer.headers["location"].startswith("/ui/me/jobs?notice=feedback-down")
        assert "Peukku alas tallennettu" in browser.follow(answer).text
    other = browser.get(_page(seeker_id(web)))
    assert other.status_code == 403
    assert browser.get(f"/ui/persons/{seeker_id(web)}/expert").status_code == 403


def test_a_person_without_a_profile_gets_a_clear_page(web: Web):
    page = web.browser("city").get(_page("a" * 26))
    assert page.status_code == 404
    assert "työnhakijaprofiilia" in page.text


def test_every_criterion_level_and_band_has_a_name_in_every_language():
    keys = [f"criterion.{name}" for name in (*CRITERIA, *DEDUCTIONS)]
    keys += [f"occupation_level.{level}" for level in (
        "same_occupation", "same_unit_group", "same_minor_group", "none", "not_stated")]
    keys += [f"unemployment.{band}" for _, _, band in UNEMPLOYMENT_BANDS]
    keys += [f"working_time.{c}" for c in ("KOKOAIKA", "OSA_AIKA")]
    keys += [f"contract.{c}" for c in ("VAKINAINEN", "MAARAAIKAINEN")]
    assert AGE_BANDS  # the bands themselves read as numbers ("25-34") in both languages
    for language, found in i18n.catalogues().items():
        assert not [k for k in keys if not found.has(k)], language
