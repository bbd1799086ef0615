"""The `tyodata` command line: wiring only; every command calls library functions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from core.private import private_dir, restrict_umask
from core.settings import Settings
from tyodata import steward
from tyodata.catalogue import catalog_app
from tyodata.catalogue import refresh as refresh_catalogue
from tyodata.common import (
    EndpointOpt,
    EscoOpt,
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
from tyodata.esco import esco_match
from tyodata.forecast import forecast_app
from tyodata.match import match_app, refresh_index
from tyodata.policy import policy_app

app = typer.Typer(
    help="Työdata graph: registry extracts in one ESCO-linked knowledge graph.",
    no_args_is_help=True,
    add_completion=False,
)
esco_app = typer.Typer(help="ESCO reference data.", no_args_is_help=True)
app.add_typer(esco_app, name="esco")
esco_app.command("match")(esco_match)
audit_app = typer.Typer(help="The audit log of personal-data access.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(match_app, name="match")
app.add_typer(catalog_app, name="catalog")
app.add_typer(forecast_app, name="forecast")
app.command()(steward.sparql)
app.command()(steward.erase)
audit_app.command("verify")(steward.audit_verify)


@app.callback()
def _owner_only() -> None:
    """Työdata graph: registry extracts in one ESCO-linked knowledge graph."""
    # The store, keys, audit log, rejects and work files hold personal data or secrets.
    restrict_umask()
    private_dir(Settings().home)


def _run_generate(
    settings: Settings, out_dir: Path, persons: int, jobs: int, seed: int, dirty: float,
    cohort_share: float | None = None,
) -> None:
    from synthetic import generate as run

    if not 0 <= dirty <= 1:
        err.print("[red]error:[/red] --dirty is a share of rows between 0 and 1")
        raise typer.Exit(2)
    if cohort_share is not None and not 0 <= cohort_share <= 1:
        err.print("[red]error:[/red] --cohort-share is a share of the persons between 0 and 1")
        raise typer.Exit(2)
    extra = {} if cohort_share is None else {"cohort_share": cohort_share}
    with (
        errors(),
        Progress(
            TextColumn("generating"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
        ) as bar,
    ):
        task = bar.add_task("persons", total=persons)
        result = run(
            out_dir,
            persons=persons,
            jobs=jobs,
            seed=seed,
            esco_dir=settings.esco_dir,
            dirty_rate=dirty,
            **extra,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    rows = sum(sum(files.values()) for files in result.rows.values())
    out.print(
        f"wrote {rows} rows for {result.persons} persons and {result.jobs} job postings "
        f"to {out_dir} in {result.seconds:.1f} s"
    )


@app.command()
def generate(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write one sub-folder per source into.")
    ],
    persons: Annotated[
        int, typer.Option(help="Number of persons (the two pilot personas included).")
    ] = 1000,
    jobs: Annotated[int, typer.Option(help="Number of job postings.")] = 200,
    seed: Annotated[int, typer.Option(help="Random seed; same seed, same files.")] = 1,
    dirty: Annotated[
        float, typer.Option(help="Share of rows given a realistic fault (0-1).")
    ] = 0.0,
    cohort_share: Annotated[
        float,
        typer.Option(help="Share of the persons written as the work-ability forecast's cohort "
                     "(persons entering employment services with the histories the pilot "
                     "names); the truth goes to <out>/_evaluation/forecast_truth.csv."),
    ] = 0.3,
    esco_dir: EscoOpt = None,
) -> None:
    """Write realistic synthetic registry extracts (deterministic by seed)."""
    _run_generate(settings_for(esco_dir=esco_dir), out_dir, persons, jobs, seed, dirty,
                  cohort_share)


def _run_ingest(
    settings: Settings,
    extract_dir: Path,
    *,
    report: Path | None = None,
    rejects: Path | None = None,
    only: list[str] | None = None,
):
    from core.keys import load_or_create_key
    from core.pseudonyms import Pseudonymizer
    from mappings.ingest import ingest as run

    with errors():
        pseudonymize = Pseudonymizer(load_or_create_key(settings.key_path,
                                                        what="pseudonym key"))
        graph_store = open_store_of(settings)
        try:
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed} rows"),
                TimeElapsedColumn(),
                console=err,
            ) as bar:
                task = bar.add_task("ingest", total=None)

                def log(message: str) -> None:
                    bar.update(task, description=message)
                    bar.console.print(message)

                result = run(
                    extract_dir,
                    graph_store,
                    pseudonymize=pseudonymize,
                    key_fingerprint=pseudonymize.fingerprint(),
                    esco_dir=settings.esco_dir,
                    work_dir=settings.home / "work",
                    rejects_path=rejects or settings.home / "rejects.csv",
                    only=only,
                    log=log,
                    tick=lambda n: bar.advance(task, n),
                )
            _record_ingest(settings, graph_store, extract_dir, result)
            _refresh_matching(settings, graph_store, result)
            _refresh_catalogue(settings, graph_store)
        finally:
            graph_store.close()
    summary = RichTable("source", "status", "rows read", "loaded", "rejected", "triples", "seconds")
    for s in result.sources:
        summary.add_row(
            s.source,
            s.status,
            str(s.rows_read),
            str(s.rows_loaded),
            str(s.rows_rejected),
            str(s.triples),
            f"{s.seconds:.1f}",
        )
    out.print(summary)
    out.print(f"rejected rows with reasons: {result.rejects_file}")
    if report:
        report.write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        out.print(f"report: {report}")
    for s in result.sources:
        if s.error:
            err.print(f"[red]{s.source} failed:[/red] {s.error}")
    if not result.ok:
        raise typer.Exit(1)
    return pseudonymize


def _refresh_matching(settings: Settings, graph_store, result) -> None:
    """Rebuild the saved matching index when the ingest changed the marketplace extract,
    so a service starting next loads it instead of building it on its first request."""
    if not any(s.source == "tyomarkkinatori" and s.status == "loaded" for s in result.sources):
        return
    try:
        refresh_index(settings, graph_store)
    except Exception as error:  # the ingest itself succeeded: say so, and how to retry
        err.print(f"[yellow]warning:[/yellow] the matching index was not refreshed "
                  f"({error.__class__.__name__}: {error}); run `tyodata match index`")


def _refresh_catalogue(settings: Settings, graph_store) -> None:
    """Describe the extracts just loaded: the catalogue follows every ingest."""
    try:
        refresh_catalogue(settings, graph_store)
    except Exception as error:  # the ingest itself succeeded: say so, and how to retry
        err.print(f"[yellow]warning:[/yellow] the catalogue was not refreshed "
                  f"({error.__class__.__name__}: {error}); run `tyodata catalog build`")


def _record_ingest(settings: Settings, graph_store, extract_dir: Path, result) -> None:
    """An audit record of the ingest (an admin write), and the audit chain's head anchored
    in the store, so that cutting or deleting the log later is detected."""
    from graph_service.policy.audit_anchors import record_anchor
    from graph_service.policy.decision import Decision, audit_entry

    loaded = sum(s.status == "loaded" for s in result.sources)
    failed = sum(s.status == "failed" for s in result.sources)
    with audit_log(settings) as log:
        log.append(audit_entry(
            operator("admin"), None, "ingest", resource=extract_dir.name or str(extract_dir),
            decision=Decision(True, f"{loaded} loaded, {failed} failed, "
                                    f"{result.identities_retired} identity entries retired")))
        record_anchor(graph_store, log.anchor())


@app.command()
def ingest(
    extract_dir: Annotated[Path, typer.Argument(help="Folder with one sub-folder per source.")],
    store: StoreOpt = None,
    report: Annotated[Path | None, typer.Option(help="Write the JSON report here.")] = None,
    rejects: Annotated[
        Path | None, typer.Option(help="Rejected rows CSV (default: $TYODATA_HOME/rejects.csv).")
    ] = None,
    source: Annotated[list[str] | None, typer.Option(help="Only these sources.")] = None,
    esco_dir: EscoOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Validate, map and load registry extracts, each into its own named graph."""
    _run_ingest(
        settings_for(store, esco_dir, endpoint, endpoint_token), extract_dir, report=report,
        rejects=rejects, only=source,
    )


