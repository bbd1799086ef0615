"""Errors raised while loading, compiling or running a mapping.

One root, :class:`MappingError`, so a caller can catch everything a mapping can
go wrong with in one place::

    MappingError
     +-- MappingSyntaxError        the YARRRML/RML text is malformed
     +-- UnsupportedConstructError valid RML, but outside the subset we execute
     +-- SourceError               a logical source cannot be read
     |    +-- MissingColumnError   a referenced CSV column is not in the header
     +-- DataError                 a value cannot be turned into an RDF term

Every message names the mapping file (when known), the triples map and the
term map at fault, and says what to do about it.
"""

from __future__ import annotations


class MappingError(Exception):
    """Root of every error raised by :mod:`mappings.rml`."""


class MappingSyntaxError(MappingError):
    """The mapping document is malformed (bad YAML, a term map without a value, ...)."""


class UnsupportedConstructError(MappingError):
    """The mapping uses an RML/YARRRML construct this executor does not run."""


class SourceError(MappingError):
    """A logical source is missing or cannot be parsed."""


class MissingColumnError(SourceError):
    """A reference names a column that the CSV header does not have."""

    def __init__(self, message: str, *, column: str, file: str) -> None:
        super().__init__(message)
        self.column = column
        self.file = file


class DataError(MappingError):
    """A source value cannot become a valid RDF term (e.g. a relative IRI)."""
