"""The scope rule the inspections models share."""

from __future__ import annotations

from typing import Any

from django.db import models


def school_scoped(queryset: models.QuerySet[Any], user: Any, field: str) -> Any:
    """Bureau roles see the district; school roles their own school(s); others nothing."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return queryset.none()
    if scope.district_wide:
        return queryset.all()
    if scope.school_unit_ids:
        return queryset.filter(**{f"{field}__in": scope.school_unit_ids})
    return queryset.none()
