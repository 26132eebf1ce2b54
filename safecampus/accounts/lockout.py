"""The per-account lockout, and the way past it for a person who holds the second factor.

The lock is per account on purpose: a school's staff share one address behind a NAT, so an
address lock would shut out a whole school. That lets anyone who knows a user name lock it
by failing five times. People with an authenticator app may sign in while it is locked by
giving the password *and* a current code on the sign-in page: a stranger's failures cannot
stop them, and a stranger still needs both to get in. People without a second factor (the
school roles) stay locked, so their passwords are still protected against guessing.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.models import User
from safecampus.accounts.totp import totp_would_pass

#: Set on a request that signed in past a lock, so that the lock stays for everyone else.
PAST_LOCK = "safecampus_past_lock"
_MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler, except that a sign-in past the lock keeps the failures:
    they were someone else's, who stays locked out until the cool-off ends."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        if getattr(request, PAST_LOCK, False):
            return 0
        return int(super().reset_user_attempts(request, credentials))


def sign_in_past_lock(
    *, request: HttpRequest, username: str, password: str, token: str
) -> tuple[User, TOTPDevice] | None:
    """The user and device if ``username`` is locked out and ``password`` and ``token`` are
    both right; ``None`` otherwise, which the caller answers like any locked attempt.

    The code is checked first, without spending it or counting a failure, so that a
    stranger can neither learn whether a password is right nor throttle the real person's
    device; a password is hashed either way, so the timing says nothing either.
    """
    if not AxesProxyHandler.is_locked(request, {"username": username}):
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user else None
    if user is None or device is None or not totp_would_pass(device, token):
        User().set_password(password)
        return None
    if not user.check_password(password) or not device.verify_token(token):
        return None
    setattr(request, PAST_LOCK, True)
    user.backend = _MODEL_BACKEND  # type: ignore[attr-defined]
    return user, device
