"""Periodic work of the risk app; tasks only call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.risk.services.grades import grades_compute_if_due


# Huey reads crontabs in UTC (its default, which config/settings keeps): 22:00 UTC is
# 06:00 the next morning in Asia/Shanghai, before the bureau's working day starts.
@db_periodic_task(crontab(hour="22", minute="0"))
def grades_compute_if_due_task() -> int:
    """On the month's first working day, grade the month unless it is graded; idempotent."""
    run = grades_compute_if_due()
    return run.schools if run else 0
