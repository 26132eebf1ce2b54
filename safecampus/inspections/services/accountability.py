"""Accountability decisions (追责决定): recorded by the bureau leader only (R-8.3)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.services import mask_changes
from safecampus.cases.selectors import case_models
from safecampus.core.localtime import local_day
from safecampus.inspections.choices import AccountabilityMeasure
from safecampus.inspections.errors import InspectionError
from safecampus.inspections.models import AccountabilityDecision, Hazard
from safecampus.inspections.services.common import audit, require_role
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Unit

RECORDER_ROLES = frozenset({Role.BUREAU_LEADER})
#: Audited as "changed", never in clear: the person held accountable.
SENSITIVE = {"person_name"}


def case_reference_exists(reference: str) -> bool:
    """Whether some case of the kernel (a lead, a notice, …) carries ``reference``."""
    return any(
        model._default_manager.filter(reference=reference).exists() for model in case_models()
    )


def _check(
    *, unit: Unit, person_name: str, reason: str, measure: str, decided_on: date, case_ref: str
) -> None:
    if not unit.is_active:
        raise InspectionError(_("Choose an active unit."), code="bad_unit")
    if not person_name.strip():
        raise InspectionError(_("Name the person held accountable."), code="person_required")
    if not reason.strip():
        raise InspectionError(_("Give the reason for the decision."), code="reason_required")
    if measure not in AccountabilityMeasure.values:
        raise InspectionError(_("Choose a measure."), code="bad_measure")
    if decided_on > local_day(timezone.now()):
        raise InspectionError(
            _("The date of the decision cannot be in the future."), code="future_date"
        )
    if case_ref and not case_reference_exists(case_ref):
        raise InspectionError(
            _("No case has the reference “%(reference)s”.") % {"reference": case_ref},
            code="unknown_case",
        )


def accountability_record(
    *,
    actor: Any,
    unit: Unit,
    person_name: str,
    person_position: str = "",
    hazard: Hazard | None = None,
    case_reference: str = "",
    reason: str,
    measure: str,
    measure_detail: str = "",
    decided_on: date,
) -> AccountabilityDecision:
    """Record an accountability decision. Only the bureau leader records one; the reason is
    required, the date is not in the future, and a case reference must name an existing case.
    The audit row says who was named only masked."""
    require_role(actor, RECORDER_ROLES)
    case_reference = case_reference.strip()
    _check(
        unit=unit,
        person_name=person_name,
        reason=reason,
        measure=measure,
        decided_on=decided_on,
        case_ref=case_reference,
    )
    with transaction.atomic():
        decision = AccountabilityDecision.objects.create(
            unit=unit,
            person_name=person_name.strip(),
            person_position=person_position.strip()[:100],
            hazard=hazard,
            case_reference=case_reference,
            reason=reason.strip(),
            measure=measure,
            measure_detail=measure_detail.strip(),
            decided_on=decided_on,
            recorded_by=actor,
        )
        changes = {
            "person_name": decision.person_name,
            "unit": unit.pk,
            "hazard": hazard.pk if hazard else None,
            "case_reference": case_reference,
            "measure": measure,
            "decided_on": decided_on.isoformat(),
        }
        audit(actor, decision, "recorded", mask_changes(changes, SENSITIVE), unit_id=unit.pk)
    return decision
