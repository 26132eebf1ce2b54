"""The attachments app's domain error."""

from __future__ import annotations

from django.utils.functional import Promise

from safecampus.core.errors import DomainError


class AttachmentError(DomainError):
    """A refused upload: too large (413), empty, of a type not accepted, or a damaged image."""

    def __init__(
        self, message: str | Promise, *, code: str = "invalid", status_code: int = 400
    ) -> None:
        super().__init__(message, code=code)
        self.status_code = status_code
