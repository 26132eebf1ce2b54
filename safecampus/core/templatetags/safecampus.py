"""Small template filters shared by every app."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static

from safecampus.core.i18n import localized

register = template.Library()


@register.filter
def as_json(value: Any) -> str:
    """Compact JSON with Chinese kept readable (autoescaping still applies)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str)


@register.filter
def open_pages(module: Any, path: str) -> list[tuple[Any, bool]]:
    """The pages of ``module`` to list under it while one of them (or the module) is open,
    each with whether it is the current one (the longest page URL ``path`` starts with)."""
    pages = [(page, page.url) for page in getattr(module, "pages", ()) if page.url]
    if not pages:
        return []
    urls = [url for _, url in pages if path.startswith(url)]
    module_url = getattr(module, "url", None)
    if not urls and not (module_url and module_url != "/" and path.startswith(module_url)):
        return []
    current = max(urls, key=len) if urls else None
    return [(page, url == current) for page, url in pages]


@register.filter(name="localized")
def localized_filter(obj: Any, field: str = "name") -> str:
    """``{{ category|localized }}``, ``{{ band|localized:"label" }}``: reference data in the
    reader's language (see ``safecampus.core.i18n``)."""
    return localized(obj, field)


@register.simple_tag
def basemap_url() -> str:
    """Where app.js fetches the offline base map (``DISTRICT_BASEMAP``): a site path as
    given, anything else a static file; '' when the district draws none."""
    value: str = settings.DISTRICT_BASEMAP
    if not value:
        return ""
    return value if value.startswith("/") else static(value)
