"""Kinds of timeline events and the life of a transfer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    TRANSITIONED = "transitioned", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    FEEDBACK = "feedback", _("Feedback received")
    TRANSFER_ACCEPTED = "transfer_accepted", _("Transfer accepted")
    TRANSFER_RETURNED = "transfer_returned", _("Transfer returned")
    PROGRESS = "progress", _("Progress")
    DEADLINE_SET = "deadline_set", _("Deadline set")
    ESCALATED = "escalated", _("Escalated")
    COMMENT = "comment", _("Comment")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting feedback")
    ANSWERED = "answered", _("Feedback received")
    RETURNED = "returned", _("Returned")