def _serve(settings: Settings) -> None:
    import uvicorn

    from graph_service.web.app import create_service_app

    # No access log: a GET /sparql URL carries the query text, which may hold personal data.
    # Who read what is in the audit log.
    # proxy_headers off: we trust no proxy's word on who the client is.
    uvicorn.run(create_service_app(settings), host=settings.host, port=settings.port,
                log_level="info", proxy_headers=False, access_log=False)


@app.command()
def serve(
    store: StoreOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Start the graph API and the SPARQL endpoint (docs at /docs)."""
    settings = settings_for(store, endpoint=endpoint, endpoint_token=endpoint_token)
    settings.host, settings.port = host, port
    with errors():
        _serve(settings)


@app.command()
def token(
    sub: Annotated[str, typer.Option("--sub", help="Who: a user or service name.")],
    org: Annotated[str, typer.Option("--org", help="Organisation, e.g. kela or city:helsinki.")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role", help="Role(s): steward, case_worker, developer, service, employer, "
            "admin, citizen."
        ),
    ],
    ttl: Annotated[int, typer.Option("--ttl", help="Lifetime in seconds.")] = 3600,
    person: Annotated[
        str | None,
        typer.Option("--person", help="For a citizen's token (and only that): the person's "
                     "pseudonymous id or IRI it is bound to (their own data only)."),
    ] = None,
) -> None:
    """Issue a signed bearer token with the service's signing key."""
    from core.pseudonyms import person_iri
    from graph_service.policy.tokens import issue, load_or_create_signing_key

    settings = settings_for()
    with errors():
        try:
            bound = None if person is None else person_iri(person)
        except ValueError as error:
            err.print(f"[red]error:[/red] --person: {error}")
            raise typer.Exit(2) from None
        key = load_or_create_signing_key(settings.signing_key_path)
        typer.echo(issue(key, subject=sub, organisation=org, roles=role, ttl_seconds=ttl,
                         person=bound))


def _short(iri: object) -> str:
    """The local name of an IRI, for tables a person reads."""
    return str(iri).rsplit("/", 1)[-1].rsplit("#", 1)[-1]


DEMO_ROLES = (  # (name in the list, role, organisation)
    ("steward", "steward", "dvv"),
    ("case_worker", "case_worker", "city:helsinki"),
    ("kela", "case_worker", "kela"),
    ("citizen", "citizen", "citizen"),  # bound to the first pilot persona
    ("developer", "developer", "kela"),
    ("service", "service", "kela"),
    ("city_service", "service", "city:helsinki"),  # data products on a legal basis
    ("company_service", "service", "company:duunitori"),  # data products with consent
    ("employer", "employer", "employer:demo"),
    ("admin", "admin", "tyodata"),
)


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="Size of the demo population.")] = 3000,
    jobs: Annotated[int, typer.Option(help="Number of job postings.")] = 300,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    port: Annotated[int, typer.Option(help="Port of the demo service.")] = 8000,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after ingest.")] = False,
) -> None:
    """Generate a small population (the pilot personas included), ingest it, show which
    registries hold facts on each persona, and start the service on 127.0.0.1."""
    from graph_service.policy.tokens import issue, load_or_create_signing_key
    from graph_service.policy.visibility import Reader, dataset_for
    from graph_service.queries import bind_iri, load
    from graph_service.store.registry import read_directory
    from synthetic import PERSONAS

    settings = settings_for()
    settings.host, settings.port = "127.0.0.1", port
    settings.demo_sign_in = True  # the sign-in page lists the demo users
    extracts = settings.home / "demo-extracts"
    _run_generate(settings, extracts, persons, jobs, seed, 0.01)
    pseudonymize = _run_ingest(settings, extracts, report=settings.home / "demo-report.json")
    trained = _demo_forecast(settings, extracts, pseudonymize.iri(PERSONAS[0].hetu))
    with errors():
        graph_store = open_store_of(settings, read_only=True)
        dataset = dataset_for(Reader.CASE_WORK, read_directory(graph_store))
        for persona in PERSONAS:
            iri = pseudonymize.iri(persona.hetu)
            table = graph_store.select(
                bind_iri(load("person_sources"), "person", iri), dataset=dataset
            )
            view = RichTable(
                "source",
                "organisation",
                "what",
                "facts",
                "extracted at",
                "legal basis",
                title=f"{persona.summary}: {iri}",
            )
            for row in table.dicts():
                view.add_row(
                    _short(row["source"]), str(row["organisation"]), _short(row["class"]),
                    str(row["facts"]), str(row["extractedAt"] or ""),
                    " ".join(_short(b) for b in str(row["legalBasis"] or "").split()),
                )
            out.print(view)
        from matchers.anonymous import employer_organisation
        from matchers.service import MatchingService

        employer = MatchingService(graph_store, settings).busiest_employer()
        graph_store.close()
        key = load_or_create_signing_key(settings.signing_key_path)
        citizen = pseudonymize.iri(PERSONAS[0].hetu)
        seeker = citizen.rsplit("/", 1)[-1]
        roles = [(n, r, employer_organisation(employer) if r == "employer" and employer else o)
                 for n, r, o in DEMO_ROLES]
        tokens = {
            name: issue(
                key, subject=f"demo-{name}", organisation=org, roles=[role],
                ttl_seconds=8 * 3600, person=citizen if role == "citizen" else None,
            )
            for name, role, org in roles
        }
    base = f"http://127.0.0.1:{port}"
    out.print(f"\n[bold]Työdata graph demo[/bold] (store: {settings.store_path})")
    out.print(f"  web page:        {base}/ui  (sign in as a demo user: Kela or city case "
              "worker, or persona 1 as a citizen)")
    out.print(f"  situation view:  GET {base}/api/persons/<id>/situation (case worker)")
    out.print(f"  consents:        {base}/api/persons/<id>/consents (case worker)")
    out.print(f"  access policy:   {base}/api/policies (anyone; PUT: steward); "
              "`tyodata policy show`")
    out.print(f"  own access log:  {base}/api/me/access-log (citizen)")
    out.print(f"  recommended jobs: GET {base}/api/persons/{seeker}/recommended-jobs "
              "(case worker, purpose job-matching; persona 1 shown); page: "
              f"{base}/ui/persons/{seeker}/jobs")
    out.print(f"  expert view:     POST {base}/api/persons/<id>/recommended-jobs/expert "
              f"(case worker); page: {base}/ui/persons/{seeker}/expert")
    out.print(f"  feedback:        POST {base}/api/persons/<id>/recommended-jobs/<job>/feedback")
    out.print(f"  candidates:      GET {base}/api/jobs/<job>/candidates (employer: own "
              f"postings, purpose recruitment; demo employer: {employer}); page: "
              f"{base}/ui/employer/jobs")
    out.print(f"  own postings:    GET {base}/api/employer/jobs (employer)")
    out.print(f"  text -> ESCO:    POST {base}/api/esco/match; `tyodata esco match --in FILE`")
    out.print(f"  matching index:  {settings.home / 'matching'} (`tyodata match index`)")
    out.print(f"  catalogue:       {base}/ui/catalog (pages, anyone); harvest {base}/catalog.ttl "
              f"(.jsonld, .rdf; ?page=&modified_since=); search "
              f"{base}/api/catalog/search?q=työnhakija; `tyodata catalog build|validate|export`")
    out.print(f"  catalogue items: {base}/ui/catalog/dataset/kela, "
              f"{base}/ui/catalog/product/Person/JobApplicantProfile_v1.0 (how to call it), "
              f"{base}/ui/catalog/theme?iri=http://publications.europa.eu/resource/authority/"
              "data-theme/SOCI; RDF at the item's IRI, e.g. "
              f"{base}/catalog/dataset/kela.ttl; lineage {base}/api/catalog/lineage?iri=...")
    if trained is not None:
        _demo_forecast_urls(trained, base, seeker)
    out.print(f"  data products:   GET {base}/products (each with its OpenAPI at "
              f"/products/<key>/openapi.json); POST {base}/products/<Domain>/<Name>_v1.0 "
              "(person in the body; a legal basis of the caller's organisation, or "
              "X-Consent-Token)")
    out.print(f"  consent token:   POST {base}/api/persons/<id>/consents/<consent>/token (case "
              "worker; the consent names the product and the recipient)")
    out.print(f"  API docs:        {base}/docs")
    out.print(f"  health:          {base}/healthz")
    out.print(f"  SPARQL endpoint: {base}/sparql")
    out.print(f"  graphs:          {base}/graphs")
    out.print(f"  person lookup:   POST {base}/api/persons/lookup (case worker)")
    out.print(f"  audit log:       {base}/api/audit (steward); `tyodata audit verify`")
    out.print("\nDemo tokens (8 h):")
    for role, value in tokens.items():
        out.print(f"  {role:12} {value}", soft_wrap=True)
    out.print("\nTry:", soft_wrap=True)
    out.print(
        f"  curl -s -H 'Authorization: Bearer {tokens['steward']}' -H 'X-Purpose: "
        f"data-quality' --data-urlencode 'query=SELECT ?source (COUNT(*) AS ?n) WHERE {{ "
        f"GRAPH <https://tyodata.fi/graph/meta> {{ ?g <https://tyodata.fi/ontology#source> "
        f"?source }} }} GROUP BY ?source' {base}/sparql",
        soft_wrap=True,
    )
    out.print(
        f"  curl -s -H 'Authorization: Bearer {tokens['case_worker']}' -H 'X-Purpose: "
        f"case-management' -H 'Content-Type: application/json' -d '{{\"identity_code\": "
        f"\"<the client's henkilötunnus>\"}}' {base}/api/persons/lookup",
        soft_wrap=True,
    )
    out.print(
        f"  curl -s -X POST -H 'Authorization: Bearer {tokens['city_service']}' -H 'X-Purpose: "
        f"job-matching' -H 'Content-Type: application/json' -d '{{\"person\": \"{seeker}\"}}' "
        f"{base}/products/Person/JobApplicantProfile_v1.0",
        soft_wrap=True,
    )
    if trained is not None:
        out.print(
            f"  curl -s -X POST -H 'Authorization: Bearer {tokens['case_worker']}' -H "
            f"'X-Purpose: work-ability-forecast' {base}/api/persons/{seeker}/forecast",
            soft_wrap=True,
        )
    if no_serve:
        return
    with errors():
        _serve(settings)


