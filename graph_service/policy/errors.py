from core.errors import TyodataError


class PolicyError(TyodataError):
    """A policy decision could not be made or enforced."""


class TokenError(PolicyError):
    """A bearer token is missing, malformed, badly signed or expired."""


class AuditChainError(PolicyError):
    """The audit log was altered: names the first bad record."""
