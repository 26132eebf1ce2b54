"""Working days as the State Council declares them, and the deadlines counted in them.

A day is a working day when a ``HolidayOverride`` row says so; otherwise when
chinese-calendar says so (official holidays and make-up working days, 调休);
for a year that chinese-calendar does not know yet, Monday to Friday. A
deadline of *n* days ends at the end of the *n*-th day after the start day,
China time: "within 3 working days" of a Friday report ends on Wednesday night.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import chinese_calendar
from chinese_calendar import constants as official
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Official holidays are dates in China Standard Time, whatever TIME_ZONE the server runs in.
from safecampus.core.localtime import end_of_day, local_day

logger = logging.getLogger(__name__)

# No real calendar has a year without working days; a longer scan means bad override rows.
MAX_SCAN_DAYS = 3660

HOLIDAY_NAMES: dict[str, Promise] = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-autumn Festival"),
    "Anti-Fascist 70th Day": _("Anti-Fascist War Victory Day"),
}


class WorkCalendar:
    """Answers "is this a working day?" with one query per calendar year it is asked about."""

    def __init__(self) -> None:
        self._overrides: dict[int, dict[date, bool]] = {}

    def _year_overrides(self, year: int) -> dict[date, bool]:
        if year not in self._overrides:
            from safecampus.cases.models import HolidayOverride

            rows = HolidayOverride.objects.filter(day__year=year).values_list("day", "is_workday")
            self._overrides[year] = dict(rows)
        return self._overrides[year]

    def is_working_day(self, day: date) -> bool:
        override = self._year_overrides(day.year).get(day)
        if override is not None:
            return override
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            if day.year not in _UNKNOWN_YEARS:
                _UNKNOWN_YEARS.add(day.year)
                logger.warning(
                    "chinese-calendar has no data for %s; using Monday-Friday plus the "
                    "holiday overrides entered for that year.",
                    day.year,
                )
            return day.weekday() < 5


#: Years the official calendar does not know, already warned about (once per process).
_UNKNOWN_YEARS: set[int] = set()


def is_working_day(day: date) -> bool:
    """Whether ``day`` is a working day (override rows win, then the official calendar)."""
    return WorkCalendar().is_working_day(day)


def year_is_known(year: int) -> bool:
    """Whether chinese-calendar carries the official holidays of ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def add_calendar_days(start: datetime, n: int) -> datetime:
    """End of the ``n``-th calendar day after the start day (``n=0``: end of the start day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    return end_of_day(local_day(start) + timedelta(days=n))


def add_working_days(start: datetime, n: int, *, calendar: WorkCalendar | None = None) -> datetime:
    """End of the ``n``-th working day after the start day (``n=0``: end of the start day)."""
    if n < 0:
        raise ValueError("n must not be negative")
    calendar = calendar or WorkCalendar()
    day, remaining = local_day(start), n
    for _scanned in range(MAX_SCAN_DAYS):
        if remaining == 0:
            return end_of_day(day)
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    raise ValueError(f"No {n} working days within {MAX_SCAN_DAYS} days of {start:%Y-%m-%d}.")


def due_at(start: datetime, days: int, *, working_days: bool) -> datetime:
    """The deadline ``days`` working (or calendar) days after ``start``."""
    if working_days:
        return add_working_days(start, days)
    return add_calendar_days(start, days)


@dataclass(frozen=True)
class OfficialDay:
    day: date
    is_workday: bool
    name: str


def official_days(year: int) -> list[OfficialDay]:
    """The holidays and make-up working days chinese-calendar lists for ``year`` (may be empty)."""
    rows = [
        OfficialDay(day, False, str(HOLIDAY_NAMES.get(name, name)))
        for day, name in official.holidays.items()
        if day.year == year
    ]
    rows += [
        OfficialDay(day, True, str(HOLIDAY_NAMES.get(name, name)))
        for day, name in official.workdays.items()
        if day.year == year
    ]
    return sorted(rows, key=lambda row: row.day)
