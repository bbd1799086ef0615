"""The expert view: the client's profile as checkboxes (all counting), the weights in
force, and after the POST the ranking before and after with every move named in words."""

from __future__ import annotations

import re

from matchers.criteria import CRITERIA, DEDUCTIONS
from tests.web.conftest import Web
from tests.web.matching.conftest import seeker_id

WEIGHT = re.compile(r'name="weight\.([a-z_]+)" type="number"[^>]*value="([^"]*)"')


def _page(person: str) -> str:
    return f"/ui/persons/{person}/expert?purpose=job-matching"


def test_the_form_counts_everything_and_shows_the_weights_in_force(web: Web):
    person = seeker_id(web)
    page = web.browser("city").get(_page(person))
    assert page.status_code == 200, page.text
    boxes = re.findall(r'<input type="checkbox"[^>]*>', page.text)
    assert boxes and all("checked" in box for box in boxes)
    weights = dict(WEIGHT.findall(page.text))
    assert set(weights) == {*CRITERIA, *DEDUCTIONS}
    assert all(float(value) >= 0 for value in weights.values())
    assert "Vertaa järjestystä" in page.text


def _compare(web: Web, person: str, **weights: str):
    browser = web.browser("city")
    form = browser.get(_page(person)).text
    data: dict = {"purpose": "job-matching", "keywords": ""}
    data["desired_occupations"] = re.findall(r'name="desired_occupations" value="([^"]+)"', form)
    data["skills"] = re.findall(r'name="skills" value="([^"]+)"', form)
    data["experience"] = re.findall(r'name="experience" value="([^"]+)"', form)
    data |= {f"weight.{k}": v for k, v in dict(WEIGHT.findall(form)).items()}
    data |= {f"weight.{k}": v for k, v in weights.items()}
    return browser, browser.submit(_page(person), f"/ui/persons/{person}/expert", data)


def _side(html: str, heading: str) -> list[str]:
    part = html[html.index(f'id="{heading}-heading"'):]
    part = part[:part.index("</ol>")]
    return re.findall(r'<span class="ranking-item__title">([^<]*)</span>', part)


def test_setting_the_weights_changes_the_ranking_shown_before_and_after(web: Web):
    person = seeker_id(web)
    _, answer = _compare(web, person, location="0", location_mismatch="0", occupation="100")
    assert answer.status_code == 200, answer.text
    html = answer.text
    before, after = _side(html, "before"), _side(html, "after")
    assert before and after and before != after
    # every move is said in words (not by colour alone)
    assert re.search(r"nousi \d+|laski \d+|uusi|pudonnut", html)
    assert 'value="0.0"' in html or 'value="0"' in html  # the weights posted are kept


def test_bad_settings_name_the_field_and_keep_the_form(web: Web):
    person = seeker_id(web)
    _, answer = _compare(web, person, location="500")
    assert answer.status_code == 422
    assert "Asetuksia ei voitu käyttää" in answer.text and "Sijainti" in answer.text
    assert 'id="comparison"' not in answer.text


def test_the_expert_view_is_for_case_workers_and_needs_the_csrf_token(web: Web):
    person = seeker_id(web)
    assert web.browser("citizen").get(_page(person)).status_code == 403
    refused = web.browser("city").post(f"/ui/persons/{person}/expert",
                                       {"purpose": "job-matching", "weight.location": "0"})
    assert refused.status_code == 403
