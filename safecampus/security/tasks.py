"""Periodic work of smart security; tasks only call services.

The acknowledgement limit of a critical alert is a kernel deadline of 60 seconds, too short
for the kernel's five-minute sweep: a sweep of that purpose alone runs every minute here,
and raising a critical alert also queues one for the moment its time runs out
(``alerts._sweep_when_due``). Both are the kernel's ``deadline_sweep``, whose claim makes
the escalation happen once whichever runs first.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.cases.services import deadline_sweep
from safecampus.security.choices import ALERT_ACK_PURPOSE
from safecampus.security.services.liveness import liveness_sweep


@db_periodic_task(crontab(minute="*"))
def liveness_sweep_task() -> int:
    """Raise ``device_offline`` alerts for devices gone silent; safe on several workers."""
    return len(liveness_sweep())


@db_periodic_task(crontab(minute="*"))
def alert_sweep_task() -> int:
    """Escalate critical alerts nobody acknowledged in time; safe on several workers."""
    return deadline_sweep(purposes=[ALERT_ACK_PURPOSE])
