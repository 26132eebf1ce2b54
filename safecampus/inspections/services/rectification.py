"""Rectification notices (整改通知书) on the case kernel: issue, the school's submission,
verification (验收) or return, cancellation. Escalation of overdue notices is the kernel's
``deadline_sweep`` over the two deadlines set at issue. The document is ``documents.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safecampus.attachments.models import Attachment
from safecampus.attachments.services import attachment_create
from safecampus.attachments.storage import attachment_storage
from safecampus.cases.models import Deadline
from safecampus.cases.selectors import unit_handlers
from safecampus.cases.services import case_create, case_transition, deadline_set
from safecampus.core.localtime import local_day
from safecampus.core.rules import rule
from safecampus.inspections.choices import (
    HAZARD_LEVEL_ORDER,
    OPEN_HAZARD_STATUSES,
    RECTIFY_BUREAU_PURPOSE,
    RECTIFY_PURPOSE,
    SCHOOL_RECTIFIERS,
    HazardLevel,
    HazardStatus,
    RectificationStatus,
)
from safecampus.inspections.errors import InspectionConflict, InspectionError, InspectionForbidden
from safecampus.inspections.models import Hazard, Inspection, Rectification
from safecampus.inspections.selectors.hazards import hazard_counts_changed
from safecampus.inspections.services.common import audit, forbidden, require_role
from safecampus.notifications.services import notify
from safecampus.organizations.choices import BUREAU_ROLES, Role, UnitKind
from safecampus.organizations.selectors import bureau_unit

#: Who issues a notice: the bureau's inspectors and safety officer; a principal for what the
#: school found itself.
ISSUER_ROLES = frozenset({Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER, Role.PRINCIPAL})

_LEVEL_RULES = {
    HazardLevel.GENERAL: "rectify_days_general",
    HazardLevel.SERIOUS: "rectify_days_serious",
    HazardLevel.MAJOR: "rectify_days_major",
}


_LEVEL_ORDER: dict[str, int] = {str(level): rank for level, rank in HAZARD_LEVEL_ORDER.items()}


def gravest_level(levels: Sequence[str]) -> str:
    return min(levels, key=lambda level: _LEVEL_ORDER.get(level, 9))


def default_days(level: str) -> int:
    """Working days to rectify a hazard of ``level`` (settings, with their source)."""
    return rule(_LEVEL_RULES[HazardLevel(level)])


def _check_hazards(actor: Any, hazards: Sequence[Hazard]) -> int:
    if not hazards:
        raise InspectionError(_("Choose at least one hazard."), code="no_hazards")
    schools = {hazard.school_id for hazard in hazards}
    if len(schools) != 1:
        raise InspectionError(
            _("A notice goes to one school: choose hazards of a single school."), code="schools"
        )
    school_id = schools.pop()
    scope = actor.scope
    if not (
        scope.has_role(*(ISSUER_ROLES & BUREAU_ROLES))
        or scope.has_role(Role.PRINCIPAL, unit_id=school_id)
    ):
        raise forbidden()
    for hazard in hazards:
        if hazard.status != HazardStatus.OPEN or hazard.rectification_id is not None:
            raise InspectionError(
                _("Hazard “%(hazard)s” already has a notice or is closed.")
                % {"hazard": hazard.description[:40]},
                code="hazard_taken",
            )
    return school_id


def _deadline_days(level: str, due_on: date | None, today: date) -> tuple[int, bool]:
    """(days, working days?) — the level's default, or calendar days to a chosen date."""
    if due_on is None:
        return default_days(level), True
    if due_on < today:
        raise InspectionError(_("The deadline cannot be in the past."), code="past_deadline")
    return (due_on - today).days, False


