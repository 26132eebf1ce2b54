"""Doing an inspection (现场检查): ad hoc inspections, draft answers and photos saved as the
inspector goes (offline replays are harmless), submitting with a score, failed items
becoming hazards and, for the bureau's inspectors, one rectification notice (整改通知书)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.attachments.models import Attachment
from safecampus.attachments.services import attachment_create, attachment_delete
from safecampus.core.i18n import localized
from safecampus.core.localtime import local_day
from safecampus.inspections import scoring
from safecampus.inspections.choices import (
    AnswerResult,
    HazardCategory,
    HazardSource,
    InspectionStatus,
    ItemType,
    Performer,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionConflict, InspectionError
from safecampus.inspections.models import (
    Hazard,
    Inspection,
    InspectionAnswer,
    TemplateItem,
    TemplateVersion,
)
from safecampus.inspections.services.common import audit, forbidden
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.rectification import rectification_issue
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Unit

OPEN_STATUSES = (InspectionStatus.DUE, InspectionStatus.DRAFT)
BUREAU_PERFORMERS = frozenset({Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER})
SCHOOL_PERFORMERS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})
GUARD_PERFORMERS = SCHOOL_PERFORMERS | {Role.GUARD}
#: Every role that may perform some inspection (the gate of the run routes).
PERFORMER_ROLES = BUREAU_PERFORMERS | GUARD_PERFORMERS
CANCEL_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER})
_MAX_NUMBER = Decimal("99999999.99")


class InspectionIncomplete(InspectionError):
    """A refused submission; ``problems`` lists (item code, item text, what is missing)."""

    def __init__(self, problems: list[tuple[str, str, str]]) -> None:
        listed = "; ".join(f"{code} {text[:40]}: {what}" for code, text, what in problems)
        super().__init__(
            _("The inspection cannot be submitted yet: %(items)s") % {"items": listed},
            code="incomplete",
        )
        self.problems = problems


# --- who may do what --------------------------------------------------------------------


def may_perform(actor: Any, inspection: Inspection) -> bool:
    """The inspection's own inspector (any bureau inspector or the safety officer when none
    is named); a school's principal or officer for a self-inspection, also its guards for
    a guard check. Scope is checked separately (``_check_performer``)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    scope = actor.scope
    if inspection.performer == Performer.INSPECTOR:
        if inspection.inspector_id is not None:
            return bool(inspection.inspector_id == actor.pk)
        return scope.has_role(*BUREAU_PERFORMERS)
    roles = GUARD_PERFORMERS if inspection.performer == Performer.GUARD else SCHOOL_PERFORMERS
    return scope.has_role(*roles, unit_id=inspection.school_id)


def _check_performer(actor: Any, inspection: Inspection) -> None:
    if not may_perform(actor, inspection):
        raise forbidden()
    if not Inspection.objects.visible_to(actor).filter(pk=inspection.pk).exists():
        raise forbidden()


def _locked(inspection: Inspection, *, open_only: bool = True) -> Inspection:
    # The run page posts every change, possibly from two phones at once: the row lock orders
    # them, so each bumps ``lock_version`` once and none lands after a submit.
    locked = Inspection.objects.select_for_update().select_related("version").get(pk=inspection.pk)
    if open_only and locked.status not in OPEN_STATUSES:
        raise InspectionConflict(
            _("This inspection has been submitted or cancelled and can no longer be changed."),
            code="closed",
        )
    return locked


def _sync(target: Inspection, source: Inspection, *fields: str) -> None:
    for name in fields:
        setattr(target, name, getattr(source, name))


# --- creating and starting --------------------------------------------------------------


def _check_adhoc(actor: Any, school: Unit, version: TemplateVersion, performer: str) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    if school.kind != UnitKind.SCHOOL or not school.is_active:
        raise InspectionError(_("Choose an active school."), code="bad_school")
    if version.status != VersionStatus.PUBLISHED:
        raise InspectionError(
            _("Only a published checklist version can be used for an inspection."),
            code="not_published",
        )
    if performer not in Performer.values:
        raise InspectionError(_("Choose who performs the inspection."), code="bad_performer")
    scope = actor.scope
    if performer == Performer.INSPECTOR:
        allowed = scope.has_role(*BUREAU_PERFORMERS)
    else:
        allowed = scope.has_role(*SCHOOL_PERFORMERS, unit_id=school.pk)
    if not allowed:
        raise forbidden()


