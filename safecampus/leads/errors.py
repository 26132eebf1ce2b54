"""The leads app's domain error; messages are translatable and shown to the user."""

from __future__ import annotations

from safecampus.core.errors import DomainError


class LeadError(DomainError):
    """A refused lead operation: bad input, a unit out of scope, a missing result."""
