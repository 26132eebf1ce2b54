"""Alerts on the live stream: ``GET /stream/alerts`` on the stream process (``/alerts/stream/``
on the pages' host redirects there).

Channels: ``safecampus:alerts:<school id>`` for each school, ``safecampus:alerts:bureau``
for every school's. The guard room follows its own schools' channels, the bureau the
bureau's; anyone else is refused 403. Each new or changed alert is one

    event: alert
    data: {"id", "school", "priority", "status", "count", "updated_at", "escalated"}

and the console fetches the rendered rows from the pages (in the reader's language).

- With Redis, ``publish_alerts`` announces alerts after commit: every change to an alert,
  by a person or by the machine, goes through ``safecampus.security.services.alerts``, which calls
  it with ``transaction.on_commit``.
- With the database as broker, ``AlertSource`` polls ``Alert.updated_at`` every
  ``ALERT_POLL_SECONDS``. Rows commit in a different order than their ``updated_at``
  stamps, so each poll looks back ``LOOKBACK`` and skips versions already sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import OperationalError, connection
from django.utils import timezone

from safecampus.organizations.scope import scope_for
from safecampus.security.models import Alert
from safecampus.security.permissions import alert_school_ids
from safecampus.stream.app import Route
from safecampus.stream.broker import get_broker

CHANNEL_PREFIX = "safecampus:alerts:"
BUREAU_KEY = "bureau"
EVENT = "alert"
STREAM_PATH = "/stream/alerts"
ALIAS_PATH = "/alerts/stream/"
#: The database engine's poll for alerts: a new alert must show within a second.
ALERT_POLL_SECONDS = 0.25
LOOKBACK = timedelta(seconds=5)
POLL_BATCH = 200
FIELDS = ("id", "school_id", "priority", "status", "count", "updated_at", "escalated_at")


def channel(key: int | str) -> str:
    return f"{CHANNEL_PREFIX}{key}"


def alert_event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "school": row["school_id"],
        "priority": row["priority"],
        "status": row["status"],
        "count": row["count"],
        "updated_at": row["updated_at"].isoformat(),
        "escalated": row["escalated_at"] is not None,
    }


def channels_for(user_id: int) -> list[str]:
    """The alert channels the person may follow (none: refused)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return []
    schools = alert_school_ids(_with_scope(user))
    if schools is None:
        return [channel(BUREAU_KEY)]
    return [channel(pk) for pk in sorted(schools)]


def _with_scope(user: Any) -> Any:
    # The stream process has no request middleware to attach the scope.
    if getattr(user, "scope", None) is None:
        user.scope = scope_for(user)
    return user


ROUTE = Route(
    channels=channels_for,
    poll_seconds=ALERT_POLL_SECONDS,
)


class AlertSource:
    """Database engine: alerts of one school (or all) whose ``updated_at`` moved."""

    def start(self, key: str) -> dict[str, Any]:
        return {"at": timezone.now(), "sent": {}}

    def poll(
        self, key: str, cursor: dict[str, Any]
    ) -> tuple[dict[str, Any], list[tuple[str, dict[str, Any]]]]:
        at: datetime = cursor["at"]
        sent: dict[int, datetime] = cursor["sent"]
        alerts = Alert.objects.filter(updated_at__gt=at - LOOKBACK)
        if key != BUREAU_KEY:
            alerts = alerts.filter(school_id=int(key))
        try:
            rows = list(alerts.order_by("updated_at", "id").values(*FIELDS)[:POLL_BATCH])
        except OperationalError:
            if connection.vendor != "sqlite":
                raise
            # SQLite's shared cache (the test database) refuses a read while an ingest holds
            # the table, without waiting: nothing is lost, the next poll reads it.
            return cursor, []
        fresh = [row for row in rows if sent.get(row["id"]) != row["updated_at"]]
        for row in fresh:
            sent[row["id"]] = row["updated_at"]
            at = max(at, row["updated_at"])
        horizon = at - LOOKBACK
        kept = {pk: stamp for pk, stamp in sent.items() if stamp > horizon}
        return {"at": at, "sent": kept}, [(EVENT, alert_event(row)) for row in fresh]


def publish_alerts(alert_ids: Iterable[int]) -> None:
    """Push engine only (Redis): announce changed alerts to their school and the bureau;
    call after commit."""
    broker = get_broker()
    ids = list(alert_ids)
    if not broker.pushes or not ids:
        return
    for row in Alert.objects.filter(pk__in=ids).values(*FIELDS):
        data = alert_event(row)
        broker.publish(channel(row["school_id"]), EVENT, data)
        broker.publish(channel(BUREAU_KEY), EVENT, data)
