"""Realistic synthetic registry extracts for every source in ``mappings/sources.yaml``::

    from synthetic import generate, PERSONAS
    generate(Path("out"), persons=300, jobs=50, seed=1, esco_dir=Path("../shared/esco"))

The same persons appear across sources with consistent dates; job postings and
profiles use real ESCO occupations and skills (read from ``esco_dir``, never
copied). Identity codes are valid, unique, never logged; record ids are never
derived from them. ``dirty_rate`` injects recorded faults (``faults.json``).

The work-ability forecast's cohort: ``cohort_share`` of the persons enter employment services
in the cohort window with the histories the pilot names (``cohort_persons``); every person the
cohort definition selects gets an outcome drawn from the known risk (``forecast_cohort``) and a
row of ``_evaluation/forecast_truth.csv`` (``TRUTH_FILE``; evaluation only, never ingested).
"""

from .cohort_outcome import Truth, read_truth
from .errors import ContractError, EscoFileMissingError, GeneratorError
from .personas import PERSONAS, Persona
from .run import DEFAULT_AS_OF, DEFAULT_COHORT_SHARE, TRUTH_FILE, GenerationResult, generate

__all__ = [
    "DEFAULT_AS_OF",
    "DEFAULT_COHORT_SHARE",
    "TRUTH_FILE",
    "PERSONAS",
    "ContractError",
    "EscoFileMissingError",
    "GenerationResult",
    "GeneratorError",
    "Persona",
    "Truth",
    "generate",
    "read_truth",
]
