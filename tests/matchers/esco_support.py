"""Shared by the ESCO text tests: one lexical matcher per test session (the process's)."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from matchers.esco_text.matcher import EscoTextMatcher, matcher_for

SOCIAL_WORKER = "http://data.europa.eu/esco/occupation/4b05bef2-ded4-4b09-ab94-f4c6a555a775"
LAHIHOITAJA = "http://data.europa.eu/esco/occupation/d38c2107-98f2-47b7-8bb4-f69750d51082"
SOCIAL_WORK_GROUPS = ("2635", "3412")
"""ISCO-08 groups the "sosiaalinen" trap must not pull: social work and counselling
professionals, and social work associate professionals."""


def lexical_matcher(esco_dir: Path) -> EscoTextMatcher:
    # matcher_for memoises per process: every test (API and CLI too) shares this one.
    return matcher_for(Settings(esco_dir=esco_dir), embeddings=False, progress=False)
