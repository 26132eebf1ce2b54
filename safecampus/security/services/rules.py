"""Editing the alert rules: the bureau's apply district-wide, a school's to itself only.

The default rules (migration 0002) are district rules like any other: the bureau may
change their priority, window or zone, or switch them off.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.core.errors import DomainError, ForbiddenError
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Unit
from safecampus.security.choices import DEVICE_EVENT_TYPES, EventType, Priority
from safecampus.security.models import AlertRule

#: Who edits district rules.
DISTRICT_EDITORS = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
#: Who edits a school's own rules (for that school).
SCHOOL_EDITORS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})


class RuleError(DomainError):
    """A refused rule edit."""


def may_edit(actor: Any, school: Unit | None) -> bool:
    scope = getattr(actor, "scope", None)
    if scope is None:
        return False
    if scope.has_role(*DISTRICT_EDITORS):
        return True
    return school is not None and scope.has_role(*SCHOOL_EDITORS, unit_id=school.pk)


def rule_list(*, user: Any) -> QuerySet[AlertRule]:
    """District rules for everyone who sees alerts; school rules of the schools in scope."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return AlertRule.objects.none()
    rules = AlertRule.objects.select_related("school")
    if scope.district_wide:
        return rules.order_by("event_type", "school__code", "zone", "starts_at")
    return rules.filter(Q(school__isnull=True) | Q(school_id__in=scope.school_unit_ids)).order_by(
        "event_type", "school__code", "zone", "starts_at"
    )


def rule_save(
    *,
    actor: Any,
    rule: AlertRule | None,
    school: Unit | None,
    name: str,
    event_type: str,
    priority: int,
    zone: str = "",
    starts_at: time | None = None,
    ends_at: time | None = None,
    enabled: bool = True,
    name_en: str | None = None,
) -> AlertRule:
    """Create (``rule`` None) or change a rule; the actor must edit rules of that scope, and a
    changed rule cannot move between schools. ``name_en`` is the optional English name
    (None keeps a changed rule's; empty: English readers see the Chinese)."""
    target = rule.school if rule is not None else school
    if not may_edit(actor, target) or (rule is not None and school != rule.school):
        raise ForbiddenError(_("You may not edit these alert rules."), code="forbidden")
    if event_type not in DEVICE_EVENT_TYPES | {EventType.DEVICE_OFFLINE}:
        raise RuleError(_("Choose an event type."), code="bad_type")
    if priority not in Priority.values:
        raise RuleError(_("Choose a priority."), code="bad_priority")
    if (starts_at is None) != (ends_at is None):
        raise RuleError(_("Give both ends of the time window, or neither."), code="bad_window")
    if starts_at is not None and starts_at == ends_at:
        raise RuleError(_("The time window is empty."), code="bad_window")
    name = name.strip()
    if not name:
        raise RuleError(_("Give the rule a name."), code="name_required")
    if name_en is None:
        name_en = rule.name_en if rule is not None else ""
    values = {
        "school": target,
        "name": name[:120],
        "name_en": name_en.strip()[:120],
        "event_type": event_type,
        "priority": priority,
        "zone": zone.strip()[:80],
        "starts_at": starts_at,
        "ends_at": ends_at,
        "enabled": enabled,
    }
    with transaction.atomic():
        if rule is None:
            rule = AlertRule.objects.create(**values)
            verb = "created"
        else:
            for key, value in values.items():
                setattr(rule, key, value)
            rule.save()
            verb = "changed"
        audit_record(
            actor=actor,
            action=f"security.alertrule.{verb}",
            obj=rule,
            changes={
                k: (v.pk if isinstance(v, Unit) else str(v) if isinstance(v, time) else v)
                for k, v in values.items()
            },
        )
    return rule


def rule_delete(*, actor: Any, rule: AlertRule) -> None:
    if not may_edit(actor, rule.school):
        raise ForbiddenError(_("You may not edit these alert rules."), code="forbidden")
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="security.alertrule.deleted",
            obj=rule,
            changes={"name": rule.name, "event_type": rule.event_type},
        )
        rule.delete()
