"""Periodic work of the inspections app; tasks only call services."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from safecampus.inspections.services.plans import plans_generate_due


# Huey reads crontabs in UTC (its default, which config/settings keeps): 16:30 UTC is
# 00:30 in Asia/Shanghai, just after the school day's date changes.
@db_periodic_task(crontab(hour="16", minute="30"))
def plans_generate_due_task() -> int:
    """Generate the due inspections of every active plan; idempotent, safe to retry."""
    return plans_generate_due()
