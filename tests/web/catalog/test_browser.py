"""The catalogue's pages in a real headless Chromium against a real `tyodata serve`, read
by someone who has not signed in: a developer searches in Finnish, narrows by a facet,
removes the filter, opens a series and follows its lineage picture to a data product,
reads how to call it, opens a theme's view, and reads it all again in English. axe-core
finds no violation of any impact on any page; screenshots go to test-artifacts/screenshots/.

The product's curl command is then run as shown, against the same service, with a real
token of an organisation the product's policy grants and a real person of the fixture.
"""

from __future__ import annotations

import json
import os
import subprocess
from urllib.parse import urlencode

import httpx
import jsonschema

from core.pseudonyms import Pseudonymizer
from graph_service.policy.tokens import issue, load_or_create_signing_key
from graph_service.products.definition import products
from synthetic.personas import MOTHER
from tests.conftest import KEY
from tests.service import Service
from tests.web.browser import Visit
from tests.web.catalog.conftest import assert_no_violations

SOCI = "http://publications.europa.eu/resource/authority/data-theme/SOCI"
PROFILE_PAGE = "/ui/catalog/product/Person/JobApplicantProfile_v1.0"
PRODUCT = products()["Person/JobApplicantProfile_v1.0"]
PERSON = Pseudonymizer(KEY)(MOTHER.hetu)  # a pilot persona with a job-seeker profile


def _count(visit: Visit) -> int:
    """The number of hits the results' heading gives."""
    heading = visit.page.locator("#results-heading").inner_text()
    return int(heading.rsplit("(", 1)[1].rstrip(")"))


def _english(visit: Visit) -> None:
    visit.page.click("nav.languages a[lang=en]")
    visit.checked()
    assert visit.page.get_attribute("html", "lang") == "en"


def test_a_developer_searches_narrows_and_widens_the_catalogue(visit: Visit):
    page = visit.page
    visit.open("/ui/catalog")
    assert page.url.endswith("/ui/catalog")  # public: no sign-in on the way
    assert page.locator("h1").inner_text() == "Tietokatalogi"
    everything = page.locator("article.hit").count()
    assert everything > 0
    assert_no_violations(visit, "the catalogue")
    visit.screenshot("catalog")
    page.fill("#q", "työnhakijoiden")  # an inflected form finds the job seekers' items
    page.click("form.catalog-search button[type=submit]")
    visit.checked()
    titles = page.locator("article.hit h3").all_inner_texts()
    assert titles and any("työnhakij" in t.lower() for t in titles)
    assert "q=ty%C3%B6nhakijoiden" in page.url
    found = _count(visit)
    facet = page.locator("#facet-type .checkbox").last  # the rarest kind among the hits
    expected = int(facet.locator(".facet__count").inner_text().strip("()"))
    facet.locator("input").check()
    page.click("form.catalog-facets button[type=submit]")
    visit.checked()
    assert page.locator("a.chip").count() == 1
    assert page.locator("#q").input_value() == "työnhakijoiden"  # the text is kept
    assert _count(visit) == expected <= found
    assert_no_violations(visit, "the catalogue narrowed")
    visit.screenshot("catalog-filtered")
    page.click("a.chip")
    visit.checked()
    assert page.locator("a.chip").count() == 0
    assert _count(visit) == found
    page.fill("#q", "qwxyzzy")
    page.click("form.catalog-search button[type=submit]")
    visit.checked()
    assert "Haullasi ei löytynyt" in page.locator(".catalog-results .notice").inner_text()
    assert_no_violations(visit, "no results")
    _english(visit)
    assert "Nothing in the catalogue matches your search." in page.content()
    visit.open("/ui/catalog?lang=en")
    assert page.locator("h1").inner_text() == "Data catalogue"
    assert_no_violations(visit, "the catalogue in English")
    visit.screenshot("catalog-en")


def test_an_item_page_with_its_lineage_picture_leads_to_a_product(visit: Visit):
    page = visit.page
    visit.open("/ui/catalog?" + urlencode({"q": "Työmarkkinatori"}))
    page.click("article.hit h3 a[href='/ui/catalog/dataset/tyomarkkinatori']")
    visit.checked()
    assert page.url.endswith("/ui/catalog/dataset/tyomarkkinatori")
    picture = page.locator("#lineage figure svg")
    assert picture.is_visible()
    assert page.locator("#lineage svg a").count() >= 2
    downstream = page.locator(".lineage__lists ul[aria-labelledby=downstream-heading] > li")
    assert downstream.count() > 0
    assert page.locator("#quality table.quality tbody tr").count() > 0
    assert page.locator("#distributions .distribution").count() > 0
    assert_no_violations(visit, "a series' page")
    visit.screenshot("catalog-item")
    # The picture's boxes are links: the data product that depends on the series.
    page.click(f"#lineage svg a[href='{PROFILE_PAGE}']")
    visit.checked()
    assert page.url.endswith(PROFILE_PAGE)
    visit.open("/ui/catalog/dataset/tyomarkkinatori")
    _english(visit)
    assert page.locator("#lineage-heading").inner_text() == "Lineage and impact"
    assert "Job Market Finland" in page.content() or "job" in page.locator("h1").inner_text(
    ).lower()
    assert_no_violations(visit, "a series' page in English")
    visit.screenshot("catalog-item-en")


