"""Inspection plans (检查计划) and the due inspections they generate.

Periods and their keys: daily ``2026-09-01`` (due that day, working days only — schools
are closed otherwise), weekly ``2026-W36`` (due Friday), monthly ``2026-09`` (due the last
day), semester ``2026-2027-1`` (1 Sep–31 Jan) and ``2026-2027-2`` (1 Feb–31 Aug), yearly
``2026`` (due 31 Dec). Several visits a period are spread evenly: visit *i* of *n* is due
at *i/n* of the period. Generation is set-based and idempotent (one row per plan, school,
period and visit), so the daily task may run as often as it likes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.cases.calendar import WorkCalendar
from safecampus.core.i18n import localized
from safecampus.core.localtime import local_day
from safecampus.core.rules import rule
from safecampus.inspections.choices import (
    Frequency,
    InspectionStatus,
    Performer,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionError
from safecampus.inspections.models import (
    ChecklistTemplate,
    Inspection,
    InspectionPlan,
    TemplateVersion,
)
from safecampus.inspections.services.common import audit, require_role
from safecampus.organizations.choices import Role, SchoolKind, UnitKind
from safecampus.organizations.models import Membership, Unit

logger = logging.getLogger(__name__)

#: Who writes plans: the bureau's safety officer and its inspectors.
PLAN_EDITOR_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.INSPECTOR})
#: More visits than this in one period is a typing error, not a plan.
MAX_TIMES_PER_PERIOD = 31
#: Daily and weekly plans are generated this many days ahead.
LOOKAHEAD_DAYS = 7
BATCH_SIZE = 500


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    #: The last day visits are spread over (a week's Friday; otherwise ``end``).
    due_end: date


# --- periods --------------------------------------------------------------------------


def _month_end(day: date) -> date:
    following = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return following - timedelta(days=1)


def period_of(frequency: str, day: date) -> Period:
    """The period of ``frequency`` that contains ``day``."""
    if frequency == Frequency.DAILY:
        return Period(day.isoformat(), day, day, day)
    if frequency == Frequency.WEEKLY:
        monday = day - timedelta(days=day.weekday())
        year, week, _weekday = monday.isocalendar()
        return Period(f"{year}-W{week:02d}", monday, monday + timedelta(6), monday + timedelta(4))
    if frequency == Frequency.MONTHLY:
        end = _month_end(day)
        return Period(f"{day:%Y-%m}", day.replace(day=1), end, end)
    if frequency == Frequency.SEMESTER:
        if day.month >= 9 or day.month == 1:
            first = day.year if day.month >= 9 else day.year - 1
            start, end = date(first, 9, 1), date(first + 1, 1, 31)
            return Period(f"{first}-{first + 1}-1", start, end, end)
        start, end = date(day.year, 2, 1), date(day.year, 8, 31)
        return Period(f"{day.year - 1}-{day.year}-2", start, end, end)
    if frequency == Frequency.YEARLY:
        end = date(day.year, 12, 31)
        return Period(str(day.year), date(day.year, 1, 1), end, end)
    raise ValueError(frequency)


def periods_between(frequency: str, first: date, last: date) -> Iterator[Period]:
    """Every period that starts on or before ``last``, from the one containing ``first``."""
    period = period_of(frequency, first)
    while period.start <= last:
        yield period
        period = period_of(frequency, period.end + timedelta(days=1))


def due_dates(period: Period, times: int) -> list[date]:
    """Visit *i* of *n* is due at *i/n* of the period (the last one on its last day)."""
    length = (period.due_end - period.start).days + 1
    return [period.start + timedelta(days=length * i // times - 1) for i in range(1, times + 1)]


def generation_horizon(frequency: str, today: date) -> date:
    """How far ahead the daily task generates: a week for daily and weekly plans, the end
    of the current period for the others."""
    if frequency in (Frequency.DAILY, Frequency.WEEKLY):
        return today + timedelta(days=LOOKAHEAD_DAYS)
    return period_of(frequency, today).end


# --- writes ---------------------------------------------------------------------------


def _published(template: ChecklistTemplate) -> TemplateVersion:
    version = template.versions.filter(status=VersionStatus.PUBLISHED).first()
    if version is None or not template.is_active:
        raise InspectionError(
            _("Checklist “%(name)s” has no published version in use.")
            % {"name": localized(template)},
            code="no_published_version",
        )
    return version


def _is_inspector(user: Any) -> bool:
    return Membership.objects.filter(
        user=user, role=Role.INSPECTOR, is_active=True, unit__is_active=True
    ).exists()


def _clean_plan(data: dict[str, Any]) -> dict[str, Any]:
    clean = dict(data)
    clean["name"] = str(clean.get("name") or "").strip()
    if not clean["name"] or len(clean["name"]) > 120:
        raise InspectionError(_("Give the plan a name (120 characters at most)."), code="name")
    _published(clean["template"])
    if clean["performer"] not in Performer.values:
        raise InspectionError(_("Choose who performs the inspections."), code="bad_performer")
    if clean["frequency"] not in Frequency.values:
        raise InspectionError(_("Choose how often."), code="bad_frequency")
    times = clean["times_per_period"]
    if not isinstance(times, int) or not 1 <= times <= MAX_TIMES_PER_PERIOD:
        raise InspectionError(
            _("Times per period must be between 1 and %(most)s.") % {"most": MAX_TIMES_PER_PERIOD},
            code="bad_times",
        )
    if clean["performer"] == Performer.INSPECTOR:
        if clean.get("inspector") is None or not _is_inspector(clean["inspector"]):
            raise InspectionError(
                _("An inspector's plan needs a person who holds the inspector role."),
                code="inspector_required",
            )
    else:
        clean["inspector"] = None
    if clean.get("ends_on") and clean["ends_on"] < clean["starts_on"]:
        raise InspectionError(_("The plan cannot end before it starts."), code="bad_dates")
    kinds = list(dict.fromkeys(clean.get("school_kinds") or []))
    if any(kind not in SchoolKind.values for kind in kinds):
        raise InspectionError(_("Choose school kinds from the list."), code="bad_school_kinds")
    clean["school_kinds"] = kinds
    schools = list(clean.get("schools") or [])
    if any(unit.kind != UnitKind.SCHOOL for unit in schools):
        raise InspectionError(_("A plan covers schools only."), code="bad_schools")
    clean["schools"] = schools
    return clean


_PLAN_FIELDS = (
    "name",
    "template",
    "performer",
    "inspector",
    "frequency",
    "times_per_period",
    "school_kinds",
    "starts_on",
    "ends_on",
)


def plan_create(
    *,
    actor: Any,
    name: str,
    template: ChecklistTemplate,
    performer: str,
    frequency: str,
    starts_on: date,
    times_per_period: int = 1,
    inspector: Any = None,
    schools: Iterable[Unit] = (),
    school_kinds: Sequence[str] = (),
    ends_on: date | None = None,
) -> InspectionPlan:
    """Create a plan; an empty school list means every active school (of ``school_kinds``
    when given). The checklist must have a published version."""
    require_role(actor, PLAN_EDITOR_ROLES)
    clean = _clean_plan(
        {
            "name": name,
            "template": template,
            "performer": performer,
            "frequency": frequency,
            "starts_on": starts_on,
            "times_per_period": times_per_period,
            "inspector": inspector,
            "schools": schools,
            "school_kinds": school_kinds,
            "ends_on": ends_on,
        }
    )
    with transaction.atomic():
        plan = InspectionPlan.objects.create(
            created_by=actor, **{field: clean[field] for field in _PLAN_FIELDS}
        )
        plan.schools.set(clean["schools"])
        audit(actor, plan, "created", _plan_changes(plan, clean))
    return plan


def plan_update(*, actor: Any, plan: InspectionPlan, **fields: Any) -> InspectionPlan:
    """Change a plan; inspections already generated keep their dates and checklist."""
    require_role(actor, PLAN_EDITOR_ROLES)
    unknown = set(fields) - {*_PLAN_FIELDS, "schools"}
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    current = {field: getattr(plan, field) for field in _PLAN_FIELDS}
    current["schools"] = list(plan.schools.all())
    clean = _clean_plan({**current, **fields})
    with transaction.atomic():
        for field in _PLAN_FIELDS:
            setattr(plan, field, clean[field])
        plan.save()
        plan.schools.set(clean["schools"])
        audit(actor, plan, "updated", _plan_changes(plan, clean))
    return plan


def _plan_changes(plan: InspectionPlan, clean: dict[str, Any]) -> dict[str, Any]:
    return {
        "template": plan.template_id,
        "performer": plan.performer,
        "frequency": plan.frequency,
        "times": plan.times_per_period,
        "inspector": plan.inspector_id,
        "schools": [unit.pk for unit in clean["schools"]],
        "school_kinds": plan.school_kinds,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
    }


def plan_set_active(
    *, actor: Any, plan: InspectionPlan, active: bool, today: date | None = None
) -> int:
    """Switch a plan on or off. Switching off cancels its inspections still due from today
    on (past ones stay: an overdue inspection is a fact). Returns how many were cancelled."""
    require_role(actor, PLAN_EDITOR_ROLES)
    today = today or local_day(timezone.now())
    cancelled = 0
    with transaction.atomic():
        plan.is_active = active
        plan.save(update_fields=["is_active", "updated_at"])
        if not active:
            cancelled = Inspection.objects.filter(
                plan=plan, status=InspectionStatus.DUE, due_on__gte=today
            ).update(status=InspectionStatus.CANCELLED, updated_at=timezone.now())
        audit(actor, plan, "activated" if active else "deactivated", {"cancelled": cancelled})
    return cancelled


def plan_warnings(plan: InspectionPlan) -> list[str]:
    """What the plan's reader should know; these never stop a plan."""
    warnings = []
    least = rule("inspector_visits_per_semester")
    if (
        plan.performer == Performer.INSPECTOR
        and plan.frequency == Frequency.SEMESTER
        and plan.times_per_period < least
    ):
        warnings.append(
            _(
                "A supervising inspector visits each school at least %(least)s times a "
                "semester (《教育督导条例》); this plan has %(times)s."
            )
            % {"least": least, "times": plan.times_per_period}
        )
    return warnings


