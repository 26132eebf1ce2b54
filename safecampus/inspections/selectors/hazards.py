"""Reads of the hazard register (隐患台账) and of rectification notices (整改通知书); every one
goes through ``visible_to(user)``: the bureau sees the district, a school itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from safecampus.cases.models import Deadline
from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.inspections.choices import (
    HAZARD_LEVEL_ORDER,
    OPEN_HAZARD_STATUSES,
    HazardLevel,
    HazardStatus,
    RectificationStatus,
)
from safecampus.inspections.models import Hazard, Rectification
from safecampus.organizations.cache import scoped_key
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Unit

OPEN_NOTICE_STATUSES = (
    RectificationStatus.ISSUED,
    RectificationStatus.SUBMITTED,
    RectificationStatus.RETURNED,
)
CLOSED_NOTICE_STATUSES = (RectificationStatus.VERIFIED, RectificationStatus.CANCELLED)
#: ``status="open"`` in the filters: every status that still needs work.
OPEN = "open"
_ONE_DAY = timedelta(days=1)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CHINA_TZ)


def _overdue_notices(now: datetime) -> QuerySet[Rectification]:
    """Open notices with an open time limit past due. Driven from the few open notices (the
    status index) with one lookup each in the deadlines' (content type, object) index: the
    kernel's ``overdue()`` scans every deadline row, ~50 ms on a district's three years."""
    late = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(Rectification),
        object_id=OuterRef("pk"),
        met_at__isnull=True,
        cancelled_at__isnull=True,
        due_at__lt=now,
    )
    return Rectification.objects.filter(Exists(late), status__in=OPEN_NOTICE_STATUSES).order_by()


def hazard_list(
    *,
    user: Any,
    school: Unit | None = None,
    category: str | None = None,
    level: str | None = None,
    status: str | None = None,
    source: str | None = None,
    found_from: date | None = None,
    found_to: date | None = None,
    overdue: bool | None = None,
    q: str | None = None,
) -> QuerySet[Hazard]:
    """The hazards ``user`` may see, newest first, filtered; with what the register's table
    shows (school, notice). ``overdue``: its notice is past a time limit and still open."""
    hazards = Hazard.objects.visible_to(user).select_related("school", "rectification")
    if school is not None:
        hazards = hazards.filter(school=school)
    if category:
        hazards = hazards.filter(category=category)
    if level:
        hazards = hazards.filter(level=level)
    if status == OPEN:
        hazards = hazards.filter(status__in=OPEN_HAZARD_STATUSES)
    elif status:
        hazards = hazards.filter(status=status)
    if source:
        hazards = hazards.filter(source=source)
    if found_from:
        hazards = hazards.filter(found_at__gte=_day_start(found_from))
    if found_to:
        hazards = hazards.filter(found_at__lt=_day_start(found_to) + _ONE_DAY)
    if overdue:
        # The ids first (a few hundred), and no status test: an open notice's hazards are all
        # being rectified or verified, and without it SQLite takes the foreign key's index
        # instead of scanning every open hazard (~60 ms on a district's three years).
        late = list(_overdue_notices(timezone.now()).values_list("pk", flat=True))
        hazards = hazards.filter(rectification_id__in=late)
    if q:
        hazards = hazards.filter(Q(description__icontains=q) | Q(place__icontains=q))
    return hazards.order_by("-found_at", "-id")


def overdue_notice_ids(notice_ids: Iterable[int | None], now: datetime | None = None) -> set[int]:
    """Which of these notices are past a time limit and still open (for a page of rows)."""
    ids = [pk for pk in set(notice_ids) if pk is not None]
    if not ids:
        return set()
    late = _overdue_notices(now or timezone.now()).filter(pk__in=ids)
    return set(late.values_list("pk", flat=True))


#: The cards are kept this long at most; every hazard or notice write starts afresh at once,
#: so only the passing of a deadline shows up to a minute late.
COUNTS_SECONDS = 60
_COUNTS_GENERATION = "inspections:hazard-counts:generation"


def hazard_counts_changed() -> None:
    """Forget the cached cards (called by every write of hazards and notices)."""
    try:
        cache.incr(_COUNTS_GENERATION)
    except ValueError:
        cache.set(_COUNTS_GENERATION, 1, None)


def _counts_key(prefix: str, user: Any) -> str:
    generation = str(cache.get(_COUNTS_GENERATION) or 0)
    return scoped_key(prefix, user.scope, generation)


def hazard_counts(*, user: Any) -> dict[str, Any]:
    """The register's cards: open hazards by level, overdue ones, closed this year. Counting
    closed hazards reads ~100,000 rows of a district's three years (~0.2 s on SQLite), so the
    cards are cached per scope (see ``COUNTS_SECONDS``)."""
    return dict(
        cache.get_or_set(
            _counts_key("inspections:hazard-counts", user),
            lambda: _hazard_counts(user),
            COUNTS_SECONDS,
        )
        or {}
    )


def _hazard_counts(user: Any) -> dict[str, Any]:
    visible = Hazard.objects.visible_to(user)
    now = timezone.now()
    by_level = dict(
        visible.filter(status__in=OPEN_HAZARD_STATUSES)
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    year_start = _day_start(date(local_day(now).year, 1, 1))
    late = _overdue_notices(now).values("pk")
    return {
        "open": {level: by_level.get(level, 0) for level in HazardLevel.values},
        "open_total": sum(by_level.values()),
        "overdue": visible.filter(
            rectification_id__in=late, status__in=OPEN_HAZARD_STATUSES
        ).count(),
        "closed_this_year": visible.filter(
            status=HazardStatus.CLOSED, closed_at__gte=year_start
        ).count(),
    }


def hazard_get(*, user: Any, hazard_id: int) -> Hazard | None:
    return (
        Hazard.objects.visible_to(user)
        .select_related("school", "rectification", "inspection", "found_by")
        .filter(pk=hazard_id)
        .first()
    )


def rectification_list(
    *, user: Any, state: str | None = None, school: Unit | None = None
) -> QuerySet[Rectification]:
    """The notices ``user`` may see: ``open`` (waiting for the school or for verification),
    ``overdue`` (open and past a time limit) or ``closed`` (verified or cancelled)."""
    notices = Rectification.objects.visible_to(user).select_related("unit", "verifier_unit")
    if school is not None:
        notices = notices.filter(unit=school)
    if state == "open":
        notices = notices.filter(status__in=OPEN_NOTICE_STATUSES)
    elif state == "overdue":
        notices = notices.filter(pk__in=_overdue_notices(timezone.now()).values("pk"))
    elif state == "closed":
        notices = notices.filter(status__in=CLOSED_NOTICE_STATUSES)
    return notices.annotate(hazard_count=Count("hazards")).order_by("-created_at", "-id")


def rectification_counts(*, user: Any) -> dict[str, int]:
    """Open, overdue and closed notices in the user's scope (a school: its own); cached as
    the register's cards are."""
    return dict(
        cache.get_or_set(
            _counts_key("inspections:notice-counts", user),
            lambda: _rectification_counts(user),
            COUNTS_SECONDS,
        )
        or {}
    )


