"""Complaint (投诉): a test-only case type with a workflow of its own."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safecampus.cases.models import CaseModel, CaseQuerySet
from safecampus.cases.workflow import Transition, Workflow
from safecampus.organizations.choices import Role


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    RESOLVED = "resolved", _("Resolved")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


HANDLERS = {Role.SCHOOL_OFFICER, Role.PRINCIPAL, Role.BUREAU_SAFETY_OFFICER}

COMPLAINT_WORKFLOW = Workflow(
    statuses=ComplaintStatus,
    initial=ComplaintStatus.NEW,
    transitions={
        ComplaintStatus.NEW: {
            ComplaintStatus.ACCEPTED: Transition(roles=HANDLERS, meets={"accept"}),
            ComplaintStatus.REJECTED: Transition(
                roles={Role.BUREAU_SAFETY_OFFICER}, requires_note=True
            ),
            ComplaintStatus.EXPIRED: Transition(system=True),
        },
        ComplaintStatus.ACCEPTED: {
            ComplaintStatus.RESOLVED: Transition(roles=HANDLERS, requires_note=True),
        },
    },
    terminal={ComplaintStatus.RESOLVED, ComplaintStatus.REJECTED, ComplaintStatus.EXPIRED},
    assign_roles={Role.BUREAU_SAFETY_OFFICER, Role.SCHOOL_OFFICER},
    transfer_roles={Role.BUREAU_SAFETY_OFFICER},
)


class ComplaintQuerySet(CaseQuerySet):
    pass


class Complaint(CaseModel):
    workflow = COMPLAINT_WORKFLOW
    reference_prefix = "TS"

    status = models.CharField(
        _("status"), max_length=30, choices=ComplaintStatus.choices, db_index=True, editable=False
    )
    complainant = models.CharField(max_length=60, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        app_label = "casetype"
