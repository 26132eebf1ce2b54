"""Periodic and queued work of the case kernel; tasks only call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from safecampus.cases.services import deadline_sweep


@db_periodic_task(crontab(minute="*/5"))
def deadline_sweep_task() -> int:
    """Escalate overdue deadlines; safe to run on several workers at once."""
    return deadline_sweep()


@db_task()
def deadline_sweep_purposes_task(purposes: list[str]) -> int:
    """Escalate the overdue deadlines of these purposes now: queued by a case type whose
    limits are shorter than the periodic sweep's five minutes (an alert's 60 seconds)."""
    return deadline_sweep(purposes=purposes)
