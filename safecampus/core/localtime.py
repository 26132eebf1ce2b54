"""China time: the one time zone of dates users see, deadlines and official holidays.

Stored datetimes are UTC (``USE_TZ``); whatever ``TIME_ZONE`` the server runs in, a
"day" here — a working day, a report's date, the month of a risk grade — is a day in
China Standard Time. Every app takes the zone and these helpers from here.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone

CHINA_TZ = ZoneInfo("Asia/Shanghai")


def local_day(moment: datetime) -> date:
    """The date of ``moment`` in China time."""
    return timezone.localtime(moment, CHINA_TZ).date()


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in China time (23:59:59.999999)."""
    return datetime.combine(day, time.max, tzinfo=CHINA_TZ)


def china_now() -> datetime:
    """Now, as an aware datetime in China time."""
    return timezone.localtime(timezone.now(), CHINA_TZ)
