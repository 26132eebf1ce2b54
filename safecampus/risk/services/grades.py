"""Writes on the monthly grades (月度风险等级): computing a month, adjusting a school's level
with a recorded reason, and the monthly run on the first working day."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.calendar import WorkCalendar
from safecampus.cases.selectors import unit_handlers
from safecampus.core.localtime import local_day
from safecampus.notifications.services import notify
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.selectors import bureau_unit
from safecampus.risk.choices import LEADER_LEVELS, LEVEL_ORDER, RISK_MANAGER_ROLES, WarningLevel
from safecampus.risk.errors import RiskError, RiskForbidden
from safecampus.risk.grading import month_start
from safecampus.risk.models import RiskGrade
from safecampus.risk.services.grading import GradeRun, grade_month

#: The bureau may set any level; a school's principal may only raise its own.
BUREAU_ADJUSTERS = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
SCHOOL_ADJUSTERS = frozenset({Role.PRINCIPAL})
REASON_MAX = 1000


def _roles(actor: Any) -> Any:
    scope = getattr(actor, "scope", None)
    if not getattr(actor, "is_authenticated", False) or scope is None:
        raise RiskForbidden(_("You may not change risk grades."), code="forbidden")
    return scope


def grades_compute(*, actor: Any, month: date, now: datetime | None = None) -> GradeRun:
    """Compute (or recompute) every school's grade for ``month``; the bureau safety officer on
    demand, or the system (``actor=None``) on the first working day. Adjusted levels stay.
    A month after the current one cannot be graded: its evidence does not exist yet."""
    if actor is not None and not _roles(actor).has_role(*RISK_MANAGER_ROLES):
        raise RiskForbidden(_("Only the bureau safety officer computes grades."), code="forbidden")
    now = now or timezone.now()
    month = month_start(month)
    if month > month_start(local_day(now)):
        raise RiskError(_("A month in the future cannot be graded."), code="future_month")
    with transaction.atomic():
        run = grade_month(month=month, now=now)
        audit_record(
            actor=actor,
            action="risk.riskgrade.computed",
            object_type="risk.riskgrade",
            object_id=f"{month:%Y-%m}",
            object_repr=f"{month:%Y-%m}",
            changes={"month": f"{month:%Y-%m}", "schools": run.schools, "by_level": run.by_level},
        )
        _tell_leaders(run)
    return run


def _tell_leaders(run: GradeRun) -> None:
    """One notification to the bureau leaders summarising the schools at yellow and above."""
    counts = {level: run.by_level.get(level, 0) for level in WarningLevel if level in LEADER_LEVELS}
    if not sum(counts.values()):
        return
    bureau = bureau_unit()
    if bureau is None:
        return
    leaders = unit_handlers(bureau, {UnitKind.BUREAU: frozenset({Role.BUREAU_LEADER})})
    body = _("Red: %(red)d, orange: %(orange)d, yellow: %(yellow)d schools.") % {
        "red": counts[WarningLevel.RED],
        "orange": counts[WarningLevel.ORANGE],
        "yellow": counts[WarningLevel.YELLOW],
    }
    notify(
        recipients=leaders,
        verb="risk.grades_computed",
        title=_("School risk grades for %(month)s") % {"month": f"{run.month:%Y-%m}"},
        body=body,
        url=f"{reverse('risk:grade_list')}?month={run.month:%Y-%m}",
        unit_id=bureau.pk,
    )


def _check_adjust(actor: Any, grade: RiskGrade, level: str) -> None:
    scope = _roles(actor)
    if scope.has_role(*BUREAU_ADJUSTERS):
        return
    if not scope.has_role(*SCHOOL_ADJUSTERS, unit_id=grade.school_id):
        raise RiskForbidden(_("You may not adjust this grade."), code="forbidden")
    if LEVEL_ORDER[WarningLevel(level)] > LEVEL_ORDER[WarningLevel(grade.level)]:
        raise RiskForbidden(_("A school cannot lower its own grade."), code="school_lowers")
    if level == grade.level:
        raise RiskError(_("Choose a level higher than the current one."), code="same_level")


def grade_adjust(*, actor: Any, grade: RiskGrade, level: str, reason: str) -> RiskGrade:
    """Set a grade's level with a recorded reason: the bureau any level, a school's principal
    only higher than its current level (a school never lowers its own grade)."""
    reason = (reason or "").strip()
    if level not in WarningLevel.values:
        raise RiskError(_("Choose a warning level."), code="bad_level")
    if not reason:
        raise RiskError(_("Give the reason for the adjustment."), code="reason_required")
    if len(reason) > REASON_MAX:
        raise RiskError(_("The reason is too long."), code="reason_too_long")
    with transaction.atomic():
        grade = RiskGrade.objects.select_for_update().get(pk=grade.pk)
        _check_adjust(actor, grade, level)
        old = grade.level
        grade.level = level
        grade.adjusted_at = timezone.now()
        grade.adjusted_by = actor
        grade.adjusted_reason = reason
        grade.save(update_fields=["level", "adjusted_at", "adjusted_by", "adjusted_reason"])
        audit_record(
            actor=actor,
            action="risk.riskgrade.adjusted",
            obj=grade,
            changes={"level": [old, level], "reason": reason},
            unit_id=grade.school_id,
        )
    return grade


def grade_adjust_clear(*, actor: Any, grade: RiskGrade) -> RiskGrade:
    """Return an adjusted grade to its computed level (the bureau only)."""
    if not _roles(actor).has_role(*BUREAU_ADJUSTERS):
        raise RiskForbidden(_("Only the bureau may undo an adjustment."), code="forbidden")
    with transaction.atomic():
        grade = RiskGrade.objects.select_for_update().get(pk=grade.pk)
        if grade.adjusted_at is None:
            raise RiskError(_("This grade was not adjusted."), code="not_adjusted")
        old = grade.level
        grade.level = grade.computed_level
        grade.adjusted_at = None
        grade.adjusted_by = None
        grade.adjusted_reason = ""
        grade.save(update_fields=["level", "adjusted_at", "adjusted_by", "adjusted_reason"])
        audit_record(
            actor=actor,
            action="risk.riskgrade.adjustment_cleared",
            obj=grade,
            changes={"level": [old, grade.level]},
            unit_id=grade.school_id,
        )
    return grade


def first_working_day(month: date, *, calendar: WorkCalendar | None = None) -> date:
    """The first working day on or after the 1st of ``month`` (China's official calendar)."""
    calendar = calendar or WorkCalendar()
    day = month_start(month)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    return day


def grades_compute_if_due(*, now: datetime | None = None) -> GradeRun | None:
    """The monthly run: on the month's first working day (China time), grade the month unless
    it has grades already (the bureau may have computed it on demand). Safe to repeat."""
    now = now or timezone.now()
    today = local_day(now)
    if today != first_working_day(today):
        return None
    if RiskGrade.objects.filter(month=month_start(today)).exists():
        return None
    return grades_compute(actor=None, month=today, now=now)