def _rectification_counts(user: Any) -> dict[str, int]:
    visible = Rectification.objects.visible_to(user)
    late = _overdue_notices(timezone.now()).values("pk")
    return {
        "open": visible.filter(status__in=OPEN_NOTICE_STATUSES).count(),
        "overdue": visible.filter(pk__in=late).count(),
        "closed": visible.filter(status__in=CLOSED_NOTICE_STATUSES).count(),
    }


def rectification_get(*, user: Any, rectification_id: int) -> Rectification | None:
    return (
        Rectification.objects.visible_to(user)
        .select_related("unit", "verifier_unit", "issued_by", "submitted_by", "verified_by")
        .filter(pk=rectification_id)
        .first()
    )


def notice_hazards(notice: Rectification) -> list[Hazard]:
    """The hazards of a notice, gravest first."""
    order = {str(level): rank for level, rank in HAZARD_LEVEL_ORDER.items()}
    hazards = list(notice.hazards.select_related("school").order_by("found_at", "pk"))
    return sorted(hazards, key=lambda h: order.get(h.level, 9))


def rectification_verify_list(*, user: Any, limit: int = 20) -> list[Rectification]:
    """Notices submitted with their evidence and waiting for ``user`` to verify (验收), the
    longest waiting first: for an inspector, those they issued or that came from their
    inspections and that the bureau verifies; for a principal, their school's own."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return []
    mine = Q(pk__in=[])
    if scope.has_role(Role.INSPECTOR):
        own = Q(issued_by=user) | Q(inspection__inspector=user)
        mine |= own & ~Q(verifier_unit__kind=UnitKind.SCHOOL)
    principal_of = [
        unit for unit in scope.school_unit_ids if scope.has_role(Role.PRINCIPAL, unit_id=unit)
    ]
    if principal_of:
        mine |= Q(verifier_unit_id__in=principal_of)
    return list(
        Rectification.objects.visible_to(user)
        .filter(mine, status=RectificationStatus.SUBMITTED)
        .exclude(submitted_by=user)
        .select_related("unit")
        .order_by("submitted_at", "pk")[:limit]
    )