def test_a_data_products_page_shows_a_ready_curl_command(visit: Visit):
    page = visit.page
    visit.open(PROFILE_PAGE)
    assert page.locator("h1").inner_text() == "Työnhakijan profiili"
    command = page.locator("pre.curl--basis").inner_text()
    assert command.startswith("curl -X POST ") and "$TOKEN" in command
    assert "X-Consent-Token" in page.locator("pre.curl--consent").inner_text()
    assert page.locator("table.call__permissions tbody tr").count() >= 2
    assert_no_violations(visit, "a data product's page")
    visit.screenshot("catalog-product")
    page.click("a.openapi-link")
    visit.checked()
    assert json.loads(page.locator("body").inner_text())["paths"]
    visit.open(PROFILE_PAGE)
    _english(visit)
    assert page.locator("#call-heading").inner_text() == "How to call this data product"
    assert_no_violations(visit, "a data product's page in English")
    visit.screenshot("catalog-product-en")


def test_a_theme_page_shows_the_knowledge_graph_around_it(visit: Visit):
    page = visit.page
    visit.open("/ui/catalog")
    page.click(f"section[aria-labelledby=themes-heading] a[href*='{SOCI.rsplit('/', 1)[-1]}']")
    visit.checked()
    assert "/ui/catalog/theme?iri=" in page.url
    assert "Väestö ja yhteiskunta" in page.locator("h1").inner_text()
    assert page.locator("figure.theme-picture svg").is_visible()
    assert page.locator("section.theme-group").count() >= 2
    assert_no_violations(visit, "a theme's page")
    visit.screenshot("catalog-theme")
    _english(visit)
    assert "Population and society" in page.locator("h1").inner_text()
    assert_no_violations(visit, "a theme's page in English")
    visit.screenshot("catalog-theme-en")


def _run(command: str, **variables: str) -> tuple[int, str]:
    """The command as a developer pastes it into a shell, with their variables set: the
    status and the body of the answer."""
    done = subprocess.run(["bash", "-c", command + " -sS -w '\\n%{http_code}'"],
                          env={**os.environ, **variables}, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    return int(status), body


def _command(visit: Visit, which: str) -> str:
    visit.open(PROFILE_PAGE)
    return visit.page.locator(f"pre.curl--{which}").inner_text()


def _purpose(command: str) -> str:
    return next(line.split("X-Purpose: ", 1)[1].rstrip("' \\")
                for line in command.splitlines() if "X-Purpose: " in line)


def _assert_profile(status: int, body: str) -> None:
    assert status == 200, body[-2000:]
    jsonschema.validate(json.loads(body), PRODUCT.output_schema)
    assert json.loads(body)["desiredOccupations"]  # the persona's own wishes


def test_the_curl_command_shown_for_a_product_works(visit: Visit, service: Service):
    """Under the legal basis the policy grants the city's own system: as shown, it answers
    the person's profile; an organisation the policy does not name is refused."""
    command = _command(visit, "basis")
    assert command.startswith(f"curl -X POST {service.base}{PRODUCT.path} ")
    assert _purpose(command) == "job-matching"
    key = load_or_create_signing_key(service.home / "keys" / "signing.key")
    city = issue(key, subject="test-city-system", organisation="city:helsinki",
                 roles=["service"])
    _assert_profile(*_run(command, TOKEN=city, PERSON=PERSON))
    stranger = issue(key, subject="test-stranger", organisation="company:nobody",
                     roles=["service"])
    assert _run(command, TOKEN=stranger, PERSON=PERSON)[0] == 403


def test_the_consent_curl_command_works_until_the_consent_is_withdrawn(visit: Visit,
                                                                       service: Service):
    """A company's service with the person's consent token: answered while the consent
    holds, refused (403) the moment it is withdrawn."""
    command = _command(visit, "consent")
    purpose = _purpose(command)
    recipient = "company:duunitori/service"
    worker = service.auth("case_worker", "case-management")
    consents = f"{service.base}/api/persons/{PERSON}/consents"
    given = httpx.post(consents, headers=worker, json={
        "purposes": [purpose], "products": [PRODUCT.key], "recipients": [recipient],
        "indicated_by": "written"}, timeout=30)
    assert given.status_code == 201, given.text
    consent = given.json()["id"]
    issued = httpx.post(f"{consents}/{consent}/token", headers=worker, json={
        "product": PRODUCT.key, "purpose": purpose, "recipient": recipient}, timeout=30)
    assert issued.status_code == 201, issued.text
    key = load_or_create_signing_key(service.home / "keys" / "signing.key")
    company = issue(key, subject="test-company-system", organisation="company:duunitori",
                    roles=["service"])
    variables = {"TOKEN": company, "CONSENT_TOKEN": issued.json()["token"], "PERSON": PERSON}
    _assert_profile(*_run(command, **variables))
    without = _command(visit, "basis")  # the same call without the consent token
    assert _run(without, TOKEN=company, PERSON=PERSON)[0] == 403
    withdrawn = httpx.post(f"{consents}/{consent}/withdraw", headers=worker, timeout=30)
    assert withdrawn.status_code == 200, withdrawn.text
    assert _run(command, **variables)[0] == 403


def test_the_sparql_example_on_the_catalogue_page_works(visit: Visit, service: Service):
    visit.open("/ui/catalog")
    command = visit.page.locator("pre.curl--sparql").inner_text()
    assert command.startswith(f"curl -G {service.base}/sparql ")
    key = load_or_create_signing_key(service.home / "keys" / "signing.key")
    developer = issue(key, subject="test-developer", organisation="company:devshop",
                      roles=["developer"])
    status, body = _run(command, TOKEN=developer)
    assert status == 200, body
    rows = body.splitlines()
    assert rows[0] == "series,title" and len(rows) > 5
    assert "https://tyodata.fi/catalog/dataset/kela,Kelan etuus- ja kuntoutuspäätökset" in rows
