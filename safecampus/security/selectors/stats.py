"""Alert figures per school (告警统计): by type and hour of day, the false-alarm rate and the
time to acknowledge. They feed the monthly risk grading."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from safecampus.core.localtime import CHINA_TZ
from safecampus.organizations.models import Unit
from safecampus.security.choices import AlertStatus, EventType, Outcome
from safecampus.security.models import Alert
from safecampus.security.selectors.devices import local_day_bounds

#: The period shown when none is asked for, in days up to today.
DEFAULT_DAYS = 30
#: The longest period one request may count (a year and a leap day).
MAX_DAYS = 366

#: A device going silent is a fault, not an alarm a guard judges true or false.
JUDGED = ~Q(event_type=EventType.DEVICE_OFFLINE)


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or timezone.localdate(timezone=CHINA_TZ)
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def _rate(false_alarms: int, disposed: int) -> float | None:
    return None if not disposed else round(false_alarms / disposed, 4)


def _median(values: list[float]) -> int | None:
    return None if not values else round(statistics.median(values))


def _ack_seconds(alerts: QuerySet[Alert]) -> dict[int, list[float]]:
    """Seconds from an alert's opening to its acknowledgement, by school."""
    found: dict[int, list[float]] = defaultdict(list)
    rows = (
        alerts.filter(JUDGED, acknowledged_at__isnull=False)
        .values_list("school_id", "created_at", "acknowledged_at")
        .iterator(chunk_size=5000)
    )
    for school_id, opened, acknowledged in rows:
        if acknowledged is not None:
            found[school_id].append(max((acknowledged - opened).total_seconds(), 0.0))
    return found


def _by_school(alerts: QuerySet[Alert], acks: dict[int, list[float]]) -> list[dict[str, Any]]:
    rows = (
        alerts.order_by()
        .values("school_id")
        .annotate(
            alerts=Count("pk"),
            disposed=Count("pk", filter=JUDGED & Q(status=AlertStatus.DISPOSED)),
            false_alarms=Count("pk", filter=JUDGED & Q(outcome=Outcome.FALSE_ALARM)),
        )
    )
    counts = {row["school_id"]: row for row in rows}
    names = Unit.objects.filter(pk__in=list(counts)).values_list("pk", "code", "name")
    result = []
    for pk, code, name in sorted(names, key=lambda item: item[1]):
        row = counts[pk]
        result.append(
            {
                "code": code,
                "name": name,
                "alerts": row["alerts"],
                "disposed": row["disposed"],
                "false_alarms": row["false_alarms"],
                "false_alarm_rate": _rate(row["false_alarms"], row["disposed"]),
                "median_ack_seconds": _median(acks.get(pk, [])),
            }
        )
    return result


def alert_statistics(
    *,
    user: Any,
    school: Unit | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> dict[str, Any]:
    """Figures of the alerts ``user`` may see that first fired in the period (Beijing
    days): by type, by hour of day, the false-alarm rate (false alarms / alerts disposed)
    and the median seconds from opening to acknowledgement, overall and per school.
    ``device_offline`` alerts count by type and hour but not in the rate or the median."""
    if date_from is None and date_to is None:
        date_from, date_to = default_period()
    start, end = local_day_bounds(date_from, date_to)
    alerts = Alert.objects.in_school_scope(user)
    if school is not None:
        alerts = alerts.filter(school=school)
    if start is not None:
        alerts = alerts.filter(first_seen_at__gte=start)
    if end is not None:
        alerts = alerts.filter(first_seen_at__lt=end)
    labels = dict(EventType.choices)
    by_type = [
        {"key": row["event_type"], "label": str(labels.get(row["event_type"])), "count": row["n"]}
        for row in alerts.order_by()
        .values("event_type")
        .annotate(n=Count("pk"))
        .order_by("-n", "event_type")
    ]
    hours = dict(
        alerts.order_by()
        .annotate(hour=ExtractHour("first_seen_at", tzinfo=CHINA_TZ))
        .values("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    acks = _ack_seconds(alerts)
    per_school = _by_school(alerts, acks)
    disposed = sum(row["disposed"] for row in per_school)
    false_alarms = sum(row["false_alarms"] for row in per_school)
    return {
        "period": {"from": date_from, "to": date_to},
        "school": school.code if school is not None else None,
        "total": sum(row["alerts"] for row in per_school),
        "by_type": by_type,
        "by_hour": [hours.get(hour, 0) for hour in range(24)],
        "disposed": disposed,
        "false_alarms": false_alarms,
        "false_alarm_rate": _rate(false_alarms, disposed),
        "acknowledged": sum(len(values) for values in acks.values()),
        "median_ack_seconds": _median([s for values in acks.values() for s in values]),
        "by_school": per_school,
    }
