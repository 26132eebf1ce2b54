"""Revealing a reporter's identity takes two people (R-2.1, R-7; issue #3 item 4).

A bureau safety officer asks, with a reason; a second bureau user (another safety
officer or a bureau leader, never the one who asked) approves or denies; an approval
lets only the requester see the name and contact, for ``reporter_reveal_minutes``.
The request, the decision and every view are in the audit trail. Schools and
agencies can do none of this.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.errors import CasePermissionDenied
from safecampus.core.rules import rule
from safecampus.leads.choices import RevealStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead, RevealRequest
from safecampus.leads.permissions import (
    APPROVER_ROLES,
    can_approve_reveal,
    can_request_reveal,
    has_roles,
)
from safecampus.notifications.services import notify
from safecampus.organizations.models import Membership


def _refuse() -> CasePermissionDenied:
    return CasePermissionDenied(
        _("You are not allowed to see or reveal the reporter's identity."), code="forbidden"
    )


def _approvers(excluding: Any) -> list[Any]:
    members = Membership.objects.active().filter(role__in=APPROVER_ROLES)
    users = get_user_model().objects.filter(pk__in=members.values("user_id"), is_active=True)
    return list(users.exclude(pk=excluding.pk).order_by("pk"))


def reveal_request(*, actor: Any, lead: Lead, reason: str) -> RevealRequest:
    """Ask to see the reporter of ``lead``; the other approvers are told (without the identity)."""
    if not can_request_reveal(actor):
        raise _refuse()
    reason = reason.strip()
    if not reason:
        raise LeadError(_("Say why you need to know who reported this lead."), code="no_reason")
    if not (lead.reporter_name or lead.reporter_contact):
        raise LeadError(_("This reporter left no name or contact."), code="anonymous")
    try:
        with transaction.atomic():
            request = RevealRequest.objects.create(lead=lead, requested_by=actor, reason=reason)
            audit_record(
                actor=actor,
                action="leads.lead.reveal_requested",
                obj=lead,
                changes={"request": request.pk, "reason": reason},
            )
            notify(
                recipients=_approvers(actor),
                verb="leads.lead.reveal_requested",
                title=_("Approval needed to reveal a reporter: %(lead)s") % {"lead": lead},
                body=_("%(person)s asks: %(reason)s") % {"person": actor, "reason": reason},
                url=lead.get_absolute_url(),
                obj=lead,
                unit_id=lead.unit_id,
            )
    except IntegrityError:
        raise LeadError(
            _("You already have a request waiting for approval."), code="pending"
        ) from None
    return request


def _pending(request_id: int, lead: Lead) -> RevealRequest:
    found = (
        RevealRequest.objects.select_for_update()
        .filter(pk=request_id, lead=lead, status=RevealStatus.PENDING)
        .first()
    )
    if found is None:
        raise LeadError(_("This request is no longer waiting for a decision."), code="decided")
    return found


def reveal_decide(
    *, actor: Any, lead: Lead, request_id: int, approve: bool, note: str = ""
) -> RevealRequest:
    """A second bureau user approves or denies a pending request; never the requester."""
    with transaction.atomic():
        request = _pending(request_id, lead)
        if not can_approve_reveal(actor, request):
            raise _refuse()
        now = timezone.now()
        request.status = RevealStatus.APPROVED if approve else RevealStatus.DENIED
        request.decided_by, request.decided_at = actor, now
        request.decision_note = note.strip()
        if approve:
            request.expires_at = now + timedelta(minutes=rule("reporter_reveal_minutes"))
        request.save()
        verb = "reveal_approved" if approve else "reveal_denied"
        audit_record(
            actor=actor,
            action=f"leads.lead.{verb}",
            obj=lead,
            changes={"request": request.pk, "requested_by": request.requested_by_id},
        )
        title = (
            _("Your request to reveal the reporter of %(lead)s was approved.")
            if approve
            else _("Your request to reveal the reporter of %(lead)s was denied.")
        )
        notify(
            recipients=[request.requested_by],
            verb=f"leads.lead.{verb}",
            title=title % {"lead": lead},
            body=request.decision_note,
            url=lead.get_absolute_url(),
            obj=lead,
            unit_id=lead.unit_id,
        )
    return request


def reveal_withdraw(*, actor: Any, lead: Lead, request_id: int) -> RevealRequest:
    """The requester takes back a request still waiting for a decision."""
    with transaction.atomic():
        request = _pending(request_id, lead)
        if request.requested_by_id != getattr(actor, "pk", None):
            raise _refuse()
        request.status = RevealStatus.WITHDRAWN
        request.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="leads.lead.reveal_withdrawn",
            obj=lead,
            changes={"request": request.pk},
        )
    return request


def reveal_active(*, actor: Any, lead: Lead) -> RevealRequest | None:
    """The actor's approved, unexpired request on this lead, if any."""
    if not can_request_reveal(actor):
        return None
    return (
        RevealRequest.objects.filter(
            lead=lead,
            requested_by=actor,
            status=RevealStatus.APPROVED,
            expires_at__gt=timezone.now(),
        )
        .order_by("-expires_at")
        .first()
    )


def reveal_identity(*, actor: Any, lead: Lead) -> dict[str, str]:
    """The reporter's name and contact, for the requester of an approved, unexpired request.
    Each call is recorded in the audit trail."""
    approval = reveal_active(actor=actor, lead=lead)
    if approval is None:
        raise _refuse()
    audit_record(
        actor=actor,
        action="leads.lead.reporter_viewed",
        obj=lead,
        changes={"request": approval.pk, "approved_by": approval.decided_by_id},
    )
    return {"name": lead.reporter_name, "contact": lead.reporter_contact}


def reveal_requests(*, user: Any, lead: Lead) -> QuerySet[RevealRequest]:
    """The reveal requests on a lead, for the bureau users who take part in them."""
    if not has_roles(user, APPROVER_ROLES):
        return RevealRequest.objects.none()
    return RevealRequest.objects.filter(lead=lead).select_related("requested_by", "decided_by")
