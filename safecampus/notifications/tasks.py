"""Outbox delivery: right after a commit, and every minute for whatever that missed."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from safecampus.notifications.services import outbox_deliver


@db_task()
def outbox_deliver_task() -> int:
    return outbox_deliver().sent


# The queue may have been down when a notification was committed; the rows wait in the outbox.
@db_periodic_task(crontab(minute="*"))
def outbox_deliver_periodic_task() -> int:
    return outbox_deliver().sent
