"""The root of every error the graph service raises."""


class TyodataError(Exception):
    """Base of all Työdata graph errors; the message says what to do."""
