"""Helpers every inspections service uses: the refusal error, the role check, the name written
on a row for the person who acted, and the audit row (``inspections.<model>.<verb>``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.inspections.errors import InspectionForbidden


def forbidden() -> InspectionForbidden:
    """The refusal a service raises when the actor may not do what was asked."""
    return InspectionForbidden(_("You are not allowed to do this."), code="forbidden")


def require_role(
    actor: Any, roles: frozenset[str] | set[str], *, unit_id: int | None = None
) -> None:
    """Refuse unless ``actor`` holds one of ``roles`` (in ``unit_id`` when given)."""
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    if not actor.scope.has_role(*roles, unit_id=unit_id):
        raise forbidden()


def person_label(actor: Any) -> str:
    """The actor's name as stored on a row (full name, else the login), cut to the column's
    150 characters; "" when no person acted."""
    if actor is None:
        return ""
    return (getattr(actor, "full_name", "") or actor.get_username())[:150]


def audit(
    actor: Any,
    obj: models.Model,
    verb: str,
    changes: dict[str, Any] | None = None,
    *,
    unit_id: int | None = None,
) -> None:
    """``inspections.<model>.<verb>`` in the caller's transaction."""
    audit_record(
        actor=actor,
        action=f"inspections.{obj._meta.model_name}.{verb}",
        obj=obj,
        changes=changes or {},
        unit_id=unit_id
        if unit_id is not None
        else getattr(obj, "school_id", None) or getattr(obj, "unit_id", None),
    )
