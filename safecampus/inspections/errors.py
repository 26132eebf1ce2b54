"""The inspections app's domain errors; messages are translatable and shown to the user."""

from __future__ import annotations

from safecampus.core.errors import ConflictError, DomainError, ForbiddenError


class InspectionError(DomainError):
    """A refused inspection, template, hazard or rectification operation (400)."""


class InspectionForbidden(ForbiddenError):
    """The actor may not do this here (403)."""


class InspectionConflict(ConflictError):
    """Someone changed the record meanwhile, or it is in a state that forbids this (409)."""
