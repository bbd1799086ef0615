"""What every `tyodata` command shares: consoles, options, settings, the store, errors."""

from __future__ import annotations

import getpass
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.errors import TyodataError
from core.settings import Settings

err = Console(stderr=True)
out = Console()
PurposeOpt = Annotated[
    str,
    typer.Option("--purpose", help="Why you read the data: data-quality or statistics "
                 "(recorded in the audit log)."),
]

StoreOpt = Annotated[
    Path | None,
    typer.Option("--store", help="On-disk store folder (default: $TYODATA_HOME/store)."),
]
EndpointOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint",
        help="Base URL of a remote SPARQL store (/query, /update, /store), e.g. "
        "http://127.0.0.1:7878 for `oxigraph serve` or http://127.0.0.1:8000/admin for a running "
        "`tyodata serve`.",
    ),
]
TokenOpt = Annotated[
    str | None,
    typer.Option(
        "--endpoint-token", help="Bearer token for --endpoint (an admin token of `tyodata serve`)."
    ),
]
EscoOpt = Annotated[
    Path | None,
    typer.Option(
        "--esco-dir", help="ESCO CSV folder (default: $TYODATA_ESCO_DIR or ../shared/esco)."
    ),
]


def settings_for(
    store: Path | None = None,
    esco_dir: Path | None = None,
    endpoint: str | None = None,
    endpoint_token: str | None = None,
) -> Settings:
    settings = Settings()
    if store is not None:
        settings.store = store
    if esco_dir is not None:
        settings.esco_dir = esco_dir
    if endpoint is not None:
        settings.endpoint = endpoint
    if endpoint_token is not None:
        settings.endpoint_token = endpoint_token
    return settings


def open_store_of(settings: Settings, *, read_only: bool = False):
    from graph_service.store.factory import open_store

    return open_store(
        settings.store_path,
        endpoint=settings.endpoint,
        token=settings.endpoint_token,
        read_only=read_only,
    )


@contextmanager
def errors():
    """Our errors end the command with their message and exit code 2, not a traceback."""
    try:
        yield
    except TyodataError as error:
        err.print(f"[red]error:[/red] {error}", soft_wrap=True)  # keep messages whole
        raise typer.Exit(2) from None




def operator(role: str):
    """The person at this terminal, as the principal of their audit records."""
    from graph_service.policy.tokens import Principal

    return Principal(subject=f"cli:{getpass.getuser()}", organisation="local",
                     roles=(role,), expires_at=0)


def audit_log(settings: Settings):
    from core.keys import load_or_create_key
    from graph_service.policy.audit import AuditLog

    key = load_or_create_key(settings.audit_key_path, what="audit key")
    return AuditLog(settings.audit_path, key, key_path=settings.audit_key_path)
