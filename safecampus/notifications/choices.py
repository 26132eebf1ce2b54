"""Delivery channels and the life of an outbox row."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WEBHOOK = "webhook", _("Webhook")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed, will retry")
    DEAD = "dead", _("Given up")
    SUPPRESSED = "suppressed", _("Not sent (suppressed)")


#: Rows a worker may claim once ``next_attempt_at`` has passed.
DUE_STATUSES = (OutboxStatus.PENDING, OutboxStatus.FAILED)

#: Wait after the 1st, 2nd, … failed attempt; a failure after the last wait is final.
RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1

#: A row still ``sending`` after this long belongs to a worker that died mid-send.
STALE_CLAIM_AFTER = timedelta(minutes=10)
