"""Idle timeout and the second-factor gate."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

#: The session key holding the time of the last request (the stream checks it too).
IDLE_STAMP = "last_seen"
#: Rewriting the session on every request costs a write; a minute's slack is harmless.
_STAMP_RESOLUTION_SECONDS = 60


class IdleTimeoutMiddleware:
    """End a session that has been idle longer than ``SESSION_IDLE_TIMEOUT``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and hasattr(request, "session"):
            now = timezone.now().timestamp()
            last = request.session.get(IDLE_STAMP)
            if last is not None and now - last > settings.SESSION_IDLE_TIMEOUT.total_seconds():
                logout(request)
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Your session has expired.")}, status=401)
                messages.info(request, _("You were signed out after a period of inactivity."))
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if last is None or now - last > _STAMP_RESOLUTION_SECONDS:
                request.session[IDLE_STAMP] = now
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Bureau, partner and administrator roles see nothing until a TOTP code is verified."""

    open_prefixes = ("/accounts/", "/static/", "/i18n/", "/healthz", "/favicon")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and user.needs_second_factor  # type: ignore[union-attr]
            and not getattr(user, "is_verified", lambda: False)()  # set by OTPMiddleware
            and not request.path.startswith(self.open_prefixes)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Verify your second factor before using the API.")}, status=403
                )
            return redirect(f"{reverse('accounts:two_factor')}?next={request.path}")
        return self.get_response(request)