def inspection_create_adhoc(
    *,
    actor: Any,
    school: Unit,
    version: TemplateVersion,
    performer: str = Performer.INSPECTOR,
    due_on: date | None = None,
) -> Inspection:
    """An unplanned inspection: the bureau's inspectors and safety officer anywhere, a
    school's principal or officer a self-inspection (or guard check) of their own school.
    Only a published checklist version may be used."""
    _check_adhoc(actor, school, version, performer)
    today = local_day(timezone.now())
    if due_on is not None and due_on < today:
        raise InspectionError(_("The due date cannot be in the past."), code="past_due")
    with transaction.atomic():
        inspection = Inspection.objects.create(
            version=version,
            kind=version.template.kind,
            school=school,
            performer=performer,
            inspector=actor if performer == Performer.INSPECTOR else None,
            due_on=due_on or today,
            period="adhoc",
        )
        audit(actor, inspection, "created", {"version": version.pk, "performer": performer})
    return inspection


def inspection_start(*, actor: Any, inspection: Inspection) -> Inspection:
    """Due → in progress (draft); starting an inspection already in progress changes nothing."""
    _check_performer(actor, inspection)
    with transaction.atomic():
        locked = _locked(inspection)
        _start(actor, locked)
    _sync(inspection, locked, "status", "started_at", "lock_version")
    return locked


def _start(actor: Any, locked: Inspection) -> None:
    if locked.status != InspectionStatus.DUE:
        return
    locked.status = InspectionStatus.DRAFT
    locked.started_at = timezone.now()
    locked.lock_version += 1
    locked.save(update_fields=["status", "started_at", "lock_version", "updated_at"])
    audit(actor, locked, "started")


# --- answers ----------------------------------------------------------------------------

_UNSET: Any = object()


def _decimal(value: Any, label: str) -> Decimal | None:
    """None leaves the value as it is (``_UNSET``); "" clears it."""
    if value is None:
        return _UNSET  # type: ignore[no-any-return]
    if isinstance(value, str) and not value.strip():
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise InspectionError(
            _("%(field)s must be a number.") % {"field": label}, code="bad_number"
        ) from exc
    if not number.is_finite() or abs(number) > _MAX_NUMBER:
        raise InspectionError(
            _("%(field)s must be a number.") % {"field": label}, code="bad_number"
        )
    return number.quantize(Decimal("0.01"))


def _check_result(item: TemplateItem, result: str) -> None:
    if result == "":
        return
    if result not in AnswerResult.values:
        raise InspectionError(
            _("Choose meets, does not meet or not applicable."), code="bad_result"
        )
    if item.item_type in (ItemType.YES_NO, ItemType.PHOTO):
        return
    if item.item_type == ItemType.TEXT or result != AnswerResult.NOT_APPLICABLE:
        raise InspectionError(
            _("Item %(code)s is answered with a value, not with meets / does not meet.")
            % {"code": item.code},
            code="bad_result",
        )


def _check_values(
    item: TemplateItem, number: Decimal | None, score: Decimal | None, text: str | None
) -> None:
    if number is not _UNSET and number is not None and item.item_type != ItemType.NUMBER:
        raise InspectionError(
            _("Item %(code)s does not take a number.") % {"code": item.code}, code="bad_number"
        )
    if score is not _UNSET and score is not None:
        if item.item_type != ItemType.SCORE:
            raise InspectionError(
                _("Item %(code)s does not take a score.") % {"code": item.code}, code="bad_score"
            )
        if score < 0 or score > item.weight:
            raise InspectionError(
                _("The score of item %(code)s must be between 0 and %(max)s.")
                % {"code": item.code, "max": scoring.plain(item.weight)},
                code="bad_score",
            )
    if text and item.item_type != ItemType.TEXT:
        raise InspectionError(
            _("Item %(code)s does not take a written answer; use the note.") % {"code": item.code},
            code="bad_text",
        )


def _apply(answer: InspectionAnswer, values: dict[str, Any]) -> list[str]:
    changed = []
    for name, value in values.items():
        if value is _UNSET or getattr(answer, name) == value:
            continue
        setattr(answer, name, value)
        changed.append(name)
    # A not-applicable number or score carries no value; a value makes it applicable again.
    if values.get("result") == AnswerResult.NOT_APPLICABLE:
        for name in ("number", "score"):
            if getattr(answer, name) is not None:
                setattr(answer, name, None)
                changed.append(name)
    elif answer.result == AnswerResult.NOT_APPLICABLE and item_has_value(answer):
        answer.result = ""
        changed.append("result")
    return changed


def item_has_value(answer: InspectionAnswer) -> bool:
    return answer.number is not None or answer.score is not None


def _item_of(inspection: Inspection, item: TemplateItem) -> None:
    if item.version_id != inspection.version_id:
        raise InspectionError(_("This item is not on the inspection's checklist."), code="item")


