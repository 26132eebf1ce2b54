"""Scoped reads about units, schools and the people responsible for them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Membership, School, Unit

RESPONSIBLE_KINDS = (UnitKind.SCHOOL, UnitKind.SECTION, UnitKind.INSTITUTION)


def bureau_unit() -> Unit | None:
    """The district bureau (教育局): where overdue work is escalated and whose name heads the
    formal documents."""
    return Unit.objects.filter(kind=UnitKind.BUREAU, is_active=True).order_by("pk").first()


def school_list(
    *, user: Any, q: str = "", school_kind: str = "", boarding: bool | None = None
) -> QuerySet[School]:
    """Schools the user may see, with unit and police station joined in (no N+1)."""
    schools = School.objects.visible_to(user).select_related("unit", "police_station")
    if q:
        schools = schools.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    if school_kind:
        schools = schools.filter(school_kind=school_kind)
    if boarding is not None:
        schools = schools.filter(boarding=boarding)
    return schools.order_by("unit__code")


def school_get(*, user: Any, code: str) -> School | None:
    return school_list(user=user).filter(unit__code=code).first()


@dataclass
class ResponsibilityRow:
    unit: Unit
    leaders: list[Membership] = field(default_factory=list)
    designated: list[Membership] = field(default_factory=list)

    @property
    def missing_designated(self) -> bool:
        return not self.designated


def responsibility_rows(*, user: Any, kind: str = "") -> list[ResponsibilityRow]:
    """Every school, section and institution with its head and designated person (R-1.1, R-8.1).

    Units that have not named a designated person come first: they are what the
    bureau must chase. Two queries whatever the district's size.
    """
    people = (
        Membership.objects.active()
        .select_related("user")
        .filter(Q(role=Role.PRINCIPAL) | Q(is_designated=True) | Q(role=Role.SCHOOL_OFFICER))
    )
    units = (
        Unit.objects.visible_to(user)
        .filter(kind__in=[kind] if kind else RESPONSIBLE_KINDS, is_active=True)
        .prefetch_related(Prefetch("memberships", queryset=people, to_attr="responsible"))
        .order_by("kind", "code")
    )
    rows = []
    for unit in units:
        row = ResponsibilityRow(unit)
        for membership in getattr(unit, "responsible", ()):  # filled by the Prefetch above
            if membership.is_designated or membership.role == Role.SCHOOL_OFFICER:
                row.designated.append(membership)
            elif membership.role == Role.PRINCIPAL:
                row.leaders.append(membership)
        rows.append(row)
    rows.sort(key=lambda r: (not r.missing_designated, r.unit.kind != UnitKind.SCHOOL, r.unit.code))
    return rows


def membership_get(*, user: Any, pk: int) -> Membership | None:
    return Membership.objects.visible_to(user).select_related("user", "unit").filter(pk=pk).first()


@dataclass
class PlanRow:
    unit: Unit
    plan: Any = None

    @property
    def latest(self) -> Any:
        versions = getattr(self.plan, "version_list", []) if self.plan else []
        return versions[0] if versions else None


def work_plan_rows(*, user: Any, year: int) -> list[PlanRow]:
    """Every unit the user answers for, with its plan for ``year`` (units without one first)."""
    from safecampus.organizations.models import WorkPlan, WorkPlanVersion

    units = (
        Unit.objects.visible_to(user)
        .filter(kind__in=RESPONSIBLE_KINDS, is_active=True)
        .order_by("kind", "code")
    )
    if not user.scope.district_wide:
        units = units.filter(pk__in=user.scope.school_unit_ids)
    plans = {
        p.unit_id: p
        for p in WorkPlan.objects.visible_to(user)
        .filter(year=year)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=WorkPlanVersion.objects.select_related("uploaded_by"),
                to_attr="version_list",
            )
        )
    }
    rows = [PlanRow(unit, plans.get(unit.pk)) for unit in units]
    rows.sort(key=lambda r: (r.plan is not None, r.unit.kind != UnitKind.SCHOOL, r.unit.code))
    return rows


def work_plan_get(*, user: Any, code: str, year: int) -> Any:
    from safecampus.organizations.models import WorkPlan

    return (
        WorkPlan.objects.visible_to(user)
        .select_related("unit")
        .filter(unit__code=code, year=year)
        .first()
    )


def designation_unit_get(*, user: Any, code: str) -> Unit | None:
    """A school, section or institution the bureau user may name a designated person for."""
    return (
        Unit.objects.visible_to(user)
        .filter(code=code, kind__in=RESPONSIBLE_KINDS, is_active=True)
        .first()
    )


def designation_history(*, unit: Unit) -> list[Any]:
    """The unit's designations, the open one first, with who named and ended them."""
    from safecampus.organizations.models import Designation

    return list(
        Designation.objects.filter(unit=unit).select_related("user", "named_by", "ended_by")
    )


def designation_candidates(*, unit: Unit) -> list[Membership]:
    """The unit's active members, who may be named (one row per person)."""
    seen: set[int] = set()
    members = []
    for m in Membership.objects.active().filter(unit=unit).select_related("user").order_by("pk"):
        if m.user_id not in seen:
            seen.add(m.user_id)
            members.append(m)
    return members