def rectification_issue(
    *,
    actor: Any,
    hazards: Sequence[Hazard],
    requirements: str = "",
    due_on: date | None = None,
    inspection: Inspection | None = None,
) -> Rectification:
    """Issue a rectification notice for open hazards of one school.

    The deadline is the gravest level's limit in working days (settings), or the date the
    issuer chooses (never in the past). The bureau verifies notices it issues and every
    notice with a major hazard; a principal's notice for the school's own findings is
    verified in the school by someone other than the person who submits it.
    """
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    hazards = list(hazards)
    school_id = _check_hazards(actor, hazards)
    level = gravest_level([hazard.level for hazard in hazards])
    now = timezone.now()
    days, working = _deadline_days(level, due_on, local_day(now))
    by_bureau = actor.scope.has_role(*BUREAU_ROLES)
    bureau = bureau_unit()
    verifier = bureau if (by_bureau or level == HazardLevel.MAJOR) and bureau else None
    with transaction.atomic():
        locked = list(Hazard.objects.select_for_update().filter(pk__in=[h.pk for h in hazards]))
        _check_hazards(actor, locked)
        school = locked[0].school
        notice = Rectification(
            title=_("Rectification notice: %(school)s") % {"school": school.display_name},
            unit=school,
            verifier_unit=verifier or school,
            inspection=inspection,
            issued_by=actor,
            requirements=requirements.strip(),
        )
        case_create(actor=actor, case=notice)
        notice.assignee_unit = school
        label = gettext_noop("Rectification")
        first = deadline_set(
            actor=actor,
            case=notice,
            purpose=RECTIFY_PURPOSE,
            days=days,
            working_days=working,
            escalate_to=school,
            label=label,
            start=now,
        )
        deadline_set(
            actor=actor,
            case=notice,
            purpose=RECTIFY_BUREAU_PURPOSE,
            days=days,
            working_days=working,
            escalate_to=bureau,
            label=label,
            start=now,
        )
        notice.due_at = first.due_at
        notice.save(update_fields=["assignee_unit", "due_at"])
        Hazard.objects.filter(pk__in=[h.pk for h in locked]).update(
            rectification=notice, status=HazardStatus.RECTIFYING, updated_at=now
        )
        audit(
            actor,
            notice,
            "issued",
            {"hazards": [h.pk for h in locked], "level": level, "due_at": first.due_at.isoformat()},
            unit_id=school_id,
        )
        notify(
            recipients=unit_handlers(school, {school.kind: SCHOOL_RECTIFIERS}),
            verb="inspections.rectification.issued",
            title=_("Rectification notice %(reference)s") % {"reference": notice.reference},
            body=_("%(count)s hazard(s) to rectify by %(due)s.")
            % {"count": len(locked), "due": timezone.localtime(first.due_at).strftime("%Y-%m-%d")},
            url=notice.get_absolute_url(),
            obj=notice,
        )
    hazard_counts_changed()
    for hazard in hazards:
        hazard.rectification, hazard.status = notice, HazardStatus.RECTIFYING
    return notice


def notice_due(notice: Rectification) -> datetime | None:
    return notice.due_at


# --- the school's submission, verification (验收), return and cancellation ----------------

_OPEN_NOTICE = (RectificationStatus.ISSUED, RectificationStatus.RETURNED)


def may_submit(actor: Any, notice: Rectification) -> bool:
    """The school's principal or designated officer, while the notice waits for the school."""
    scope = getattr(actor, "scope", None)
    return (
        scope is not None
        and notice.status in _OPEN_NOTICE
        and scope.has_role(*SCHOOL_RECTIFIERS, unit_id=notice.unit_id)
    )


def may_verify(actor: Any, notice: Rectification) -> bool:
    """The verifier side's people: the bureau's inspectors and safety officer for a notice the
    bureau verifies, the school's principal for one the school verifies itself."""
    scope = getattr(actor, "scope", None)
    if scope is None:
        return False
    verifier = notice.verifier_unit
    if verifier.kind == UnitKind.SCHOOL:
        return bool(scope.has_role(Role.PRINCIPAL, unit_id=verifier.pk))
    return bool(scope.has_role(Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER))


