"""Notifications: in-app, e-mail and signed webhooks, delivered from an outbox after commit.

INTERFACE CONTRACT (other apps call only this):

    notify(*, recipients, verb, title, body="", url="", obj=None, unit_id=None) -> list[Notification]

``recipients`` is an iterable of users; ``verb`` is ``app.model.verb_past``
(e.g. ``"cases.deadline.escalated"``); ``title``/``body`` are already-translated
strings; ``url`` is a path inside the app. Must be called inside the caller's
transaction; delivery happens after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def notify(
    *,
    recipients: Iterable[Any],
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    obj: Any = None,
    unit_id: int | None = None,
) -> list[Any]:
    raise NotImplementedError("filled in by the notifications work")
