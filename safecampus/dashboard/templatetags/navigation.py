"""The side menu, rendered once per (roles, language, page) and kept in process memory.

The menu is a pure function of the reader's roles (``nav_key``), the language and the page
open (path, view name, ``active_module``): no row of the database, no person's name. It cost
~0.6 ms of template work on every page, and the ``{% cache %}`` it used missed whenever the
cache did (the cold rows of the benches, a cache flush), so it is memoised here instead:
nothing to invalidate but a deploy, which starts new processes.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

#: Kept menus; a page per lead or school would grow this without end, so it is emptied when
#: full (rebuilding one costs what a miss costs, ~0.6 ms).
MAX_KEPT = 2048
_kept: dict[tuple[str, ...], str] = {}


@register.simple_tag(takes_context=True)
def sidenav(context: Any) -> SafeString:
    """``partials/_sidenav.html`` for this reader and page."""
    request = context["request"]
    match = request.resolver_match
    view_name = match.view_name if match is not None else ""
    active = str(context.get("active_module") or "")
    key = (str(context.get("nav_key", "")), get_language() or "", request.path, view_name, active)
    html = _kept.get(key)
    if html is None:
        html = render_to_string(
            "partials/_sidenav.html",
            {
                "nav_modules": context.get("nav_modules") or [],
                "request": request,
                "active_module": active,
            },
        )
        if len(_kept) >= MAX_KEPT:
            _kept.clear()
        _kept[key] = html
    return mark_safe(html)  # noqa: S308 (rendered by the template engine, autoescaped)
