"""The escalation of unacknowledged critical alerts, on time.

A periodic sweep every minute is the safety net; since a minute is too coarse for a
60-second rule, ingest also schedules a sweep for the moment a new critical alert's time
runs out (``schedule_sweep``), at most one per second of deadline.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from safecampus.core.rules import rule
from safecampus.security.alerts import alert_sweep


@db_periodic_task(crontab(minute="*"))
def alert_sweep_task() -> int:
    """Escalate overdue critical alerts; safe to run on several workers at once."""
    return alert_sweep()


@db_task()
def alert_sweep_due_task() -> int:
    return alert_sweep()


def schedule_sweep() -> None:
    """Sweep once the acknowledgement time of an alert opened now has run out."""
    delay = rule("alert_ack_seconds") + 1
    due = int(timezone.now().timestamp()) + delay
    if cache.add(f"security:alert-sweep:{due}", 1, timeout=delay + 5):
        alert_sweep_due_task.schedule(delay=delay)
