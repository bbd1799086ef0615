"""A citizen's "who has looked at my data": their own records only, newest first, by
organisation (never a case worker's own id), and reading it is itself audited."""

from __future__ import annotations

import re

from core.pseudonyms import PERSON_NS, Pseudonymizer
from synthetic.personas import DROPOUT, MOTHER
from tests.conftest import KEY
from tests.web.conftest import Web

MOTHER_IRI = PERSON_NS + Pseudonymizer(KEY)(MOTHER.hetu)
ROW = re.compile(r"<tr>\s*<td>(.*?)</tr>", re.S)


def _look(web: Web, user: str, hetu: str, purpose: str) -> None:
    browser = web.browser(user)
    browser.follow(browser.submit("/ui/search", "/ui/search", {"identity_code": hetu,
                                                               "purpose": purpose}))


def test_the_citizen_sees_each_organisation_that_looked(web: Web):
    _look(web, "kela", MOTHER.hetu, "benefit-decision")
    _look(web, "city", MOTHER.hetu, "job-matching")
    _look(web, "kela", DROPOUT.hetu, "case-management")  # someone else's: never listed
    page = web.browser("citizen").get("/ui/me/access-log?person=" + "a" * 26)
    assert page.status_code == 200
    rows = ROW.findall(page.text)
    mine = web.app.state.services.audit.search(person=MOTHER_IRI, limit=100_000)
    assert len(rows) == len(mine)  # every record of this person, and no other
    assert "Sinä itse" in rows[0] and "Oman lokin katselu" in rows[0]  # newest first
    assert mine[-1]["action"] == "read-own-access-log"
    views = [r for r in rows if "Tilannekuvan katselu" in r]
    assert any("Kaupungin työllisyyspalvelut (Helsinki)" in r and "Työnhaun tuki" in r
               for r in views)
    assert any(">Kela<" in r and "Etuuspäätös" in r for r in views)
    assert any("Haku henkilötunnuksella" in r for r in rows)
    assert any("Ei näytetty: Maahanmuutto" in r for r in views)
    assert "demo-kela-case-worker" not in page.text
    assert "demo-city-case-worker" not in page.text


def test_the_access_log_in_english(web: Web):
    page = web.browser("citizen").get("/ui/me/access-log?lang=en")
    assert '<html lang="en">' in page.text and "Who has looked at my data" in page.text
    assert "Situation viewed" in page.text or "Own access log viewed" in page.text


def test_only_a_citizen_reads_their_access_log(web: Web):
    refused = web.browser("kela").get("/ui/me/access-log")
    assert refused.status_code == 403 and "ei ole käytettävissä roolillasi" in refused.text
