"""Who may open each page and API endpoint of the risk app (the rule objects both declare).

These gate the request only; each service checks its actor again against the role sets it
owns (``services.grades.BUREAU_ADJUSTERS``, ``services.register.REGISTER_EDITOR_ROLES`` …),
and a school-level role is checked against the school of the row there.
"""

from __future__ import annotations

from safecampus.core.access import Access
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES
from safecampus.risk.choices import RISK_MANAGER_ROLES, SCHOOL_RESPONDERS
from safecampus.risk.services.grades import BUREAU_ADJUSTERS, SCHOOL_ADJUSTERS
from safecampus.risk.services.register import CALENDAR_ROLES, REGISTER_EDITOR_ROLES

#: Every bureau and school role reads grades, notices and the register (scoped to its units).
READERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)
#: The level bands page (any bureau role; only CALENDAR_EDITORS may change the bands).
BUREAU_READERS = Access.for_roles(BUREAU_ROLES)
#: Compute a month's grades, draft and issue the notice.
MANAGERS = Access.for_roles(RISK_MANAGER_ROLES)
#: Adjust a grade: the bureau for any school, a principal for their own.
ADJUSTERS = Access.for_roles(BUREAU_ADJUSTERS | SCHOOL_ADJUSTERS)
#: Clear an adjustment (the bureau only).
ADJUSTMENT_CLEARERS = Access.for_roles(BUREAU_ADJUSTERS)
#: Act on a school's warning: the bureau's managers, and the school's own responders.
WARNING_ACTORS = Access.for_roles(RISK_MANAGER_ROLES | SCHOOL_RESPONDERS)
#: Acknowledge a warning and report its measures through the API (the school only).
RESPONDERS = Access.for_roles(SCHOOL_RESPONDERS)
#: Keep the register (district-wide items and any school's, or one's own school's).
REGISTER_EDITORS = Access.for_roles(REGISTER_EDITOR_ROLES)
#: Edit the level bands and the seasonal calendar.
CALENDAR_EDITORS = Access.for_roles(CALENDAR_ROLES)
