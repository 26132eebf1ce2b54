"""Deploy check: e-mail and webhook links are absolute, built on ``SITE_URL``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    parts = urlsplit(settings.SITE_URL)
    if parts.scheme in ("http", "https") and parts.netloc and not parts.path.strip("/"):
        return []
    return [
        checks.Warning(
            "SITE_URL must be the address people open SafeCampus at (https://host[:port]): "
            "e-mail and webhook links are built on it.",
            id="notifications.W001",
        )
    ]
