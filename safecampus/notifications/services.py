"""Notifications: in-app, e-mail and signed webhooks, delivered from an outbox after commit.

INTERFACE CONTRACT (other apps call only this):

    notify(*, recipients, verb, title, body="", url="", obj=None, unit_id=None)
        -> list[Notification]

``recipients`` is an iterable of users; ``verb`` is ``app.model.verb_past``
(e.g. ``"cases.deadline.escalated"``); ``title``/``body`` are already-translated
strings; ``url`` is a path inside the app. Must be called inside the caller's
transaction; delivery happens after commit.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from safecampus.audit.services import MASK, audit_record
from safecampus.core.claims import claim
from safecampus.core.errors import DomainError
from safecampus.notifications.choices import (
    DUE_STATUSES,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    STALE_CLAIM_AFTER,
    Channel,
    OutboxStatus,
)
from safecampus.notifications.live import publish_notifications
from safecampus.notifications.models import Notification, OutboxMessage, WebhookEndpoint
from safecampus.notifications.transport import post_webhook, send_email
from safecampus.organizations.choices import Role

logger = logging.getLogger(__name__)


class NotificationError(DomainError):
    """A refused notification operation."""


def notify(
    *,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: Any = None,
    unit_id: int | None = None,
) -> list[Notification]:
    """Tell people about an event, in the caller's transaction.

    Each distinct active recipient gets one in-app notification and, if they
    have an e-mail address, one e-mail; every active webhook endpoint of the
    unit (or of no unit) whose verb filter matches gets one signed call. E-mails
    and calls are outbox rows: nothing leaves, and no live event is announced,
    unless the caller's transaction commits. ``unit_id`` defaults to ``obj.unit_id``.
    """
    people = _distinct_active(recipients)
    if unit_id is None:
        unit_id = getattr(obj, "unit_id", None)
    object_type = obj._meta.label_lower if isinstance(obj, models.Model) else ""
    object_id = str(obj.pk) if isinstance(obj, models.Model) and obj.pk is not None else ""
    now = timezone.now()
    notifications = Notification.objects.bulk_create(
        Notification(
            recipient=person,
            verb=verb,
            title=title[:200],
            body=body,
            url=url,
            object_type=object_type,
            object_id=object_id,
            unit_id=unit_id,
            created_at=now,
        )
        for person in people
    )
    event = {
        "id": str(uuid.uuid4()),
        "verb": verb,
        "title": title,
        "body": body,
        "url": _absolute(url),
        "object_type": object_type,
        "object_id": object_id,
        "unit_id": unit_id,
        "created_at": now.isoformat(),
    }
    outbox = [*_emails(people, title, body, url), *_webhook_calls(verb, unit_id, event)]
    suppressed = _suppressed.get()
    for message in outbox if suppressed else ():
        message.status, message.last_error = OutboxStatus.SUPPRESSED, suppressed
    OutboxMessage.objects.bulk_create(outbox)
    if outbox and not suppressed:
        transaction.on_commit(lambda: _enqueue_delivery(), robust=True)
    if notifications:
        transaction.on_commit(lambda: publish_notifications(notifications), robust=True)
    return notifications


#: The reason of the outbox rows written inside ``outbox_suppressed``; empty outside it.
_suppressed: ContextVar[str] = ContextVar("outbox_suppressed", default="")


@contextmanager
def outbox_suppressed(reason: str) -> Iterator[None]:
    """Inside, ``notify`` keeps the e-mails and webhook calls it writes in the outbox as
    ``suppressed`` with ``reason``: never sent, and visibly so. In-app notifications are
    unchanged. For demo data, whose recipients are made up."""
    token = _suppressed.set(reason[:500])
    try:
        yield
    finally:
        _suppressed.reset(token)


#: Starts a delivery run after a commit that wrote outbox rows: the queue's
#: ``outbox_deliver_task``, handed over by ``NotificationsConfig.ready`` (tasks import this
#: module, so this module cannot import them). Unset, the minutely run still delivers.
_delivery_starters: list[Callable[[], object]] = []


def outbox_delivery_starter(start: Callable[[], object]) -> None:
    """Make ``start`` the call that begins delivering the outbox after a commit."""
    _delivery_starters[:] = [start]


def _enqueue_delivery() -> None:
    for start in _delivery_starters:
        start()


def _distinct_active(recipients: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person is None or not person.is_active or person.pk in seen:
            continue
        seen.add(person.pk)
        people.append(person)
    return people


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url.startswith("/") else url


def _emails(people: Sequence[Any], title: str, body: str, url: str) -> list[OutboxMessage]:
    subject = " ".join(title.split())  # a newline in a subject is a header injection
    messages = []
    for person in people:
        if not person.email:
            continue
        # The bureau's language, whatever language the request that caused this was in.
        with translation.override(settings.LANGUAGE_CODE):
            text = render_to_string(
                "notifications/email/notification.txt",
                {"person": person, "title": title, "body": body, "link": _absolute(url)},
            )
        messages.append(
            OutboxMessage(
                channel=Channel.EMAIL,
                payload={"to": person.email, "subject": subject, "body": text},
            )
        )
    return messages


def _webhook_calls(verb: str, unit_id: int | None, event: dict[str, Any]) -> list[OutboxMessage]:
    endpoints = WebhookEndpoint.objects.filter(is_active=True).filter(
        models.Q(unit__isnull=True) | models.Q(unit_id=unit_id)
    )
    return [
        OutboxMessage(channel=Channel.WEBHOOK, endpoint=endpoint, payload=event)
        for endpoint in endpoints
        if endpoint.accepts(verb)
    ]


def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Only the recipient marks a notification read; marking it again keeps the first time.

    Not audited: reading one's own inbox changes nothing anyone else can see.
    """
    if notification.recipient_id != actor.pk:
        raise NotificationError(_("This notification is not yours."), code="not_recipient")
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notification_mark_all_read(*, actor: Any) -> int:
    """Mark every unread notification of ``actor`` read; returns how many changed."""
    unread = Notification.objects.unread().filter(recipient_id=actor.pk)
    return unread.update(read_at=timezone.now())


