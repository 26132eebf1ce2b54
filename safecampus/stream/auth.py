"""Who is on the other end of a stream: the Django session, checked as the pages check it.

Runs in a worker thread (ORM). A stream is refused 401 without a live
session (missing, expired, idle past ``SESSION_IDLE_TIMEOUT``, or stale after a
password change) and 403 when the person's roles need a second factor that
this session has not verified — the same rules ``SecondFactorRequiredMiddleware``
applies to pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user
from django.db import close_old_connections
from django.http import HttpRequest
from django.http.cookie import parse_cookie
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.models import Device

from safecampus.accounts.middleware import IDLE_STAMP


@dataclass(frozen=True)
class Verdict:
    status: int
    user_id: int | None = None


def session_key_from(headers: list[tuple[bytes, bytes]]) -> str:
    cookies = "; ".join(v.decode("latin-1") for k, v in headers if k == b"cookie")
    return parse_cookie(cookies).get(settings.SESSION_COOKIE_NAME, "")


def check_session(session_key: str) -> Verdict:
    """200 with the user's id, 401 for no live session, 403 for a missing second factor."""
    close_old_connections()
    if not session_key:
        return Verdict(401)
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    last_seen = store.get(IDLE_STAMP)
    idle_limit = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    if last_seen is not None and timezone.now().timestamp() - last_seen > idle_limit:
        return Verdict(401)
    request = HttpRequest()
    request.session = store
    user = get_user(request)
    if not user.is_authenticated:
        return Verdict(401)
    if user.needs_second_factor and not _verified(store.get(DEVICE_ID_SESSION_KEY), user.pk):
        return Verdict(403, user.pk)
    return Verdict(200, user.pk)


def _verified(persistent_id: str | None, user_id: int) -> bool:
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user_id and device.confirmed
