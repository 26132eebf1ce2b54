"""A partner agency's side of a transferred lead (R-2.3): accept it, report progress, send it
back with a reason, or give the result. Each step goes through the kernel's transfer
services, so it is on the lead's timeline and in the audit trail."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from safecampus.cases.choices import TransferStatus
from safecampus.cases.models import Transfer
from safecampus.cases.permissions import RECEIVING_ROLES
from safecampus.cases.services import (
    case_comment,
    case_transition,
    transfer_accept,
    transfer_feedback,
    transfer_progress,
    transfer_return,
)
from safecampus.leads.choices import TRIAGE_ROLES, LeadResult, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead
from safecampus.leads.permissions import require_handler

#: When agencies disagree, the lead takes the gravest result any of them found.
RESULT_GRAVITY: list[str] = [
    LeadResult.NOT_VERIFIED,
    LeadResult.PARTLY_VERIFIED,
    LeadResult.VERIFIED,
    LeadResult.PROSECUTION,
]


def own_pending_transfers(*, actor: Any, lead: Lead) -> QuerySet[Transfer]:
    """The lead's unanswered transfers to units where ``actor`` is a receiving handler."""
    scope = getattr(actor, "scope", None)
    if scope is None or lead.pk is None:
        return Transfer.objects.none()
    pending = Transfer.objects.for_case(lead).filter(status=TransferStatus.PENDING)
    units = [
        transfer.to_unit_id
        for transfer in pending.select_related("to_unit")
        if scope.has_role(
            *RECEIVING_ROLES.get(transfer.to_unit.kind, frozenset()), unit_id=transfer.to_unit_id
        )
    ]
    return pending.filter(to_unit_id__in=units).select_related("to_unit")


def _transfer_of(lead: Lead, transfer_id: int) -> Transfer:
    transfer = Transfer.objects.for_case(lead).select_related("to_unit").filter(pk=transfer_id)
    found = transfer.first()
    if found is None:
        raise LeadError(_("This transfer does not belong to this lead."), code="bad_transfer")
    return found


def lead_transfer_accept(*, actor: Any, lead: Lead, transfer_id: int, note: str = "") -> Transfer:
    """The agency takes the lead on (受理); a lead waiting on its transfer is now being handled."""
    with transaction.atomic():
        transfer = transfer_accept(actor=actor, transfer=_transfer_of(lead, transfer_id), note=note)
        lead.refresh_from_db()
        if lead.status == LeadStatus.TRANSFERRED:
            case_transition(actor=actor, case=lead, to_status=LeadStatus.HANDLING, note=note)
    return transfer


def lead_transfer_return(*, actor: Any, lead: Lead, transfer_id: int, reason: str) -> Transfer:
    """The agency sends the lead back with a reason. When no agency holds it any more, the
    lead returns to the bureau as accepted, to be assigned or transferred again."""
    with transaction.atomic():
        transfer = transfer_return(
            actor=actor, transfer=_transfer_of(lead, transfer_id), reason=reason
        )
        lead.refresh_from_db()
        held = Transfer.objects.for_case(lead).exclude(status=TransferStatus.RETURNED)
        if not held.exists() and lead.status in (LeadStatus.TRANSFERRED, LeadStatus.HANDLING):
            case_transition(actor=actor, case=lead, to_status=LeadStatus.ACCEPTED, note=reason)
    return transfer


def lead_progress(*, actor: Any, lead: Lead, note: str) -> None:
    """Post how the work stands (进展): on the actor's own pending transfer when there is one
    (the agency's interim feedback), otherwise as a remark on the timeline."""
    note = note.strip()
    if not note:
        raise LeadError(_("Write the progress first."), code="note_required")
    own = own_pending_transfers(actor=actor, lead=lead).first()
    if own is not None:
        transfer_progress(actor=actor, transfer=own, note=note)
    else:
        require_handler(actor, lead)
        case_comment(actor=actor, case=lead, note=note)


def answer_own_transfers(*, actor: Any, lead: Lead, result: str, note: str) -> bool:
    """Give ``result`` as the feedback of the actor's own pending transfers. Answers whether
    the lead may now be concluded: always for the bureau, for an agency only when no other
    agency still owes its feedback."""
    label = str(LeadResult(result).label)
    for transfer in own_pending_transfers(actor=actor, lead=lead):
        transfer_feedback(
            actor=actor, transfer=transfer, note=note or label, data={"result": result}
        )
    if actor.scope.has_role(*TRIAGE_ROLES):
        return True
    return not Transfer.objects.for_case(lead).filter(status=TransferStatus.PENDING).exists()


def gravest_result(results: list[str]) -> str:
    """The gravest of the results the agencies gave (an unknown value counts for nothing)."""
    known = [r for r in results if r in RESULT_GRAVITY]
    return max(known, key=RESULT_GRAVITY.index) if known else ""


def lead_transfer_act(
    *, actor: Any, lead: Lead, transfer_id: int, action: str, note: str = ""
) -> None:
    """One answer of the receiving agency, as the page and the API name it:
    ``accept``, ``return`` (``note`` is the reason) or ``progress``."""
    if action == "accept":
        lead_transfer_accept(actor=actor, lead=lead, transfer_id=transfer_id, note=note)
    elif action == "return":
        lead_transfer_return(actor=actor, lead=lead, transfer_id=transfer_id, reason=note)
    elif action == "progress":
        lead_progress(actor=actor, lead=lead, note=note)
    else:
        raise LeadError(_("The request was not understood."), code="bad_action")
