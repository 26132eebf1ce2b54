"""Per-school inspection evidence for other apps (risk grading reads it): set-based, one
query per kind of evidence whatever the number of schools."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q

from safecampus.cases.models import Deadline
from safecampus.inspections.choices import (
    OPEN_HAZARD_STATUSES,
    RECTIFY_PURPOSE,
    HazardLevel,
    InspectionStatus,
)
from safecampus.inspections.models import Hazard, Inspection, Rectification


def open_hazards(*, now: datetime) -> dict[int, dict[str, int]]:
    """``{school: {level: n}}`` of hazards open now (found by ``now``)."""
    rows = (
        Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES, found_at__lte=now)
        .values("school_id")
        .annotate(
            **{
                str(level): Count("id", filter=Q(level=level))
                for level in (HazardLevel.MAJOR, HazardLevel.SERIOUS, HazardLevel.GENERAL)
            }
        )
    )
    return {row["school_id"]: {level: row[level] for level in HazardLevel.values} for row in rows}


def overdue_rectifications(*, now: datetime) -> dict[int, int]:
    """Rectification notices past their time limit and not yet submitted, per school."""
    late = Deadline.objects.overdue(now).filter(
        content_type=ContentType.objects.get_for_model(Rectification), purpose=RECTIFY_PURPOSE
    )
    rows = (
        Rectification.objects.filter(pk__in=late.values("object_id"))
        .values("unit_id")
        .annotate(n=Count("id"))
    )
    return {row["unit_id"]: row["n"] for row in rows}


def missed_inspections(*, first: date, last: date) -> dict[int, int]:
    """Planned inspections due in [first, last] that were not submitted by their due day
    (still due, in progress, or submitted late), per school."""
    rows = (
        Inspection.objects.filter(plan__isnull=False, due_on__gte=first, due_on__lte=last)
        .exclude(status=InspectionStatus.CANCELLED)
        .filter(
            Q(status__in=[InspectionStatus.DUE, InspectionStatus.DRAFT])
            | Q(submitted_at__date__gt=F("due_on"))
        )
        .values("school_id")
        .annotate(n=Count("id"))
    )
    return {row["school_id"]: row["n"] for row in rows}
