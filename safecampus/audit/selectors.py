"""Reading the audit trail (auditors only)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safecampus.audit.models import AuditEvent


def audit_event_list(
    *,
    user: Any,
    action: str = "",
    actor: str = "",
    result: str = "",
    object_type: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[AuditEvent]:
    """Newest first, filtered; empty for anyone who is not an auditor."""
    events = AuditEvent.objects.visible_to(user)
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if result:
        events = events.filter(result=result)
    if object_type:
        events = events.filter(object_type=object_type)
    tz = timezone.get_current_timezone()
    if since:
        events = events.filter(at__gte=datetime.combine(since, time.min, tzinfo=tz))
    if until:
        events = events.filter(at__lte=datetime.combine(until, time.max, tzinfo=tz))
    return events.order_by("-id")
