"""The message catalogues: complete, discovered from files, and used by the pages."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from graph_service.policy.consent import INDICATION_METHODS
from graph_service.policy.consent_record import ConsentStatus
from graph_service.policy.decision import PURPOSES, Action
from graph_service.policy.sections import FIELDS, Section
from graph_service.views import situation as situation_view
from graph_service.views.reported_forms import FORMS
from graph_service.web import i18n
from graph_service.web.demo import DEMO_USERS
from graph_service.web.errors import KNOWN_STATUSES
from synthetic.personas import DROPOUT, MOTHER
from tests.web.conftest import Web, pages_root

TEMPLATE_KEY = re.compile(r"""\bt\(\s*["']([a-z0-9_.:-]+)["']""")
CODE_KEY = re.compile(r"""["']((?:sign_in|search|error|nav|app|purpose)\.[a-z0-9_.-]+)["']""")


def test_every_language_has_every_message_of_the_default():
    found = i18n.catalogues()
    assert list(found)[0] == "fi" and "en" in found
    for language, catalogue in found.items():
        missing = set(found["fi"].messages) - set(catalogue.messages)
        assert not missing, f"{language} lacks {sorted(missing)}"
        extra = set(catalogue.messages) - set(found["fi"].messages)
        assert not extra, f"{language} has keys Finnish lacks: {sorted(extra)}"


def test_every_key_the_templates_and_pages_name_is_in_the_catalogue():
    fi = i18n.catalogues()["fi"]
    root = pages_root()
    texts = [p.read_text() for p in (root / "templates").glob("*.html")]
    named = {k for text in texts for k in TEMPLATE_KEY.findall(text)}
    named |= {k for p in root.glob("*.py") for k in CODE_KEY.findall(p.read_text())}
    named = {k for k in named if not k.endswith((".", ".html"))}  # prefixes, file names
    assert len(named) > 30
    assert not {k for k in named if not fi.has(k)}


def test_every_key_of_a_family_is_in_the_catalogue():
    fi = i18n.catalogues()["fi"]
    families = [f"purpose.{p}" for p in PURPOSES] + [f"sign_in.demo.{u.key}" for u in DEMO_USERS]
    families += [f"error.{s}" for s in KNOWN_STATUSES]
    families += [f"section.{s.value}" for s in Section]
    families += [f"field.{f}" for fields in FIELDS.values() for f in fields]
    families += [f"field.{f.view}" for spec in FORMS.values() for f in spec.fields]
    families += [f"kind.{k}" for k in registry_kinds()] + [f"kind.{k}" for k in FORMS]
    families += [f"consent.method.{m}" for m in INDICATION_METHODS]
    families += [f"consent.status.{s.value}" for s in ConsentStatus]
    families += [f"action.{a.value}" for a in Action if a.value not in ("sparql", "read-audit")]
    assert not [k for k in families if not fi.has(k)]


def registry_kinds() -> set[str]:
    """The kinds of registry fact the situation's queries answer."""
    folder = Path(situation_view.__file__).parent / "queries"
    kinds = {k for rq in folder.glob("*.rq")
             for k in re.findall(r'BIND\("([a-z_]+)" AS \?kind\)', rq.read_text())}
    assert len(kinds) >= 10
    return kinds


UNTRANSLATED = re.compile(r"(?<![\w/])(field|kind|summary|section|withheld|consent|badge|notice|"
                          r"reported|purpose|recipient|organisation|action|access_log|basis|"
                          r"person|answer|error)\.[a-z_.:/#-]+")


def test_no_page_shows_a_message_key(web: Web):
    kela, citizen = web.browser("kela"), web.browser("citizen")
    people = [str(kela.follow(kela.submit("/ui/search", "/ui/search", {
        "identity_code": persona.hetu, "purpose": "case-management"})).url)
        for persona in (MOTHER, DROPOUT)]
    pages = []
    for language in ("fi", "en"):
        pages += [kela.get(f"{url}&lang={language}") for url in people]
        pages.append(kela.get(f"/ui/search?lang={language}"))
        pages.append(citizen.get(f"/ui/me/access-log?lang={language}"))
    for page in pages:
        assert page.status_code == 200
        main = page.text[page.text.index("<main"):page.text.index("</main>")]
        text = re.sub(r"<[^>]+>", " ", main)
        assert not UNTRANSLATED.findall(text), (page.url, UNTRANSLATED.findall(text)[:5])


def test_a_language_is_a_file(tmp_path: Path):
    for name in ("fi", "en"):
        (tmp_path / f"{name}.json").write_text(
            (i18n.MESSAGES_DIR / f"{name}.json").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sv.json").write_text(json.dumps({
        "_meta": {"name": "Svenska", "date": "{d}.{m}.{y}", "decimal": ","},
        "nav.search": "Sök klient"}), encoding="utf-8")
    found = i18n.catalogues(tmp_path)
    assert list(found) == ["fi", "en", "sv"]
    sv = i18n.choose("sv", None, tmp_path)
    assert (sv.name, sv.text("nav.search")) == ("Svenska", "Sök klient")
    assert sv.text("nav.sign_out") == "Kirjaudu ulos"  # not yet translated: Finnish
    assert sv.date(date(2026, 11, 1)) == "1.11.2026"
    assert i18n.choose("xx", "sv", tmp_path).language == "sv"
    assert i18n.choose("xx", "yy", tmp_path).language == "fi"


