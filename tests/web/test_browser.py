"""The pages in a real headless Chromium against a real `tyodata serve` (demo sign-in on),
over a copy of the test store: sign in, search each persona by identity code, read their
sections, add a client-reported fact, give and withdraw a consent and see the page change,
switch to English, and the citizen's "who has looked at my data". Screenshots go to
test-artifacts/screenshots/; axe-core checks every page."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser

from synthetic.personas import DROPOUT, MOTHER
from tests.leaks import assert_no_identity_code
from tests.service import Service
from tests.web.browser import Visit, sign_in


def search(visit: Visit, hetu: str, purpose: str = "case-management") -> None:
    """Search a persona by identity code; the browser lands on their situation page."""
    visit.open("/ui/search")
    visit.page.fill("#identity_code", hetu)
    visit.page.select_option("#purpose", purpose)
    visit.page.click("form.form button[type=submit]")
    visit.checked()
    assert "/ui/persons/" in visit.page.url, visit.page.url


def section(visit: Visit, name: str):
    return visit.page.locator(f"#section-{name}")


def withheld(visit: Visit, name: str) -> bool:
    return "card--withheld" in (section(visit, name).get_attribute("class") or "")


def test_sign_in_and_search_pages(visit: Visit):
    visit.open("/ui/sign-in")
    assert visit.page.get_attribute("html", "lang") == "fi"
    visit.accessible("sign-in page")
    visit.screenshot("sign-in")
    visit.page.click("button[name=demo][value=kela]")
    visit.checked()
    assert visit.page.url.endswith("/ui/search")
    visit.accessible("search page")
    visit.screenshot("search")
    # an invalid code: a friendly error, and the field is empty again
    visit.page.fill("#identity_code", "131052-308U")
    visit.page.click("form.form button[type=submit]")
    visit.checked()
    assert "Henkilötunnus ei ole kelvollinen" in visit.page.inner_text("main")
    assert visit.page.input_value("#identity_code") == ""
    visit.accessible("search page with an error")
    visit.screenshot("search-error")


PERSONAS = {"mother": MOTHER, "dropout": DROPOUT}


def api_situation(service: Service, person_id: str) -> dict:
    """The same view through the API, with a Kela case worker's bearer token."""
    response = httpx.get(f"{service.base}/api/persons/{person_id}/situation",
                         headers=service.auth("case_worker", "case-management"), timeout=30)
    assert response.status_code == 200, response.text
    return {s["section"]: s for s in response.json()["sections"]}


@pytest.mark.parametrize("name", PERSONAS)
def test_each_personas_situation_in_finnish_and_english(visit: Visit, service: Service,
                                                        name: str):
    sign_in(visit, "kela")
    search(visit, PERSONAS[name].hetu)
    headings = visit.page.locator("main section.card h2").all_inner_texts()
    assert headings == ["Perustiedot", "Maahanmuutto", "Perhe ja asuminen",
                        "Työttömyys ja työnhaku", "Talous", "Opinnot", "Etuudet",
                        "Kuntoutus", "Terveys", "Suostumukset"]
    # the page shows what the API shows: the same sections permitted, the same facts
    expected = api_situation(service, urlsplit(visit.page.url).path.rsplit("/", 1)[1])
    for key, view in expected.items():
        assert withheld(visit, key) is not view["permitted"], key
        registry = section(visit, key).locator(".fact:not(.fact--reported)")
        assert registry.count() == len(view["facts"]), key
    assert sum(len(v["facts"]) for v in expected.values()) > 20
    # every registry fact carries its source and extract date, in Finnish form
    badges = visit.page.locator(".badge--source").all_inner_texts()
    assert badges and all(b.endswith("poiminta 1.11.2026") for b in badges)
    assert withheld(visit, "migration") and withheld(visit, "economy")
    assert "edellyttää asiakkaan suostumusta" in section(visit, "economy").inner_text()
    permitted = [key for key, view in expected.items() if view["permitted"]]
    for key in permitted:  # each shown section names what it rests on
        assert section(visit, key).locator(".badge--basis, .badge--consent").count() > 0
    assert "Ammatillisen kuntoutuksen tuloraja" in section(visit, "rehabilitation").inner_text()
    visit.accessible(f"situation of {name} (fi)")
    visit.screenshot(f"situation-{name}-fi")

    visit.page.click("nav.languages a[lang=en]")
    visit.checked()
    assert visit.page.get_attribute("html", "lang") == "en"
    assert visit.page.locator("h1").inner_text() == "Client's situation"
    badges = visit.page.locator(".badge--source").all_inner_texts()
    assert badges and all(b.endswith("extract of 2026-11-01") for b in badges)
    assert "needs the client's consent" in section(visit, "economy").inner_text()
    visit.accessible(f"situation of {name} (en)")
    visit.screenshot(f"situation-{name}-en")
    visit.page.click("nav.languages a[lang=fi]")  # the choice is remembered: set it back
    visit.checked()


