"""Retention: trim the audit trail to the legal minimum once a day (never shorter)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.audit.services import audit_purge


@db_periodic_task(crontab(hour="3", minute="17"))
def audit_purge_task() -> int:
    return audit_purge()
