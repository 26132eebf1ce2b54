"""Reading a person's own inbox."""

from __future__ import annotations

from typing import Any

from safecampus.notifications.models import Notification, NotificationQuerySet


def notification_list(*, user: Any, unread_only: bool = False) -> NotificationQuerySet:
    """The user's own notifications, newest first; never anyone else's, whatever the role."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    mine = Notification.objects.filter(recipient_id=user.pk)
    return mine.unread() if unread_only else mine


def unread_count(*, user: Any) -> int:
    """How many of the user's notifications are unread."""
    return notification_list(user=user, unread_only=True).count()
