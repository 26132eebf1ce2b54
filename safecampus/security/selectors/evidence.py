"""Per-school alarm evidence for other apps (risk grading reads it): set-based, one query
per kind of evidence whatever the number of schools."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Q

from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.models import Alert, Device
from safecampus.security.selectors.liveness import online_q


def alarm_counts(*, start: datetime, end: datetime) -> dict[int, dict[str, int]]:
    """``{school: {"high": n, "all": n}}``: alerts first seen in [start, end), device-offline
    alerts left out (liveness is counted on its own), false alarms left out of "high"."""
    rows = (
        Alert.objects.filter(first_seen_at__gte=start, first_seen_at__lt=end)
        .exclude(event_type=EventType.DEVICE_OFFLINE)
        .values("school_id")
        .annotate(
            all=Count("id"),
            high=Count(
                "id", filter=Q(priority__gte=Priority.HIGH) & ~Q(outcome=Outcome.FALSE_ALARM)
            ),
        )
    )
    return {row["school_id"]: {"high": row["high"], "all": row["all"]} for row in rows}


def unacknowledged_alerts(*, now: datetime) -> dict[int, int]:
    """Open alerts nobody has acknowledged yet, now, per school."""
    rows = (
        Alert.objects.filter(status=AlertStatus.OPEN, first_seen_at__lte=now)
        .values("school_id")
        .annotate(n=Count("id"))
    )
    return {row["school_id"]: row["n"] for row in rows}


def device_liveness(*, now: datetime) -> dict[int, tuple[int, int]]:
    """``{school: (offline, enabled)}`` for schools with enabled devices registered by ``now``."""
    rows = (
        Device.objects.filter(enabled=True, created_at__lte=now)
        .values("school_id")
        # Not "enabled": that name would shadow the field inside online_q's filter.
        .annotate(total=Count("id"), online=Count("id", filter=online_q(now)))
    )
    return {row["school_id"]: (row["total"] - row["online"], row["total"]) for row in rows}
