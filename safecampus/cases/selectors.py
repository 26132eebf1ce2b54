"""Reads of the case kernel; every one goes through the case type's ``visible_to(user)``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from safecampus.cases.choices import TransferStatus
from safecampus.cases.models import CaseEvent, CaseModel, Deadline, HolidayOverride, Transfer
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Membership, Unit


def case_models() -> list[type[CaseModel]]:
    """Every installed case type."""
    return [model for model in apps.get_models() if issubclass(model, CaseModel)]


def case_is_visible(*, user: Any, case: CaseModel) -> bool:
    """Whether ``user`` may see ``case``; a case type without ``visible_to`` is closed."""
    visible_to = getattr(type(case)._default_manager.all(), "visible_to", None)
    if visible_to is None:
        return False
    return bool(visible_to(user).filter(pk=case.pk).exists())


def case_timeline(*, user: Any, case: CaseModel) -> list[CaseEvent]:
    """The case's events, oldest first, with translated status labels (empty when not visible)."""
    if not case_is_visible(user=user, case=case):
        return []
    workflow = type(case).workflow
    events = list(CaseEvent.objects.for_case(case).select_related("actor"))
    for event in events:
        event.from_label = workflow.label(event.from_status)  # type: ignore[attr-defined]
        event.to_label = workflow.label(event.to_status)  # type: ignore[attr-defined]
    return events


@dataclass(frozen=True)
class Move:
    status: str
    label: str
    requires_note: bool


def case_transition_list(*, user: Any, case: CaseModel) -> list[Move]:
    """The moves ``user`` may make from the case's current status (for its buttons)."""
    if not case_is_visible(user=user, case=case):
        return []
    workflow = type(case).workflow
    return [
        Move(status, str(step.label) or workflow.label(status), step.requires_note)
        for status, step in workflow.targets(case.status).items()
        if user.scope.has_role(*step.roles)
    ]


def deadline_list(*, user: Any, case: CaseModel) -> QuerySet[Deadline]:
    """The case's deadlines, the soonest first (none when the case is not visible)."""
    if not case_is_visible(user=user, case=case):
        return Deadline.objects.none()
    return Deadline.objects.for_case(case).select_related("escalate_to")


def transfer_list(*, user: Any, case: CaseModel) -> QuerySet[Transfer]:
    """The case's transfers, oldest first (none when the case is not visible)."""
    if not case_is_visible(user=user, case=case):
        return Transfer.objects.none()
    related = ("from_unit", "to_unit", "feedback_deadline", "by", "feedback_by")
    return Transfer.objects.for_case(case).select_related(*related)


def _visible_cases(user: Any, model: type[CaseModel] | None) -> Q:
    """The deadlines whose case ``user`` can see (each case model's ``visible_to``)."""
    visible = Q(pk__in=[])
    for case_model in [model] if model is not None else case_models():
        queryset = case_model._default_manager.all()
        if not hasattr(queryset, "visible_to"):
            continue
        content_type = ContentType.objects.get_for_model(case_model)
        visible |= Q(
            content_type=content_type, object_id__in=queryset.visible_to(user).values("pk")
        )
    return visible


def deadline_overdue_list(
    *, user: Any, now: datetime | None = None, model: type[CaseModel] | None = None
) -> QuerySet[Deadline]:
    """Open deadlines past due on the cases ``user`` can see, the oldest first, with their case."""
    now = now or timezone.now()
    return (
        Deadline.objects.overdue(now)
        .filter(_visible_cases(user, model))
        .select_related("escalate_to", "content_type")
        .prefetch_related("case")
    )


def deadline_open_list(*, user: Any, limit: int = 20) -> list[Deadline]:
    """The open deadlines on the cases ``user`` can see, soonest due first, one per case (a
    rectification notice carries the school's and the bureau's: its nearest is shown): the
    work waiting for a school, a guard room or a partner agency."""
    deadlines = (
        Deadline.objects.open()
        .filter(_visible_cases(user, None))
        .select_related("content_type")
        .prefetch_related("case")
        .order_by("due_at", "pk")
    )
    seen: set[tuple[int, int]] = set()
    found: list[Deadline] = []
    for deadline in deadlines[: limit * 3]:
        key = (deadline.content_type_id, deadline.object_id)
        if key in seen or deadline.case is None:
            continue
        seen.add(key)
        found.append(deadline)
        if len(found) == limit:
            break
    return found


def transfer_inbox_list(*, user: Any, limit: int = 20) -> list[Transfer]:
    """The transfers waiting on the partner agencies where ``user`` is the liaison: not yet
    accepted (受理), or accepted with the feedback (反馈) still owed; the soonest feedback
    deadline first. Another agency's transfers are never listed; a vanished case is skipped."""
    units: frozenset[int] = getattr(getattr(user, "scope", None), "agency_unit_ids", frozenset())
    if not units:
        return []
    transfers = (
        Transfer.objects.filter(to_unit_id__in=units, status=TransferStatus.PENDING)
        .select_related("feedback_deadline", "to_unit")
        .prefetch_related("case")
        .order_by(F("feedback_deadline__due_at").asc(nulls_last=True), "at", "pk")
    )
    return [transfer for transfer in transfers[:limit] if transfer.case is not None]


def holiday_override_list(*, user: Any, year: int) -> QuerySet[HolidayOverride]:
    """The calendar overrides of ``year``: no secret, but shown to signed-in users only."""
    if not getattr(user, "is_authenticated", False):
        return HolidayOverride.objects.none()
    return HolidayOverride.objects.filter(day__year=year).select_related("updated_by")


def default_escalation_unit() -> Unit | None:
    """The next level above every school and agency: the bureau's safety section."""
    section = Unit.objects.filter(is_safety_section=True, is_active=True).first()
    return section or Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).first()


def unit_handlers(unit: Unit, roles_by_kind: dict[str, frozenset[str]]) -> list[Any]:
    """Active people holding the roles that answer for ``unit`` (the bureau: its safety section)."""
    unit_ids = [unit.pk]
    if unit.kind == UnitKind.BUREAU:
        unit_ids += list(Unit.objects.filter(is_safety_section=True).values_list("pk", flat=True))
    memberships = Membership.objects.active().filter(
        unit_id__in=unit_ids, role__in=roles_by_kind.get(unit.kind, frozenset())
    )
    user_model = get_user_model()
    return list(user_model.objects.filter(pk__in=memberships.values("user_id")).order_by("pk"))
