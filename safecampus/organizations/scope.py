"""What a signed-in person may see, computed once per request from active memberships.

Fail closed: a role this module does not know adds nothing, so a person whose
only membership has an unknown role sees nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from safecampus.organizations.choices import (
    ADMIN_ROLES,
    BUREAU_ROLES,
    PARTNER_ROLES,
    SCHOOL_ROLES,
    Role,
    UnitKind,
)


@dataclass(frozen=True)
class Scope:
    roles: frozenset[str] = frozenset()
    district_wide: bool = False
    is_admin: bool = False
    is_auditor: bool = False
    unit_ids: frozenset[int] = frozenset()
    school_unit_ids: frozenset[int] = frozenset()
    agency_unit_ids: frozenset[int] = frozenset()
    roles_by_unit: dict[int, frozenset[str]] = field(default_factory=dict)

    def has_role(self, *roles: str, unit_id: int | None = None) -> bool:
        if unit_id is None:
            return bool(self.roles & set(roles))
        return bool(self.roles_by_unit.get(unit_id, frozenset()) & set(roles))


EMPTY_SCOPE = Scope()
KNOWN_ROLES = frozenset(choice.value for choice in Role)
_SCOPE_SQL = (
    "SELECT m.unit_id, m.role, u.kind FROM organizations_membership m "
    "JOIN organizations_unit u ON u.id = m.unit_id "
    "WHERE m.user_id = %s AND m.is_active AND u.is_active"
)


def _membership_rows(user_id: int) -> list[tuple[int, str, str]]:
    """Raw SQL on purpose: this runs on every request, and the ORM would spend ~1 ms building it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(_SCOPE_SQL, [user_id])
        return cursor.fetchall()


def scope_for(user: Any) -> Scope:
    """Build the scope from the user's active memberships in active units (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    roles_by_unit: dict[int, set[str]] = {}
    schools: set[int] = set()
    agencies: set[int] = set()
    for unit_id, role, unit_kind in _membership_rows(user.pk):
        if role not in KNOWN_ROLES:
            continue  # fail closed: a role this code does not know grants nothing
        roles_by_unit.setdefault(unit_id, set()).add(role)
        if role in SCHOOL_ROLES and unit_kind == UnitKind.SCHOOL:
            schools.add(unit_id)
        if role in PARTNER_ROLES and unit_kind in (UnitKind.AGENCY, UnitKind.POLICE_STATION):
            agencies.add(unit_id)
    roles = frozenset(r for held in roles_by_unit.values() for r in held)
    return Scope(
        roles=roles,
        district_wide=bool(roles & BUREAU_ROLES),
        is_admin=bool(roles & (ADMIN_ROLES - {Role.AUDITOR})),
        is_auditor=Role.AUDITOR in roles,
        unit_ids=frozenset(roles_by_unit),
        school_unit_ids=frozenset(schools),
        agency_unit_ids=frozenset(agencies),
        roles_by_unit={k: frozenset(v) for k, v in roles_by_unit.items()},
    )
