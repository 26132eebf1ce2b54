"""Device liveness: a device silent for longer than ``device_offline_factor`` heartbeat
intervals is offline, and that is itself an alert (R-5.2) — one per school, counting its
offline devices. The alert shrinks as devices speak again and closes itself when the last
one does (``ingest._devices_seen`` → ``alerts.alerts_auto_close``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from safecampus.security.choices import EventType, Priority
from safecampus.security.models import Alert, Device
from safecampus.security.selectors.liveness import devices_gone_silent
from safecampus.security.services.alerts import alerts_grow, alerts_open, school_offline_alerts
from safecampus.security.services.ingest import RuleBook

#: Devices handled per sweep; the next minute's sweep takes the rest.
SWEEP_BATCH = 500


def liveness_sweep(now: datetime | None = None, *, batch: int = SWEEP_BATCH) -> list[int]:
    """Mark silent devices offline and raise **one** ``device_offline`` alert per school
    (priority from the alert rules, else ``DEFAULT_PRIORITY``): its count is how many of the
    school's devices are offline, grown by later sweeps while it is open (a guard room with
    five dead cameras sees "5 台设备离线", not five alerts). Opened and grown alerts are
    stored, audited and published by ``alerts``; the ids of the alerts opened or grown.

    Safe on several workers at once: each device is claimed with a conditional update, so
    only the worker whose update took counts it.
    """
    now = now or timezone.now()
    book = RuleBook()
    claimed: dict[int, list[Device]] = defaultdict(list)
    with transaction.atomic():
        for device in devices_gone_silent(now)[:batch]:
            took = Device.objects.filter(pk=device.pk, offline_since__isnull=True).update(
                offline_since=now
            )
            if took:
                claimed[device.school_id].append(device)
        opened: list[Alert] = []
        grown: list[tuple[Alert, int]] = []
        current = school_offline_alerts(school_ids=list(claimed))
        for school_id, devices in claimed.items():
            priority, matched = book.judge(
                school_id=school_id, event_type=EventType.DEVICE_OFFLINE, zone="", at=now
            )
            if priority <= Priority.INFO:
                continue  # a rule made it information only: marked offline, nobody called
            alert = current.get(school_id)
            if alert is not None:
                alert.count += len(devices)
                alert.last_seen_at = now
                alert.subject = ""  # several devices now: the page lists them
                grown.append((alert, len(devices)))
                continue
            opened.append(
                Alert(
                    school_id=school_id,
                    device=None,  # the school's: devices come and go under one alert
                    event_type=EventType.DEVICE_OFFLINE,
                    zone="",
                    priority=priority,
                    rule=matched,
                    count=len(devices),
                    first_seen_at=now,
                    last_seen_at=now,
                    subject=devices[0].name[:200] if len(devices) == 1 else "",
                )
            )
        alerts_open(alerts=opened)
        alerts_grow(grown=grown)
    return [alert.pk for alert in opened] + [alert.pk for alert, _n in grown]
