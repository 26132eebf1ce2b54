"""Notifications on the live stream: the event a person's browser receives, from either engine.

``event: notification`` carries ``{"unread": n, "title": …, "url": …}``, where
``unread`` is the person's unread count when the event was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Count, Max

from safecampus.notifications.models import Notification
from safecampus.stream.broker import get_broker, user_channel

EVENT = "notification"
#: At most this many events per poll; the unread count in each is still exact.
POLL_BATCH = 20


def inbox_event(*, unread: int, title: str, url: str) -> dict[str, Any]:
    return {"unread": unread, "title": title, "url": url}


class InboxSource:
    """Database engine: ``max(id)`` of a person's notifications, one query per poll."""

    def start(self, key: str) -> int:
        return self._latest(int(key))

    def poll(self, key: str, cursor: int) -> tuple[int, list[tuple[str, dict[str, Any]]]]:
        user_id = int(key)
        latest = self._latest(user_id)
        if latest <= cursor:
            return cursor, []
        mine = Notification.objects.filter(recipient_id=user_id)
        rows = list(mine.filter(id__gt=cursor).order_by("-id").values("title", "url")[:POLL_BATCH])
        unread = mine.unread().count()
        return latest, [(EVENT, inbox_event(unread=unread, **row)) for row in reversed(rows)]

    @staticmethod
    def _latest(user_id: int) -> int:
        found = Notification.objects.filter(recipient_id=user_id).aggregate(m=Max("id"))["m"]
        return found or 0


def publish_notifications(notifications: Sequence[Notification]) -> None:
    """Push engine only (Redis): announce new notifications; call after commit."""
    broker = get_broker()
    if not broker.pushes or not notifications:
        return
    ids = {n.recipient_id for n in notifications}
    counts = dict(
        Notification.objects.unread()
        .filter(recipient_id__in=ids)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    for notification in notifications:
        data = inbox_event(
            unread=counts.get(notification.recipient_id, 0),
            title=notification.title,
            url=notification.url,
        )
        broker.publish(user_channel(notification.recipient_id), EVENT, data)