def test_dates_times_and_numbers_in_each_language():
    fi, en = i18n.catalogues()["fi"], i18n.catalogues()["en"]
    assert fi.date(date(2026, 11, 1)) == "1.11.2026"
    assert en.date(date(2026, 11, 1)) == "2026-11-01"
    assert fi.date("2026-03-05") == "5.3.2026"
    noon_utc = datetime(2026, 11, 1, 10, 5, tzinfo=UTC)  # 12.05 in Helsinki (EET)
    assert fi.datetime(noon_utc) == "1.11.2026 klo 12.05"
    assert en.datetime(noon_utc.isoformat()) == "2026-11-01 12:05"
    assert fi.number(Decimal("41143.38"), 2) == "41\u00a0143,38"
    assert en.number(Decimal("41143.38"), 2) == "41,143.38"
    assert (fi.boolean(True), en.boolean(False)) == ("Kyllä", "No")


def test_pages_are_finnish_by_default_and_english_on_request(web: Web):
    browser = web.browser()
    page = browser.get("/ui/sign-in")
    assert '<html lang="fi">' in page.text and "Kirjaudu sisään" in page.text
    english = browser.get("/ui/sign-in?lang=en")
    assert '<html lang="en">' in english.text and "Sign in" in english.text
    assert any(c.startswith("lang=en") for c in english.headers.get_list("set-cookie"))
    assert '<html lang="en">' in browser.get("/ui/sign-in").text  # remembered
    back = browser.get("/ui/sign-in?lang=fi")
    assert '<html lang="fi">' in back.text


def test_an_unknown_language_is_ignored_not_echoed(web: Web):
    browser = web.browser()
    page = browser.get("/ui/sign-in?lang=%3Cscript%3Exx")
    assert '<html lang="fi">' in page.text
    assert "script" not in page.text.lower().replace('<meta name="referrer"', "")
    assert not any(c.startswith("lang=") for c in page.headers.get_list("set-cookie"))


def test_the_language_switch_keeps_the_purpose_and_nothing_else(web: Web):
    browser = web.browser("kela")
    page = browser.get("/ui/search?purpose=job-matching&evil=%22%3E&lang=en").text
    assert 'href="/ui/search?purpose=job-matching&amp;lang=fi"' in page
    assert "evil" not in page
    made_up = browser.get("/ui/search?purpose=zzmadeup&notice=zzclaim").text
    assert "zzmadeup" not in made_up and "zzclaim" not in made_up
