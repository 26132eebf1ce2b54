"""`manage.py totp_code`: a demo login's current TOTP code (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Development only: print the current TOTP code (or the otpauth URI) of a demo login."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--uri", action="store_true")

    def handle(self, *args: Any, username: str, uri: bool, **options: Any) -> None:
        if settings.PROD:
            raise CommandError("Refused in production: codes belong on the user's own device.")
        device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
        if device is None:
            raise CommandError(f"{username!r} has no confirmed TOTP device.")
        if uri:
            self.stdout.write(device.config_url)
            return
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(f"{code:0{device.digits}d}")
