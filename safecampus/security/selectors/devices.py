"""Scoped reads of devices, their liveness per school and the events they sent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, Max, Q, QuerySet, When
from django.utils import timezone

from safecampus.core.localtime import CHINA_TZ
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Unit
from safecampus.security.models import Device, DeviceEvent
from safecampus.security.permissions import DEVICE_ADMIN_ROLES
from safecampus.security.selectors.liveness import online_q


class Liveness:
    ONLINE = "online"
    OFFLINE = "offline"
    NEVER = "never"


def device_list(
    *,
    user: Any,
    now: datetime | None = None,
    school: Unit | None = None,
    kind: str = "",
    liveness: str = "",
    enabled: bool | None = None,
    search: str = "",
) -> QuerySet[Device]:
    """The devices ``user`` may see, each with ``is_online`` (heard from within the offline
    factor × its heartbeat, and enabled)."""
    now = now or timezone.now()
    devices = (
        Device.objects.visible_to(user)
        .select_related("school")
        .annotate(
            is_online=Case(
                When(online_q(now), then=True), default=False, output_field=BooleanField()
            )
        )
        .order_by("school__code", "code")
    )
    if school is not None:
        devices = devices.filter(school=school)
    if kind:
        devices = devices.filter(kind=kind)
    if enabled is not None:
        devices = devices.filter(enabled=enabled)
    if liveness == Liveness.ONLINE:
        devices = devices.filter(online_q(now))
    elif liveness == Liveness.OFFLINE:
        devices = devices.filter(enabled=True).exclude(online_q(now))
    elif liveness == Liveness.NEVER:
        devices = devices.filter(last_seen_at__isnull=True)
    if search:
        devices = devices.filter(Q(code__icontains=search) | Q(name__icontains=search))
    return devices


def device_get(*, user: Any, pk: int, now: datetime | None = None) -> Device | None:
    """One device ``user`` may see, else None (another school's device does not exist)."""
    return device_list(user=user, now=now).filter(pk=pk).first()


def device_points(*, user: Any, school: Unit) -> QuerySet[Device]:
    """The devices of ``school`` that ``user`` may see and that have a place on the map
    (one query; a device without a location is left out, not put at 0,0)."""
    return (
        Device.objects.visible_to(user)
        .filter(school=school, latitude__isnull=False, longitude__isnull=False)
        .only("pk", "name", "kind", "zone", "latitude", "longitude")
        .order_by("code")
    )


def school_liveness(*, devices: QuerySet[Device], now: datetime | None = None) -> QuerySet[Any]:
    """Per school of ``devices``: how many, how many enabled and online, and the last time
    any of them spoke; ``share`` (percent online of enabled) is added by the caller."""
    now = now or timezone.now()
    return (
        devices.order_by()
        .values("school_id", "school__code", "school__name")
        .annotate(
            total=Count("pk"),
            enabled_count=Count("pk", filter=Q(enabled=True)),
            online=Count("pk", filter=online_q(now)),
            last_seen=Max("last_seen_at"),
        )
        .order_by("school__code")
    )


def online_share(online: int, enabled: int) -> int | None:
    """Percent of enabled devices online, rounded down; None without enabled devices."""
    return None if not enabled else online * 100 // enabled


def manageable_schools(user: Any) -> QuerySet[Unit]:
    """The active schools whose devices ``user`` may register and manage."""
    schools = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
    scope = getattr(user, "scope", None)
    if scope is None:
        return schools.none()
    if scope.district_wide and scope.has_role(*DEVICE_ADMIN_ROLES):
        return schools
    own = [
        unit_id
        for unit_id, roles in scope.roles_by_unit.items()
        if roles & {Role.PRINCIPAL, Role.SCHOOL_OFFICER}
    ]
    return schools.filter(pk__in=own)


def visible_schools(user: Any) -> QuerySet[Unit]:
    """The active schools whose devices and events ``user`` may see."""
    schools = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")
    scope = getattr(user, "scope", None)
    if scope is None:
        return schools.none()
    if scope.district_wide:
        return schools
    return schools.filter(pk__in=scope.school_unit_ids)


def local_day_bounds(
    date_from: date | None, date_to: date | None
) -> tuple[datetime | None, datetime | None]:
    """From the start of ``date_from`` to the end of ``date_to``, Beijing time."""
    start = datetime.combine(date_from, time(), tzinfo=CHINA_TZ) if date_from else None
    end = (
        datetime.combine(date_to + timedelta(days=1), time(), tzinfo=CHINA_TZ) if date_to else None
    )
    return start, end


def event_list(
    *,
    user: Any,
    school: Unit | None = None,
    device: str = "",
    event_type: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    late: bool | None = None,
) -> QuerySet[DeviceEvent]:
    """Events of the devices ``user`` may see, newest first; ``device`` is a code or a
    part of one."""
    events = DeviceEvent.objects.visible_to(user).select_related("device", "school")
    if school is not None:
        events = events.filter(school=school)
    if device:
        events = events.filter(device__code__icontains=device.strip())
    if event_type:
        events = events.filter(type=event_type)
    start, end = local_day_bounds(date_from, date_to)
    if start is not None:
        events = events.filter(occurred_at__gte=start)
    if end is not None:
        events = events.filter(occurred_at__lt=end)
    if late is not None:
        events = events.filter(late=late)
    return events.order_by("-occurred_at", "-id")
