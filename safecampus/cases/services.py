"""Writes of the case kernel: create, move, assign, transfer, feedback, deadlines, calendar.

Each write locks the case row, checks the case type's workflow and the actor's
role, and appends a timeline event and an audit row in the same transaction.
Domain services call these; they never write ``status`` or the shared tables
themselves.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.calendar import CALENDAR_TZ, due_at, local_day
from safecampus.cases.choices import CaseEventKind, TransferStatus
from safecampus.cases.errors import CaseConflict, CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, CaseModel, Deadline, HolidayOverride, Transfer
from safecampus.cases.permissions import (
    ESCALATION_ROLES,
    HOLIDAY_EDITOR_ROLES,
    RECEIVING_ROLES,
)
from safecampus.cases.selectors import default_escalation_unit, unit_handlers
from safecampus.core.rules import rule
from safecampus.notifications.services import notify
from safecampus.organizations.models import Membership, Unit

logger = logging.getLogger(__name__)

C = TypeVar("C", bound=CaseModel)

#: Deadlines escalated per sweep; the rest wait for the next run (every five minutes).
SWEEP_BATCH = 500
TRANSFER_PURPOSE = "transfer:{pk}"


# --- helpers ---------------------------------------------------------------------------


def _person(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _can_see(actor: Any, case: CaseModel) -> bool:
    queryset = type(case)._default_manager.all()
    visible_to = getattr(queryset, "visible_to", None)
    if visible_to is None:  # a case type without a scope is closed to everyone
        return False
    return bool(visible_to(actor).filter(pk=case.pk).exists())


def _forbidden() -> CasePermissionDenied:
    return CasePermissionDenied(_("You are not allowed to do this on this case."), code="forbidden")


def _require_visible(actor: Any, case: CaseModel) -> None:
    if _person(actor) is None or not _can_see(actor, case):
        raise _forbidden()


def _require_role(actor: Any, case: CaseModel, roles: Iterable[str]) -> None:
    _require_visible(actor, case)
    if not actor.scope.has_role(*roles):
        raise _forbidden()


def _require_open(case: CaseModel, message: str) -> None:
    if case.is_closed:
        raise CaseError(message, code="closed")


def _lock(case: C) -> C:
    return type(case)._default_manager.select_for_update().get(pk=case.pk)


def _copy(target: Any, source: Any, fields: Iterable[str]) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


def _event(
    case: CaseModel,
    *,
    actor: Any,
    kind: str,
    from_status: str = "",
    to_status: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> CaseEvent:
    person = _person(actor)
    return CaseEvent.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        at=at or timezone.now(),
        actor=person,
        actor_label=str(person)[:150] if person is not None else "",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _audit(actor: Any, case: CaseModel, verb: str, changes: dict[str, Any]) -> None:
    audit_record(actor=actor, action=f"{case._meta.label_lower}.{verb}", obj=case, changes=changes)


def _case_url(case: CaseModel) -> str:
    get_url = getattr(case, "get_absolute_url", None)
    if get_url is None:
        return ""
    try:
        return str(get_url())
    except NoReverseMatch:
        return ""


def _tell(
    recipients: Iterable[Any],
    *,
    verb: str,
    case: CaseModel,
    message: Callable[[], tuple[str, str]],
) -> None:
    """Notify each person once, in the language they chose (the worker has no request)."""
    by_language: dict[str, list[Any]] = defaultdict(list)
    for user in recipients:
        language = getattr(user, "preferred_language", "") or settings.LANGUAGE_CODE
        by_language[language].append(user)
    for language, users in by_language.items():
        with translation.override(language):
            title, body = message()
            notify(
                recipients=users,
                verb=verb,
                title=title,
                body=body,
                url=_case_url(case),
                obj=case,
                unit_id=case.unit_id,
            )


# --- cases -----------------------------------------------------------------------------


def case_create(*, actor: Any, case: C, note: str = "") -> C:
    """Open a new case in its workflow's initial status, with a reference, a timeline event and
    an audit row. Who may open a case of a type is that type's domain service's rule (some are
    opened by anonymous reporters), so no role is checked here."""
    if case.pk is not None:
        raise CaseError(_("This case has already been created."), code="exists")
    workflow = type(case).workflow
    with transaction.atomic():
        case.status = workflow.initial
        case.save(force_insert=True)
        if not case.reference:
            year = local_day(case.created_at).year
            case.reference = f"{case.reference_prefix}-{year}-{case.pk:06d}"
            case.save(update_fields=["reference"])
        _event(case, actor=actor, kind=CaseEventKind.CREATED, to_status=case.status, note=note)
        _audit(
            actor,
            case,
            "created",
            {"reference": case.reference, "status": case.status, "unit": case.unit_id},
        )
    return case


def case_transition(
    *,
    actor: Any,
    case: C,
    to_status: str,
    note: str = "",
    expected_version: int | None = None,
) -> CaseEvent:
    """Move ``case`` to ``to_status`` along its workflow's table.

    Refused (``CaseError``, nothing written) when the actor cannot see the case,
    the move is not in the table, the actor holds none of the move's roles
    (``actor=None`` only for ``system`` moves), a required note is missing, or the
    case changed since ``expected_version``. The move meets the deadlines it
    names; reaching a terminal status closes the case and meets all its deadlines.
    """
    workflow = type(case).workflow
    note = note.strip()
    with transaction.atomic():
        locked = _lock(case)
        if actor is not None:
            _require_visible(actor, locked)
        step = workflow.get(locked.status, to_status)
        if step is None:
            raise CaseError(
                _("A case that is “%(current)s” cannot become “%(target)s”.")
                % {"current": workflow.label(locked.status), "target": workflow.label(to_status)},
                code="illegal_transition",
            )
        if (actor is None and not step.system) or (
            actor is not None and not actor.scope.has_role(*step.roles)
        ):
            raise _forbidden()
        if expected_version is not None and expected_version != locked.lock_version:
            raise CaseConflict(
                _("Someone else changed this case meanwhile. Reload it and try again."),
                code="stale",
            )
        if step.requires_note and not note:
            raise CaseError(
                _("Give a reason for moving this case to “%(target)s”.")
                % {"target": workflow.label(to_status)},
                code="note_required",
            )
        now = timezone.now()
        from_status, locked.status = locked.status, to_status
        locked.lock_version += 1
        terminal = workflow.is_terminal(to_status)
        if terminal:
            locked.closed_at = now
        locked.save(update_fields=["status", "lock_version", "closed_at", "updated_at"])
        met = _deadlines_meet(locked, None if terminal else step.meets, now)
        event = _event(
            locked,
            actor=actor,
            kind=CaseEventKind.TRANSITIONED,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data={"deadlines_met": met} if met else {},
            at=now,
        )
        _audit(actor, locked, "transitioned", {"status": [from_status, to_status], "note": note})
    _copy(case, locked, ("status", "lock_version", "closed_at", "updated_at"))
    return event


def case_assign(*, actor: Any, case: C, unit: Unit, user: Any = None, note: str = "") -> CaseEvent:
    """Give an open case to ``unit`` and optionally to ``user``, who must be an active member
    of that unit. Only the workflow's ``assign_roles`` may."""
    workflow = type(case).workflow
    with transaction.atomic():
        locked = _lock(case)
        _require_role(actor, locked, workflow.assign_roles)
        _require_open(locked, _("A closed case cannot be assigned."))
        if not unit.is_active:
            raise CaseError(_("That unit is no longer active."), code="inactive_unit")
        member = Membership.objects.active().filter(user=user, unit=unit)
        if user is not None and not member.exists():
            raise CaseError(_("This person is not a member of the chosen unit."), code="not_member")
        before = {"unit": locked.assignee_unit_id, "user": locked.assignee_id}
        locked.assignee_unit, locked.assignee = unit, user
        locked.lock_version += 1
        locked.save(update_fields=["assignee_unit", "assignee", "lock_version", "updated_at"])
        after = {"unit": unit.pk, "user": user.pk if user is not None else None}
        event = _event(
            locked,
            actor=actor,
            kind=CaseEventKind.ASSIGNED,
            note=note.strip(),
            data={"from": before, "to": after},
        )
        _audit(actor, locked, "assigned", {"from": before, "to": after})
    _copy(case, locked, ("assignee_unit", "assignee", "lock_version", "updated_at"))
    return event


