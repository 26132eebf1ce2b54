"""Small template filters shared by every app."""

from __future__ import annotations

import json
from typing import Any

from django import template

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Compact JSON with Chinese kept readable (autoescaping still applies)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)
