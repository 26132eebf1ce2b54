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
            return _options(pairs)

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


#: Joins the options' texts so that one html.escape call escapes them all; escaping leaves
#: it alone, and a text holding it is escaped on its own.
_SEPARATOR = "\x00"


def _options(pairs: Iterable[tuple[Any, Any]]) -> str:
    """``<option>`` tags for (value, label) pairs, escaped as ``format_html`` would.

    One ``html.escape`` over all the texts joined, rather than one call per text: a
    district's thousand schools took ~1.3 ms escaped one by one, which the cold rows of the
    benches pay on every ledger request. Safe strings (``__html__``) are never escaped."""
    texts: list[str] = []
    for option, label in pairs:
        texts.append(_key(option))
        texts.append(label if isinstance(label, str) else str(label))
    joined = _SEPARATOR.join(texts)
    if (
        any(hasattr(text, "__html__") for text in texts)
        or joined.count(_SEPARATOR) != len(texts) - 1
    ):
        parts = [_escaped(text) for text in texts]  # the rare case: text by text
    else:
        parts = html.escape(joined).split(_SEPARATOR) if texts else []
    return "".join(
        f'<option value="{parts[i]}">{parts[i + 1]}</option>' for i in range(0, len(parts), 2)
    )


def _escaped(value: Any) -> str:
    if type(value) is str:  # most labels and keys: no lookup of ``__html__`` (2,000 a page)
        return html.escape(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def _key(option: Any) -> str:
    return "" if option is None else str(getattr(option, "value", option))
