"""`tyodata match`: the matching index and the weights in force.

``tyodata match index`` builds (or refreshes) the index of the current postings and
profiles from the store and saves it in ``$TYODATA_HOME/matching``, where `tyodata serve`
loads it instead of building it on the first request. An ingest that changes the
marketplace extract refreshes it too; a running service notices a newer extract within
about 2 s and rebuilds by itself.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from core.settings import Settings
from tyodata.common import (
    EndpointOpt,
    EscoOpt,
    StoreOpt,
    TokenOpt,
    err,
    errors,
    open_store_of,
    out,
    settings_for,
)

if TYPE_CHECKING:  # numpy and scipy load only when a matching command runs
    from graph_service.store.base import GraphStore
    from matchers.index import MatchIndex

match_app = typer.Typer(help="Job <-> job-seeker matching over ESCO.", no_args_is_help=True)


def refresh_index(settings: Settings, store: GraphStore, *, force: bool = False
                  ) -> MatchIndex:
    """Bring the saved index up to date with the store; returns it."""
    from matchers.service import MatchingService

    service = MatchingService(store, settings, log=lambda m: err.print(f"  {m}"))
    return service.refresh(force=force)


@match_app.command("index")
def index_command(
    store: StoreOpt = None,
    esco_dir: EscoOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Rebuild even when the saved "
                                          "index is of the current graphs.")] = False,
) -> None:
    """Build or refresh the matching index of the current postings and profiles."""
    settings = settings_for(store, esco_dir, endpoint, endpoint_token)
    with errors():
        graph_store = open_store_of(settings, read_only=endpoint is None)
        try:
            index = refresh_index(settings, graph_store, force=rebuild)
        finally:
            graph_store.close()
    m = index.manifest
    out.print(f"matching index: {m['seekers']} seekers, {m['postings']} postings, "
              f"{m['features']} features, text score {'on' if m['text'] else 'off'}; "
              f"built {m['built_at']} in {m['build_seconds']} s")


@match_app.command("weights")
def weights_command() -> None:
    """The configured weights of the structured score (matchers/weights.toml) as JSON."""
    from matchers.criteria import load_weights
    from matchers.ranking import default_structured_share

    with errors():
        weights = load_weights()
        out.print_json(json.dumps({"criteria": dict(weights.criteria),
                                   "deductions": dict(weights.deductions),
                                   "structured_share": default_structured_share()}))