def case_comment(*, actor: Any, case: CaseModel, note: str) -> CaseEvent:
    """Add a remark to the timeline; anyone who can see the case may, with a non-empty text."""
    note = note.strip()
    if not note:
        raise CaseError(_("Write a comment first."), code="note_required")
    _require_visible(actor, case)
    with transaction.atomic():
        event = _event(case, actor=actor, kind=CaseEventKind.COMMENT, note=note)
        _audit(actor, case, "commented", {"event": event.pk})
    return event


# --- transfers -------------------------------------------------------------------------


def case_transfer(
    *,
    actor: Any,
    case: C,
    to_unit: Unit,
    feedback_days: int | None = None,
    note: str = "",
    escalate_to: Unit | None = None,
) -> Transfer:
    """Hand an open case to another active unit, which owes feedback within ``feedback_days``
    working days (the district rule ``transfer_feedback_days`` when not given).

    The receiving unit becomes the assignee and its handlers are notified. Only
    the workflow's ``transfer_roles`` may transfer; never to the unit that holds
    the case, nor again to a unit that has not answered yet.
    """
    workflow = type(case).workflow
    days = rule("transfer_feedback_days") if feedback_days is None else feedback_days
    if days < 1:
        raise CaseError(_("The feedback time must be at least one day."), code="bad_days")
    with transaction.atomic():
        locked = _lock(case)
        _require_role(actor, locked, workflow.transfer_roles)
        _require_open(locked, _("A closed case cannot be transferred."))
        from_unit = locked.assignee_unit or locked.unit
        if to_unit.pk == from_unit.pk or not to_unit.is_active:
            raise CaseError(_("Choose another, active unit."), code="bad_unit")
        pending = Transfer.objects.for_case(locked).filter(status=TransferStatus.PENDING)
        if pending.filter(to_unit=to_unit).exists():
            raise CaseError(_("That unit has not answered the last transfer yet."), code="pending")
        now = timezone.now()
        transfer = Transfer.objects.create(
            content_type=ContentType.objects.get_for_model(locked),
            object_id=locked.pk,
            from_unit=from_unit,
            to_unit=to_unit,
            at=now,
            by=_person(actor),
            note=note.strip(),
        )
        deadline, _replaced = _deadline_open(
            locked,
            actor=actor,
            purpose=TRANSFER_PURPOSE.format(pk=transfer.pk),
            days=days,
            working_days=True,
            start=now,
            escalate_to=escalate_to,
        )
        transfer.feedback_deadline = deadline
        transfer.save(update_fields=["feedback_deadline"])
        locked.assignee_unit, locked.assignee = to_unit, None
        locked.lock_version += 1
        locked.save(update_fields=["assignee_unit", "assignee", "lock_version", "updated_at"])
        data = {
            "transfer": transfer.pk,
            "from_unit": from_unit.pk,
            "to_unit": to_unit.pk,
            "feedback_days": days,
            "feedback_due": _iso(deadline.due_at),
        }
        _event(locked, actor=actor, kind=CaseEventKind.TRANSFERRED, note=transfer.note, data=data)
        _audit(actor, locked, "transferred", data)
        _tell(
            unit_handlers(to_unit, RECEIVING_ROLES),
            verb=f"{locked._meta.label_lower}.transferred",
            case=locked,
            message=lambda: (
                _("Case transferred to you: %(case)s") % {"case": locked},
                _("Feedback is due by %(due)s.") % {"due": _local(deadline.due_at)},
            ),
        )
    _copy(case, locked, ("assignee_unit", "assignee", "lock_version", "updated_at"))
    return transfer


