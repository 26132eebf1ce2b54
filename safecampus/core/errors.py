"""The base of every app's domain error (``ClueError``, ``CaseError``, …)."""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    """A refused business operation; ``message`` is translatable and shown to the user."""

    status_code = 400

    def __init__(self, message: str | Promise, *, code: str = "invalid") -> None:
        super().__init__(str(message))
        self.message = message
        self.code = code


class ForbiddenError(DomainError):
    """The actor may not do this to this object (the route itself was allowed)."""

    status_code = 403


class ConflictError(DomainError):
    """The operation clashes with the current state (a stale transition, a duplicate)."""

    status_code = 409
