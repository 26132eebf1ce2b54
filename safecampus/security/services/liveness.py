"""Device liveness: a device silent for longer than ``device_offline_factor`` heartbeat
intervals is offline, and that is itself an alert (R-5.2). The alert clears itself when the
device speaks again (``ingest._devices_seen`` → ``alerts.alerts_auto_close``)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safecampus.security.choices import EventType, Priority
from safecampus.security.models import Alert, Device
from safecampus.security.selectors.liveness import devices_gone_silent
from safecampus.security.services.alerts import alerts_open
from safecampus.security.services.ingest import RuleBook

#: Devices handled per sweep; the next minute's sweep takes the rest.
SWEEP_BATCH = 500


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
