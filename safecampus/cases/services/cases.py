"""Open, move, assign and comment on a case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record_many
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.errors import CaseConflict, CaseError
from safecampus.cases.models import CaseEvent, CaseModel
from safecampus.cases.services._base import (
    C,
    acting_person,
    audit_case,
    copy_fields,
    forbidden,
    lock,
    require_open,
    require_role,
    require_visible,
    timeline_add,
)
from safecampus.cases.services.deadlines import deadlines_meet
from safecampus.core.localtime import local_day
from safecampus.organizations.models import Membership, Unit


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
        timeline_add(
            case, actor=actor, kind=CaseEventKind.CREATED, to_status=case.status, note=note
        )
        audit_case(
            actor,
            case,
            "created",
            {"reference": case.reference, "status": case.status, "unit": case.unit_id},
        )
    return case


def case_create_many(*, actor: Any, cases: list[C]) -> list[C]:
    """``case_create`` for many new cases of one type at once (a batch of device events
    raising alerts): one insert, one update for the references, one insert each for the
    timeline events and the audit rows. The caller holds the transaction."""
    if not cases:
        return cases
    if any(case.pk is not None for case in cases):
        raise CaseError(_("This case has already been created."), code="exists")
    model = type(cases[0])
    workflow = model.workflow
    now = timezone.now()
    with transaction.atomic():
        for case in cases:
            case.status = workflow.initial
        model._default_manager.bulk_create(cases)
        year = local_day(now).year
        for case in cases:
            case.reference = case.reference or f"{case.reference_prefix}-{year}-{case.pk:06d}"
        model._default_manager.bulk_update(cases, ["reference"])
        person = acting_person(actor)
        content_type = ContentType.objects.get_for_model(model)
        CaseEvent.objects.bulk_create(
            CaseEvent(
                content_type=content_type,
                object_id=case.pk,
                at=now,
                actor=person,
                actor_label=str(person)[:150] if person is not None else "",
                kind=CaseEventKind.CREATED,
                to_status=case.status,
            )
            for case in cases
        )
        audit_record_many(
            actor=actor,
            action=f"{model._meta.label_lower}.created",
            entries=[
                (case, {"reference": case.reference, "status": case.status, "unit": case.unit_id})
                for case in cases
            ],
        )
    return cases


def case_transition(
    *,
    actor: Any,
    case: C,
    to_status: str,
    note: str = "",
    expected_version: int | None = None,
    fields: Mapping[str, Any] | None = None,
    verb: str = "transitioned",
    changes: Mapping[str, Any] | None = None,
) -> CaseEvent:
    """Move ``case`` to ``to_status`` along its workflow's table.

    Refused (``CaseError``, nothing written) when the actor cannot see the case,
    the move is not in the table, the actor holds none of the move's roles
    (``actor=None`` only for ``system`` moves), a required note is missing, or the
    case changed since ``expected_version``. The move meets the deadlines it
    names; reaching a terminal status closes the case and meets all its deadlines.

    ``fields`` are the case type's own columns the move sets in the same save (who
    acknowledged an alert, its outcome); ``verb`` names the audit action
    (``<app>.<model>.<verb>``) and ``changes`` adds to the audit row's changes.
    """
    workflow = type(case).workflow
    note = note.strip()
    with transaction.atomic():
        locked = lock(case)
        if actor is not None:
            require_visible(actor, locked)
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
            raise forbidden()
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
        extra = dict(fields or {})
        for name, value in extra.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "lock_version", "closed_at", "updated_at", *extra])
        met = deadlines_meet(locked, None if terminal else step.meets, now)
        event = timeline_add(
            locked,
            actor=actor,
            kind=CaseEventKind.TRANSITIONED,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data={"deadlines_met": met} if met else {},
            at=now,
        )
        audit_case(
            actor,
            locked,
            verb,
            {"status": [from_status, to_status], "note": note, **(changes or {})},
        )
    copy_fields(case, locked, ("status", "lock_version", "closed_at", "updated_at", *extra))
    return event


def case_assign(*, actor: Any, case: C, unit: Unit, user: Any = None, note: str = "") -> CaseEvent:
    """Give an open case to ``unit`` and optionally to ``user``, who must be an active member
    of that unit. Only the workflow's ``assign_roles`` may."""
    workflow = type(case).workflow
    with transaction.atomic():
        locked = lock(case)
        require_role(actor, locked, workflow.assign_roles)
        require_open(locked, _("A closed case cannot be assigned."))
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
        event = timeline_add(
            locked,
            actor=actor,
            kind=CaseEventKind.ASSIGNED,
            note=note.strip(),
            data={"from": before, "to": after},
        )
        audit_case(actor, locked, "assigned", {"from": before, "to": after})
    copy_fields(case, locked, ("assignee_unit", "assignee", "lock_version", "updated_at"))
    return event


def case_comment(*, actor: Any, case: CaseModel, note: str) -> CaseEvent:
    """Add a remark to the timeline; anyone who can see the case may, with a non-empty text."""
    note = note.strip()
    if not note:
        raise CaseError(_("Write a comment first."), code="note_required")
    require_visible(actor, case)
    with transaction.atomic():
        event = timeline_add(case, actor=actor, kind=CaseEventKind.COMMENT, note=note)
        audit_case(actor, case, "commented", {"event": event.pk})
    return event