def test_a_client_reported_fact_is_added_and_shown_apart(visit: Visit):
    sign_in(visit, "kela")
    search(visit, MOTHER.hetu)
    basic = section(visit, "basic")
    before = basic.locator(".fact--reported").count()
    basic.locator("summary", has_text="Kielitaito").click()
    form = basic.locator("form", has=visit.page.locator("input[value=language_skill]"))
    form.locator("select[name=language]").select_option("sv")
    form.locator("select[name=cefr_level]").select_option("B2")
    form.locator("textarea[name=note]").fill("Opiskellut ruotsia iltakurssilla")
    form.locator("button[type=submit]").click()
    visit.checked()
    assert "notice=reported-saved" in visit.page.url
    assert "Asiakkaan ilmoittama tieto tallennettiin" in visit.page.inner_text("main")
    reported = section(visit, "basic").locator(".reported-facts .fact--reported")
    assert reported.count() == before + 1
    newest = reported.nth(before).inner_text()
    assert "ruotsi" in newest and "B2" in newest and "Asiakkaan ilmoittama" in newest
    assert "demo-kela-case-worker (kela)" in newest
    # apart from the registry facts: none of those carries the client-reported badge
    registry = section(visit, "basic").locator(".fact:not(.fact--reported)")
    assert registry.count() > 0 and registry.locator(".badge--reported").count() == 0
    visit.accessible("situation after a client-reported fact")
    visit.screenshot("client-reported-fact")


def test_consent_shows_a_section_and_withdrawal_withholds_it_again(visit: Visit):
    sign_in(visit, "kela")
    search(visit, MOTHER.hetu)
    assert withheld(visit, "migration")
    visit.page.locator("#consents summary", has_text="Kirjaa uusi suostumus").click()
    form = visit.page.locator("#consents form.form")
    form.get_by_label("Maahanmuutto").check()
    form.get_by_label("Asiakkuuden hoito").check()
    form.get_by_label("Kelan asiantuntija").check()
    form.get_by_label("Henkilökohtaisesti").check()
    form.locator("button[type=submit]").click()
    visit.checked()
    assert "Suostumus kirjattiin" in visit.page.inner_text("main")
    migration = section(visit, "migration")
    assert not withheld(visit, "migration")
    assert migration.locator(".badge--consent").count() == 1
    assert migration.locator(".fact").count() > 0  # the permit shows now
    valid = visit.page.locator("#consents li.consent--given")
    assert valid.count() == 1
    visit.accessible("situation with a consent")
    visit.screenshot("consent-given")

    valid.locator("button", has_text="Peruuta suostumus").click()
    visit.checked()
    assert "Suostumus peruutettiin" in visit.page.inner_text("main")
    assert withheld(visit, "migration")
    assert "peruutti suostumuksensa" in section(visit, "migration").inner_text()
    assert visit.page.locator("#consents li.consent--given").count() == 0
    assert visit.page.locator("#consents li.consent--withdrawn").count() >= 1
    visit.accessible("situation after the consent was withdrawn")
    visit.screenshot("consent-withdrawn")


def test_the_citizen_sees_who_has_looked_at_their_data(browser: Browser, service: Service,
                                                       visit: Visit):
    # a city case worker looks at the persona first, in a browser of their own
    context = browser.new_context()
    city = Visit(context.new_page(), service.base)
    try:
        sign_in(city, "city")
        search(city, MOTHER.hetu, "job-matching")
        city.assert_stayed_home()
    finally:
        context.close()
    sign_in(visit, "citizen")
    assert visit.page.url.endswith("/ui/me/access-log")
    rows = visit.page.locator("main table tbody tr")
    texts = rows.all_inner_texts()
    assert "Sinä itse" in texts[0]  # reading the log is itself logged, and newest first
    views = [t for t in texts if "Tilannekuvan katselu" in t]
    assert any("Kaupungin työllisyyspalvelut (Helsinki)" in t and "Työnhaun tuki" in t
               for t in views)
    assert any("Kela" in t for t in views)
    assert not any("demo-city-case-worker" in t or "demo-kela" in t for t in texts)
    visit.accessible("access log (fi)")
    visit.screenshot("access-log-fi")
    visit.page.click("nav.languages a[lang=en]")
    visit.checked()
    assert visit.page.locator("h1").inner_text() == "Who has looked at my data"
    visit.accessible("access log (en)")
    visit.screenshot("access-log-en")


def test_the_service_log_holds_no_identity_code(service: Service):
    """Last in this module: every search above went through this service."""
    log = service.log.read_text(errors="replace")
    assert_no_identity_code(log, "in the service's log")
    assert "Traceback" not in log and "ERROR" not in log
