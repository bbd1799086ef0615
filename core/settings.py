"""The one settings object. Nothing else reads the environment (TYODATA_* variables)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO = Path(__file__).resolve().parent.parent


def _shared(name: str) -> Path:
    # On development and CI machines the shared reference data sits beside the checkout.
    return (_REPO.parent / "shared" / name).resolve()


class Settings(BaseSettings):
    """Where the service keeps its state and finds reference data.

    Every field can be set as an environment variable, e.g. ``TYODATA_ESCO_DIR``.
    """

    model_config = SettingsConfigDict(env_prefix="TYODATA_", env_file=".env", extra="ignore")

    home: Path = Path(".tyodata")
    """State folder: store, keys, reports, rejects."""
    store: Path | None = None
    """The embedded on-disk store (default: <home>/store)."""
    esco_dir: Path = _shared("esco")
    """Folder of the official ESCO v1.1.1 CSV package (en/) and Finnish labels (fi/)."""
    vocab_dir: Path = _shared("vocab")
    eval_dir: Path = _shared("eval")
    pseudonym_key_file: Path | None = None
    """Person pseudonym key (default: <home>/keys/pseudonym.key; created on first use)."""

    endpoint: str | None = None
    """Base URL of a remote SPARQL store (/query, /update, /store), instead of the embedded one."""
    endpoint_token: str | None = None
    """Bearer token sent to the remote endpoint (e.g. an admin token of a running service)."""
    host: str = "127.0.0.1"
    port: int = 8000
    signing_key_file: Path | None = None
    """Key that signs bearer tokens (default: <home>/keys/signing.key; created on first use)."""
    audit_log: Path | None = None
    """The audit log (default: <home>/audit/audit.jsonl)."""
    audit_key_file: Path | None = None
    """Key of the audit chain (default: <home>/keys/audit.key). Keep it apart from the log:
    in production on another volume or from a secret store; never inside the log's folder."""
    handle_key_file: Path | None = None
    """Key of the employers' candidate handles (default: <home>/keys/handle.key): with it,
    a handle can be tied back to the person, so keep it like the pseudonym key."""
    consent_token_key_file: Path | None = None
    """Key that signs consent tokens, the references to a person's consent a recipient
    presents when it calls a data product (default: <home>/keys/consent-token.key)."""
    products_dir: Path | None = None
    """Folder of the data products' definitions, one folder each (default: the ones shipped
    in graph_service/products/definitions)."""
    forecast_dir: Path | None = None
    """Folder of the trained work-ability forecast models, one folder per version (default:
    <home>/forecast); the service forecasts with the newest."""
    audit_anchor_interval_s: float = 60.0
    """How often the service records the audit chain's head in the store (when it moved)."""

    sparql_timeout_s: float = 30.0
    """Time limit of one SPARQL query; past it the query's worker is killed."""
    sparql_max_result_bytes: int = 32 * 1024 * 1024
    """Largest serialized result of one query (413 past it): bounds memory and transfer."""
    sparql_workers: int = 4
    """Sandboxed worker processes answering SPARQL queries (and so queries at once)."""
    sparql_per_caller: int = 2
    """Queries one caller may have running at once (more: 429)."""
    sparql_queue: int = 16
    """Queries that may wait for a worker (more: 503)."""
    max_body_bytes: int = 64 * 1024
    """Largest request body of the API's JSON endpoints."""
    max_query_bytes: int = 1024 * 1024
    """Largest SPARQL query body (/sparql, /admin/query)."""
    max_update_bytes: int = 64 * 1024 * 1024
    """Largest SPARQL update body (/admin/update); /admin/store streams to disk, unlimited."""

    demo_sign_in: bool = False
    """The pages' sign-in lists demo users (a Kela and a city case worker, a citizen bound
    to the first pilot persona) and signs in with a token issued on the spot. Demo only:
    anyone who reaches the page can then act as those users."""
    secure_cookies: bool = False
    """Mark the pages' cookies Secure even when the request itself came over plain http
    (behind a TLS-terminating proxy). Requests over https get Secure cookies regardless."""

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.home / "keys" / "signing.key"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.home / "audit" / "audit.jsonl"

    @property
    def audit_key_path(self) -> Path:
        return self.audit_key_file or self.home / "keys" / "audit.key"

    @property
    def handle_key_path(self) -> Path:
        return self.handle_key_file or self.home / "keys" / "handle.key"

    @property
    def consent_token_key_path(self) -> Path:
        return self.consent_token_key_file or self.home / "keys" / "consent-token.key"

    @property
    def forecast_path(self) -> Path:
        return self.forecast_dir or self.home / "forecast"

    @property
    def store_path(self) -> Path:
        return self.store or self.home / "store"

    @property
    def key_path(self) -> Path:
        return self.pseudonym_key_file or self.home / "keys" / "pseudonym.key"