def webhook_endpoint_create(
    *,
    actor: Any,
    name: str,
    url: str,
    secret: str,
    unit: Any = None,
    verbs: Sequence[str] = (),
) -> WebhookEndpoint:
    """Only a system administrator adds an endpoint; the secret never enters the audit trail."""
    if Role.SYSTEM_ADMIN not in getattr(actor, "roles", frozenset()):
        raise NotificationError(_("Only a system administrator may add webhooks."), code="denied")
    endpoint = WebhookEndpoint(name=name, url=url, secret=secret, unit=unit, verbs=list(verbs))
    endpoint.full_clean()
    with transaction.atomic():
        endpoint.save()
        audit_record(
            actor=actor,
            action="notifications.webhookendpoint.created",
            obj=endpoint,
            changes={"url": url, "verbs": list(verbs), "secret": MASK},
            unit_id=getattr(unit, "pk", None),
        )
    return endpoint


@dataclass(frozen=True)
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0
    reclaimed: int = 0


def outbox_deliver(*, limit: int = 100, now: datetime | None = None) -> DeliveryReport:
    """Send due outbox rows, each by exactly one worker, at least once.

    A worker owns a row only if its conditional update moved it from due to
    ``sending``. A failure waits ``RETRY_DELAYS[attempt - 1]``; after
    ``MAX_ATTEMPTS`` the row is ``dead``. A row left ``sending`` for
    ``STALE_CLAIM_AFTER`` is taken back: its worker died, possibly after the
    far side received it, so receivers de-duplicate webhooks by the event ``id``.
    Call it outside a transaction so that each claim commits on its own.
    """
    now = now or timezone.now()
    reclaimed = _reclaim_stale(now)
    due = (
        OutboxMessage.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: Counter[str] = Counter()
    for pk in list(due):
        # Claimed outside any transaction: the claim must survive a crash mid-send (the
        # message may have left), to be taken back as stale rather than sent again at once.
        mine = OutboxMessage.objects.filter(
            pk=pk, status__in=DUE_STATUSES, next_attempt_at__lte=now
        )
        if claim(mine, status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1):
            outcomes[_attempt(pk, now)] += 1
    return DeliveryReport(
        sent=outcomes[OutboxStatus.SENT],
        failed=outcomes[OutboxStatus.FAILED],
        dead=outcomes[OutboxStatus.DEAD],
        reclaimed=reclaimed,
    )


def outbox_claim(*, pk: int, now: datetime) -> bool:
    """Move message ``pk`` from due to ``sending`` for this worker: true for exactly one of
    any number of concurrent workers (``core.claims``).

    Claimed outside any transaction: the claim must outlive a crash mid-send (the message may
    have left), so that it is taken back as stale later rather than sent again at once.
    """
    due = OutboxMessage.objects.filter(pk=pk, status__in=DUE_STATUSES, next_attempt_at__lte=now)
    return claim(due, status=OutboxStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)


def _attempt(pk: int, now: datetime) -> str:
    message = OutboxMessage.objects.select_related("endpoint").get(pk=pk)
    mine = OutboxMessage.objects.filter(pk=pk, status=OutboxStatus.SENDING)
    if message.endpoint is not None and not message.endpoint.is_active:
        mine.update(status=OutboxStatus.DEAD, last_error="The endpoint was deactivated.")
        return OutboxStatus.DEAD
    try:
        if message.channel == Channel.EMAIL:
            send_email(message.payload)
        else:
            assert message.endpoint is not None
            post_webhook(message.endpoint, message.payload)
    except Exception as exc:
        # Whatever the far side or the payload did wrong, the row must leave `sending`.
        error = f"{type(exc).__name__}: {exc}"[:500]
        logger.warning("Outbox message %s failed (attempt %s): %s", pk, message.attempts, error)
        if message.attempts >= MAX_ATTEMPTS:
            mine.update(status=OutboxStatus.DEAD, last_error=error)
            return OutboxStatus.DEAD
        retry_at = now + RETRY_DELAYS[message.attempts - 1]
        mine.update(status=OutboxStatus.FAILED, last_error=error, next_attempt_at=retry_at)
        return OutboxStatus.FAILED
    mine.update(status=OutboxStatus.SENT, sent_at=timezone.now(), last_error="")
    return OutboxStatus.SENT


def _reclaim_stale(now: datetime) -> int:
    stale = OutboxMessage.objects.filter(
        status=OutboxStatus.SENDING, claimed_at__lt=now - STALE_CLAIM_AFTER
    )
    error = "The worker stopped while sending."
    dead = stale.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=OutboxStatus.DEAD, last_error=error
    )
    retry = stale.update(status=OutboxStatus.FAILED, last_error=error, next_attempt_at=now)
    return dead + retry
