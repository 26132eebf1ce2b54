"""Who may do what in the kernel beyond each workflow's own table."""

from __future__ import annotations

from safecampus.organizations.choices import Role, UnitKind

#: Who may edit the working-day calendar (holiday overrides).
HOLIDAY_EDITOR_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.BUREAU_SAFETY_OFFICER})

#: Who is told when a deadline is escalated to a unit of this kind (the next level up).
ESCALATION_ROLES: dict[str, frozenset[str]] = {
    UnitKind.SCHOOL: frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER}),
    UnitKind.BUREAU: frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER}),
    UnitKind.SECTION: frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER}),
    UnitKind.INSTITUTION: frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER}),
    UnitKind.AGENCY: frozenset({Role.PARTNER_LIAISON}),
    UnitKind.POLICE_STATION: frozenset({Role.PARTNER_LIAISON}),
}

_BUREAU_KINDS = frozenset({UnitKind.BUREAU, UnitKind.SECTION, UnitKind.INSTITUTION})

#: Who is told that a case was transferred to a unit of this kind, and may answer for it.
#: Section staff handle what is sent to their section, so they are added for bureau units.
RECEIVING_ROLES: dict[str, frozenset[str]] = {
    kind: roles | ({Role.BUREAU_STAFF} if kind in _BUREAU_KINDS else frozenset())
    for kind, roles in ESCALATION_ROLES.items()
}
