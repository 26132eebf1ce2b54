"""The working-day calendar's overrides."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.errors import CaseError, CasePermissionDenied
from safecampus.cases.models import HolidayOverride
from safecampus.cases.permissions import (
    HOLIDAY_EDITOR_ROLES,
)
from safecampus.cases.services._base import (
    acting_person,
)


def _require_holiday_editor(actor: Any) -> None:
    person = acting_person(actor)
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
