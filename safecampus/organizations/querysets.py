"""Querysets shared by every app whose rows belong to one school."""

from __future__ import annotations

from typing import Any

from django.db import models


class SchoolScopedQuerySet(models.QuerySet):
    """Bureau roles see every school's rows; a school its own; partner agencies and anyone
    else nothing (fail closed). ``school_field`` names the column holding the school unit."""

    school_field = "school_id"

    def visible_to(self, user: Any) -> Any:
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        if not scope.school_unit_ids:
            return self.none()
        return self.filter(**{f"{self.school_field}__in": scope.school_unit_ids})
