"""Reading alerts: the bureau sees every school's, the guard room its own school's; anyone
else (a teacher, a partner agency, an auditor) none."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, IntegerField, QuerySet, Value, When
from django.db.models.functions import Cast

from safecampus.attachments.models import Attachment
from safecampus.security.choices import AlertStatus
from safecampus.security.models import Alert, DeviceEvent
from safecampus.security.permissions import alert_school_ids

LIVE_STATES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def alert_list(
    *,
    user: Any,
    school: int | None = None,
    event_type: str = "",
    priority_min: int | None = None,
    status: str | list[str] | tuple[str, ...] = "",
    outcome: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Alert]:
    """The alerts ``user`` may see, newest first, filtered; ``since``/``until`` bound the last
    time the alert was seen (``since`` may also be an update cursor, see ``alert_changes``)."""
    schools = alert_school_ids(user)
    alerts = Alert.objects.visible_to(user)
    if schools is not None:
        alerts = alerts.filter(school_id__in=schools)
    if school:
        alerts = alerts.filter(school_id=school)
    if event_type:
        alerts = alerts.filter(event_type=event_type)
    if priority_min is not None:
        alerts = alerts.filter(priority__gte=priority_min)
    if status:
        alerts = alerts.filter(status__in=[status] if isinstance(status, str) else list(status))
    if outcome:
        alerts = alerts.filter(outcome=outcome)
    if since is not None:
        alerts = alerts.filter(last_seen_at__gte=since)
    if until is not None:
        alerts = alerts.filter(last_seen_at__lt=until)
    return alerts.select_related("school", "device").order_by("-last_seen_at", "-id")


def console_alerts(
    *, user: Any, school: int | None = None, priority_min: int | None = None
) -> QuerySet[Alert]:
    """The console's live alerts, the emergency first: unacknowledged before acknowledged,
    then by priority (critical first), then newest first. A critical one-key alarm is never
    under a newer low-priority alert or a pile of device-offline ones."""
    waiting = Case(
        When(status=AlertStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return (
        alert_list(user=user, school=school, priority_min=priority_min, status=list(LIVE_STATES))
        .annotate(waiting=waiting)
        .order_by("waiting", "-priority", "-last_seen_at", "-id")
    )


def alert_waiting_list(*, user: Any, limit: int = 20) -> list[Alert]:
    """The unacknowledged alerts of the schools whose guard room ``user`` sits in, the
    gravest first, then the newest (a guard's home page). The bureau's triage is the
    console's, so a district-wide reader gets none here."""
    schools = alert_school_ids(user)
    if not schools:
        return []
    return list(
        alert_list(user=user, status=AlertStatus.OPEN)
        .filter(school_id__in=schools)
        .order_by("-priority", "-last_seen_at", "-id")[:limit]
    )


def alert_changes(*, user: Any, after: datetime, school: int | None = None) -> QuerySet[Alert]:
    """The alerts ``user`` may see that changed after ``after`` (the console's refresh)."""
    return alert_list(user=user, school=school).filter(updated_at__gt=after)


def alert_get(*, user: Any, pk: int) -> Alert | None:
    """The alert ``pk`` if ``user`` may see it, else None (as if it did not exist)."""
    return alert_list(user=user).filter(pk=pk).first()


def alert_events(*, alert: Alert, limit: int = 50) -> list[DeviceEvent]:
    """The alert's latest events (the caller has already scoped the alert)."""
    return list(DeviceEvent.objects.filter(alert=alert).order_by("-occurred_at", "-id")[:limit])


def alert_pictures(alerts: list[Alert]) -> dict[int, Attachment]:
    """The latest picture of each alert (of its events'), in two queries; the caller has
    scoped the alerts, and each picture is still downloaded through its event's scope."""
    if not alerts:
        return {}
    events = DeviceEvent.objects.filter(alert_id__in=[a.pk for a in alerts])
    keys = events.annotate(key=Cast("pk", CharField())).values("key")
    pictures = Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(DeviceEvent), owner_id__in=keys
    ).order_by("-created_at")
    found = list(pictures[: len(alerts) * 5])
    owners = dict(
        DeviceEvent.objects.filter(pk__in=[int(p.owner_id) for p in found]).values_list(
            "pk", "alert_id"
        )
    )
    latest: dict[int, Attachment] = {}
    for picture in found:
        alert_id = owners.get(int(picture.owner_id))
        if alert_id is not None and alert_id not in latest:
            latest[alert_id] = picture
    return latest
