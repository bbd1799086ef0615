"""The forecast panel of the client's situation page, over a model trained for real (the
``forecast_home`` fixture): the consent state for the forecast's purpose and the form that
records it through the consent panel's route; "form a forecast" (a plain POST form) with
the traffic light in colour, shape and words, the factors in plain words, "open details"
with the model's quality beside the ceiling, its limits and that it never decides; "save
to the client's case" and the saved forecasts; Finnish and English. Then the same in a real
headless Chromium against `tyodata serve`, axe-core clean, with screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html import unescape
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from core.pseudonyms import PERSON_NS
from graph_service.policy.consent import consents_of, withdraw_consent
from graph_service.policy.decision import FORECAST_PURPOSE
from graph_service.policy.forecast_policy import FORECAST_SECTIONS
from graph_service.web.app import create_service_app
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import ForecastHome
from tests.graph_service.api.forecast_support import (
    forecast_entities,
    forecast_settings,
    person_ids,
)
from tests.leaks import assert_no_identity_code
from tests.service import Service, running_service
from tests.web.browser import Visit, sign_in
from tests.web.conftest import Browser, Web

PURPOSE = "case-management"
SHAPES = {"green": "<circle", "amber": '<polygon points="20,3', "red": '<polygon points="12,3'}
WORDS = {"fi": {"green": "Vihreä", "amber": "Keltainen", "red": "Punainen"},
         "en": {"green": "Green", "amber": "Amber", "red": "Red"}}


@pytest.fixture(scope="module")
def web(forecast_home: ForecastHome, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[Web]:
    settings = forecast_settings(forecast_home, tmp_path_factory.mktemp("forecast-web"))
    settings.demo_sign_in = True
    app = create_service_app(settings)
    with TestClient(app):
        yield Web(app, settings)


@pytest.fixture(scope="module")
def ids(forecast_home: ForecastHome) -> dict[str, str]:
    mother, dropout = person_ids(forecast_home, MOTHER.hetu, DROPOUT.hetu)
    return {"mother": mother, "dropout": dropout}


def page_of(person_id: str, lang: str = "fi") -> str:
    return f"/ui/persons/{person_id}?purpose={PURPOSE}&lang={lang}"


def panel(html: str) -> str:
    return html[html.index('id="forecast"'):html.index("</main>")]


def text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def audit(web: Web, person_id: str) -> list[dict]:
    return web.app.state.services.audit.search(person=PERSON_NS + person_id, limit=100_000)


def consent_form(html: str) -> dict[str, list[str]]:
    """The panel's consent form as a browser would post it (hidden fields and the checked
    radio)."""
    form = panel(html)[:panel(html).index("</form>")]
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]+>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name or 'type="radio"' in tag and "checked" not in tag:
            continue
        fields.setdefault(name.group(1), []).append(value.group(1) if value else "")
    return fields


def give_through_the_panel(browser: Browser, person_id: str) -> httpx.Response:
    html = browser.get(page_of(person_id)).text
    fields = consent_form(html)
    assert fields["purposes"] == [FORECAST_PURPOSE]
    assert fields["sections"] == [s.value for s in FORECAST_SECTIONS]
    assert fields["recipients"] == ["city/case_worker"]
    return browser.post(f"/ui/persons/{person_id}/consents",
                        {**fields, "expires_at": ""})


def test_without_consent_the_panel_offers_to_record_it_and_no_forecast(web: Web, ids):
    browser = web.browser("city")
    html = browser.get(page_of(ids["dropout"])).text
    box = text(panel(html))
    assert "Työkykyennuste" in box and "Ei suostumusta" in box
    assert "Kirjaa asiakkaan suostumus ennusteeseen" in box
    assert "Muodosta ennuste" not in box  # no forecast without the consent
    # what the consent covers is shown, not only posted
    for label in ("Perustiedot", "Opinnot", "Etuudet", "Kuntoutus", "Terveys"):
        assert label in box
    # "open details" is there before any forecast: what the model is, uses, achieves
    assert "<details" in panel(html) and "Avaa lisätiedot" in box
    assert "Ennuste tukee, ei päätä" in box


def test_consent_through_the_panel_then_a_forecast_in_the_page(web: Web, ids):
    browser = web.browser("city")
    person = ids["mother"]
    given = give_through_the_panel(browser, person)
    assert given.status_code == 303, given.text
    [record] = [c for c in consents_of(web.app.state.services.store, PERSON_NS + person)
                if FORECAST_PURPOSE in c.purposes]
    assert record.recorded_by == "demo-city-case-worker"
    html = browser.get(page_of(person)).text
    assert "Suostumus voimassa" in text(panel(html))
    before = len(audit(web, person))
    response = browser.post(f"/ui/persons/{person}/forecast",
                            {"purpose": PURPOSE, "csrf": browser.csrf(page_of(person))})
    assert response.status_code == 200, response.text
    added = audit(web, person)[before + 1:]  # after the csrf page's own view
    assert [r["action"] for r in added] == ["forecast", "read-situation"]
    assert added[0]["model_version"] and added[0]["decision"] == "permit"
    box = panel(response.text)
    light = re.search(r'class="traffic-light traffic-light--(green|amber|red)"', box).group(1)
    # never colour alone: the shape and the word go with it
    assert SHAPES[light] in box and WORDS["fi"][light] in text(box)
    assert "Arvioitu todennäköisyys" in text(box)
    assert "Nostivat riskiä" in text(box) and "Laskivat riskiä" in text(box)
    assert re.search(r"(nostaa|laskee) riskiä (paljon|jonkin verran|vähän)", text(box))
    assert "Tämä malli" in text(box) and "Paras mahdollinen" in text(box)
    assert "PR AUC" in text(box) and "Rajoitukset" in text(box)
    assert "Tallenna asiakkuuteen" in text(box)
    assert forecast_entities(web.app.state.services.store) == {}  # not stored


def test_save_to_the_case_and_see_it_among_the_saved(web: Web, ids):
    browser = web.browser("city")
    person = ids["mother"]
    formed = browser.post(f"/ui/persons/{person}/forecast",
                          {"purpose": PURPOSE, "csrf": browser.csrf(page_of(person))})
    version = re.search(r'name="model_version" value="([^"]+)"', formed.text).group(1)
    before = len(audit(web, person))
    saved = browser.post(f"/ui/persons/{person}/forecast/save", {
        "purpose": PURPOSE, "model_version": version, "csrf": browser.csrf(page_of(person))})
    assert saved.status_code == 303
    assert "/forecast/saved?purpose=case-management&notice=forecast-saved" in \
        saved.headers["location"]
    shown = browser.follow(saved)
    added = [r["action"] for r in audit(web, person)[before + 1:]]
    assert added == ["save-forecast", "read-saved-forecasts", "read-situation"]
    box = text(panel(shown.text))
    assert "Ennuste tallennettiin asiakkuuteen" in box
    assert "Asiakkuuteen tallennetut ennusteet" in box and "Mallin tuottama" in box
    assert version in box and "demo-city-case-worker (city:helsinki)" in box
    assert len(forecast_entities(web.app.state.services.store)) == 1


def test_the_panel_in_english(web: Web, ids):
    browser = web.browser("city")
    person = ids["mother"]
    html = browser.get(page_of(person, "en")).text
    box = text(panel(html))
    assert "Work-ability forecast" in box and "Consent valid" in box
    response = browser.post(f"/ui/persons/{person}/forecast?lang=en", {
        "purpose": PURPOSE, "csrf": browser.csrf(page_of(person, "en"))})
    box = panel(response.text)
    light = re.search(r"traffic-light--(green|amber|red)", box).group(1)
    assert WORDS["en"][light] in text(box) and "Estimated probability" in text(box)
    assert "Raised the risk" in text(box) and "Open details" in text(box)
    assert "never refers a client to a service" in text(box)


def test_a_withdrawn_consent_is_explained_in_the_panel(web: Web, ids):
    browser = web.browser("city")
    person = ids["dropout"]
    assert give_through_the_panel(browser, person).status_code == 303
    store = web.app.state.services.store
    for record in consents_of(store, PERSON_NS + person):
        withdraw_consent(store, PERSON_NS + person, record.id, by="anna",
                         organisation="city:helsinki")
    response = browser.post(f"/ui/persons/{person}/forecast",
                            {"purpose": PURPOSE, "csrf": browser.csrf(page_of(person))})
    assert response.status_code == 403
    box = text(panel(response.text))
    assert "Ennustetta ei muodostettu" in box and "Suostumus peruttu" in box
    today = datetime.now(UTC).date()
    assert f"perui suostumuksensa ennusteeseen {today.day}.{today.month}.{today.year}" in box


# -- in the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def service(forecast_home: ForecastHome, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Service]:
    """`tyodata serve` over a copy of the trained home (its key, its models), demo sign-in;
    overrides the web tests' own service for the ``visit`` fixture of this module."""
    home = forecast_home.settings
    with running_service(SimpleNamespace(store_path=home.store_path),
                         tmp_path_factory.mktemp("forecast-browser"), demo_sign_in=True,
                         pseudonym_key_file=home.key_path,
                         forecast_dir=home.forecast_path) as running:
        yield running


