"""The client's situation page: the API's own flows behind it (the same sections, facts and
audit records), withheld sections with their reason, client-reported facts and consents
through their forms, and nothing typed ever written back into a page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from core.pseudonyms import PERSON_NS, Pseudonymizer
from graph_service.policy.consent import give_consent
from graph_service.policy.consent_record import Recipient
from graph_service.policy.sections import Section
from graph_service.policy.tokens import issue, load_or_create_signing_key
from graph_service.views.model import SectionView
from graph_service.web import i18n
from graph_service.web.person import withheld_reason
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.leaks import identity_codes
from tests.web.conftest import Browser, Web

PURPOSE = "case-management"
MOTHER_ID = Pseudonymizer(KEY)(MOTHER.hetu)
DROPOUT_ID = Pseudonymizer(KEY)(DROPOUT.hetu)
PAGE = f"/ui/persons/{MOTHER_ID}?purpose={PURPOSE}"
SECTION_TITLES = ["Perustiedot", "Maahanmuutto", "Perhe ja asuminen", "Työttömyys ja työnhaku",
                  "Talous", "Opinnot", "Etuudet", "Kuntoutus", "Terveys"]


def _audit(web: Web) -> list[dict]:
    return web.app.state.services.audit.search(person=PERSON_NS + MOTHER_ID, limit=100_000)


def _section(html: str, name: str) -> str:
    start = html.rindex("<section", 0, html.index(f'id="section-{name}"'))
    end = html.find('<section class="card', start + 1)
    return html[start:end if end > 0 else len(html)]


def _api(browser: Browser, web: Web, person_id: str, organisation: str, purpose: str) -> dict:
    """The same situation through the API, with a bearer token of the same organisation."""
    key = load_or_create_signing_key(web.settings.signing_key_path)
    token = issue(key, subject="api", organisation=organisation, roles=["case_worker"])
    response = browser.client.get(f"/api/persons/{person_id}/situation", headers={
        "Authorization": f"Bearer {token}", "X-Purpose": purpose})
    assert response.status_code == 200, response.text
    return {s["section"]: s for s in response.json()["sections"]}


USERS = [("kela", "kela", "benefit-decision"), ("city", "city:helsinki", "job-matching"),
         ("city", "city:helsinki", PURPOSE)]


@pytest.mark.parametrize("person_id", [MOTHER_ID, DROPOUT_ID], ids=["mother", "dropout"])
@pytest.mark.parametrize(("user", "organisation", "purpose"), USERS)
def test_the_page_shows_what_the_api_shows(web: Web, person_id: str, user: str,
                                           organisation: str, purpose: str):
    browser = web.browser(user)
    html = browser.get(f"/ui/persons/{person_id}?purpose={purpose}").text
    titles = re.findall(r'<h2 id="h-[a-z]+">([^<]+)</h2>', html)
    assert titles == SECTION_TITLES  # the pilot's order
    expected = _api(browser, web, person_id, organisation, purpose)
    assert any(v["permitted"] for v in expected.values())
    for key, view in expected.items():
        card = _section(html, key)
        assert ("card--withheld" in card[:200]) is not view["permitted"], key
        registry = card.count('<article class="fact">')
        assert registry == len(view["facts"]), key
        if view["permitted"]:
            assert "badge--basis" in card or "badge--consent" in card
            assert card.count("badge--source") == registry
        else:
            key_of_reason = withheld_reason(SectionView.model_validate(view))[0]
            assert i18n.catalogues()["fi"].text(key_of_reason)[:20] in card


def test_one_page_view_is_one_audit_record_naming_the_sections_and_the_consents(web: Web):
    browser = web.browser("kela")
    before = len(_audit(web))
    assert browser.get(PAGE).status_code == 200
    records = _audit(web)[before:]
    assert [r["action"] for r in records] == ["read-situation"]
    situation = records[0]
    assert situation["subject"] == "demo-kela-case-worker"
    assert [line.split()[0] for line in situation["sections"]] == [
        *(s.value for s in Section), "consents"]
    assert situation["purpose"] == PURPOSE


def test_withheld_sections_say_why_in_the_readers_language(web: Web):
    kela, city = web.browser("kela"), web.browser("city")
    economy = _section(kela.get(PAGE).text, "economy")
    assert "card--withheld" in economy and "edellyttää asiakkaan suostumusta" in economy
    english = _section(kela.get(PAGE + "&lang=en").text, "economy")
    assert "Showing this section to you needs the client&#39;s consent" in english
    # a city case worker is refused other sections (the policy's matrix)
    health = _section(city.get(PAGE).text, "health")
    assert "card--withheld" in health and "edellyttää asiakkaan suostumusta" in health


def test_an_expired_consent_is_named_with_its_date(web: Web):
    now = datetime.now(UTC)
    give_consent(web.app.state.services.store, PERSON_NS + DROPOUT_ID, controller="kela",
                 purposes=[PURPOSE], sections=[Section.ECONOMY],
                 recipients=[Recipient("kela", "case_worker")],
                 expires_at=now - timedelta(days=3), indicated_by="written",
                 recorded_by="someone", recorded_org="kela", now=now - timedelta(days=30))
    html = web.browser("kela").get(f"/ui/persons/{DROPOUT_ID}?purpose={PURPOSE}").text
    economy = _section(html, "economy")
    expired = (now - timedelta(days=3)).date()
    assert f"suostumus päättyi {expired.day}.{expired.month}.{expired.year}" in economy
    assert "Päättynyt" in html  # the consent list shows it as expired


def test_a_client_reported_fact_through_its_form(web: Web):
    browser = web.browser("kela")
    csrf = browser.csrf(PAGE)
    before = len(_audit(web))
    response = browser.post(f"/ui/persons/{MOTHER_ID}/reported", {
        "purpose": PURPOSE, "form": "housing", "housing_type": "VUOKRA",
        "note": "Asuu vuokralla", "csrf": csrf})
    assert response.status_code == 303
    assert response.headers["location"].endswith("notice=reported-saved#section-family")
    assert [r["action"] for r in _audit(web)[before:]] == ["write-client-reported"]
    family = _section(browser.follow(response).text, "family")
    reported = family[family.index("reported-facts"):]
    assert "badge--reported" in reported and "Asiakkaan ilmoittama" in reported
    assert "vuokra" in reported.lower()


def test_a_failing_form_names_its_fields_and_shows_nothing_typed(web: Web):
    browser = web.browser("kela")
    typed = "Tulkki tarvitaan <b>zqxmarker</b>"
    page = browser.submit(PAGE, f"/ui/persons/{MOTHER_ID}/reported", {
        "purpose": PURPOSE, "form": "language_skill", "language": "sv", "note": typed})
    assert page.status_code == 422
    assert "Tietoa ei tallennettu" in page.text
    assert 'id="f-language_skill-cefr_level-error"' in page.text  # the missing field is named
    assert 'id="f-language_skill-language-error"' not in page.text
    assert "zqxmarker" not in page.text  # the note is not written back
    assert '<option value="sv" selected>' in page.text  # a code from the list is kept
    # the language switch leads to the page itself, not to the address the form posted to
    assert f'href="/ui/persons/{MOTHER_ID}?purpose={PURPOSE}&amp;lang=en"' in page.text


def test_an_identity_code_in_a_note_is_refused_and_not_shown(web: Web):
    browser = web.browser("kela")
    csrf = browser.csrf(PAGE)
    before = len(_audit(web))
    page = browser.post(f"/ui/persons/{MOTHER_ID}/reported", {
        "purpose": PURPOSE, "form": "health_centre", "name": "Kallion terveysasema",
        "note": f"puoliso {DROPOUT.hetu}", "csrf": csrf})
    assert page.status_code == 422 and 'id="f-health_centre-note-error"' in page.text
    assert not identity_codes(page.text) and "Kallion" not in page.text
    assert not identity_codes(web.settings.audit_path.read_text())
    assert [r["decision"] for r in _audit(web)[before:]][0] == "permit"  # decided, then refused


@pytest.mark.parametrize("data", [
    {"form": "no-such-form"},
    {"form": "education_abroad", "level": "9", "country": "XX", "years": "99999999999",
     "qualification": " "},
    {"form": "interpreter", "needed": "maybe"},
])
def test_bad_forms_are_refused(web: Web, data: dict):
    page = web.browser("kela").submit(PAGE, f"/ui/persons/{MOTHER_ID}/reported",
                                      {"purpose": PURPOSE, **data})
    assert page.status_code in (400, 422)
    assert "maybe" not in page.text and "99999999999" not in page.text


def test_consent_given_and_withdrawn_through_the_panel(web: Web):
    browser = web.browser("kela")
    assert "card--withheld" in _section(browser.get(PAGE).text, "economy")
    expiry = (datetime.now(UTC) + timedelta(days=60)).date()
    given = browser.submit(PAGE, f"/ui/persons/{MOTHER_ID}/consents", {
        "purpose": PURPOSE, "sections": ["economy"], "purposes": [PURPOSE],
        "recipients": ["kela/case_worker"], "indicated_by": "written",
        "expires_at": expiry.isoformat()})
    assert given.status_code == 303 and given.headers["location"].endswith("#consents")
    html = browser.follow(given).text
    economy = _section(html, "economy")
    assert "card--withheld" not in economy[:200] and "badge--consent" in economy
    assert f"{expiry.day}.{expiry.month}.{expiry.year}" in html
    consent_id = re.search(r'name="consent" value="([0-9a-f-]{36})"', html).group(1)
    withdrawn = browser.submit(PAGE, f"/ui/persons/{MOTHER_ID}/consents/withdraw",
                               {"purpose": PURPOSE, "consent": consent_id})
    assert withdrawn.status_code == 303
    html = browser.follow(withdrawn).text
    assert "card--withheld" in _section(html, "economy")
    assert "peruutti suostumuksensa" in _section(html, "economy")
    again = browser.submit(PAGE, f"/ui/persons/{MOTHER_ID}/consents/withdraw",
                           {"purpose": PURPOSE, "consent": consent_id})
    assert again.status_code == 409 and "on jo peruutettu" in again.text
    unknown = browser.submit(PAGE, f"/ui/persons/{MOTHER_ID}/consents/withdraw",
                             {"purpose": PURPOSE, "consent": "nonsense"})
    assert unknown.status_code == 404 and "nonsense" not in unknown.text


@pytest.mark.parametrize(("data", "field"), [
    ({"purposes": [PURPOSE], "recipients": ["kela/case_worker"], "indicated_by": "written"},
     "sections"),
    ({"sections": ["health"], "purposes": [PURPOSE], "recipients": ["kela/case_worker"],
      "indicated_by": "written", "expires_at": "2001-01-01"}, "expires_at"),
    ({"sections": ["health"], "purposes": [PURPOSE], "recipients": ["kela/case_worker"],
      "indicated_by": "written", "expires_at": "not-a-date"}, "expires_at"),
    ({"sections": ["health"], "purposes": [PURPOSE], "recipients": ["kela/case_worker"]},
     "indicated_by"),
])
def test_a_failing_consent_form_names_the_field(web: Web, data: dict, field: str):
    page = web.browser("kela").submit(PAGE, f"/ui/persons/{MOTHER_ID}/consents",
                                      {"purpose": PURPOSE, **data})
    assert page.status_code == 422 and "Suostumusta ei kirjattu" in page.text
    assert f'id="c-{field}-error"' in page.text
    assert "not-a-date" not in page.text and "2001-01-01" not in page.text


@pytest.mark.parametrize(("url", "status", "message"), [
    (f"/ui/persons/{MOTHER_ID}", 403, "tähän käyttötarkoitukseen"),
    (f"/ui/persons/{MOTHER_ID}?purpose=statistics", 403, "tähän käyttötarkoitukseen"),
    ("/ui/persons/not-a-person?purpose=case-management", 404, "Sivua ei löytynyt"),
    (f"/ui/persons/{'a' * 26}?purpose=case-management", 404, "ei löytynyt tietoja"),
])
def test_refusals_are_friendly_pages(web: Web, url: str, status: int, message: str):
    page = web.browser("kela").get(url)
    assert page.status_code == status and message in page.text
    assert "statistics" not in page.text.split("<main", 1)[1]


def test_only_case_workers_open_a_clients_page(web: Web):
    citizen = web.browser("citizen")
    assert citizen.get(PAGE).status_code == 403
    forged = citizen.submit("/ui/me/access-log", f"/ui/persons/{MOTHER_ID}/consents", {
        "purpose": PURPOSE, "sections": ["health"], "purposes": [PURPOSE],
        "recipients": ["city/case_worker"], "indicated_by": "written"})
    assert forged.status_code == 403


@pytest.mark.parametrize("action", ["reported", "consents", "consents/withdraw"])
def test_person_forms_need_the_csrf_token(web: Web, action: str):
    browser = web.browser("kela")
    response = browser.post(f"/ui/persons/{MOTHER_ID}/{action}", {
        "purpose": PURPOSE, "form": "housing", "housing_type": "VUOKRA"})
    assert response.status_code == 403 and "Lomake on vanhentunut" in response.text


def test_a_client_reported_fact_is_corrected_as_a_new_revision(web: Web):
    browser = web.browser("kela")
    person = f"/ui/persons/{DROPOUT_ID}?purpose={PURPOSE}"
    browser.follow(browser.submit(person, f"/ui/persons/{DROPOUT_ID}/reported", {
        "purpose": PURPOSE, "form": "health_centre", "name": "Kallion terveysasema"}))
    html = browser.get(person).text
    fact_id = re.search(r'name="revises" value="([0-9a-f]{32})"', html).group(1)
    # the correction form starts from the stored values
    correction = html[html.index(f'value="{fact_id}"'):]
    assert 'value="Kallion terveysasema"' in correction[:3000]
    corrected = browser.submit(person, f"/ui/persons/{DROPOUT_ID}/reported", {
        "purpose": PURPOSE, "form": "health_centre", "name": "Vallilan terveysasema",
        "revises": fact_id})
    assert corrected.status_code == 303
    health = _section(browser.follow(corrected).text, "health")
    assert "Vallilan terveysasema" in health and "Kallion terveysasema" not in health
    again = browser.submit(person, f"/ui/persons/{DROPOUT_ID}/reported", {
        "purpose": PURPOSE, "form": "health_centre", "name": "Toinen", "revises": fact_id})
    assert again.status_code == 409 and "korjaa uusinta versiota" in again.text
    bad = browser.submit(person, f"/ui/persons/{DROPOUT_ID}/reported", {
        "purpose": PURPOSE, "form": "health_centre", "name": "X", "revises": "../x"})
    assert bad.status_code == 400