def transfer_feedback(*, actor: Any, transfer: Transfer, note: str) -> Transfer:
    """Record the receiving unit's feedback on a transfer, once, with a text; this meets the
    feedback deadline. The receiving unit's handlers may answer, and so may the workflow's
    ``transfer_roles`` (recording an answer given on paper or by phone)."""
    note = note.strip()
    if not note:
        raise CaseError(_("Write the feedback first."), code="note_required")
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().select_related("to_unit").get(pk=transfer.pk)
        case = locked.case
        receiving = RECEIVING_ROLES.get(locked.to_unit.kind, frozenset())
        person = _person(actor)
        if person is None or not person.scope.has_role(*receiving, unit_id=locked.to_unit_id):
            _require_role(actor, case, type(case).workflow.transfer_roles)
        if locked.status != TransferStatus.PENDING:
            raise CaseError(_("Feedback on this transfer was already recorded."), code="answered")
        now = timezone.now()
        locked.status = TransferStatus.ANSWERED
        locked.feedback_at, locked.feedback_by, locked.feedback_note = now, person, note
        locked.save(update_fields=["status", "feedback_at", "feedback_by", "feedback_note"])
        if locked.feedback_deadline_id is not None:
            Deadline.objects.open().filter(pk=locked.feedback_deadline_id).update(met_at=now)
        data = {"transfer": locked.pk, "to_unit": locked.to_unit_id}
        _event(case, actor=actor, kind=CaseEventKind.FEEDBACK, note=note, data=data, at=now)
        _audit(actor, case, "transfer_answered", data)
    _copy(transfer, locked, ("status", "feedback_at", "feedback_by", "feedback_note"))
    return locked


