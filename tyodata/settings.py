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

    @property
    def store_path(self) -> Path:
        return self.store or self.home / "store"

    @property
    def key_path(self) -> Path:
        return self.pseudonym_key_file or self.home / "keys" / "pseudonym.key"
