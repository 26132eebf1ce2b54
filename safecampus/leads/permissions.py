"""Who may do what with leads: the route guards the pages and the API share, the checks the
services make before a write, and the rules that are more than a role (a lead's handlers
see the names of the people in it; only a second person approves a reveal).

Every check fails closed: an anonymous user, a user without a scope or with an unknown
role is refused.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from safecampus.cases.choices import TransferStatus
from safecampus.cases.errors import CasePermissionDenied
from safecampus.cases.models import Transfer
from safecampus.core.access import Access
from safecampus.leads.choices import HANDLER_ROLES, TRIAGE_ROLES
from safecampus.leads.models import Lead, RevealRequest
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role

#: Who reads the ledger, a lead's page and the statistics (each sees only their scope).
READERS = Access.for_roles(BUREAU_ROLES | SCHOOL_ROLES | {Role.PARTNER_LIAISON})
#: Who may enter a lead from inside the app (the public portal is the reporters' own door).
REPORTER_ROLES = BUREAU_ROLES | SCHOOL_ROLES
REPORTERS = Access.for_roles(REPORTER_ROLES)
#: Who may make moves on a lead; which moves on which lead is the services' check.
ACTORS = Access.for_roles(TRIAGE_ROLES | HANDLER_ROLES)
#: The bureau safety section: triage, merge, dual reports, messages to reporters, import.
TRIAGE = Access.for_roles(TRIAGE_ROLES)
IMPORTERS = TRIAGE

#: The roles that can be a lead's handler at all (which lead is ``may_see_persons``'s rule).
PERSON_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.SCHOOL_OFFICER, Role.PARTNER_LIAISON})
#: Who may ask to see a reporter: the bureau safety section.
REQUESTER_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER})
#: Who may be the second person: the safety section and the bureau's leaders.
APPROVER_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})


def forbidden() -> CasePermissionDenied:
    """The refusal of a move on a lead the actor may not make (answered 403)."""
    return CasePermissionDenied(_("You are not allowed to do this on this lead."), code="forbidden")


def has_roles(actor: Any, roles: frozenset[str]) -> bool:
    """Whether ``actor`` is signed in and holds one of ``roles`` somewhere in its scope."""
    scope = getattr(actor, "scope", None)
    return bool(getattr(actor, "is_authenticated", False) and scope and scope.has_role(*roles))


def require_triage(actor: Any) -> None:
    """Refuse anyone but the bureau's triage roles."""
    if not getattr(actor, "is_authenticated", False) or not actor.scope.has_role(*TRIAGE_ROLES):
        raise forbidden()


def require_handler(actor: Any, lead: Lead) -> None:
    """The bureau, or a handler in the unit the lead is assigned or transferred to."""
    if not getattr(actor, "is_authenticated", False):
        raise forbidden()
    scope = actor.scope
    if scope.has_role(*TRIAGE_ROLES):
        return
    units = set(Transfer.objects.for_case(lead).values_list("to_unit_id", flat=True))
    units.add(lead.assignee_unit_id)
    if not any(scope.has_role(*HANDLER_ROLES, unit_id=unit) for unit in units if unit):
        raise forbidden()


def may_import(actor: Any) -> bool:
    """Only the bureau's triage roles import.

    School roles may not, by choice: an imported lead enters the safety section's intake
    (source "imported", owned by the section) and may name any school, whereas a school's
    own screening is reported one lead at a time through ``lead_report``, which records it
    as the school's (source "screening", owned by the school). Letting a school bulk-load
    the section's queue would need its own ownership rule; offline collection campaigns
    are the section's, so the section imports what it gathered.
    """
    return bool(getattr(actor, "is_authenticated", False) and actor.scope.has_role(*TRIAGE_ROLES))


def may_see_persons(user: Any, lead: Lead) -> bool:
    """Whether ``user`` is a handler of ``lead`` who may see the names in full.

    The handlers are: a bureau safety officer (the section triages and follows every
    lead); the designated officer (专人) of the school the lead is assigned to, while it
    is assigned there; a partner liaison of an agency the lead was transferred to, unless
    the agency returned it. Nobody else — not bureau leaders, staff or inspectors, not
    principals, teachers or guards, not a school that reported the lead but was not given
    it, not an agency after it handed the lead back. Fail closed.
    """
    scope = getattr(user, "scope", None)
    if not getattr(user, "is_authenticated", False) or scope is None:
        return False
    if scope.has_role(Role.BUREAU_SAFETY_OFFICER):
        return True
    if lead.assignee_unit_id and scope.has_role(Role.SCHOOL_OFFICER, unit_id=lead.assignee_unit_id):
        return True
    if not scope.agency_unit_ids:  # the units where the user is a partner liaison
        return False
    transfers = Transfer.objects.for_case(lead).filter(to_unit_id__in=scope.agency_unit_ids)
    return transfers.exclude(status=TransferStatus.RETURNED).exists()


def can_request_reveal(actor: Any) -> bool:
    """Whether ``actor`` may ask to see a lead's reporter."""
    return has_roles(actor, REQUESTER_ROLES)


def can_approve_reveal(actor: Any, request: RevealRequest) -> bool:
    """Whether ``actor`` may decide ``request``: an approver, never the one who asked."""
    return has_roles(actor, APPROVER_ROLES) and request.requested_by_id != actor.pk
