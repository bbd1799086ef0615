"""Stewards' commands for the access policy of the situation view (ODRL 2.2 + DPV).

``tyodata policy show`` prints the matrix (or the Turtle), ``tyodata policy load FILE``
checks a policy against our ODRL profile and makes it the policy in force: in the store
(``--store``), or through a running service's ``PUT /api/policies`` (``--endpoint``), which
is the way while `tyodata serve` holds the store. Each load is one audit record holding the
whole file. A running service uses a change from the next request (one it made itself)
or within about 2 s (one made by another process on the same store).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from tyodata.common import (
    StoreOpt,
    TokenOpt,
    audit_log,
    err,
    errors,
    open_store_of,
    operator,
    out,
    settings_for,
)

policy_app = typer.Typer(help="The access policy of the situation view (ODRL 2.2 + DPV).",
                         no_args_is_help=True)
ServiceOpt = Annotated[
    str | None,
    typer.Option("--endpoint", help="Base URL of a running `tyodata serve`, e.g. "
                 "http://127.0.0.1:8000: the policy is read and loaded through its "
                 "/api/policies (load needs a steward's --endpoint-token)."),
]
FORMATS = ("table", "turtle", "json")


def _service(endpoint: str) -> str:
    """The service's base URL (an ingest-style .../admin endpoint is accepted too)."""
    return endpoint.rstrip("/").removesuffix("/admin")


def _request(method: str, url: str, token: str | None, **kwargs):
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers.update(kwargs.pop("headers", {}))
    try:
        return httpx.request(method, url, headers=headers, timeout=60, **kwargs)
    except httpx.HTTPError as error:
        err.print(f"[red]error:[/red] {url} did not answer: {error.__class__.__name__}")
        raise typer.Exit(2) from None


def _refused(response) -> None:
    """Exit 2 with the service's problem detail unless the request succeeded."""
    if response.is_success:
        return
    try:
        detail = response.json().get("detail", response.text)
    except ValueError:
        detail = response.text
    err.print(f"[red]error:[/red] the service answered {response.status_code}: {detail}",
              soft_wrap=True)
    raise typer.Exit(2)


def _turtle(store: Path | None, endpoint: str | None, token: str | None) -> str:
    if endpoint:
        response = _request("GET", _service(endpoint) + "/api/policies", token,
                            headers={"Accept": "text/turtle"})
        _refused(response)
        return response.text
    from graph_service.policy.policy_graph import policy_turtle

    settings = settings_for(store)
    with errors():
        graph_store = open_store_of(settings, read_only=True)
        try:
            return policy_turtle(graph_store)
        finally:
            graph_store.close()


def show(
    fmt: Annotated[str, typer.Option("--format", help="table (Markdown), turtle or json.")]
    = "table",
    store: StoreOpt = None,
    endpoint: ServiceOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Print the policy in force: the matrix of sections and parties, or its Turtle."""
    from graph_service.policy.odrl import matrix_markdown, matrix_rows, read_policy
    from graph_service.policy.policy_graph import parse_policy

    if fmt not in FORMATS:
        err.print(f"[red]error:[/red] --format must be one of {', '.join(FORMATS)}")
        raise typer.Exit(2)
    text = _turtle(store, endpoint, endpoint_token)
    if fmt == "turtle":
        typer.echo(text, nl=False)
        return
    with errors():
        graph = parse_policy(text)
        if len(graph) == 0:
            err.print("no access policy is loaded: every section is denied "
                      "(`tyodata policy load FILE`)")
            raise typer.Exit(1)
        policies = read_policy(graph)
    if fmt == "table":
        typer.echo(matrix_markdown(policies), nl=False)
        return
    rows = [{"section": section.value, "cells": {
        key: [{"rule": r.iri, "purposes": sorted(r.purposes), "legal_basis": list(r.legal_basis),
               "requires_consent": r.requires_consent, "fields": sorted(r.fields)}
              for r in rules] for key, rules in cells.items()}}
        for section, cells in matrix_rows(policies)]
    typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))


def load(
    file: Annotated[Path, typer.Argument(help="The whole new policy, as Turtle.",
                                         exists=True, dir_okay=False, readable=True)],
    store: StoreOpt = None,
    endpoint: ServiceOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Check a policy against our ODRL profile and make it the policy in force.

    A refused policy changes nothing: every violation is listed with its focus node and
    path, and the command exits 2."""
    text = file.read_text(encoding="utf-8")
    if endpoint:
        response = _request("PUT", _service(endpoint) + "/api/policies", endpoint_token,
                            content=text.encode("utf-8"),
                            headers={"Content-Type": "text/turtle"})
        _refused(response)
        version = response.json()["version"]
        out.print(f"policy version {version} is in force at {_service(endpoint)}")
        return
    from graph_service.policy.decision import Action, Decision, audit_entry
    from graph_service.policy.odrl import PolicyInvalid
    from graph_service.policy.policy_graph import check_policy, write_policy

    settings = settings_for(store)
    principal = operator("steward")
    with errors(), audit_log(settings) as log:
        try:
            graph, _ = check_policy(text)
        except PolicyInvalid as invalid:
            log.append(audit_entry(principal, None, Action.REPLACE_POLICY, resource=str(file),
                                   statement=text, decision=Decision(
                                       False, f"policy refused, nothing changed: "
                                              f"{invalid}")))
            err.print(f"[red]policy refused, nothing changed:[/red] "
                      f"{len(invalid.violations)} violation(s)")
            for violation in invalid.violations:
                err.print(f"  {violation.text()}", soft_wrap=True)
            raise typer.Exit(2) from None
        graph_store = open_store_of(settings)  # before the record: it may be locked
        try:
            log.append(audit_entry(principal, None, Action.REPLACE_POLICY, resource=str(file),
                                   statement=text, decision=Decision(
                                       True, "steward replaces the access policy")))
            version = write_policy(graph_store, graph, by=principal.subject,
                                   organisation=principal.organisation)
        finally:
            graph_store.close()
    out.print(f"policy version {version.version} is in force ({version.content_hash})")


def history(
    store: StoreOpt = None,
) -> None:
    """List every version of the policy ever loaded, newest first."""
    from rich.table import Table as RichTable

    from graph_service.policy.policy_graph import policy_history

    settings = settings_for(store)
    with errors():
        graph_store = open_store_of(settings, read_only=True)
        try:
            versions = policy_history(graph_store)
        finally:
            graph_store.close()
    table = RichTable("version", "loaded at", "by", "organisation", "content hash")
    for v in versions:
        table.add_row(str(v.version), v.loaded_at.isoformat(timespec="seconds"), v.loaded_by,
                      v.organisation, v.content_hash)
    out.print(table)


policy_app.command("show")(show)
policy_app.command("load")(load)
policy_app.command("history")(history)
