"""Periodic work of smart security; tasks only call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.security.liveness import liveness_sweep


@db_periodic_task(crontab(minute="*"))
def liveness_sweep_task() -> int:
    """Raise ``device_offline`` alerts for devices gone silent; safe on several workers."""
    return len(liveness_sweep())
