"""Who may see what in the security app, where a page and an endpoint must agree.

The alert console's roles stay with the alert pipeline (``alerts.ALERT_READER_ROLES`` and
``ALERT_ACTOR_ROLES``); who may manage devices is ``services.DEVICE_ADMIN_ROLES``.
"""

from __future__ import annotations

from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES

#: Who may read the device registry, the event history and the alert statistics, on the
#: pages and through /api/v1/security/stats/ (the data itself is scoped to their schools).
DEVICE_READER_ROLES = BUREAU_ROLES | SCHOOL_ROLES