def answer_save(
    *,
    actor: Any,
    inspection: Inspection,
    item: TemplateItem,
    result: str | None = None,
    number: Any = None,
    score: Any = None,
    text: str | None = None,
    note: str | None = None,
    client_updated_at: Any = None,
) -> InspectionAnswer:
    """Save one answer of a due or in-progress inspection (a due one starts).

    ``None`` leaves a value as it was, ``""`` clears it. Values are checked against the
    item's type; saving the same values again changes nothing (offline replays), any
    change bumps the inspection's ``lock_version``. A submitted or cancelled inspection
    refuses (409).
    """
    _check_performer(actor, inspection)
    _item_of(inspection, item)
    number_value = _decimal(number, _("The value"))
    score_value = _decimal(score, _("The score"))
    if result is not None:
        _check_result(item, result.strip())
    _check_values(item, number_value, score_value, text)
    values = {
        "result": _UNSET if result is None else result.strip(),
        "number": number_value,
        "score": score_value,
        "text": _UNSET if text is None else text.strip(),
        "note": _UNSET if note is None else note.strip(),
    }
    with transaction.atomic():
        locked = _locked(inspection)
        _start(actor, locked)
        answer, _created = InspectionAnswer.objects.select_for_update().get_or_create(
            inspection=locked, item=item
        )
        changed = _apply(answer, values)
        if changed:
            answer.save()
            locked.lock_version += 1
            locked.save(update_fields=["lock_version", "updated_at"])
            audit(
                actor,
                locked,
                "answered",
                {
                    "item": item.code,
                    "fields": sorted(set(changed)),
                    "client": str(client_updated_at or ""),
                },
            )
    _sync(inspection, locked, "status", "started_at", "lock_version")
    return answer


def answer_photo_add(
    *, actor: Any, inspection: Inspection, item: TemplateItem, uploaded_file: Any
) -> Attachment:
    """Attach a photo to an item's answer (creating an empty answer); the file is checked
    and stripped of location data by the attachments app."""
    _check_performer(actor, inspection)
    _item_of(inspection, item)
    with transaction.atomic():
        locked = _locked(inspection)
        _start(actor, locked)
        answer, _created = InspectionAnswer.objects.get_or_create(inspection=locked, item=item)
        attachment = attachment_create(
            actor=actor, owner=answer, uploaded_file=uploaded_file, unit_id=locked.school_id
        )
        locked.lock_version += 1
        locked.save(update_fields=["lock_version", "updated_at"])
    _sync(inspection, locked, "status", "started_at", "lock_version")
    return attachment


def answer_photos(inspection: Inspection) -> Any:
    """Attachments owned by the answers of ``inspection`` (no scope: callers have checked)."""
    answer_ids = [str(pk) for pk in inspection.answers.values_list("pk", flat=True)]
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(InspectionAnswer), owner_id__in=answer_ids
    )


def answer_photo_delete(*, actor: Any, inspection: Inspection, attachment_id: Any) -> None:
    """Remove a photo from an answer while the inspection is still a draft."""
    _check_performer(actor, inspection)
    with transaction.atomic():
        locked = _locked(inspection)
        attachment = answer_photos(locked).filter(pk=attachment_id).first()
        if attachment is None:
            raise InspectionError(_("No such photo on this inspection."), code="no_photo")
        attachment_delete(actor=actor, attachment=attachment)
        locked.lock_version += 1
        locked.save(update_fields=["lock_version", "updated_at"])
    _sync(inspection, locked, "lock_version")


# --- submitting -------------------------------------------------------------------------


@dataclass
class Sheet:
    """An inspection's items with their answers and photo counts, in checklist order."""

    items: list[TemplateItem]
    answers: dict[int, InspectionAnswer]
    photos: dict[int, int]

    def pairs(self) -> list[tuple[TemplateItem, InspectionAnswer | None]]:
        return [(item, self.answers.get(item.pk)) for item in self.items]


def load_sheet(inspection: Inspection) -> Sheet:
    items = list(
        TemplateItem.objects.filter(version_id=inspection.version_id).select_related("section")
    )
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=inspection)}
    by_answer = {str(a.pk): a.item_id for a in answers.values()}
    photos: dict[int, int] = {}
    for owner_id in answer_photos(inspection).values_list("owner_id", flat=True):
        item_id = by_answer[owner_id]
        photos[item_id] = photos.get(item_id, 0) + 1
    return Sheet(items, answers, photos)


