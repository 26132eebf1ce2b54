"""Who may see and do what in the security app, where a page and an endpoint must agree.

The alert console: the school's guard room watches and acts on its own school's alerts, the
bureau's triage on every school's (R-5.2). The device registry, event history and alert
statistics are read by bureau and school roles, and managed by the bureau and the school's
own leaders.
"""

from __future__ import annotations

from typing import Any

from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role

#: The school's guard room: they watch and handle their own school's alerts.
ALERT_SCHOOL_ROLES = frozenset({Role.GUARD, Role.PRINCIPAL, Role.SCHOOL_OFFICER})
#: The bureau's triage: they handle every school's alerts.
ALERT_BUREAU_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
#: Who may act on alerts, and who may read them (all bureau roles read).
ALERT_ACTOR_ROLES = ALERT_SCHOOL_ROLES | ALERT_BUREAU_ROLES
ALERT_READER_ROLES = ALERT_SCHOOL_ROLES | BUREAU_ROLES

#: Who registers and manages a school's devices: the bureau and the school's own leaders.
DEVICE_ADMIN_ROLES = frozenset(
    BUREAU_ROLES | {Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.SYSTEM_ADMIN}
)

#: Who may read the device registry, the event history and the alert statistics, on the
#: pages and through /api/v1/security/stats/ (the data itself is scoped to their schools).
DEVICE_READER_ROLES = BUREAU_ROLES | SCHOOL_ROLES


def alert_school_ids(user: Any) -> frozenset[int] | None:
    """The schools whose alerts ``user`` watches: None for the whole district (bureau
    roles), else a set — the schools where they sit in the guard room (empty: none)."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return frozenset()
    if scope.district_wide and scope.has_role(*BUREAU_ROLES):
        return None
    return frozenset(
        unit_id
        for unit_id in scope.school_unit_ids
        if scope.has_role(*ALERT_SCHOOL_ROLES, unit_id=unit_id)
    )


def may_act(user: Any, alert: Any) -> bool:
    """The bureau's triage on any alert; the guard room on its own school's."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return False
    if scope.district_wide and scope.has_role(*ALERT_BUREAU_ROLES):
        return True
    return bool(scope.has_role(*ALERT_SCHOOL_ROLES, unit_id=alert.school_id))