def _lock_notice(notice: Rectification, expected_version: int | None) -> Rectification:
    locked = Rectification.objects.select_for_update().select_related("unit", "verifier_unit")
    current = locked.get(pk=notice.pk)
    if expected_version is not None and expected_version != current.lock_version:
        raise InspectionConflict(
            _("Someone else changed this notice meanwhile. Reload it and try again."),
            code="stale",
        )
    return current


def _require_status(notice: Rectification, statuses: Sequence[str], message: str) -> None:
    if notice.status not in statuses:
        raise InspectionConflict(message, code="bad_status")


def _school_people(notice: Rectification) -> list[Any]:
    return unit_handlers(notice.unit, {UnitKind.SCHOOL: SCHOOL_RECTIFIERS})


def _verifier_people(notice: Rectification) -> list[Any]:
    """Who is told that a submission waits: the school's principal for a school-verified
    notice; the inspector who issued it, else the bureau's safety section."""
    verifier = notice.verifier_unit
    if verifier.kind == UnitKind.SCHOOL:
        return unit_handlers(verifier, {UnitKind.SCHOOL: frozenset({Role.PRINCIPAL})})
    issuer = notice.issued_by
    if issuer is not None and issuer.is_active and issuer.scope.has_role(Role.INSPECTOR):
        return [issuer]
    bureau = bureau_unit()
    if bureau is None:
        return []
    return unit_handlers(bureau, {UnitKind.BUREAU: frozenset({Role.BUREAU_SAFETY_OFFICER})})


def _tell(people: list[Any], notice: Rectification, verb: str, body: str) -> None:
    notify(
        recipients=people,
        verb=f"inspections.rectification.{verb}",
        title=_("Rectification notice %(reference)s") % {"reference": notice.reference},
        body=body,
        url=notice.get_absolute_url(),
        obj=notice,
    )


def _evidence_map(evidence: Any, hazards: Sequence[Hazard]) -> dict[int, list[Any]]:
    """Files per hazard; a plain list is evidence for every hazard of the notice."""
    if not evidence:
        return {hazard.pk: [] for hazard in hazards}
    if isinstance(evidence, dict):
        known = {hazard.pk for hazard in hazards}
        if set(map(int, evidence)) - known:
            raise InspectionError(
                _("Evidence was sent for a hazard that is not on this notice."), code="bad_hazard"
            )
        return {h.pk: list(evidence.get(h.pk) or evidence.get(str(h.pk)) or []) for h in hazards}
    files = list(evidence)
    return {hazard.pk: files for hazard in hazards}


def _stored_evidence(hazards: Sequence[Hazard]) -> set[int]:
    """The hazards that already hold at least one uploaded file."""
    owner_type = ContentType.objects.get_for_model(Hazard)
    ids = Attachment.objects.filter(
        owner_type=owner_type, owner_id__in=[str(h.pk) for h in hazards]
    ).values_list("owner_id", flat=True)
    return {int(pk) for pk in ids}


def _check_submission(
    hazards: Sequence[Hazard], measures: dict[int, str], files: dict[int, list[Any]]
) -> None:
    stored = _stored_evidence(hazards)
    for hazard in hazards:
        name = {"hazard": hazard.description[:40]}
        if not (measures.get(hazard.pk) or "").strip():
            raise InspectionError(
                _("Describe the measures taken for “%(hazard)s”.") % name, code="measures_required"
            )
        if not files[hazard.pk] and hazard.pk not in stored:
            raise InspectionError(
                _("Upload at least one photo or document as evidence for “%(hazard)s”.") % name,
                code="evidence_required",
            )
        if hazard.needs_interim_measure:
            raise InspectionError(
                _(
                    "“%(hazard)s” is a major hazard: name its interim control measure and the "
                    "person responsible before submitting."
                )
                % name,
                code="interim_required",
            )


def _attach_all(
    actor: Any, hazards: Sequence[Hazard], files: dict[int, list[Any]], stored: list[str]
) -> None:
    for hazard in hazards:
        for upload in files[hazard.pk]:
            attachment = attachment_create(
                actor=actor, owner=hazard, uploaded_file=upload, unit_id=hazard.school_id
            )
            stored.append(attachment.stored_name)