def submission_problems(sheet: Sheet) -> list[tuple[str, str, str]]:
    """(code, text, what is missing) for every item that blocks submitting."""
    problems = []
    for item, answer in sheet.pairs():
        answered = scoring.is_answered(item, answer)
        photos = sheet.photos.get(item.pk, 0)
        if item.required and not answered:
            problems.append((item.code, localized(item, "text"), str(_("no answer"))))
            continue
        if not answered or answer is None or answer.result == AnswerResult.NOT_APPLICABLE:
            continue
        if item.item_type == ItemType.PHOTO and not photos:
            problems.append((item.code, localized(item, "text"), str(_("a photo is required"))))
        elif item.photo_on_fail and not photos and scoring.item_outcome(item, answer).failed:
            problems.append(
                (item.code, localized(item, "text"), str(_("a photo of the failure is required")))
            )
    return problems


def _finding_text(item: TemplateItem, answer: InspectionAnswer) -> str:
    parts = [f"{item.code} {item.text}"]
    if item.item_type == ItemType.NUMBER and answer.number is not None:
        parts.append(
            _("Value found: %(value)s %(unit)s")
            % {"value": scoring.plain(answer.number), "unit": item.unit_label}
        )
    if answer.note:
        parts.append(answer.note)
    return "\n".join(p.strip() for p in parts if p.strip())


def _register_findings(
    actor: Any, inspection: Inspection, sheet: Sheet, failed: list[str], now: Any
) -> list[Hazard]:
    hazards = []
    for item, answer in sheet.pairs():
        if item.code not in failed or not item.severity or answer is None:
            continue
        hazards.append(
            hazard_register(
                actor=actor,
                school=inspection.school,
                category=item.category or HazardCategory.OTHER,
                level=item.severity,
                description=_finding_text(item, answer),
                source=HazardSource.INSPECTION,
                inspection=inspection,
                item=item,
                found_at=now,
            )
        )
    return hazards


def inspection_submit(
    *, actor: Any, inspection: Inspection, summary: str = "", expected_version: int | None = None
) -> Inspection:
    """Submit a due or in-progress inspection, all or nothing.

    Refused, with the items listed, while a required item is unanswered, a photo item has
    no photo or a failed item that needs a photo has none. Otherwise it is scored
    (``scoring``), each failed item with a hazard level enters the hazard register, and the
    hazards an inspector found go to the school in one rectification notice; those of a
    self-inspection or guard check stay open for the school. A second submit is a 409.
    """
    _check_performer(actor, inspection)
    with transaction.atomic():
        locked = _locked(inspection)
        if expected_version is not None and expected_version != locked.lock_version:
            raise InspectionConflict(
                _("The inspection changed meanwhile. Look at it again and retry."), code="stale"
            )
        sheet = load_sheet(locked)
        problems = submission_problems(sheet)
        if problems:
            raise InspectionIncomplete(problems)
        result = scoring.score_inspection(sheet.pairs(), locked.version.pass_percent)
        now = timezone.now()
        hazards = _register_findings(actor, locked, sheet, result.failed_codes, now)
        locked.status = InspectionStatus.SUBMITTED
        locked.started_at = locked.started_at or now
        locked.submitted_at, locked.submitted_by = now, actor
        locked.score, locked.max_score = result.score, result.max_score
        locked.score_percent, locked.passed = result.percent, result.passed
        locked.veto_failed, locked.findings_count = result.veto_failed, len(hazards)
        locked.summary = summary.strip()
        locked.lock_version += 1
        locked.save()
        notice = None
        if hazards and locked.performer == Performer.INSPECTOR:
            notice = rectification_issue(actor=actor, hazards=hazards, inspection=locked)
        audit(
            actor,
            locked,
            "submitted",
            {
                "score": str(result.score),
                "max_score": str(result.max_score),
                "percent": str(result.percent),
                "passed": result.passed,
                "veto_failed": result.veto_failed,
                "failed": result.failed_codes,
                "hazards": [h.pk for h in hazards],
                "rectification": notice.pk if notice else None,
            },
        )
    return locked


def inspection_cancel(*, actor: Any, inspection: Inspection, reason: str) -> Inspection:
    """The bureau safety officer cancels a due or in-progress inspection, with a reason
    (kept as the inspection's remarks)."""
    if not getattr(actor, "is_authenticated", False) or not actor.scope.has_role(*CANCEL_ROLES):
        raise forbidden()
    if not reason.strip():
        raise InspectionError(_("Give the reason for cancelling."), code="reason_required")
    with transaction.atomic():
        locked = _locked(inspection)
        locked.status = InspectionStatus.CANCELLED
        locked.summary = reason.strip()
        locked.lock_version += 1
        locked.save(update_fields=["status", "summary", "lock_version", "updated_at"])
        audit(actor, locked, "cancelled", {"reason": reason.strip()})
    _sync(inspection, locked, "status", "summary", "lock_version")
    return locked
