"""The audited view of the names of the people in a lead (涉事人员、受害人), for its
handlers only (``permissions.may_see_persons``); see ``leads/persons.py`` for the masks
everyone else sees."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.errors import CasePermissionDenied
from safecampus.leads.models import Lead
from safecampus.leads.permissions import may_see_persons
from safecampus.leads.persons import PERSON_FIELDS


def lead_persons_reveal(
    *, actor: Any, lead: Lead, request: HttpRequest | None = None
) -> dict[str, str]:
    """The names of ``lead`` in full, for one of its handlers (``may_see_persons``).

    Each call writes one audit row ``leads.lead.persons_viewed`` naming the fields shown
    (not their values); a refusal writes none and shows nothing.
    """
    if not may_see_persons(actor, lead):
        raise CasePermissionDenied(
            _("Only the lead's handlers may see the names of the people in it."),
            code="forbidden",
        )
    shown = {name: getattr(lead, name) for name in PERSON_FIELDS}
    audit_record(
        actor=actor,
        action="leads.lead.persons_viewed",
        obj=lead,
        changes={"fields": [name for name, value in shown.items() if value]},
        request=request,
    )
    return shown
