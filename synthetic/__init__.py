"""Realistic synthetic registry extracts for every source in ``mappings/sources.yaml``::

    from synthetic import generate, PERSONAS
    generate(Path("out"), persons=300, jobs=50, seed=1, esco_dir=Path("../shared/esco"))

The same persons appear across sources with consistent dates; job postings and
profiles use real ESCO occupations and skills (read from ``esco_dir``, never
copied). Identity codes are valid, unique, never logged; record ids are never
derived from them. ``dirty_rate`` injects recorded faults (``faults.json``).
"""

from .errors import ContractError, EscoFileMissingError, GeneratorError
from .personas import PERSONAS, Persona
from .run import DEFAULT_AS_OF, GenerationResult, generate

__all__ = [
    "DEFAULT_AS_OF",
    "PERSONAS",
    "ContractError",
    "EscoFileMissingError",
    "GenerationResult",
    "GeneratorError",
    "Persona",
    "generate",
]
