"""Reference data in the reader's language (issue #14).

Names the project seeds and the bureau edits — lead categories, warning levels, checklists,
the seasonal calendar, alert rules — are data, not catalogue strings: a district renames
them and adds its own. Each such field ``name`` has an English sibling ``name_en``; the
Chinese one is the record's name (imports, official documents and the API's ``name``
use it), the English one is shown when the reader's language is English and it is filled.
An empty English name falls back to the Chinese: a new category is never nameless.

``localized(obj, "name")`` for one object, the ``localized`` template filter for pages, and
``localized_expr("category__name")`` for ``values()``/``annotate()`` queries.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

#: Suffix of the English sibling of a localized field.
ENGLISH_SUFFIX = "_en"


def reading_english() -> bool:
    """Whether the active language is English (any variant)."""
    return (get_language() or "").lower().startswith("en")


def localized(obj: Any, field: str = "name") -> str:
    """``obj.<field>`` in the active language: the English sibling when the reader reads
    English and it is filled, else the field itself."""
    if reading_english():
        english = getattr(obj, field + ENGLISH_SUFFIX, "")
        if english:
            return str(english)
    return str(getattr(obj, field, "") or "")


def localized_expr(path: str) -> Combinable:
    """A query expression for the field at ``path`` in the active language, with the same
    fallback as ``localized`` (an empty English name reads the Chinese)."""
    if reading_english():
        return Coalesce(NullIf(F(path + ENGLISH_SUFFIX), Value("")), F(path))
    return F(path)


def english_field(verbose_name: Any, max_length: int | None = None) -> models.Field[Any, Any]:
    """The English sibling of a localized field, e.g. ``english_field(_("name in English"),
    120)`` (blank: falls back to the Chinese). ``max_length`` None makes a ``TextField``."""
    if max_length is None:
        return models.TextField(verbose_name, blank=True)
    return models.CharField(verbose_name, max_length=max_length, blank=True)