# --- generation -----------------------------------------------------------------------


def plan_school_ids(plan: InspectionPlan) -> list[int]:
    """The active schools a plan covers."""
    units = Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True)
    chosen = list(plan.schools.values_list("pk", flat=True))
    if chosen:
        units = units.filter(pk__in=chosen)
    if plan.school_kinds:
        units = units.filter(school__school_kind__in=plan.school_kinds)
    return list(units.order_by("pk").values_list("pk", flat=True))


def _slots(plan: InspectionPlan, first: date, until: date) -> list[tuple[str, int, date]]:
    """(period, visit, due date) of every visit the plan owes between ``first`` and
    ``until``, within the plan's own dates."""
    calendar = WorkCalendar()
    slots = []
    for period in periods_between(plan.frequency, first, until):
        if plan.ends_on and period.start > plan.ends_on:
            break
        for sequence, due in enumerate(due_dates(period, plan.times_per_period), start=1):
            if due < plan.starts_on or (plan.ends_on and due > plan.ends_on):
                continue
            if plan.frequency == Frequency.DAILY and not calendar.is_working_day(due):
                continue
            slots.append((period.key, sequence, due))
    return slots


def plan_generate(*, plan: InspectionPlan, until: date, today: date | None = None) -> int:
    """Create the plan's due inspections of every period from the current one (or the plan's
    start) through ``until``; those already there are left alone. Returns how many were
    created."""
    version = _published(plan.template)
    today = today or local_day(timezone.now())
    first = max(plan.starts_on, period_of(plan.frequency, today).start)
    slots = _slots(plan, first, until)
    if not slots:
        return 0
    schools = plan_school_ids(plan)
    existing = set(
        Inspection.objects.filter(plan=plan, period__in={key for key, _s, _d in slots}).values_list(
            "school_id", "period", "sequence"
        )
    )
    inspector_id = plan.inspector_id if plan.performer == Performer.INSPECTOR else None
    rows = [
        Inspection(
            plan=plan,
            version=version,
            kind=plan.template.kind,
            school_id=school_id,
            performer=plan.performer,
            inspector_id=inspector_id,
            period=key,
            sequence=sequence,
            due_on=due,
        )
        for key, sequence, due in slots
        for school_id in schools
        if (school_id, key, sequence) not in existing
    ]
    # ignore_conflicts: two workers generating at once must not fail on the unique key.
    Inspection.objects.bulk_create(rows, batch_size=BATCH_SIZE, ignore_conflicts=True)
    return len(rows)


def plans_generate_due(*, today: date | None = None) -> int:
    """Generate ahead for every active plan (the daily task). A plan whose checklist has no
    published version in use is skipped and logged, never stops the others."""
    today = today or local_day(timezone.now())
    created = 0
    plans = InspectionPlan.objects.filter(is_active=True, template__is_active=True).select_related(
        "template"
    )
    for plan in plans:
        if plan.ends_on and plan.ends_on < today:
            continue
        try:
            with transaction.atomic():
                created += plan_generate(
                    plan=plan, until=generation_horizon(plan.frequency, today), today=today
                )
        except InspectionError:
            logger.warning("Inspection plan %s has no published checklist; skipped.", plan.pk)
    return created