def rectification_submit(
    *,
    actor: Any,
    notice: Rectification,
    measures: dict[int, str],
    overall: str = "",
    evidence: dict[int, list[Any]] | list[Any] | None = None,
    expected_version: int | None = None,
) -> Rectification:
    """The school reports its rectification: measures for every hazard, at least one piece of
    evidence per hazard (uploaded now or before), and for a major hazard its named interim
    control measure. All or nothing, uploaded files included."""
    require_role(actor, SCHOOL_RECTIFIERS, unit_id=notice.unit_id)
    measures = {int(k): str(v or "") for k, v in (measures or {}).items()}
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _lock_notice(notice, expected_version)
            _require_status(
                locked, _OPEN_NOTICE, _("This notice is not waiting for the school's report.")
            )
            hazards = list(Hazard.objects.select_for_update().filter(rectification=locked))
            files = _evidence_map(evidence, hazards)
            _check_submission(hazards, measures, files)
            _attach_all(actor, hazards, files, stored)
            now = timezone.now()
            for hazard in hazards:
                hazard.measures = measures[hazard.pk].strip()
                hazard.status = HazardStatus.VERIFYING
                hazard.save(update_fields=["measures", "status", "updated_at"])
            locked.measures = overall.strip()
            locked.submitted_at, locked.submitted_by = now, actor
            locked.save(update_fields=["measures", "submitted_at", "submitted_by", "updated_at"])
            case_transition(
                actor=actor, case=locked, to_status=RectificationStatus.SUBMITTED, note=overall
            )
            audit(actor, locked, "submitted", {"hazards": [h.pk for h in hazards]})
            _tell(_verifier_people(locked), locked, "submitted", _("Submitted for verification."))
    except BaseException:
        # The bytes are written before the rows; a refusal must leave no file behind.
        storage = attachment_storage()
        for name in stored:
            storage.delete(name)
        raise
    hazard_counts_changed()
    _refresh(notice, locked)
    return locked


def _refresh(notice: Rectification, locked: Rectification) -> None:
    for name in (
        "status",
        "lock_version",
        "closed_at",
        "measures",
        "submitted_at",
        "submitted_by_id",
        "verified_at",
        "verified_by_id",
        "returns",
        "on_time",
        "updated_at",
    ):
        setattr(notice, name, getattr(locked, name))


def _check_verifier(actor: Any, notice: Rectification) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    if notice.submitted_by_id is not None and notice.submitted_by_id == actor.pk:
        raise InspectionForbidden(_("You cannot verify your own rectification."), code="own_work")
    if not may_verify(actor, notice):
        raise forbidden()


def rectification_verify(
    *, actor: Any, notice: Rectification, note: str = "", expected_version: int | None = None
) -> Rectification:
    """Accept the school's rectification (验收): the notice and its hazards close. Never by the
    person who submitted it. ``on_time``: the accepted submission came by the first deadline."""
    with transaction.atomic():
        locked = _lock_notice(notice, expected_version)
        _check_verifier(actor, locked)
        _require_status(
            locked,
            (RectificationStatus.SUBMITTED,),
            _("Only a rectification submitted by the school can be verified."),
        )
        case_transition(actor=actor, case=locked, to_status=RectificationStatus.VERIFIED, note=note)
        now = timezone.now()
        locked.verified_at, locked.verified_by = now, actor
        locked.on_time = bool(
            locked.submitted_at and locked.due_at and locked.submitted_at <= locked.due_at
        )
        locked.save(update_fields=["verified_at", "verified_by", "on_time", "updated_at"])
        Hazard.objects.filter(rectification=locked).exclude(status=HazardStatus.VOID).update(
            status=HazardStatus.CLOSED, closed_at=now, updated_at=now
        )
        audit(actor, locked, "verified", {"on_time": locked.on_time, "note": note.strip()})
        _tell(_school_people(locked), locked, "verified", _("The rectification was accepted."))
    hazard_counts_changed()
    _refresh(notice, locked)
    return locked


