"""A citizen's "who has looked at my data": their own access log, newest first, through the
API's own flow (``routes.me.access_log``: only the records of the person the citizen's
token is bound to; reading it is itself audited)."""

from __future__ import annotations

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from graph_service.api.problems import Problem
from graph_service.api.routes.me import OWN_DATA, AccessLogEntry, access_log
from graph_service.policy.consent_record import organisation_kind
from graph_service.web.errors import PageError
from graph_service.web.guards import page_router, principal_of, services_of
from graph_service.web.i18n import Catalogue
from graph_service.web.render import catalogue, render

router = page_router()


def who(messages: Catalogue, entry: AccessLogEntry) -> str:
    """The reader as the citizen knows them: an organisation (never a person), or "you"."""
    if "citizen" in entry.roles:
        return messages.text("access_log.you")
    kind = organisation_kind(entry.organisation)
    name = messages.text_or(f"organisation.{kind}", kind)
    unit = entry.organisation.partition(":")[2]
    return f"{name} ({unit.capitalize()})" if unit else name


def what(messages: Catalogue, entry: AccessLogEntry) -> tuple[str, list[str], list[str]]:
    """What was done, and which sections were shown and which withheld."""
    action = messages.text_or(f"action.{entry.action}", entry.action)
    shown, withheld = [], []
    for line in entry.sections or []:
        name, _, rest = line.partition(" ")
        label = messages.text_or(f"section.{name}", name)
        (shown if rest.startswith("permit") else withheld).append(label)
    return action, shown, withheld


@router.get("/me/access-log")
async def access_log_page(request: Request) -> Response:
    principal = principal_of(request, "citizen")
    try:
        entries = await run_in_threadpool(access_log, services_of(request), principal,
                                          OWN_DATA)
    except Problem as problem:
        raise PageError(problem.status, f"error.{problem.status}") from None
    messages = catalogue(request)
    return render(request, "access_log.html", entries=list(reversed(entries)),
                  who=lambda entry: who(messages, entry),
                  what=lambda entry: what(messages, entry))
