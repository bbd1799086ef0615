"""What the matching pages share: refusals of the API's matching flows as page errors, ESCO
and code labels in the page's language, and the choices their filter forms offer."""

from __future__ import annotations

import re

from graph_service.api.deps import Services
from graph_service.api.problems import Problem
from graph_service.views.labels import code_lists
from graph_service.web.errors import PageError
from matchers.criteria import CRITERIA, DEDUCTIONS

CODE = re.compile(r"[A-Za-z0-9_]{1,16}")  # a municipality or status code, as the API takes it
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
HANDLE = re.compile(r"c-[a-z2-7]{26}")
TRI_STATE = {"": None, "yes": True, "no": False}  # a "full time?" select
WEIGHT_NAMES = (*CRITERIA, *DEDUCTIONS)
# The matching flows' refusals (Problem.kind) -> (status, message key).
_PROBLEMS = {"forbidden": (403, "matching.error.forbidden"),
             "unknown-seeker": (404, "matching.error.no_profile"),
             "unknown-posting": (404, "matching.error.unknown_posting"),
             "unknown-candidate": (404, "matching.error.unknown_candidate"),
             "matching-unavailable": (503, "matching.error.unavailable")}


def matching_problem(problem: Problem) -> PageError:
    """A refusal of a matching flow as a page error (its own words are not shown)."""
    status, key = _PROBLEMS.get(problem.kind, (problem.status, f"error.{problem.status}"))
    return PageError(status, key)


def concept_label(language: str, concept) -> str:
    """An ESCO concept's or a code's label in the page's language (else the other one)."""
    if concept is None:
        return ""
    first, second = ((concept.label_fi, concept.label_en) if language == "fi"
                     else (concept.label_en, concept.label_fi))
    return first or second or getattr(concept, "code", "") or getattr(concept, "uri", "")


def _scheme_codes(services: Services, scheme: str) -> dict[str, dict[str, str]]:
    prefix = f"https://tyodata.fi/code/{scheme}/"
    labels = code_lists(services.store, services.directory.get()).labels
    return {uri.removeprefix(prefix): names for uri, names in labels.items()
            if uri.startswith(prefix)}


def _choices(codes: dict[str, dict[str, str]], wanted, language: str
             ) -> list[tuple[str, str]]:
    named = [(code, codes.get(code, {}).get(language) or codes.get(code, {}).get("fi") or code)
             for code in wanted]
    return sorted(named, key=lambda pair: pair[1].casefold())


def municipality_choices(services: Services, language: str) -> list[tuple[str, str]]:
    """The municipalities the postings are in, as (code, name), by name (no personal data:
    postings are public)."""
    if services.matching is None:
        return []
    wanted = {p.municipality for p in services.matching.index().postings if p.municipality}
    return _choices(_scheme_codes(services, "municipality"), wanted, language)


def status_choices(services: Services, language: str) -> list[tuple[str, str]]:
    """The employment statuses of the code list, as (code, name)."""
    codes = _scheme_codes(services, "employment-status")
    return _choices(codes, codes, language)


def tri_state(value: str | None) -> bool | None:
    """A "yes" / "no" / "" select as True / False / None; anything else is refused."""
    if value not in TRI_STATE:
        raise ValueError(value)
    return TRI_STATE[value]
