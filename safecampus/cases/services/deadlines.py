"""Time limits: set, meet, escalate."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from safecampus.cases.calendar import due_at
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.errors import CaseError
from safecampus.cases.models import CaseModel, Deadline
from safecampus.cases.permissions import (
    ESCALATION_ROLES,
)
from safecampus.cases.selectors import default_escalation_unit, unit_handlers
from safecampus.cases.services._base import (
    SWEEP_BATCH,
    TRANSFER_PURPOSE,
    acting_person,
    audit_case,
    iso_china,
    local_text,
    lock,
    logger,
    require_open,
    tell,
    timeline_add,
)
from safecampus.core.claims import claim, sweep
from safecampus.organizations.models import Unit


def deadlines_meet(case: CaseModel, purposes: Iterable[str] | None, now: datetime) -> list[int]:
    """Mark open deadlines met: those of ``purposes``, or all of them when ``None``.

    A step of a kernel write: the caller holds the case's lock and writes the event."""
    open_deadlines = Deadline.objects.for_case(case).open()
    if purposes is not None:
        open_deadlines = open_deadlines.filter(purpose__in=list(purposes))
    ids = list(open_deadlines.values_list("pk", flat=True))
    if ids:
        Deadline.objects.filter(pk__in=ids).update(met_at=now)
    return ids


def deadline_open(
    case: CaseModel,
    *,
    actor: Any,
    purpose: str,
    days: int,
    working_days: bool,
    start: datetime,
    escalate_to: Unit | None,
    label: str = "",
    due: datetime | None = None,
) -> tuple[Deadline, int | None]:
    """Open a deadline for ``purpose``, cancelling the open one it replaces (whose id is
    returned). A step of a kernel write: the caller holds the case's lock and writes the event."""
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
        due_at=due or due_at(start, days, working_days=working_days),
        escalate_to=escalate_to or default_escalation_unit(),
        set_by=acting_person(actor),
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
    due: datetime | None = None,
) -> Deadline:
    """Set the time limit for ``purpose`` on an open case: the end of the ``days``-th working
    (or calendar) day after ``start`` (now), China time. A new limit replaces (cancels) the
    open one for the same purpose, so an extension is escalated afresh. When overdue it is
    escalated to ``escalate_to`` (the bureau's safety section by default).

    Domain services call this and decide who may set which limit. ``label`` is an
    English msgid (mark it with ``gettext_noop``); it is shown translated. ``due`` gives
    the exact due time instead (a limit in seconds, e.g. an alert's acknowledgement).
    """
    if days < 0:
        raise CaseError(_("The number of days cannot be negative."), code="bad_days")
    with transaction.atomic():
        locked = lock(case)
        require_open(locked, _("A closed case takes no new deadline."))
        start = start or timezone.now()
        deadline, replaced = deadline_open(
            locked,
            actor=actor,
            purpose=purpose,
            days=days,
            working_days=working_days,
            start=start,
            escalate_to=escalate_to,
            label=label,
            due=due,
        )
        data = {
            "deadline": deadline.pk,
            "purpose": purpose,
            "days": days,
            "working_days": working_days,
            "due_at": iso_china(deadline.due_at),
            "replaced": replaced,
        }
        timeline_add(locked, actor=actor, kind=CaseEventKind.DEADLINE_SET, data=data)
        audit_case(actor, locked, "deadline_set", data)
    return deadline


def deadline_meet(*, actor: Any, case: CaseModel, purpose: str) -> Deadline | None:
    """Mark the open deadline for ``purpose`` met (for work done outside a workflow move)."""
    with transaction.atomic():
        locked = lock(case)
        deadline = Deadline.objects.for_case(locked).open().filter(purpose=purpose).first()
        if deadline is None:
            return None
        deadline.met_at = timezone.now()
        deadline.save(update_fields=["met_at"])
        audit_case(actor, locked, "deadline_met", {"deadline": deadline.pk, "purpose": purpose})
    return deadline


def _escalate(deadline: Deadline, now: datetime) -> None:
    case = deadline.case
    if case is None:
        return
    target = deadline.escalate_to or default_escalation_unit()
    handler = type(case).workflow.escalations.get(deadline.purpose)
    if handler is not None:
        # The case type tells its own people (e.g. an alert's guard room and the bureau).
        recipients = list(import_string(handler)(deadline=deadline, case=case, now=now))
    else:
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
        "due_at": iso_china(deadline.due_at),
        "escalate_to": target.pk if target is not None else None,
        "recipients": [user.pk for user in recipients],
    }
    timeline_add(case, actor=None, kind=CaseEventKind.ESCALATED, data=data, at=now)
    audit_case(None, case, "deadline_escalated", data)
    if handler is not None:
        return
    tell(
        recipients,
        verb="cases.deadline.escalated",
        case=case,
        message=lambda: (
            _("Overdue: %(case)s") % {"case": case},
            _("The time limit “%(deadline)s” ended on %(due)s and has not been met.")
            % {"deadline": deadline_label(deadline), "due": local_text(deadline.due_at)},
        ),
    )


def deadline_label(deadline: Deadline) -> str:
    """The translated name of a deadline."""
    if deadline.label:
        return _(deadline.label)
    if deadline.purpose.startswith(TRANSFER_PURPOSE.format(pk="")):
        return _("Feedback on a transfer")
    return deadline.purpose


def deadline_sweep(
    *,
    now: datetime | None = None,
    limit: int = SWEEP_BATCH,
    purposes: Iterable[str] | None = None,
) -> int:
    """Escalate each open deadline past its due time exactly once, and say how many.

    Each deadline is claimed by a conditional update, so two workers (or a retried
    task) never escalate the same one twice. Claim, timeline event, audit row and
    notifications commit together: if one fails, the deadline is tried again next run.
    ``purposes`` limits the sweep to those purposes (a limit in seconds is swept by a
    task of its own, far more often than every five minutes).
    """
    now = now or timezone.now()
    due = Deadline.objects.due_for_escalation(now).order_by("due_at")
    if purposes is not None:
        due = due.filter(purpose__in=list(purposes))
    return sweep(
        list(due.values_list("pk", flat=True)[:limit]),
        claim_row=lambda pk: deadline_claim(pk=pk, now=now),
        escalate=lambda pk: _escalate(
            Deadline.objects.select_related("escalate_to").get(pk=pk), now
        ),
        what="deadline",
    )


def deadline_claim(*, pk: int, now: datetime) -> bool:
    """Mark deadline ``pk`` escalated at ``now`` if it is open and not yet escalated: true for
    exactly one of any number of concurrent sweeps (``core.claims``)."""
    return claim(Deadline.objects.open().filter(pk=pk, escalated_at__isnull=True), escalated_at=now)
