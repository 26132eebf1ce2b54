"""Transfers (移交) and their feedback (反馈)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.cases.choices import CaseEventKind, TransferStatus
from safecampus.cases.errors import CaseError
from safecampus.cases.models import CaseEvent, CaseModel, Deadline, Transfer
from safecampus.cases.permissions import (
    RECEIVING_ROLES,
)
from safecampus.cases.selectors import unit_handlers
from safecampus.cases.services._base import (
    TRANSFER_PURPOSE,
    C,
    acting_person,
    audit_case,
    copy_fields,
    iso_china,
    local_text,
    lock,
    require_open,
    require_role,
    tell,
    timeline_add,
)
from safecampus.cases.services.deadlines import deadline_open
from safecampus.core.rules import rule
from safecampus.organizations.models import Unit


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
        locked = lock(case)
        require_role(actor, locked, workflow.transfer_roles)
        require_open(locked, _("A closed case cannot be transferred."))
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
            by=acting_person(actor),
            note=note.strip(),
        )
        deadline, _replaced = deadline_open(
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
            "feedback_due": iso_china(deadline.due_at),
        }
        timeline_add(
            locked, actor=actor, kind=CaseEventKind.TRANSFERRED, note=transfer.note, data=data
        )
        audit_case(actor, locked, "transferred", data)
        tell(
            unit_handlers(to_unit, RECEIVING_ROLES),
            verb=f"{locked._meta.label_lower}.transferred",
            case=locked,
            message=lambda: (
                _("Case transferred to you: %(case)s") % {"case": locked},
                _("Feedback is due by %(due)s.") % {"due": local_text(deadline.due_at)},
            ),
        )
    copy_fields(case, locked, ("assignee_unit", "assignee", "lock_version", "updated_at"))
    return transfer


def transfer_feedback(
    *, actor: Any, transfer: Transfer, note: str, data: dict[str, Any] | None = None
) -> Transfer:
    """Record the receiving unit's feedback on a transfer, once, with a text; this meets the
    feedback deadline. The receiving unit's handlers may answer, and so may the workflow's
    ``transfer_roles`` (recording an answer given on paper or by phone). ``data`` (e.g. the
    result the unit found) is kept on the timeline event and in the audit row."""
    note = note.strip()
    if not note:
        raise CaseError(_("Write the feedback first."), code="note_required")
    with transaction.atomic():
        locked = Transfer.objects.select_for_update().select_related("to_unit").get(pk=transfer.pk)
        case = locked.case
        person = _require_receiver(actor, locked, case)
        if locked.status != TransferStatus.PENDING:
            raise CaseError(_("Feedback on this transfer was already recorded."), code="answered")
        now = timezone.now()
        locked.status = TransferStatus.ANSWERED
        locked.feedback_at, locked.feedback_by, locked.feedback_note = now, person, note
        locked.save(update_fields=["status", "feedback_at", "feedback_by", "feedback_note"])
        if locked.feedback_deadline_id is not None:
            Deadline.objects.open().filter(pk=locked.feedback_deadline_id).update(met_at=now)
        data = (data or {}) | {"transfer": locked.pk, "to_unit": locked.to_unit_id}
        timeline_add(case, actor=actor, kind=CaseEventKind.FEEDBACK, note=note, data=data, at=now)
        audit_case(actor, case, "transfer_answered", data)
    copy_fields(transfer, locked, ("status", "feedback_at", "feedback_by", "feedback_note"))
    return locked


def _require_receiver(actor: Any, transfer: Transfer, case: CaseModel) -> Any:
    """The receiving unit's handlers act on a transfer; so may the workflow's
    ``transfer_roles`` (recording what the unit said on paper or by phone)."""
    receiving = RECEIVING_ROLES.get(transfer.to_unit.kind, frozenset())
    person = acting_person(actor)
    if person is None or not person.scope.has_role(*receiving, unit_id=transfer.to_unit_id):
        require_role(actor, case, type(case).workflow.transfer_roles)
    return person


def _case_of(transfer: Transfer) -> CaseModel:
    case = transfer.case
    if not isinstance(case, CaseModel):
        raise CaseError(_("The case of this transfer no longer exists."), code="gone")
    return case


def _locked_pending(transfer: Transfer) -> Transfer:
    locked = Transfer.objects.select_for_update().select_related("to_unit").get(pk=transfer.pk)
    if locked.status != TransferStatus.PENDING:
        raise CaseError(_("This transfer has already been answered."), code="answered")
    return locked


def _tell_sender(transfer: Transfer, case: CaseModel, verb: str, title: Callable[[], str]) -> None:
    if transfer.by is not None and transfer.by.is_active:
        tell(
            [transfer.by],
            verb=f"{case._meta.label_lower}.{verb}",
            case=case,
            message=lambda: (title(), str(case)),
        )


def transfer_accept(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    """The receiving unit confirms it has taken the case on (受理). Feedback stays due."""
    with transaction.atomic():
        locked = _locked_pending(transfer)
        case = _case_of(locked)
        person = _require_receiver(actor, locked, case)
        if locked.accepted_at is not None:
            raise CaseError(_("This transfer was already accepted."), code="accepted")
        now = timezone.now()
        locked.accepted_at, locked.accepted_by = now, person
        locked.save(update_fields=["accepted_at", "accepted_by"])
        data = {"transfer": locked.pk, "to_unit": locked.to_unit_id}
        timeline_add(
            case, actor=actor, kind=CaseEventKind.TRANSFER_ACCEPTED, note=note.strip(), data=data
        )
        audit_case(actor, case, "transfer_accepted", data)
        _tell_sender(
            locked,
            case,
            "transfer_accepted",
            lambda: _("%(unit)s accepted the case.") % {"unit": locked.to_unit},
        )
    copy_fields(transfer, locked, ("accepted_at", "accepted_by"))
    return locked


def transfer_return(*, actor: Any, transfer: Transfer, reason: str) -> Transfer:
    """The receiving unit sends the case back (退回) with a reason: not its competence,
    not enough to act on. This answers the transfer and the case returns to the sender."""
    reason = reason.strip()
    if not reason:
        raise CaseError(_("Give a reason for returning this case."), code="note_required")
    with transaction.atomic():
        locked = _locked_pending(transfer)
        case = lock(_case_of(locked))
        person = _require_receiver(actor, locked, case)
        now = timezone.now()
        locked.status = TransferStatus.RETURNED
        locked.feedback_at, locked.feedback_by, locked.feedback_note = now, person, reason
        locked.save(update_fields=["status", "feedback_at", "feedback_by", "feedback_note"])
        if locked.feedback_deadline_id is not None:
            Deadline.objects.open().filter(pk=locked.feedback_deadline_id).update(met_at=now)
        if case.assignee_unit_id == locked.to_unit_id:
            case.assignee_unit, case.assignee = locked.from_unit, None
            case.lock_version += 1
            case.save(update_fields=["assignee_unit", "assignee", "lock_version", "updated_at"])
        data = {"transfer": locked.pk, "to_unit": locked.to_unit_id}
        timeline_add(
            case, actor=actor, kind=CaseEventKind.TRANSFER_RETURNED, note=reason, data=data
        )
        audit_case(actor, case, "transfer_returned", data | {"reason": reason})
        _tell_sender(
            locked,
            case,
            "transfer_returned",
            lambda: _("%(unit)s returned the case.") % {"unit": locked.to_unit},
        )
    copy_fields(transfer, locked, ("status", "feedback_at", "feedback_by", "feedback_note"))
    return locked


def transfer_progress(*, actor: Any, transfer: Transfer, note: str) -> CaseEvent:
    """The receiving unit reports how the work stands (进展) before its final feedback."""
    note = note.strip()
    if not note:
        raise CaseError(_("Write the progress first."), code="note_required")
    with transaction.atomic():
        locked = _locked_pending(transfer)
        case = _case_of(locked)
        _require_receiver(actor, locked, case)
        data = {"transfer": locked.pk, "to_unit": locked.to_unit_id}
        event = timeline_add(case, actor=actor, kind=CaseEventKind.PROGRESS, note=note, data=data)
        audit_case(actor, case, "transfer_progress", data)
    return event
