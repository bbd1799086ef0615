"""An employer's pages: its own postings only, anonymous candidates (handles, never a
person's IRI or pseudonym), filters, and a contact request the seeker then sees."""

from __future__ import annotations

import re

from core.pseudonyms import PERSON_NS
from graph_service.web.demo import demo_employer_organisation
from matchers.anonymous import speaks_for
from matchers.handles import handle_key, resolve
from tests.web.conftest import Web

HANDLE = re.compile(r'<article class="card candidate" id="(c-[a-z2-7]{26})"')


def _postings(web: Web):
    services = web.app.state.services
    organisation = demo_employer_organisation(services)
    postings = services.matching.open_postings()
    own = [p for p in postings if speaks_for(organisation, p.employer)]
    other = [p for p in postings if p.employer and not speaks_for(organisation, p.employer)]
    return own, other


def _no_person_in(web: Web, html: str) -> None:
    assert PERSON_NS not in html
    for seeker in web.app.state.services.matching.index().seekers:
        assert seeker.person.rsplit("/", 1)[-1] not in html


def test_the_employer_sees_only_its_own_postings(web: Web):
    browser = web.browser()
    answer = browser.sign_in("employer")
    assert answer.headers["location"] == "/ui/employer/jobs"
    page = browser.get("/ui/employer/jobs")
    assert page.status_code == 200
    own, other = _postings(web)
    assert own and other
    links = re.findall(r'href="/ui/employer/jobs/([A-Za-z0-9_-]+)/candidates"', page.text)
    assert sorted(links) == sorted(p.identifier for p in own)


def test_candidates_are_anonymous_and_filterable(web: Web):
    own, _ = _postings(web)
    browser = web.browser("employer")
    page = browser.get(f"/ui/employer/jobs/{own[0].identifier}/candidates")
    assert page.status_code == 200, page.text
    handles = HANDLE.findall(page.text)
    assert handles
    _no_person_in(web, page.text)
    assert "Ikäryhmä" in page.text and "Rakenteellinen" in page.text
    narrowed = browser.get(f"/ui/employer/jobs/{own[0].identifier}/candidates"
                           "?status=TYOTON&min_days=90&full_time=yes")
    assert narrowed.status_code == 200
    assert len(HANDLE.findall(narrowed.text)) <= len(handles)
    bad = browser.get(f"/ui/employer/jobs/{own[0].identifier}/candidates?min_days=-3")
    assert bad.status_code == 422 and "Osa rajauksista ei kelpaa" in bad.text


def test_another_employers_posting_is_refused(web: Web):
    _, other = _postings(web)
    page = web.browser("employer").get(f"/ui/employer/jobs/{other[0].identifier}/candidates")
    assert page.status_code == 403
    assert not HANDLE.findall(page.text) and not re.search(r"c-[a-z2-7]{26}", page.text)
    assert "Sinulla ei ole oikeutta" in page.text


def test_a_contact_request_reaches_the_seekers_page(web: Web):
    own, _ = _postings(web)
    job = own[0].identifier
    employer = web.browser("employer")
    listing = f"/ui/employer/jobs/{job}/candidates"
    handle = HANDLE.findall(employer.get(listing).text)[0]
    action = f"{listing}/{handle}/contact"
    assert employer.post(action, {"message": "Hei!"}).status_code == 403  # no CSRF token
    sent = employer.submit(listing, action, {"message": "Hei! Sopisiko haastattelu?"})
    assert sent.status_code == 303
    shown = employer.follow(sent)
    assert "Yhteydenottopyyntö lähetetty" in shown.text
    _no_person_in(web, shown.text)
    # the case worker sees it on the seeker's recommended-jobs page
    key = handle_key(web.settings.home)
    seekers = (s.person for s in web.app.state.services.matching.index().seekers)
    person = resolve(key, own[0].posting, handle, seekers).rsplit("/", 1)[-1]
    page = web.browser("city").get(f"/ui/persons/{person}/jobs?purpose=job-matching").text
    received = page[page.index('id="contact-requests"'):page.index("</section>",
                                                                   page.index('id="contact-requests"'))]
    assert "Sopisiko haastattelu?" in received and own[0].title in received