def test_the_forecast_panel_in_the_browser(visit: Visit, service: Service):
    sign_in(visit, "city")
    visit.open("/ui/search")
    visit.page.fill("#identity_code", MOTHER.hetu)
    visit.page.select_option("#purpose", PURPOSE)
    visit.page.click("form.form button[type=submit]")
    visit.checked()
    forecast = visit.page.locator("#forecast")
    assert "Ei suostumusta" in forecast.inner_text()
    forecast.locator("summary", has_text="Kirjaa asiakkaan suostumus ennusteeseen").click()
    forecast.locator("form.form button[type=submit]").click()
    visit.checked()
    assert "Suostumus voimassa" in visit.page.locator("#forecast").inner_text()

    visit.page.locator("#forecast button", has_text="Muodosta ennuste").click()
    visit.checked()
    forecast = visit.page.locator("#forecast")
    light = forecast.locator(".traffic-light")
    assert light.count() == 1 and light.locator("svg").count() == 1
    word = light.locator("strong").inner_text()
    assert word in WORDS["fi"].values()
    assert forecast.locator(".forecast-factors li").count() > 0
    forecast.locator("summary", has_text="Avaa lisätiedot").click()
    details = forecast.locator("details.forecast-details")
    assert details.get_attribute("open") is not None
    assert "Paras mahdollinen" in details.inner_text()
    visit.accessible("forecast panel with a forecast (fi)")
    forecast.scroll_into_view_if_needed()
    visit.screenshot("forecast-fi")

    forecast.locator("button", has_text="Tallenna asiakkuuteen").click()
    visit.checked()
    assert "/forecast/saved" in visit.page.url
    saved = visit.page.locator("#forecast-saved")
    assert saved.locator(".forecast-saved__item").count() == 1
    assert "Mallin tuottama" in saved.inner_text()
    visit.accessible("saved forecasts (fi)")
    visit.screenshot("forecast-saved-fi")

    visit.page.click("nav.languages a[lang=en]")
    visit.checked()
    assert visit.page.get_attribute("html", "lang") == "en"
    assert "/forecast/saved" in visit.page.url  # the same view, in English
    assert "Model output" in visit.page.locator("#forecast-saved").inner_text()
    visit.accessible("saved forecasts (en)")
    visit.screenshot("forecast-saved-en")
    visit.page.locator("#forecast button", has_text="Form a forecast").click()
    visit.checked()
    forecast = visit.page.locator("#forecast")
    assert forecast.locator(".traffic-light strong").inner_text() in WORDS["en"].values()
    forecast.locator("summary", has_text="Open details").click()
    visit.accessible("forecast panel with a forecast (en)")
    visit.screenshot("forecast-en")
    visit.page.click("nav.languages a[lang=fi]")  # the choice is remembered: set it back
    visit.checked()


def test_the_service_log_holds_no_identity_code(service: Service):
    """Last in this module: the browser test above went through this service."""
    log = service.log.read_text(errors="replace")
    assert_no_identity_code(log, "in the service's log")
    assert not re.search(r"Traceback|ERROR", log), log[-2000:]