# --- deadlines -------------------------------------------------------------------------


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, CALENDAR_TZ):%Y-%m-%d %H:%M}"


def _iso(moment: datetime) -> str:
    return timezone.localtime(moment, CALENDAR_TZ).isoformat()


def _deadlines_meet(case: CaseModel, purposes: Iterable[str] | None, now: datetime) -> list[int]:
    """Mark open deadlines met: those of ``purposes``, or all of them when ``None``."""
    open_deadlines = Deadline.objects.for_case(case).open()
    if purposes is not None:
        open_deadlines = open_deadlines.filter(purpose__in=list(purposes))
    ids = list(open_deadlines.values_list("pk", flat=True))
    if ids:
        Deadline.objects.filter(pk__in=ids).update(met_at=now)
    return ids


def _deadline_open(
    case: CaseModel,
    *,
    actor: Any,
    purpose: str,
    days: int,
    working_days: bool,
    start: datetime,
    escalate_to: Unit | None,
    label: str = "",
) -> tuple[Deadline, int | None]:
    previous = Deadline.objects.for_case(case).open().filter(purpose=purpose).first()
    if previous is not None:
        Deadline.objects.filter(pk=previous.pk).update(cancelled_at=timezone.now())
    deadline = Deadline.objects.create(
        content_type=ContentType.objects.get_for_model(case),
        object_id=case.pk,
        purpose=purpose,
        label=label,
        started_at=start,
        days=days,
        working_days=working_days,
        due_at=due_at(start, days, working_days=working_days),
        escalate_to=escalate_to or default_escalation_unit(),
        set_by=_person(actor),
    )
    return deadline, previous.pk if previous is not None else None


def deadline_set(
    *,
    actor: Any,
    case: CaseModel,
    purpose: str,
    days: int,
    working_days: bool = True,
    escalate_to: Unit | None = None,
    label: str = "",
    start: datetime | None = None,
) -> Deadline:
    """Set the time limit for ``purpose`` on an open case: the end of the ``days``-th working
    (or calendar) day after ``start`` (now), China time. A new limit replaces (cancels) the
    open one for the same purpose, so an extension is escalated afresh. When overdue it is
    escalated to ``escalate_to`` (the bureau's safety section by default).

    Domain services call this and decide who may set which limit. ``label`` is an
    English msgid (mark it with ``gettext_noop``); it is shown translated.
    """
    if days < 0:
        raise CaseError(_("The number of days cannot be negative."), code="bad_days")
    with transaction.atomic():
        locked = _lock(case)
        _require_open(locked, _("A closed case takes no new deadline."))
        start = start or timezone.now()
        deadline, replaced = _deadline_open(
            locked,
            actor=actor,
            purpose=purpose,
            days=days,
            working_days=working_days,
            start=start,
            escalate_to=escalate_to,
            label=label,
        )
        data = {
            "deadline": deadline.pk,
            "purpose": purpose,
            "days": days,
            "working_days": working_days,
            "due_at": _iso(deadline.due_at),
            "replaced": replaced,
        }
        _event(locked, actor=actor, kind=CaseEventKind.DEADLINE_SET, data=data)
        _audit(actor, locked, "deadline_set", data)
    return deadline


def deadline_meet(*, actor: Any, case: CaseModel, purpose: str) -> Deadline | None:
    """Mark the open deadline for ``purpose`` met (for work done outside a workflow move)."""
    with transaction.atomic():
        locked = _lock(case)
        deadline = Deadline.objects.for_case(locked).open().filter(purpose=purpose).first()
        if deadline is None:
            return None
        deadline.met_at = timezone.now()
        deadline.save(update_fields=["met_at"])
        _audit(actor, locked, "deadline_met", {"deadline": deadline.pk, "purpose": purpose})
    return deadline


