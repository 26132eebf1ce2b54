"""Retention once a day (never below the legal minimum); the head written out at intervals."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.audit.services import audit_checkpoint, audit_purge


@db_periodic_task(crontab(hour="3", minute="17"))
def audit_purge_task() -> int:
    return audit_purge()


# A cron minute field steps within the hour: 60 means once an hour, the longest interval.
@db_periodic_task(crontab(minute=f"*/{min(settings.AUDIT_CHECKPOINT_MINUTES, 60)}"))
def audit_checkpoint_task() -> int:
    return int(audit_checkpoint()["last_id"])
