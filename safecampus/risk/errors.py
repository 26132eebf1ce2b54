"""The risk app's domain errors; messages are translatable and shown to the user."""

from __future__ import annotations

from safecampus.core.errors import ConflictError, DomainError, ForbiddenError


class RiskError(DomainError):
    """A refused risk register, grading or warning operation (400)."""


class RiskForbidden(ForbiddenError):
    """The actor may not do this (403)."""


class RiskConflict(ConflictError):
    """The record changed meanwhile or is in a state that forbids this (409)."""
