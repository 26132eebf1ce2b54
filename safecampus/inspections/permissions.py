"""Who may open each page and call each endpoint of the inspections app.

One ``Access`` rule per kind of user, shared by the HTML views and the API so a page and its
endpoint cannot drift apart. The role sets behind them live beside the services that enforce
them again (a view's access only hides the door; the service refuses the act).
"""

from __future__ import annotations

from safecampus.core.access import Access
from safecampus.inspections.choices import SCHOOL_RECTIFIERS, VERIFIERS
from safecampus.inspections.evaluation import EVALUATION_READERS as EVALUATION_ROLES
from safecampus.inspections.models import ACCOUNTABILITY_READERS
from safecampus.inspections.services.hazards import HAZARD_REPORTER_ROLES, VOIDER_ROLES
from safecampus.inspections.services.inspections import (
    BUREAU_PERFORMERS,
    CANCEL_ROLES,
    PERFORMER_ROLES,
    SCHOOL_PERFORMERS,
)
from safecampus.inspections.services.plans import PLAN_EDITOR_ROLES
from safecampus.inspections.services.rectification import ISSUER_ROLES
from safecampus.inspections.services.templates import TEMPLATE_EDITOR_ROLES
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role

#: Everyone in the bureau and the schools: published checklists, inspections, the hazard
#: register and the inspection ledger (each list is still narrowed by ``visible_to``).
READERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES)

# Checklists and plans: drafts and plans are the bureau's.
TEMPLATE_EDITORS = Access.for_roles(TEMPLATE_EDITOR_ROLES)
PLAN_READERS = Access.for_roles(BUREAU_ROLES)
PLAN_EDITORS = Access.for_roles(PLAN_EDITOR_ROLES)

# Inspections.
INSPECTION_CREATORS = Access.for_roles(BUREAU_PERFORMERS | SCHOOL_PERFORMERS)
PERFORMERS = Access.for_roles(PERFORMER_ROLES)
INSPECTION_CANCELLERS = Access.for_roles(CANCEL_ROLES)

# Hazards and rectification notices.
REPORTERS = Access.for_roles(HAZARD_REPORTER_ROLES)
ISSUERS = Access.for_roles(ISSUER_ROLES)
VOIDERS = Access.for_roles(VOIDER_ROLES)
#: An interim control measure may be named by the bureau or by the school that rectifies.
INTERIM = Access.for_roles(BUREAU_ROLES | SCHOOL_RECTIFIERS)
RECTIFIERS = Access.for_roles(SCHOOL_RECTIFIERS)
VERIFYING = Access.for_roles(VERIFIERS)
#: Only the bureau's safety officer withdraws a notice.
NOTICE_CANCELLERS = Access.for_roles({Role.BUREAU_SAFETY_OFFICER})

# Evaluation and accountability.
EVALUATION_READERS = Access.for_roles(EVALUATION_ROLES)
BUREAU = Access.for_roles(BUREAU_ROLES)
ACCOUNTABILITY = Access.for_roles(ACCOUNTABILITY_READERS)