def _demo_forecast(settings: Settings, extracts: Path, persona: str):
    """Train the work-ability forecast on the demo's cohort (with the generated truth file,
    so the report has the ceiling) and catalogue it, and record persona 1's consent to it
    for the demo's city and Kela case workers; a failure is a warning, not the end of the
    demo."""
    from core.errors import TyodataError
    from graph_service.policy.consent import give_forecast_consent
    from tyodata.forecast import TRUTH_FILE, print_report, train_and_catalogue

    truth = extracts / TRUTH_FILE
    started = time.perf_counter()
    graph_store = open_store_of(settings)
    try:
        trained = train_and_catalogue(settings, graph_store,
                                      truth=truth if truth.is_file() else None, as_of=None)
        give_forecast_consent(graph_store, persona, organisation="city:helsinki",
                              recorded_by="demo", also_for=["kela"])
    except TyodataError as error:
        err.print(f"[yellow]warning:[/yellow] the work-ability forecast was not trained "
                  f"({error}); run `tyodata forecast train`")
        return None
    finally:
        graph_store.close()
    print_report(trained.report)
    out.print(f"forecast trained and catalogued in {time.perf_counter() - started:.1f} s")
    return trained


def _demo_forecast_urls(trained, base: str, seeker: str) -> None:
    from catalog.forecast_model import MODEL_IRI, REPORT_FILE, file_url, served_files
    from catalog.iris import BASE

    model = str(MODEL_IRI).removeprefix(BASE)
    files = [file_url(trained.version, n).removeprefix(BASE) for n in served_files(trained.report)
             if n == REPORT_FILE or n.endswith(".png")]
    out.print(f"  forecast model:  {base}{model}.ttl (page: {base}/ui{model}); version "
              f"{trained.version}; files: " + ", ".join(base + f for f in files), soft_wrap=True)
    out.print(f"  forecast:        POST {base}/api/persons/{seeker}/forecast (case worker, "
              "X-Purpose: work-ability-forecast, with the client's consent: the demo recorded "
              "persona 1's); save: POST .../forecast/saved; page with the forecast panel: "
              f"{base}/ui/persons/{seeker}?purpose=case-management#forecast", soft_wrap=True)


@esco_app.command("load")
def esco_load(
    store: StoreOpt = None,
    esco_dir: EscoOpt = None,
    endpoint: EndpointOpt = None,
    endpoint_token: TokenOpt = None,
) -> None:
    """Load ESCO (and the ontology and code lists) into their own named graphs."""
    from mappings.ingest import load_reference_graphs

    settings = settings_for(store, esco_dir, endpoint, endpoint_token)
    with errors():
        graph_store = open_store_of(settings)
        t0 = time.perf_counter()
        reports = load_reference_graphs(
            graph_store, settings.esco_dir, settings.home / "work", log=lambda m: err.print(m)
        )
        graph_store.close()
    for r in reports:
        out.print(f"{r.source}: {r.status}, {r.triples} triples in {r.graph}")
    out.print(f"done in {time.perf_counter() - t0:.1f} s")
