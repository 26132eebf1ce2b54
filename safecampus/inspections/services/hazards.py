"""The hazard register (隐患台账): registering a hazard, its interim control measure, voiding
an entry made in error."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.attachments.services import attachment_create
from safecampus.attachments.storage import attachment_storage
from safecampus.inspections.choices import (
    OPEN_HAZARD_STATUSES,
    SCHOOL_RECTIFIERS,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
)
from safecampus.inspections.errors import InspectionConflict, InspectionError
from safecampus.inspections.models import Hazard, Inspection, TemplateItem
from safecampus.inspections.selectors.hazards import hazard_counts_changed
from safecampus.inspections.services.common import audit, forbidden, person_label, require_role
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role, UnitKind
from safecampus.organizations.models import Unit

#: Everyone in a school may report a hazard there (a guard on patrol, a teacher); the bureau
#: roles anywhere.
HAZARD_REPORTER_ROLES = BUREAU_ROLES | SCHOOL_ROLES


def _check_school(actor: Any, school: Unit) -> None:
    if school.kind != UnitKind.SCHOOL or not school.is_active:
        raise InspectionError(_("Choose an active school."), code="bad_school")
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    scope = actor.scope
    if scope.has_role(*BUREAU_ROLES):
        return
    if not scope.has_role(*SCHOOL_ROLES, unit_id=school.pk):
        raise forbidden()


def _check_fields(category: str, level: str, description: str, found_at: datetime) -> None:
    if category not in HazardCategory.values:
        raise InspectionError(_("Choose a hazard category."), code="bad_category")
    if level not in HazardLevel.values:
        raise InspectionError(_("Choose a hazard level."), code="bad_level")
    if not description.strip():
        raise InspectionError(_("Describe the hazard."), code="description_required")
    if found_at > timezone.now():
        raise InspectionError(_("A hazard cannot be found in the future."), code="future")


def hazard_register(
    *,
    actor: Any,
    school: Unit,
    category: str,
    level: str,
    description: str,
    place: str = "",
    source: str | None = None,
    inspection: Inspection | None = None,
    item: TemplateItem | None = None,
    photos: Iterable[Any] = (),
    interim_measure: str = "",
    interim_responsible: str = "",
    found_at: datetime | None = None,
) -> Hazard:
    """Enter a hazard in the register with its photos, all or nothing.

    A school's people register hazards of their own school, the bureau's anywhere. The
    source defaults by who reports it. A major hazard may be registered before its interim
    control measure is known, but it is flagged until one is named (``hazard_set_interim``).
    """
    found_at = found_at or timezone.now()
    _check_school(actor, school)
    _check_fields(category, level, description, found_at)
    if source is None:
        bureau = actor.scope.has_role(*BUREAU_ROLES)
        source = HazardSource.INSPECTOR_REPORT if bureau else HazardSource.SCHOOL_REPORT
    stored: list[str] = []
    try:
        with transaction.atomic():
            hazard = _create(
                actor,
                school,
                category=category,
                level=level,
                description=description,
                place=place,
                source=source,
                inspection=inspection,
                item=item,
                interim_measure=interim_measure,
                interim_responsible=interim_responsible,
                found_at=found_at,
            )
            for photo in photos:
                attachment = attachment_create(
                    actor=actor, owner=hazard, uploaded_file=photo, unit_id=school.pk
                )
                stored.append(attachment.stored_name)
            audit(
                actor,
                hazard,
                "registered",
                {
                    "level": level,
                    "category": category,
                    "source": source,
                    "inspection": inspection.pk if inspection else None,
                },
            )
    except BaseException:
        # The bytes are written before the rows: a refused photo leaves no file behind.
        storage = attachment_storage()
        for name in stored:
            storage.delete(name)
        raise
    hazard_counts_changed()
    return hazard


def _create(actor: Any, school: Unit, **fields: Any) -> Hazard:
    return Hazard.objects.create(
        school=school,
        place=fields["place"].strip()[:200],
        category=fields["category"],
        level=fields["level"],
        description=fields["description"].strip(),
        source=fields["source"],
        found_by=actor,
        found_by_label=person_label(actor),
        found_at=fields["found_at"],
        inspection=fields["inspection"],
        item=fields["item"],
        interim_measure=fields["interim_measure"].strip(),
        interim_responsible=fields["interim_responsible"].strip()[:60],
    )


def hazard_set_interim(*, actor: Any, hazard: Hazard, measure: str, responsible: str) -> Hazard:
    """Name the interim control measure (临时管控措施) of an open hazard and who answers for
    it: the school's principal or designated officer, or the bureau."""
    if not (measure.strip() and responsible.strip()):
        raise InspectionError(
            _("Name the interim control measure and the person responsible for it."),
            code="interim_required",
        )
    scope = getattr(actor, "scope", None)
    if scope is None or not (
        scope.has_role(*BUREAU_ROLES)
        or scope.has_role(*SCHOOL_RECTIFIERS, unit_id=hazard.school_id)
    ):
        raise forbidden()
    with transaction.atomic():
        locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
        if locked.status not in OPEN_HAZARD_STATUSES:
            raise InspectionError(_("This hazard is no longer open."), code="closed")
        locked.interim_measure = measure.strip()
        locked.interim_responsible = responsible.strip()[:60]
        locked.save(update_fields=["interim_measure", "interim_responsible", "updated_at"])
        audit(actor, locked, "interim_set", {"responsible": locked.interim_responsible})
    hazard.interim_measure, hazard.interim_responsible = (
        locked.interim_measure,
        locked.interim_responsible,
    )
    return locked


#: Who strikes an entry made in error from the register.
VOIDER_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.INSPECTOR})


def hazard_void(*, actor: Any, hazard: Hazard, reason: str) -> Hazard:
    """Strike an entry made in error (作废): the bureau's safety officer or an inspector, only
    for an open hazard that no notice covers; the reason stays in the audit trail."""
    require_role(actor, VOIDER_ROLES)
    if not reason.strip():
        raise InspectionError(_("Give the reason for voiding it."), code="reason_required")
    with transaction.atomic():
        locked = Hazard.objects.select_for_update().get(pk=hazard.pk)
        if locked.status != HazardStatus.OPEN or locked.rectification_id is not None:
            raise InspectionConflict(
                _("Only an open hazard without a rectification notice can be voided."),
                code="not_voidable",
            )
        locked.status = HazardStatus.VOID
        locked.save(update_fields=["status", "updated_at"])
        audit(actor, locked, "voided", {"reason": reason.strip()})
    hazard_counts_changed()
    hazard.status = locked.status
    return locked
