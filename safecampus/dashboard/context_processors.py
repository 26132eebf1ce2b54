"""What every page's shell needs: the mission's modules for the navigation."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from safecampus.dashboard.navigation import modules_for


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_modules": modules_for(user), "stream_url": settings.STREAM_URL}
