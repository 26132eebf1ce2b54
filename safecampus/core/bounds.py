"""What input values the platform can hold: the bounds every form and API field applies.

Python's ``date`` ends in year 9999 and begins in year 1, the China time zone moves a day
across either end, and the database holds 64-bit integers. A value outside these bounds
once reached a query and answered 500; a field with these validators answers 400 instead.
The years are a sanity bound, not a rule: no school-safety record predates 1900 or
reaches past 2100.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
FIRST_YEAR, LAST_YEAR = FIRST_DAY.year, LAST_DAY.year
_CHINA = timezone(timedelta(hours=8))  # China Standard Time (the zone's 1900 offset was LMT)
FIRST_MOMENT = datetime.combine(FIRST_DAY, time.min, tzinfo=_CHINA)
LAST_MOMENT = datetime.combine(LAST_DAY, time.max, tzinfo=_CHINA)
#: Both SQLite and PostgreSQL (bigint, the primary keys here) hold signed 64-bit integers.
DB_INT_MAX = 2**63 - 1

_DAY_MESSAGE = _("Enter a date between {first} and {last}.")
_YEAR_MESSAGE = _("Enter a year between {first} and {last}.")
_NUMBER_MESSAGE = _("Enter a whole number between {first} and {last}.")


def _between(
    first: Any, last: Any, message: Any, shown: tuple[Any, Any] | None = None
) -> list[Any]:
    # Formatted lazily: the bounds are fixed at import, the language at each request.
    low, high = shown or (first, last)
    text = format_lazy(message, first=low, last=high)
    return [MinValueValidator(first, message=text), MaxValueValidator(last, message=text)]


def day_validators() -> list[Any]:
    """For a date field: a day the China time zone can turn into a moment and back."""
    return _between(FIRST_DAY, LAST_DAY, _DAY_MESSAGE)


def moment_validators() -> list[Any]:
    """For a date-time field (aware values): within the same days, in China time."""
    return _between(FIRST_MOMENT, LAST_MOMENT, _DAY_MESSAGE, shown=(FIRST_DAY, LAST_DAY))


def year_validators() -> list[Any]:
    return _between(FIRST_YEAR, LAST_YEAR, _YEAR_MESSAGE)


def number_validators(first: int = 0, last: int = DB_INT_MAX) -> list[Any]:
    """For an integer that reaches a query: an id, a count, a version."""
    return _between(first, last, _NUMBER_MESSAGE)
