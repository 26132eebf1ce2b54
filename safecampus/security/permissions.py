"""Who may watch and act on alerts: the school's guard room on its own school's, the bureau's
triage on every school's (R-5.2)."""

from __future__ import annotations

from typing import Any

from safecampus.organizations.choices import BUREAU_ROLES, Role

#: The school's guard room: they watch and handle their own school's alerts.
ALERT_SCHOOL_ROLES = frozenset({Role.GUARD, Role.PRINCIPAL, Role.SCHOOL_OFFICER})
#: The bureau's triage: they handle every school's alerts.
ALERT_BUREAU_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
#: Who may act on alerts, and who may read them (all bureau roles read).
ALERT_ACTOR_ROLES = ALERT_SCHOOL_ROLES | ALERT_BUREAU_ROLES
ALERT_READER_ROLES = ALERT_SCHOOL_ROLES | BUREAU_ROLES


def may_act(user: Any, alert: Any) -> bool:
    """The bureau's triage on any alert; the guard room on its own school's."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return False
    if scope.district_wide and scope.has_role(*ALERT_BUREAU_ROLES):
        return True
    return bool(scope.has_role(*ALERT_SCHOOL_ROLES, unit_id=alert.school_id))
