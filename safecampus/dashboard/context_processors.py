"""What every page's shell needs: the mission's modules for the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safecampus.dashboard.navigation import modules_for
from safecampus.organizations.choices import Role


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = user.roles
    return {
        "nav_modules": modules_for(user),
        # In the order roles are declared (rank), translated; the navigation's cache key too.
        "role_labels": [role.label for role in Role if role in roles],
        "nav_key": ",".join(sorted(roles)),
        # Only a full sign-in opens the live stream: the stream refuses a session whose
        # second factor is still pending, and the page would retry every few seconds.
        "stream_url": settings.STREAM_URL if _fully_signed_in(user) else "",
    }


def _fully_signed_in(user: Any) -> bool:
    return not user.needs_second_factor or bool(getattr(user, "is_verified", lambda: False)())
