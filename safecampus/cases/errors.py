"""The case kernel's domain errors; messages are translatable and shown to the user."""

from __future__ import annotations

from safecampus.core.errors import DomainError


class CaseError(DomainError):
    """A refused case operation: an illegal move, a missing note, a bad assignment."""


class CasePermissionDenied(CaseError):
    """The actor may see the case but lacks the role for this operation (or cannot see it)."""

    status_code = 403


class CaseConflict(CaseError):
    """Someone else changed the case since the actor's form was loaded."""

    status_code = 409
