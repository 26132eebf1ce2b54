"""Writes about units: work plans (R-1.2)."""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.services import attachment_create
from safecampus.audit.services import audit_record
from safecampus.core.errors import DomainError, ForbiddenError
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Unit, WorkPlan, WorkPlanVersion

#: Roles that may file a unit's work plan: its own leaders and designated officers, or the bureau.
PLAN_AUTHORS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.BUREAU_STAFF})
PLAN_AUTHORS_DISTRICT = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})


class OrganizationError(DomainError):
    pass


class OrganizationForbidden(ForbiddenError, OrganizationError):
    pass


def work_plan_version_add(
    *, actor: Any, unit: Unit, year: int, title: str, document: IO[bytes], note: str = ""
) -> WorkPlanVersion:
    """File a new version of ``unit``'s plan for ``year``; earlier versions stay as they were."""
    scope = actor.scope
    if not (
        scope.has_role(*PLAN_AUTHORS, unit_id=unit.pk) or scope.has_role(*PLAN_AUTHORS_DISTRICT)
    ):
        raise OrganizationForbidden(_("You may not file a work plan for this unit."))
    with transaction.atomic():
        plan, _created = WorkPlan.objects.select_for_update().get_or_create(
            unit=unit, year=year, defaults={"title": title}
        )
        if plan.title != title and title:
            plan.title = title
            plan.save(update_fields=["title", "updated_at"])
        number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = WorkPlanVersion.objects.create(
            plan=plan, number=number, note=note, uploaded_by=actor
        )
        attachment_create(actor=actor, owner=version, uploaded_file=document, unit_id=unit.pk)
        audit_record(
            actor=actor,
            action="organizations.work_plan.version_added",
            obj=plan,
            changes={"year": year, "version": number, "note": note},
        )
    return version