def _original_deadline(notice: Rectification) -> Deadline | None:
    return Deadline.objects.for_case(notice).filter(purpose=RECTIFY_PURPOSE).order_by("pk").first()


def _renew_deadlines(actor: Any, notice: Rectification, now: datetime) -> Deadline | None:
    """After a return the school owes a new submission: by the first due time while it lies
    ahead, else ``rectify_resubmit_days`` working days from now; both purposes, as at issue."""
    if Deadline.objects.for_case(notice).open().filter(purpose=RECTIFY_PURPOSE).exists():
        return None
    first = _original_deadline(notice)
    if first is not None and first.due_at > now:
        start, days, working = first.started_at, first.days, first.working_days
    else:
        start, days, working = now, rule("rectify_resubmit_days"), True
    label = gettext_noop("Rectification")
    renewed = None
    for purpose, target in (
        (RECTIFY_PURPOSE, notice.unit),
        (RECTIFY_BUREAU_PURPOSE, bureau_unit()),
    ):
        deadline = deadline_set(
            actor=actor,
            case=notice,
            purpose=purpose,
            days=days,
            working_days=working,
            escalate_to=target,
            label=label,
            start=start,
        )
        renewed = renewed or deadline
    return renewed


def rectification_return(
    *, actor: Any, notice: Rectification, reason: str, expected_version: int | None = None
) -> Rectification:
    """Reject the school's rectification with a reason; it goes back to the school with a new
    time limit (see ``_renew_deadlines``)."""
    if not reason.strip():
        raise InspectionError(_("Give the reason for returning it."), code="reason_required")
    with transaction.atomic():
        locked = _lock_notice(notice, expected_version)
        _check_verifier(actor, locked)
        _require_status(
            locked,
            (RectificationStatus.SUBMITTED,),
            _("Only a rectification submitted by the school can be returned."),
        )
        case_transition(
            actor=actor, case=locked, to_status=RectificationStatus.RETURNED, note=reason
        )
        locked.returns += 1
        locked.save(update_fields=["returns", "updated_at"])
        now = timezone.now()
        Hazard.objects.filter(rectification=locked, status=HazardStatus.VERIFYING).update(
            status=HazardStatus.RECTIFYING, updated_at=now
        )
        renewed = _renew_deadlines(actor, locked, now)
        audit(
            actor,
            locked,
            "returned",
            {"reason": reason.strip(), "due_at": renewed.due_at.isoformat() if renewed else None},
        )
        body = _("Returned to the school: %(reason)s") % {"reason": reason.strip()}
        _tell(_school_people(locked), locked, "returned", body)
    hazard_counts_changed()
    _refresh(notice, locked)
    return locked


def rectification_cancel(
    *, actor: Any, notice: Rectification, reason: str, expected_version: int | None = None
) -> Rectification:
    """The bureau safety officer withdraws a notice (issued in error); its open hazards go back
    to the register as open, free to be issued again or voided."""
    require_role(actor, frozenset({Role.BUREAU_SAFETY_OFFICER}))
    if not reason.strip():
        raise InspectionError(_("Give the reason for cancelling it."), code="reason_required")
    with transaction.atomic():
        locked = _lock_notice(notice, expected_version)
        case_transition(
            actor=actor, case=locked, to_status=RectificationStatus.CANCELLED, note=reason
        )
        hazards = Hazard.objects.filter(rectification=locked, status__in=OPEN_HAZARD_STATUSES)
        ids = list(hazards.values_list("pk", flat=True))
        Hazard.objects.filter(pk__in=ids).update(
            status=HazardStatus.OPEN, rectification=None, updated_at=timezone.now()
        )
        audit(actor, locked, "cancelled", {"reason": reason.strip(), "hazards": ids})
        body = _("The notice was cancelled: %(reason)s") % {"reason": reason.strip()}
        _tell(_school_people(locked), locked, "cancelled", body)
    hazard_counts_changed()
    _refresh(notice, locked)
    return locked
