"""The matching pages in a real headless Chromium against a real `tyodata serve` (demo
sign-in on): a case worker opens a client's recommended jobs from the situation page,
reads why, gives a thumb, switches to English, re-ranks in the expert view; an employer
opens its postings, its anonymous candidates and sends a contact request. axe-core checks
every page; screenshots go to test-artifacts/screenshots/."""

from __future__ import annotations

import re

from tests.web.browser import Visit, sign_in
from tests.web.conftest import Web
from tests.web.matching.conftest import seeker_id


def test_a_case_worker_reads_why_gives_a_thumb_and_re_ranks(visit: Visit, web: Web):
    person = seeker_id(web)  # the same generated data as the served store
    sign_in(visit, "city")
    visit.open(f"/ui/persons/{person}?purpose=job-matching")
    visit.page.click("nav.page-links a[href*='/jobs']")
    visit.checked()
    page = visit.page
    assert page.locator("h1").inner_text() == "Suositellut työpaikat"
    jobs = page.locator("article.job")
    assert jobs.count() > 0
    first = jobs.first
    first.locator("details.why summary").click()
    assert first.locator("details.why table.points").first.is_visible()
    visit.accessible("recommended jobs")
    visit.screenshot("jobs")
    title = first.locator("h3.job__title").inner_text()
    first.locator("form button:has-text('Sopiva')").first.click()
    visit.checked()
    assert "notice=feedback-up" in page.url
    assert page.locator(".feedback-given").inner_text().startswith("Peukku ylös")
    assert page.locator("article.job", has_text=title).locator(".feedback-given").count() == 1
    visit.accessible("recommended jobs after a thumb")
    page.click("nav.languages a[lang=en]")
    visit.checked()
    assert page.get_attribute("html", "lang") == "en"
    assert "Structured" in page.locator("article.job").first.inner_text()
    visit.accessible("recommended jobs in English")
    visit.screenshot("jobs-en")
    # the expert view: location counts for nothing, the occupation for much
    page.click("nav.page-links a[href*='/expert']")
    visit.checked()
    assert page.locator("input[type=checkbox]:not(:checked)").count() == 0
    visit.accessible("expert view form")
    page.fill("#weight-location", "0")
    page.fill("#weight-location_mismatch", "0")
    page.fill("#weight-occupation", "100")
    page.click("form.expert-form button[type=submit]")
    visit.checked()
    comparison = page.locator("#comparison")
    assert comparison.is_visible()
    before = comparison.locator("section").nth(0).locator(".ranking-item__title")
    after = comparison.locator("section").nth(1).locator(".ranking-item__title")
    assert before.all_inner_texts() != after.all_inner_texts()
    assert re.search(r"up \d+|down \d+|new", comparison.inner_text())
    visit.accessible("expert view comparison")
    visit.screenshot("expert-comparison")


def test_an_employer_contacts_an_anonymous_candidate(visit: Visit):
    sign_in(visit, "employer")
    page = visit.page
    assert page.url.endswith("/ui/employer/jobs")
    visit.accessible("an employer's postings")
    visit.screenshot("employer-postings")
    page.click("table.postings a")
    visit.checked()
    candidates = page.locator("article.candidate")
    assert candidates.count() > 0
    assert "tyodata.fi/id/person" not in page.content()
    candidates.first.locator("details.why summary").click()
    visit.accessible("candidates")
    visit.screenshot("candidates")
    candidates.first.locator("textarea").fill("Hei! Sopisiko haastattelu ensi viikolla?")
    candidates.first.locator("form.contact-form button").click()
    visit.checked()
    assert page.locator(".contact-sent").count() == 1
    assert "Yhteydenottopyyntö lähetetty" in page.locator(".notice").inner_text()
    page.click("nav.languages a[lang=en]")
    visit.checked()
    assert "Suitable candidates" in page.locator("h1").inner_text()
    visit.accessible("candidates in English")
    visit.screenshot("candidates-en")