def _claim(pk: int, now: datetime) -> bool:
    # The conditional UPDATE is the lock: of two workers, only one sees a row change.
    claimed = (
        Deadline.objects.open().filter(pk=pk, escalated_at__isnull=True).update(escalated_at=now)
    )
    return claimed == 1


def _escalate(deadline: Deadline, now: datetime) -> None:
    case = deadline.case
    if case is None:
        return
    target = deadline.escalate_to or default_escalation_unit()
    recipients = unit_handlers(target, ESCALATION_ROLES) if target is not None else []
    if not recipients:
        logger.warning(
            "Deadline %s escalated, but nobody holds a role in unit %s.",
            deadline.pk,
            getattr(target, "pk", None),
        )
    data = {
        "deadline": deadline.pk,
        "purpose": deadline.purpose,
        "due_at": _iso(deadline.due_at),
        "escalate_to": target.pk if target is not None else None,
        "recipients": [user.pk for user in recipients],
    }
    _event(case, actor=None, kind=CaseEventKind.ESCALATED, data=data, at=now)
    _audit(None, case, "deadline_escalated", data)
    _tell(
        recipients,
        verb="cases.deadline.escalated",
        case=case,
        message=lambda: (
            _("Overdue: %(case)s") % {"case": case},
            _("The time limit “%(deadline)s” ended on %(due)s and has not been met.")
            % {"deadline": deadline_label(deadline), "due": _local(deadline.due_at)},
        ),
    )


def deadline_label(deadline: Deadline) -> str:
    """The translated name of a deadline."""
    if deadline.label:
        return _(deadline.label)
    if deadline.purpose.startswith(TRANSFER_PURPOSE.format(pk="")):
        return _("Feedback on a transfer")
    return deadline.purpose


def deadline_sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Escalate each open deadline past its due time exactly once, and say how many.

    Each deadline is claimed by a conditional update, so two workers (or a retried
    task) never escalate the same one twice. Claim, timeline event, audit row and
    notifications commit together: if one fails, the deadline is tried again next run.
    """
    now = now or timezone.now()
    due = Deadline.objects.due_for_escalation(now).order_by("due_at")
    escalated = 0
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                if not _claim(pk, now):
                    continue
                _escalate(Deadline.objects.select_related("escalate_to").get(pk=pk), now)
        except Exception:
            logger.exception("Escalating deadline %s failed; it is retried on the next sweep.", pk)
            continue
        escalated += 1
    return escalated


# --- working-day calendar --------------------------------------------------------------


def _require_holiday_editor(actor: Any) -> None:
    person = _person(actor)
    if person is None or not person.scope.has_role(*HOLIDAY_EDITOR_ROLES):
        raise CasePermissionDenied(_("You are not allowed to edit the calendar."), code="forbidden")


def holiday_override_set(
    *, actor: Any, day: date, is_workday: bool, name: str, source: str = ""
) -> HolidayOverride:
    """Declare ``day`` a working day or a day off, overriding the official calendar. Only
    system administrators and the bureau safety officer may. Deadlines already set keep
    their due time."""
    _require_holiday_editor(actor)
    with transaction.atomic():
        row = HolidayOverride.objects.select_for_update().filter(day=day).first()
        before = None if row is None else {"is_workday": row.is_workday, "name": row.name}
        row = row or HolidayOverride(day=day)
        row.is_workday, row.name, row.source = is_workday, name.strip(), source.strip()
        row.updated_by = actor
        row.save()
        changes = {"day": day.isoformat(), "is_workday": is_workday, "name": row.name}
        verb = "created" if before is None else "updated"
        audit_record(
            actor=actor,
            action=f"cases.holidayoverride.{verb}",
            obj=row,
            changes=changes | {"before": before},
        )
    return row


def holiday_override_delete(*, actor: Any, day: date) -> None:
    """Remove the override for ``day`` so the official calendar applies again (same editors)."""
    _require_holiday_editor(actor)
    with transaction.atomic():
        row = HolidayOverride.objects.select_for_update().filter(day=day).first()
        if row is None:
            raise CaseError(_("There is no calendar entry for that date."), code="not_found")
        changes = {"day": day.isoformat(), "is_workday": row.is_workday, "name": row.name}
        audit_record(actor=actor, action="cases.holidayoverride.deleted", obj=row, changes=changes)
        row.delete()
