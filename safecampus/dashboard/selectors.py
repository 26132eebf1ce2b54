"""The numbers a bureau officer looks at first, computed in a handful of set-based queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from safecampus.cases.selectors import deadline_open_list, transfer_inbox_list
from safecampus.cases.services.deadlines import deadline_label
from safecampus.core.localtime import end_of_day
from safecampus.inspections.selectors.hazards import rectification_verify_list
from safecampus.inspections.selectors.inspections import inspection_due_list
from safecampus.leads.selectors.leads import lead_mine_list
from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import Role, SchoolKind, UnitKind
from safecampus.organizations.models import Membership, School, Unit
from safecampus.security.selectors.alerts import alert_waiting_list


@dataclass(frozen=True)
class Overview:
    schools: int
    students: int
    staff: int
    boarding: int
    by_kind: list[dict[str, Any]]
    units_without_designated: int
    units_total: int


def overview(*, user: Any) -> Overview:
    """The register's numbers for the user's scope, cached until the register changes."""
    key = scoped_key("dashboard:overview", user.scope, get_language() or "")
    cached = cache.get(key)
    if cached is None:
        cached = _overview(user)
        cache.set(key, cached, REGISTER_CACHE_SECONDS)
    return cached


def _overview(user: Any) -> Overview:
    schools = School.objects.visible_to(user)
    totals = schools.aggregate(
        n=Count("pk"),
        students=Sum("students"),
        staff=Sum("staff"),
        boarding=Count("pk", filter=Q(boarding=True)),
    )
    counts = dict(
        schools.values_list("school_kind").annotate(n=Count("pk")).values_list("school_kind", "n")
    )
    by_kind = [
        {"name": str(k.label), "value": counts[k.value]} for k in SchoolKind if counts.get(k.value)
    ]
    responsible = Unit.objects.visible_to(user).filter(
        kind__in=[UnitKind.SCHOOL, UnitKind.SECTION, UnitKind.INSTITUTION], is_active=True
    )
    named = Membership.objects.active().filter(Q(is_designated=True) | Q(role=Role.SCHOOL_OFFICER))
    missing = responsible.exclude(pk__in=named.values("unit_id")).count()
    return Overview(
        schools=totals["n"] or 0,
        students=totals["students"] or 0,
        staff=totals["staff"] or 0,
        boarding=totals["boarding"] or 0,
        by_kind=by_kind,
        units_without_designated=missing,
        units_total=responsible.count(),
    )


@dataclass(frozen=True)
class WorkItem:
    """One thing waiting for the signed-in person, by kind and reference only (no title: the
    home page is often on a shared screen). ``due_at`` is its deadline; work without one
    (an alert, a notice to verify) gives ``since``, when it began waiting."""

    kind: str
    reference: str
    url: str
    what: str
    due_at: datetime | None = None
    since: datetime | None = None
    overdue: bool = False


def open_work(*, user: Any) -> list[WorkItem]:
    """What ``user`` must act on, from each app's selector for the roles they hold: a police
    liaison's transfers, an inspector's inspections and evidence to verify, a guard's
    unacknowledged alerts, a teacher's leads, a principal's or officer's deadlines. Past due
    first, then the soonest deadline, then the longest waiting; one row per item."""
    now = timezone.now()
    scope = user.scope
    items: list[WorkItem] = []
    if scope.agency_unit_ids:
        items += _transfer_work(user, now)
    if scope.has_role(Role.INSPECTOR):
        items += _inspection_work(user, now)
    if scope.has_role(Role.INSPECTOR, Role.PRINCIPAL):
        items += _verify_work(user, now)
    if scope.has_role(Role.GUARD):
        items += _alert_work(user, now)
    if scope.has_role(Role.TEACHER):
        items += _lead_work(user, now)
    if scope.has_role(Role.PRINCIPAL, Role.SCHOOL_OFFICER) or not (items or _has_own_list(scope)):
        items += _deadline_work(user, now)
    unique = {item.url: item for item in reversed(items)}  # the first row of an item wins
    return sorted(unique.values(), key=_urgency)


def _has_own_list(scope: Any) -> bool:
    """Roles whose home lists only their own kind of work (never the whole unit's deadlines)."""
    return bool(scope.agency_unit_ids) or scope.has_role(Role.INSPECTOR, Role.GUARD, Role.TEACHER)


def _urgency(item: WorkItem) -> tuple[int, float]:
    if item.due_at is not None:
        return (0 if item.overdue else 1, item.due_at.timestamp())
    return (2, (item.since or timezone.now()).timestamp())


def _case_item(
    case: Any, what: str, now: datetime, *, due_at: datetime | None = None, since: Any = None
) -> WorkItem:
    return WorkItem(
        kind=str(type(case)._meta.verbose_name),
        reference=case.reference or f"#{case.pk}",
        url=case.get_absolute_url(),
        what=what,
        due_at=due_at,
        since=since if due_at is None else None,
        overdue=due_at is not None and due_at < now,
    )


def _deadline_work(user: Any, now: datetime) -> list[WorkItem]:
    return [
        _case_item(d.case, deadline_label(d), now, due_at=d.due_at)
        for d in deadline_open_list(user=user)
    ]


def _transfer_work(user: Any, now: datetime) -> list[WorkItem]:
    items = []
    for transfer in transfer_inbox_list(user=user):
        deadline = transfer.feedback_deadline
        what = _("Feedback due") if transfer.accepted_at else _("Accept or return the transfer")
        due_at = deadline.due_at if deadline is not None else None
        items.append(_case_item(transfer.case, what, now, due_at=due_at, since=transfer.at))
    return items


def _inspection_work(user: Any, now: datetime) -> list[WorkItem]:
    items = []
    for inspection in inspection_due_list(user=user):
        due_at = end_of_day(inspection.due_on)
        items.append(
            WorkItem(
                kind=str(type(inspection)._meta.verbose_name),
                reference=inspection.school.display_name,
                url=inspection.get_absolute_url(),
                what=_("Inspection due"),
                due_at=due_at,
                overdue=due_at < now,
            )
        )
    return items


def _verify_work(user: Any, now: datetime) -> list[WorkItem]:
    what = _("Evidence to verify")
    return [
        _case_item(notice, what, now, since=notice.submitted_at)
        for notice in rectification_verify_list(user=user)
    ]


def _alert_work(user: Any, now: datetime) -> list[WorkItem]:
    return [
        _case_item(
            alert,
            _("Acknowledge: %(type)s") % {"type": alert.get_event_type_display()},
            now,
            since=alert.first_seen_at,
        )
        for alert in alert_waiting_list(user=user)
    ]


def _lead_work(user: Any, now: datetime) -> list[WorkItem]:
    items = []
    for lead in lead_mine_list(user=user):
        deadlines = getattr(lead, "open_deadlines", [])
        first = deadlines[0] if deadlines else None
        what = deadline_label(first) if first else str(lead.status_label)
        due_at = first.due_at if first else None
        items.append(_case_item(lead, what, now, due_at=due_at, since=lead.created_at))
    return items
