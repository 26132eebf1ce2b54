"""Form helpers shared by every app."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class BootstrapFormMixin:
    """Give every widget the Bootstrap class it needs, so templates can render fields plainly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class FastSelect(forms.Select):
    """A ``<select>`` written with one string join instead of a template per option.

    Django renders each option through the template engine: ~0.2 ms an option, so a
    district's 1,000 schools cost ~200 ms on every ledger page. Same markup, same escaping.
    With ``options_cache_key`` set (a key that changes whenever the choices do), the
    escaped options are kept in the cache and only the selection is marked per request,
    for ``settings.REGISTER_CACHE_SECONDS`` (the callers' keys carry the register's version).
    """

    options_cache_key: str = ""
    #: Where the options come from when they are not in ``choices``: called on a cache miss
    #: only, so a cached rendering costs no query and no list of a thousand schools.
    lazy_choices: Callable[[], Iterable[tuple[Any, Any]]] | None = None

    def _options_html(self) -> str:
        def build() -> str:
            pairs = self.lazy_choices() if self.lazy_choices is not None else self.choices
            # html.escape per part rather than format_html per option: the same escaping
            # (conditional_escape is html.escape for plain strings), ~10x faster on a cache
            # miss, which the cold rows of the benches measure on every request.
            return "".join(
                f'<option value="{_escaped(_key(option))}">{_escaped(label)}</option>'
                for option, label in pairs
            )

        if not self.options_cache_key:
            return build()
        return str(cache.get_or_set(self.options_cache_key, build, settings.REGISTER_CACHE_SECONDS))

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        options = self._options_html()
        for chosen in {str(v) for v in self.format_value(value)}:
            plain = format_html('<option value="{}">', chosen)
            options = options.replace(plain, plain[:-1] + " selected>", 1)
        markup = format_html("<select{}>", flatatt(final)) + options + "</select>"
        return mark_safe(markup)  # noqa: S308 (every part is escaped by format_html)


def _escaped(value: Any) -> str:
    if type(value) is str:  # most labels and keys: no lookup of ``__html__`` (2,000 a page)
        return html.escape(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _key(option: Any) -> str:
    return "" if option is None else str(getattr(option, "value", option))
