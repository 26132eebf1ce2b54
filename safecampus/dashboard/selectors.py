"""The numbers a bureau officer looks at first, computed in a handful of set-based queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.utils.translation import get_language

from safecampus.organizations.cache import REGISTER_CACHE_SECONDS, scoped_key
from safecampus.organizations.choices import Role, SchoolKind, UnitKind
from safecampus.organizations.models import Membership, School, Unit


@dataclass(frozen=True)
class Overview:
    schools: int
    students: int
    staff: int
    boarding: int
    by_kind: list[dict[str, Any]]
    units_without_designated: int
    units_total: int


def overview(*, user: Any) -> Overview:
    """The register's numbers for the user's scope, cached until the register changes."""
    key = scoped_key("dashboard:overview", user.scope, get_language() or "")
    cached = cache.get(key)
    if cached is None:
        cached = _overview(user)
        cache.set(key, cached, REGISTER_CACHE_SECONDS)
    return cached


def _overview(user: Any) -> Overview:
    schools = School.objects.visible_to(user)
    totals = schools.aggregate(
        n=Count("pk"),
        students=Sum("students"),
        staff=Sum("staff"),
        boarding=Count("pk", filter=Q(boarding=True)),
    )
    counts = dict(
        schools.values_list("school_kind").annotate(n=Count("pk")).values_list("school_kind", "n")
    )
    by_kind = [
        {"name": str(k.label), "value": counts[k.value]} for k in SchoolKind if counts.get(k.value)
    ]
    responsible = Unit.objects.visible_to(user).filter(
        kind__in=[UnitKind.SCHOOL, UnitKind.SECTION, UnitKind.INSTITUTION], is_active=True
    )
    named = Membership.objects.active().filter(Q(is_designated=True) | Q(role=Role.SCHOOL_OFFICER))
    missing = responsible.exclude(pk__in=named.values("unit_id")).count()
    return Overview(
        schools=totals["n"] or 0,
        students=totals["students"] or 0,
        staff=totals["staff"] or 0,
        boarding=totals["boarding"] or 0,
        by_kind=by_kind,
        units_without_designated=missing,
        units_total=responsible.count(),
    )
