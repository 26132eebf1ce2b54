"""Reads of the monthly warning notices and of each school's warning; all scoped, all
set-based (one query for a notice's progress, whatever the number of schools)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from safecampus.cases.models import Deadline, DeadlineQuerySet
from safecampus.risk.choices import (
    ACKNOWLEDGE_PURPOSE,
    FEEDBACK_PURPOSE,
    LEVEL_ORDER,
    SCHOOL_WARNING_LEVELS,
    NoticeStatus,
    SchoolWarningStatus,
    WarningLevel,
)
from safecampus.risk.grading import warning_measures, warning_reasons
from safecampus.risk.models import RiskGrade, SchoolWarning, WarningNotice

#: Filters of the per-school table: which warnings are late on what.
STATES = ("awaiting", "acknowledged", "reported", "closed", "overdue_ack", "overdue_feedback")


def notice_list(*, user: Any, status: str | None = None) -> QuerySet[WarningNotice]:
    """The notices ``user`` may read (schools: issued ones only), the latest month first."""
    notices = WarningNotice.objects.visible_to(user).select_related("issued_by")
    if status:
        notices = notices.filter(status=status)
    return notices.annotate(school_count=Count("schools")).order_by("-month")


def notice_get(*, user: Any, notice_id: int) -> WarningNotice | None:
    return WarningNotice.objects.visible_to(user).filter(pk=notice_id).first()


def _deadlines(purpose: str) -> DeadlineQuerySet:
    return Deadline.objects.filter(  # type: ignore[no-any-return]
        content_type=ContentType.objects.get_for_model(SchoolWarning),
        object_id=OuterRef("pk"),
        purpose=purpose,
    )


def with_deadlines(warnings: QuerySet[SchoolWarning], now: datetime) -> QuerySet[SchoolWarning]:
    """Annotate each warning with its acknowledgement due time (the first one set), its
    current feedback due time, and whether either is overdue now."""
    ack = _deadlines(ACKNOWLEDGE_PURPOSE).order_by("pk").values("due_at")[:1]
    feedback = (
        _deadlines(FEEDBACK_PURPOSE).filter(cancelled_at__isnull=True).order_by("-pk")
    ).values("due_at")[:1]
    return warnings.annotate(
        acknowledge_due=Subquery(ack, output_field=DateTimeField()),
        feedback_due_at=Subquery(feedback, output_field=DateTimeField()),
        ack_overdue=Exists(_deadlines(ACKNOWLEDGE_PURPOSE).overdue(now)),
        feedback_overdue=Exists(_deadlines(FEEDBACK_PURPOSE).overdue(now)),
    )


@dataclass(frozen=True)
class Progress:
    schools: int
    acknowledged: int
    acknowledged_late: int
    overdue_acknowledgement: int
    reported: int
    overdue_feedback: int
    closed: int

    @property
    def acknowledged_percent(self) -> int:
        return round(100 * self.acknowledged / self.schools) if self.schools else 0

    @property
    def reported_percent(self) -> int:
        return round(100 * self.reported / self.schools) if self.schools else 0


def notice_progress(*, notice: WarningNotice, now: datetime | None = None) -> Progress:
    """How far the schools are: acknowledged (and late), reported (including closed),
    overdue on acknowledgement or feedback, closed — one aggregate query."""
    now = now or timezone.now()
    rows = with_deadlines(SchoolWarning.objects.filter(notice=notice), now)
    done = [SchoolWarningStatus.REPORTED, SchoolWarningStatus.CLOSED]
    counts = rows.aggregate(
        schools=Count("pk"),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
        acknowledged_late=Count("pk", filter=Q(acknowledged_at__gt=F("acknowledge_due"))),
        overdue_acknowledgement=Count("pk", filter=Q(ack_overdue=True)),
        reported=Count("pk", filter=Q(status__in=done)),
        overdue_feedback=Count("pk", filter=Q(feedback_overdue=True)),
        closed=Count("pk", filter=Q(status=SchoolWarningStatus.CLOSED)),
    )
    return Progress(**{key: int(value or 0) for key, value in counts.items()})


def _state_filter(warnings: Any, state: str) -> QuerySet[SchoolWarning]:
    simple = {
        "awaiting": SchoolWarningStatus.ISSUED,
        "acknowledged": SchoolWarningStatus.ACKNOWLEDGED,
        "reported": SchoolWarningStatus.REPORTED,
        "closed": SchoolWarningStatus.CLOSED,
    }
    if state in simple:
        return warnings.filter(status=simple[state])
    if state == "overdue_ack":
        return warnings.filter(ack_overdue=True)
    if state == "overdue_feedback":
        return warnings.filter(feedback_overdue=True)
    return warnings


def warning_list(
    *,
    user: Any,
    notice: WarningNotice | None = None,
    state: str | None = None,
    level: str | None = None,
    now: datetime | None = None,
) -> QuerySet[SchoolWarning]:
    """The warnings ``user`` may see (a school: its own), with due times and overdue flags;
    the latest notice first, then the school's code."""
    warnings: Any = SchoolWarning.objects.visible_to(user)
    warnings = warnings.filter(notice__status=NoticeStatus.ISSUED)
    if notice is not None:
        warnings = warnings.filter(notice=notice)
    if level:
        warnings = warnings.filter(level=level)
    warnings = with_deadlines(warnings.select_related("unit", "notice"), now or timezone.now())
    if state:
        warnings = _state_filter(warnings, state)
    return warnings.order_by("-notice__month", "unit__code")


def warning_get(*, user: Any, warning_id: int) -> SchoolWarning | None:
    return warning_list(user=user).filter(pk=warning_id).first()


@dataclass(frozen=True)
class LevelCount:
    level: str
    label: str
    count: int


def level_counts(*, notice: WarningNotice) -> list[LevelCount]:
    """The month's schools per grade level, highest first (issued: the warnings' levels;
    draft: the grades)."""
    rows: Any
    if notice.status == NoticeStatus.ISSUED:
        rows = SchoolWarning.objects.filter(notice=notice).values("level")
    else:
        rows = RiskGrade.objects.filter(month=notice.month).values("level")
    counts = {row["level"]: row["n"] for row in rows.annotate(n=Count("pk")).order_by()}
    levels = sorted(WarningLevel, key=lambda level: LEVEL_ORDER[level])
    return [LevelCount(str(level), str(level.label), counts.get(level, 0)) for level in levels]


@dataclass(frozen=True)
class WarnedSchool:
    name: str
    level: str
    reasons: str
    measures: str


def _red_first() -> Case:
    return Case(
        *(When(level=level, then=Value(rank)) for level, rank in LEVEL_ORDER.items()),
        default=Value(9),
        output_field=IntegerField(),
    )


def warned_schools(*, notice: WarningNotice) -> list[WarnedSchool]:
    """The red and orange schools with their reasons and measures, red first: an issued
    notice's warnings (as the bureau edited them), a draft's grades."""
    levels = list(SCHOOL_WARNING_LEVELS)
    if notice.status == NoticeStatus.ISSUED:
        warnings = (
            SchoolWarning.objects.filter(notice=notice, level__in=levels)
            .select_related("unit")
            .order_by(_red_first(), "unit__code")
        )
        return [
            WarnedSchool(w.unit.name, w.level, w.reasons, w.measures_required) for w in warnings
        ]
    grades = (
        RiskGrade.objects.filter(month=notice.month, level__in=levels)
        .select_related("school")
        .order_by(_red_first(), "school__code")
    )
    return [
        WarnedSchool(
            g.school.name, g.level, warning_reasons(g.factors), warning_measures(g.factors)
        )
        for g in grades
    ]
