"""Who may call each API endpoint; every view declares one of these (a test checks)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from safecampus.core.access import Access


class HasAccess(BasePermission):
    """Enforce the view's ``access`` declaration, the same rule objects the pages use."""

    def has_permission(self, request: Request, view: Any) -> bool:
        access: Access = view.access
        return access.allows(request.user)


__all__ = ["HasAccess"]
