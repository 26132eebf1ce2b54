"""Statuses, results, sources and urgency of a lead (线索), and the triage workflow (R-2)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safecampus.cases.workflow import Transition, Workflow
from safecampus.organizations.choices import Role


class LeadStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    ASSIGNED = "assigned", _("Assigned to a school")
    TRANSFERRED = "transferred", _("Transferred")
    HANDLING = "handling", _("Being handled")
    CONCLUDED = "concluded", _("Concluded")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another lead")


class RevealStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a second approver")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class LeadResult(models.TextChoices):
    VERIFIED = "verified", _("Verified")
    PARTLY_VERIFIED = "partly_verified", _("Partly verified")
    NOT_VERIFIED = "not_verified", _("Not verified")
    PROSECUTION = "prosecution", _("Transferred for prosecution")


class LeadSource(models.TextChoices):
    INTERNAL = "internal", _("Internal report")
    SCREENING = "screening", _("School screening")
    PORTAL = "portal", _("Public portal")
    PHONE_LETTER = "phone_letter", _("Phone or letter")
    IMPORT = "import", _("Collected offline (imported)")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class MessageDirection(models.TextChoices):
    TO_REPORTER = "to_reporter", _("To the reporter")
    FROM_REPORTER = "from_reporter", _("From the reporter")


class DualReportChannel(models.TextChoices):
    SAFETY_SECTION = "safety_section", _("Bureau safety section")
    LOCAL_GOVERNMENT = "local_government", _("Local government")
    DEPARTMENT = "department", _("Relevant department")


class DualReportMethod(models.TextChoices):
    SYSTEM = "system", _("In this system")
    DOCUMENT = "document", _("Written report")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")
    OTHER = "other", _("Other")


#: The channels that count as the second report of R-2.2.
SECOND_REPORT_CHANNELS = (DualReportChannel.LOCAL_GOVERNMENT, DualReportChannel.DEPARTMENT)

#: The bureau safety section drives triage (受理、分办、移交、办结、重新启动).
TRIAGE_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
#: The assigned school's leaders and the receiving agency's liaison handle their own lead.
HANDLER_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.PARTNER_LIAISON})

S = LeadStatus

#: A duplicate is merged before the handling starts; after, its work is its own.
MERGEABLE = frozenset({S.RECEIVED, S.ACCEPTED})
#: A lead that can no longer carry on cannot take a duplicate.
NOT_A_TARGET = frozenset({S.REJECTED, S.MERGED, S.CLOSED})

#: Every agency sent the lead back (退回): it returns to the bureau to be routed again.
#: Only the return service makes this move, on the last agency's return.
RETURNED = Transition(
    roles=TRIAGE_ROLES | HANDLER_ROLES, requires_note=True, label=_("Returned to the bureau")
)

LEAD_WORKFLOW = Workflow(
    statuses=LeadStatus,
    initial=S.RECEIVED,
    transitions={
        S.RECEIVED: {
            S.ACCEPTED: Transition(roles=TRIAGE_ROLES, meets={"acknowledge"}),
            S.REJECTED: Transition(roles=TRIAGE_ROLES, requires_note=True),
            S.MERGED: Transition(roles=TRIAGE_ROLES, meets={"acknowledge"}),
        },
        S.ACCEPTED: {
            S.MERGED: Transition(roles=TRIAGE_ROLES, meets={"conclude"}),
            S.ASSIGNED: Transition(roles=TRIAGE_ROLES),
            S.TRANSFERRED: Transition(roles=TRIAGE_ROLES),
        },
        S.ASSIGNED: {
            S.HANDLING: Transition(roles=TRIAGE_ROLES | HANDLER_ROLES),
            S.TRANSFERRED: Transition(roles=TRIAGE_ROLES),
        },
        S.TRANSFERRED: {
            S.HANDLING: Transition(roles=TRIAGE_ROLES | HANDLER_ROLES),
            S.ACCEPTED: RETURNED,
        },
        S.HANDLING: {
            S.CONCLUDED: Transition(roles=TRIAGE_ROLES | HANDLER_ROLES, meets={"conclude"}),
            S.ACCEPTED: RETURNED,
        },
        S.CONCLUDED: {
            S.CLOSED: Transition(roles=TRIAGE_ROLES),
        },
        S.CLOSED: {
            S.ACCEPTED: Transition(roles=TRIAGE_ROLES, requires_note=True, label=_("Reopen")),
        },
    },
    terminal={S.REJECTED, S.MERGED},
    assign_roles=TRIAGE_ROLES,
    transfer_roles=TRIAGE_ROLES,
)
