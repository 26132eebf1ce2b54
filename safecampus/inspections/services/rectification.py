"""Rectification notices (整改通知书) on the case kernel: issue.

Submitting, verifying, returning and the notice document live beside this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safecampus.cases.calendar import local_day
from safecampus.cases.selectors import unit_handlers
from safecampus.cases.services import case_create, deadline_set
from safecampus.core.rules import rule
from safecampus.inspections.choices import (
    HAZARD_LEVEL_ORDER,
    RECTIFY_PURPOSE,
    SCHOOL_RECTIFIERS,
    HazardLevel,
    HazardStatus,
)
from safecampus.inspections.errors import InspectionError
from safecampus.inspections.models import Hazard, Inspection, Rectification
from safecampus.inspections.services._common import audit, bureau_unit, forbidden
from safecampus.notifications.services import notify
from safecampus.organizations.choices import BUREAU_ROLES, Role

#: A second time limit on the same notice, escalated to the bureau (the first goes to the
#: school's principal), so an overdue notice reaches both, each exactly once.
RECTIFY_BUREAU_PURPOSE = "rectify_bureau"
#: Who issues a notice: the bureau's inspectors and safety officer; a principal for what the
#: school found itself.
ISSUER_ROLES = frozenset({Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER, Role.PRINCIPAL})

_LEVEL_RULES = {
    HazardLevel.GENERAL: "rectify_days_general",
    HazardLevel.SERIOUS: "rectify_days_serious",
    HazardLevel.MAJOR: "rectify_days_major",
}


def gravest_level(levels: Sequence[str]) -> str:
    return min(levels, key=lambda level: HAZARD_LEVEL_ORDER.get(level, 9))


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
    for hazard in hazards:
        hazard.rectification, hazard.status = notice, HazardStatus.RECTIFYING
    return notice


def notice_due(notice: Rectification) -> datetime | None:
    return notice.due_at
