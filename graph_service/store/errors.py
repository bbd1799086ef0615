from core.errors import TyodataError


class StoreError(TyodataError):
    """The graph store could not do what was asked."""


class ReadOnlyStoreError(StoreError):
    """A write was attempted on a store opened read-only."""


class StoreLockedError(StoreError):
    """The on-disk store is opened read-write by another process."""


class QueryLimitError(StoreError):
    """A query ran past the time limit or the result size cap, or its caller went away."""

    def __init__(self, message: str, *, kind: str) -> None:
        super().__init__(message)
        self.kind = kind  # "timeout" | "size" | "cancelled"


class QueryEvaluationError(StoreError):
    """The engine parsed the query but could not evaluate it (e.g. an unknown function);
    the caller's query is at fault, so the answer is 400 with the engine's reason."""


class UpstreamAnswerError(StoreError):
    """A remote SPARQL store answered something that is not a SPARQL result (502)."""
