"""Search by identity code: a POST, answered with a 303 to the person's page by pseudonym;
the code appears in no URL, page, title or audit record, and the lookup is the API's own
(the same decision point, one audit record per search)."""

from __future__ import annotations

from datetime import date

import pytest

from core.hetu import make
from core.pseudonyms import Pseudonymizer
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.leaks import identity_codes
from tests.web.conftest import Web


def _audit(web: Web, subject: str) -> list[dict]:
    return web.app.state.services.audit.search(subject=subject, limit=100_000)


@pytest.mark.parametrize("persona", [MOTHER, DROPOUT], ids=["mother", "dropout"])
def test_search_answers_with_the_persons_page_by_pseudonym(web: Web, persona):
    browser = web.browser("kela")
    before = len(_audit(web, "demo-kela-case-worker"))
    response = browser.submit("/ui/search", "/ui/search", {
        "identity_code": persona.hetu.lower(), "purpose": "benefit-decision"})
    assert response.status_code == 303
    pseudonym = Pseudonymizer(KEY)(persona.hetu)
    assert response.headers["location"] == (
        f"/ui/persons/{pseudonym}?purpose=benefit-decision")
    records = _audit(web, "demo-kela-case-worker")[before:]
    assert [(r["action"], r["decision"], r["person"]) for r in records] == [
        ("lookup", "permit", "https://tyodata.fi/id/person/" + pseudonym)]


INVALID = ["131052-308U", "131052-308", "<b>x</b>", "1" * 40, "310299-1234"]


@pytest.mark.parametrize("typed", INVALID)
def test_an_invalid_code_is_a_friendly_error_that_never_echoes_it(web: Web, typed: str):
    browser = web.browser("city")
    page = browser.submit("/ui/search", "/ui/search", {"identity_code": typed,
                                                        "purpose": "case-management"})
    assert page.status_code == 400
    assert "Henkilötunnus ei ole kelvollinen" in page.text
    assert typed not in page.text and "<b>x" not in page.text
    assert 'aria-invalid="true"' in page.text


def test_an_unknown_person_says_so_without_the_code(web: Web):
    stranger = make(date(1901, 1, 1), 901)  # valid, but no registry holds them
    browser = web.browser("kela")
    page = browser.submit("/ui/search", "/ui/search", {"identity_code": stranger,
                                                        "purpose": "case-management"})
    assert page.status_code == 404 and "ei löytynyt tietoja" in page.text
    assert stranger not in page.text and not identity_codes(page.text)


def test_a_purpose_case_work_does_not_allow_is_refused_and_audited(web: Web):
    browser = web.browser("kela")
    before = len(_audit(web, "demo-kela-case-worker"))
    page = browser.submit("/ui/search", "/ui/search", {"identity_code": MOTHER.hetu,
                                                        "purpose": "statistics"})
    assert page.status_code == 403 and "käyttötarkoitukseen" in page.text
    records = _audit(web, "demo-kela-case-worker")[before:]
    assert [(r["action"], r["decision"]) for r in records] == [("lookup", "deny")]


def test_an_empty_search_is_asked_again(web: Web):
    page = web.browser("kela").submit("/ui/search", "/ui/search", {
        "identity_code": "  ", "purpose": "case-management"})
    assert page.status_code == 400 and "Anna henkilötunnus" in page.text


def test_the_search_field_is_never_filled_back_in(web: Web):
    browser = web.browser("kela")
    page = browser.submit("/ui/search", "/ui/search", {"identity_code": MOTHER.hetu,
                                                        "purpose": "statistics"})
    field = page.text[page.text.index('id="identity_code"'):]
    assert "value=" not in field[:field.index(">")]
    # the chosen purpose is kept only when it is one the form offers
    assert '<option value="statistics"' not in page.text


def test_a_code_in_a_page_url_is_never_looked_up(web: Web):
    browser = web.browser("kela")
    before = len(_audit(web, "demo-kela-case-worker"))
    page = browser.client.get("/ui/search", params={"identity_code": MOTHER.hetu})
    assert page.status_code == 200 and MOTHER.hetu not in page.text
    assert len(_audit(web, "demo-kela-case-worker")) == before


def test_no_identity_code_in_any_page_or_audit_record(web: Web):
    browser = web.browser("kela")
    for persona in (MOTHER, DROPOUT):
        browser.follow(browser.submit("/ui/search", "/ui/search", {
            "identity_code": persona.hetu, "purpose": "case-management"}))
    assert not identity_codes(web.settings.audit_path.read_text())
    for response in browser.pages:  # every page, URL and redirect this browser saw
        assert not identity_codes(str(response.url) + response.headers.get("location", ""))


@pytest.mark.parametrize("persona", [MOTHER, DROPOUT], ids=["mother", "dropout"])
def test_in_demo_mode_a_persona_is_chosen_by_key_and_no_code_is_shown(web: Web, persona):
    browser = web.browser("kela")
    page = browser.get("/ui/search")
    assert f'value="{persona.key}"' in page.text and not identity_codes(page.text)
    response = browser.submit("/ui/search", "/ui/search", {"persona": persona.key,
                                                            "purpose": "case-management"})
    assert response.status_code == 303
    assert response.headers["location"] == (
        f"/ui/persons/{Pseudonymizer(KEY)(persona.hetu)}?purpose=case-management")


def test_a_made_up_persona_key_finds_nobody(web: Web):
    browser = web.browser("kela")
    page = browser.submit("/ui/search", "/ui/search", {"persona": "persona-9",
                                                        "purpose": "case-management"})
    assert page.status_code == 400 and not identity_codes(page.text)
