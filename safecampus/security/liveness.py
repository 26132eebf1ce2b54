"""Device liveness: a device silent for longer than ``device_offline_factor`` heartbeat
intervals is offline, and that is itself an alert (R-5.2). The alert clears itself when the
device speaks again (``ingest._devices_seen`` → ``alerts.alerts_auto_close``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
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
from django.utils import timezone

from safecampus.core.rules import rule
from safecampus.security.alerts import alerts_open
from safecampus.security.choices import ALERT_OPEN_STATES, EventType, Priority
from safecampus.security.ingest import RuleBook
from safecampus.security.models import Alert, Device

#: Devices handled per sweep; the next minute's sweep takes the rest.
SWEEP_BATCH = 500


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
    ``device_offline`` alert: the ones the sweep must raise an alert for."""
    open_alert = Alert.objects.filter(
        device=OuterRef("pk"), event_type=EventType.DEVICE_OFFLINE, status__in=ALERT_OPEN_STATES
    )
    return (
        Device.objects.filter(enabled=True, offline_since__isnull=True)
        .filter(silent_q(now))
        .filter(~Exists(open_alert))
        .order_by("pk")
    )


def liveness_sweep(now: datetime | None = None, *, batch: int = SWEEP_BATCH) -> list[int]:
    """Mark silent devices offline and open one ``device_offline`` alert for each (priority
    from the alert rules, else ``DEFAULT_PRIORITY``), stored, audited and published by
    ``alerts.alerts_open`` in one go; the ids of the alerts opened.

    Safe on several workers at once: each device is claimed with a conditional update, so
    only the worker whose update took raises its alert.
    """
    now = now or timezone.now()
    book = RuleBook()
    opened: list[Alert] = []
    with transaction.atomic():
        for device in devices_gone_silent(now)[:batch]:
            claimed = Device.objects.filter(pk=device.pk, offline_since__isnull=True).update(
                offline_since=now
            )
            if not claimed:
                continue
            priority, matched = book.judge(
                school_id=device.school_id,
                event_type=EventType.DEVICE_OFFLINE,
                zone=device.zone,
                at=now,
            )
            if priority <= Priority.INFO:
                continue  # a rule made it information only: marked offline, nobody called
            alert = Alert(
                school_id=device.school_id,
                device=device,
                event_type=EventType.DEVICE_OFFLINE,
                zone=device.zone,
                priority=priority,
                rule=matched,
                first_seen_at=now,
                last_seen_at=now,
                subject=device.name[:200],
            )
            opened.append(alert)
        alerts_open(alerts=opened)
    return [alert.pk for alert in opened]
