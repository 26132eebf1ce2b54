"""Which devices are online, silent or gone silent: a device is offline when it has not
spoken for ``device_offline_factor`` heartbeat intervals (R-5.2). Read by the device pages,
the risk grading's evidence and the liveness sweep (``services.liveness``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import (
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)

from safecampus.core.rules import rule
from safecampus.security.choices import ALERT_OPEN_STATES, EventType
from safecampus.security.models import Alert, Device


def _silence_span() -> ExpressionWrapper:
    """factor × heartbeat_seconds as a duration, per row."""
    factor = rule("device_offline_factor")
    if connection.vendor == "sqlite":
        # SQLite keeps durations as integer microseconds and cannot multiply an interval.
        span = F("heartbeat_seconds") * Value(factor * 1_000_000)
    else:
        span = F("heartbeat_seconds") * Value(timedelta(seconds=factor))
    return ExpressionWrapper(span, output_field=DurationField())


def silent_q(now: datetime) -> Q:
    """Devices that have not spoken for ``factor`` heartbeat intervals (or never spoke and
    were registered longer ago than that)."""
    limit = Value(now) - _silence_span()
    return Q(last_seen_at__lt=limit) | Q(last_seen_at__isnull=True, created_at__lt=limit)


def online_q(now: datetime) -> Q:
    """Enabled devices heard from within ``factor`` heartbeat intervals."""
    return Q(
        enabled=True, last_seen_at__isnull=False, last_seen_at__gte=Value(now) - _silence_span()
    )


def devices_gone_silent(now: datetime) -> QuerySet[Device]:
    """Enabled devices silent too long, not yet marked offline and without an open
    ``device_offline`` alert: the ones the sweep must raise an alert for.

    A device never heard from is not commissioned yet (the device pages say "never heard
    from"): it raises nothing, or a district's registration of hundreds of devices ahead of
    their installation would bury the guard rooms in offline alerts (issue #14)."""
    open_alert = Alert.objects.filter(
        device=OuterRef("pk"), event_type=EventType.DEVICE_OFFLINE, status__in=ALERT_OPEN_STATES
    )
    return (
        Device.objects.filter(enabled=True, offline_since__isnull=True, last_seen_at__isnull=False)
        .filter(silent_q(now))
        .filter(~Exists(open_alert))
        .order_by("pk")
    )
