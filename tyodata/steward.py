"""Data stewards' commands: SPARQL over the graph, checking the audit log, erasing a person.

Each goes through the same checks as the service: the query guard, the one visibility
function, the decision point and the audit log.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from tyodata.common import (
    EndpointOpt,
    PurposeOpt,
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


def sparql(
    query: Annotated[str, typer.Argument(help="A SPARQL query, or a file holding one.")],
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    purpose: PurposeOpt = "data-quality",
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Run a SPARQL query over the current graphs, as a steward (never the identity graph).

    Judged by the query guard (SERVICE and updates refused), audited with your purpose.
    On the embedded store the query runs with no network access and no time limit.
    """
    from graph_service.policy.decision import Action, audit_entry, decide
    from graph_service.policy.guard import GuardError, MalformedQueryError, check_query
    from graph_service.policy.visibility import Reader, dataset_for
    from graph_service.store.oxigraph_store import OxigraphStore
    from graph_service.store.registry import read_directory
    from graph_service.store.results import serialize
    from graph_service.store.sandbox import run_confined

    if fmt not in ("table", "csv", "json"):
        err.print("[red]error:[/red] --format must be table, csv or json")
        raise typer.Exit(2)
    path = Path(query)
    text = path.read_text(encoding="utf-8") if len(query) < 4096 and path.is_file() else query
    settings = settings_for(store, endpoint=endpoint, endpoint_token=endpoint_token)
    with errors():
        principal = operator("steward")
        decision = decide(principal, Action.QUERY_REGISTRY, purpose)
        with audit_log(settings) as log:
            refusal: GuardError | None = None
            try:
                checked = check_query(text)
            except GuardError as error:
                refusal = error
            log.append(audit_entry(principal, purpose, Action.QUERY_REGISTRY, resource="cli",
                                   decision=decision if refusal is None
                                   else decision.denied(str(refusal)), statement=text))
        if refusal is not None:
            kind = "does not parse" if isinstance(refusal, MalformedQueryError) else "refused"
            err.print(f"[red]error:[/red] the query {kind}: {refusal}", soft_wrap=True)
            raise typer.Exit(2)
        if not decision.permit:
            err.print(f"[red]error:[/red] {decision.reason}", soft_wrap=True)
            raise typer.Exit(2)
        form = checked.form
        media = ("text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else
                 "text/csv" if fmt == "csv" and form == "SELECT" else
                 "application/sparql-results+json")
        graph_store = open_store_of(settings, read_only=True)
        try:
            dataset = dataset_for(Reader.REGISTRY, read_directory(graph_store),
                                  default=checked.from_default, named=checked.from_named)
            try:
                if isinstance(graph_store, OxigraphStore):
                    graph_store.close()  # the worker opens it read-only itself
                    body = run_confined(settings.store_path, checked.text, dataset, media,
                                        max_bytes=2**62)
                else:
                    result = graph_store.execute(checked.text, dataset=dataset,
                                                 max_bytes=2**62, timeout_s=float("inf"))
                    body = serialize(result, media)
            except SyntaxError as error:
                err.print(f"[red]error:[/red] the query does not parse: {error}",
                          soft_wrap=True)
                raise typer.Exit(2) from None
        finally:
            graph_store.close()
    if fmt != "table" or form != "SELECT":
        sys.stdout.write(body.decode("utf-8"))
        return
    results = json.loads(body)
    variables = results["head"]["vars"]
    rich_table = RichTable(*variables)
    for binding in results["results"]["bindings"]:
        rich_table.add_row(*(binding.get(v, {}).get("value", "") for v in variables))
    out.print(rich_table)
    out.print(f"{len(results['results']['bindings'])} row(s)")


def audit_verify(
    log: Annotated[
        Path | None,
        typer.Option("--log", help="Audit log file (default: $TYODATA_HOME/audit/audit.jsonl)."),
    ] = None,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Check the audit log: its hash chain, its signed head, and the newest anchor kept in
    the store (so a log cut short or deleted fails). Exits 1 naming the first bad record."""
    from graph_service.policy.audit_anchors import latest_anchor
    from graph_service.policy.errors import AuditChainError

    settings = settings_for(store, endpoint=endpoint, endpoint_token=endpoint_token)
    if log is not None:
        settings.audit_log = log
    path = settings.audit_path
    with errors():
        graph_store = open_store_of(settings, read_only=True)
        try:
            anchor = latest_anchor(graph_store)
        finally:
            graph_store.close()
        with audit_log(settings) as chain:
            try:
                count = chain.verify(anchor)
            except AuditChainError as error:
                err.print(f"[red]audit log {path} is NOT intact:[/red] {error}", soft_wrap=True)
                raise typer.Exit(1) from None
    vouched = f"; the store's anchor vouches for record {anchor.seq}" if anchor else (
        "; the store holds no anchor yet")
    out.print(f"audit log {path} is intact: {count} record(s){vouched}")


def erase(
    person: Annotated[
        str | None,
        typer.Option("--person", help="The person's pseudonymous id (or IRI)."),
    ] = None,
    identity_code_stdin: Annotated[
        bool,
        typer.Option("--identity-code-stdin",
                     help="Read the person's identity code from standard input instead (it "
                     "never appears in the command line, the shell history or a log)."),
    ] = False,
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Erase one person: their identity entry and the graphs that hold only their data
    (consents, client-reported facts, feedback, contact requests, their case graph with
    saved forecasts). Audited. Registry facts stay until the registry's next extract no
    longer holds them."""
    from core.hetu import problem as hetu_problem
    from core.keys import load_or_create_key
    from core.pseudonyms import Pseudonymizer, person_iri
    from graph_service.store.registry import erase_person

    if (person is None) == (not identity_code_stdin):
        err.print("[red]error:[/red] give exactly one of --person or --identity-code-stdin")
        raise typer.Exit(2)
    settings = settings_for(store, endpoint=endpoint, endpoint_token=endpoint_token)
    with errors():
        if identity_code_stdin:
            code = sys.stdin.readline().strip().upper()
            why = hetu_problem(code)
            if why:
                err.print(f"[red]error:[/red] {why}")
                raise typer.Exit(2)
            iri = Pseudonymizer(load_or_create_key(settings.key_path, what="pseudonym key")
                                ).iri(code)
        else:
            try:
                iri = person_iri(person or "")
            except ValueError as error:
                err.print(f"[red]error:[/red] {error}")
                raise typer.Exit(2) from None
        graph_store = open_store_of(settings)
        try:
            done = erase_person(graph_store, iri)
            if not done.by_service:  # the service records what it does itself
                _record_erasure(settings, graph_store, iri, done)
        finally:
            graph_store.close()
    out.print(f"erased {iri}: {done.identity_entries} identity entr"
              f"{'y' if done.identity_entries == 1 else 'ies'}, {len(done.graphs)} graph(s)")


def _record_erasure(settings, graph_store, iri: str, done) -> None:
    from graph_service.policy.audit_anchors import record_anchor
    from graph_service.policy.decision import Decision, audit_entry
    from graph_service.store.registry import IDENTITY_GRAPH

    with audit_log(settings) as log:
        log.append(audit_entry(
            operator("admin"), None, "erase", resource=IDENTITY_GRAPH, person=iri,
            decision=Decision(True, f"{done.identity_entries} identity entries, "
                                    f"{len(done.graphs)} graphs")))
        record_anchor(graph_store, log.anchor())
