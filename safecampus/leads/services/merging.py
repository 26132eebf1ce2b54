"""Merging a duplicate lead (重复线索合并) into the lead that carries on, keeping every
reporter's channel.

The duplicate is not deleted or rewritten: it moves to "merged" on the case kernel,
points at the surviving lead, and keeps its own receipt, messages and files. Its
reporter follows the survivor's progress with their own receipt (``selectors.public_lead_for``),
and the survivor's page lists the merged leads and their files.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.services import case_comment, case_transition
from safecampus.leads.choices import MERGEABLE, NOT_A_TARGET, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead
from safecampus.leads.permissions import forbidden, require_triage
from safecampus.leads.selectors.leads import lead_get, lead_get_by_reference


class MergeConflict(LeadError):
    """The leads' current states do not allow the merge; answered 409."""

    status_code = 409


def _locked_pair(lead: Lead, into: Lead) -> tuple[Lead, Lead]:
    # Both rows are locked in id order, so two officers merging A into B and B into A
    # at once wait for each other instead of deadlocking or both succeeding.
    rows = Lead.objects.select_for_update().filter(pk__in=[lead.pk, into.pk]).order_by("pk")
    found = {row.pk: row for row in rows}
    return found[lead.pk], found[into.pk]


def _check(lead: Lead, into: Lead) -> None:
    if lead.status not in MERGEABLE:
        raise MergeConflict(
            _("Only a received or accepted lead can be merged; %(reference)s is “%(status)s”.")
            % {"reference": lead.reference, "status": lead.status_label},
            code="not_mergeable",
        )
    if into.status == LeadStatus.MERGED and into.merged_into_id is not None:
        # Refused rather than followed: the officer should see which lead carries on.
        target = Lead.objects.filter(pk=into.merged_into_id).values_list("reference", flat=True)
        raise MergeConflict(
            _("%(reference)s was itself merged into %(target)s; merge into that lead.")
            % {"reference": into.reference, "target": target.first() or "—"},
            code="target_merged",
        )
    if into.status in NOT_A_TARGET or into.is_spam:
        raise MergeConflict(
            _("%(reference)s is “%(status)s” and cannot take a duplicate.")
            % {"reference": into.reference, "status": into.status_label},
            code="target_closed",
        )


def lead_merge(*, actor: Any, lead: Lead, into: Lead, note: str = "") -> Lead:
    """Merge the duplicate ``lead`` into ``into``, which carries on; returns ``into``.

    Only the bureau's triage roles may, on a received or accepted duplicate and a
    target that is not rejected, merged, closed or spam. The duplicate becomes
    "merged" (its time limits are met), points at ``into`` and keeps its receipt,
    messages and files; the survivor's timeline names it by reference only.
    """
    require_triage(actor)
    if lead.pk == into.pk:
        raise LeadError(_("A lead cannot be merged into itself."), code="same_lead")
    visible = Lead.objects.visible_to(actor).filter(pk__in=[lead.pk, into.pk]).count()
    if visible != 2:
        raise forbidden()
    note = note.strip()
    with transaction.atomic():
        locked, target = _locked_pair(lead, into)
        _check(locked, target)
        merged_note = _("Merged into %(reference)s.") % {"reference": target.reference}
        case_transition(
            actor=actor,
            case=lead,
            to_status=LeadStatus.MERGED,
            note=f"{merged_note} {note}".strip(),
        )
        Lead.objects.filter(pk=lead.pk).update(merged_into=target)
        lead.merged_into = target
        case_comment(
            actor=actor,
            case=target,
            note=_("Lead %(reference)s was merged into this lead.") % {"reference": lead.reference},
        )
        audit_record(
            actor=actor,
            action="leads.lead.merged",
            obj=lead,
            changes={"into": target.reference, "from_status": locked.status},
        )
    into.refresh_from_db()
    return into


def merge_target(*, user: Any, text: str) -> Lead:
    """The lead ``user`` names as the one to merge into: by its reference (XS-2026-000123)
    or its number, if ``user`` sees it; otherwise ``LeadError``."""
    text = text.strip()
    lead = lead_get_by_reference(user=user, reference=text.upper())
    if lead is None and text.isascii() and text.isdigit():
        lead = lead_get(user=user, lead_id=int(text))
    if lead is None:
        raise LeadError(
            _("No lead has the reference %(reference)s.") % {"reference": text},
            code="unknown_target",
        )
    return lead
