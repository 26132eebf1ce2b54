"""Reading a TOTP code against a device without spending it: which time step it belongs to.

django-otp's ``verify_token`` answers only yes or no, and counts every no as a failure.
These reads tell a person *why* a code was refused (it was the one just used) and let
the sign-in past a lockout check the code before it spends the password check on it.
"""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_step(device: TOTPDevice, token: str) -> int | None:
    """The time step within the device's tolerance whose code ``token`` is, used or not."""
    try:
        code = int(token)
    except ValueError:
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    now = totp.t()
    for step in range(now - device.tolerance, now + device.tolerance + 1):
        totp.drift = device.drift + step - now
        if totp.token() == code:
            return step
    return None


def totp_just_used(device: TOTPDevice, token: str) -> bool:
    """``token`` is a current code that was already accepted once (a code counts once)."""
    step = totp_step(device, token)
    return step is not None and step <= device.last_t


def totp_would_pass(device: TOTPDevice, token: str) -> bool:
    """``token`` is a current, unused code and the device is not throttled after failures."""
    step = totp_step(device, token)
    return step is not None and step > device.last_t and device.verify_is_allowed()[0]
