"""`tyodata catalog`: build, validate, export and search the catalogue.

``build`` (also run by every ingest) describes every dataset, data product, service and
model from what the store knows, validates the descriptions against the official DCAT-AP
3.0.1 and MLDCAT-AP 3.1.0 shapes and writes them to the catalogue graph, which the
service's harvest endpoints, search and pages read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.settings import Settings
from tyodata.common import (
    EndpointOpt,
    StoreOpt,
    TokenOpt,
    err,
    errors,
    open_store_of,
    out,
    settings_for,
)

if TYPE_CHECKING:
    from catalog.refresh import CatalogueReport
    from graph_service.store.base import GraphStore

catalog_app = typer.Typer(help="The DCAT-AP / MLDCAT-AP catalogue of datasets, data products "
                               "and models.", no_args_is_help=True)
FORMATS = ("ttl", "jsonld", "rdf")


def refresh(settings: Settings, store: GraphStore) -> CatalogueReport:
    """Build, validate and write the catalogue; say what it holds and whether it conforms."""
    from catalog.refresh import refresh_catalogue
    from graph_service.products.definition import load_products

    products = load_products(settings.products_dir) if settings.products_dir else None
    report = refresh_catalogue(store, products=products, vocab_dir=settings.vocab_dir)
    counts = report.counts
    verdict = report.validation.summary() if report.validation else "not validated"
    err.print(f"catalogue: {counts['series']} dataset series, {counts['datasets']} extracts, "
              f"{counts['products']} data products, {counts['services']} services, "
              f"{counts['models']} models; {verdict}")
    for finding in (report.validation.violations if report.validation else [])[:20]:
        err.print(f"  [red]{finding}[/red]")
    return report


@catalog_app.command("build")
def build_command(store: StoreOpt = None, endpoint: EndpointOpt = None,
                  endpoint_token: TokenOpt = None,
                  report_file: Annotated[Path | None, typer.Option(
                      "--report", help="Write the build report (counts, violations, "
                      "seconds) as JSON here.")] = None) -> None:
    """Describe everything the service offers and write the catalogue (exit 1 when the
    descriptions violate the official shapes)."""
    settings = settings_for(store, None, endpoint, endpoint_token)
    with errors():
        graph_store = open_store_of(settings)
        try:
            report = refresh(settings, graph_store)
        finally:
            graph_store.close()
    if report_file:
        report_file.write_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    if report.conforms is False:
        raise typer.Exit(1)


@catalog_app.command("validate")
def validate_command(
    file: Annotated[Path | None, typer.Argument(help="A DCAT-AP file (Turtle, JSON-LD, "
                                                "RDF/XML) to validate instead of the "
                                                "stored catalogue.")] = None,
    store: StoreOpt = None, endpoint: EndpointOpt = None, endpoint_token: TokenOpt = None,
) -> None:
    """Validate the catalogue (or a file) against DCAT-AP 3.0.1 and MLDCAT-AP 3.1.0 (exit 1
    on any violation)."""
    from rdflib import Graph

    from catalog.store_io import read_catalogue
    from catalog.validate import validate_catalogue

    settings = settings_for(store, None, endpoint, endpoint_token)
    with errors():
        if file is not None:
            try:
                graph = Graph().parse(file)
            except Exception as error:  # rdflib raises many kinds: all mean "cannot read"
                err.print(f"[red]error:[/red] {file} is not readable RDF: {error}")
                raise typer.Exit(2) from None
        else:
            graph_store = open_store_of(settings, read_only=endpoint is None)
            try:
                graph = read_catalogue(graph_store)
            finally:
                graph_store.close()
        report = validate_catalogue(graph, settings.vocab_dir)
    for finding in report.violations:
        out.print(str(finding))
    out.print(f"{len(graph)} triples: {report.summary()}; shape references dropped as "
              f"dangling: {len(report.dropped)}")
    if not report.conforms:
        raise typer.Exit(1)


@catalog_app.command("export")
def export_command(
    fmt: Annotated[str, typer.Option("--format", "-f", help="ttl, jsonld or rdf")] = "ttl",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write "
                                                "(default: standard output)")] = None,
    store: StoreOpt = None, endpoint: EndpointOpt = None, endpoint_token: TokenOpt = None,
) -> None:
    """The whole catalogue as DCAT-AP, as a data portal would harvest it."""
    from catalog.formats import serialize
    from catalog.store_io import read_catalogue

    if fmt not in FORMATS:
        err.print(f"[red]error:[/red] --format is one of {', '.join(FORMATS)}, not {fmt!r}")
        raise typer.Exit(2)
    settings = settings_for(store, None, endpoint, endpoint_token)
    with errors():
        graph_store = open_store_of(settings, read_only=endpoint is None)
        try:
            data = serialize(read_catalogue(graph_store), fmt)
        finally:
            graph_store.close()
    if output:
        output.write_bytes(data)
        err.print(f"wrote {output}")
    else:
        typer.echo(data.decode("utf-8"), nl=False)


@catalog_app.command("search")
def search_command(
    text: Annotated[str, typer.Argument(help="Free text, Finnish or English")] = "",
    lang: Annotated[str, typer.Option(help="fi or en: the language of titles shown")] = "fi",
    size: Annotated[int, typer.Option(help="Hits to show")] = 10,
    store: StoreOpt = None, endpoint: EndpointOpt = None, endpoint_token: TokenOpt = None,
) -> None:
    """Search the catalogue as /api/catalog/search does (hits as JSON)."""
    from catalog.search import CatalogueIndex
    from catalog.store_io import read_catalogue

    settings = settings_for(store, None, endpoint, endpoint_token)
    with errors():
        graph_store = open_store_of(settings, read_only=endpoint is None)
        try:
            index = CatalogueIndex.build(read_catalogue(graph_store))
        finally:
            graph_store.close()
        result = index.search(text, size=size, lang=lang)
    out.print_json(json.dumps(result.to_json(), ensure_ascii=False))
