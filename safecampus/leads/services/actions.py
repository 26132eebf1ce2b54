"""One move on a lead as the lead's page and the API name it (``accept``, ``assign``,
``transfer``, …): the dispatcher both call, so a move means the same service, the same
checks and the same audit rows whichever door it came through."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from safecampus.core.errors import ConflictError
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead
from safecampus.leads.services import feedback
from safecampus.leads.services import leads as services


def lead_act(*, actor: Any, lead: Lead, action: str, data: dict[str, Any]) -> None:
    """Make the move ``action`` on ``lead`` with the cleaned fields of ``LeadActionForm``."""
    note = data.get("note") or ""
    if action == "accept":
        services.lead_accept(actor=actor, lead=lead, note=note)
    elif action == "reject":
        services.lead_reject(actor=actor, lead=lead, reason=note)
    elif action == "assign":
        if data.get("school") is None:
            raise LeadError(_("Choose a school."), code="bad_school")
        services.lead_assign_school(actor=actor, lead=lead, school=data["school"], note=note)
    elif action == "transfer":
        services.lead_transfer(
            actor=actor,
            lead=lead,
            to_units=list(data.get("units") or []),
            feedback_days=data.get("feedback_days"),
            note=note,
        )
    elif action == "start":
        services.lead_start_handling(actor=actor, lead=lead, note=note)
    elif action == "conclude":
        services.lead_conclude(actor=actor, lead=lead, result=data.get("result") or "", note=note)
    elif action == "close":
        services.lead_close(actor=actor, lead=lead, note=note)
    elif action == "reopen":
        services.lead_reopen(actor=actor, lead=lead, reason=note)
    elif action == "progress":
        feedback.lead_progress(actor=actor, lead=lead, note=note)
    elif action == "spam":
        services.lead_mark_spam(actor=actor, lead=lead, spam=not lead.is_spam)


def lead_version_check(*, lead: Lead, version: int | None) -> None:
    """Refuse a move made from a page showing an older state of the lead (two officers
    acting at once); the row stays locked until the caller's transaction ends, so call it
    inside the transaction that makes the move."""
    current = (
        Lead.objects.select_for_update().filter(pk=lead.pk).values_list("lock_version", flat=True)
    )
    if version is not None and version != current.first():
        raise ConflictError(
            _("Someone else changed this lead meanwhile. Look at it again and retry."),
            code="stale",
        )
