from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.core.errors import DomainError
from safecampus.organizations.models import Unit
from safecampus.security.choices import DeviceKind, Protocol
from safecampus.security.services.devices import device_register


class Command(BaseCommand):
    help = "Register a device; prints its code and secret once, as JSON."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", required=True, help="school unit code")
        parser.add_argument("--kind", required=True, choices=DeviceKind.values)
        parser.add_argument("--name", required=True)
        parser.add_argument("--protocol", default=Protocol.GENERIC, choices=Protocol.values)
        parser.add_argument("--zone", default="")
        parser.add_argument("--vendor", default="")
        parser.add_argument("--heartbeat", type=int, default=60, help="seconds")
        parser.add_argument("--code", default="", help="a code of your own (default: generated)")

    def handle(self, *args: Any, **options: Any) -> None:
        school = Unit.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(f"No unit has the code {options['school']!r}.")
        try:
            device, secret = device_register(
                actor=None,
                school=school,
                kind=options["kind"],
                name=options["name"],
                protocol=options["protocol"],
                zone=options["zone"],
                vendor=options["vendor"],
                heartbeat_seconds=options["heartbeat"],
                code=options["code"],
            )
        except DomainError as error:
            raise CommandError(str(error.message)) from None
        self.stdout.write(
            json.dumps(
                {
                    "code": device.code,
                    "secret": secret,
                    "school": school.code,
                    "kind": device.kind,
                    "protocol": device.protocol,
                },
                ensure_ascii=False,
            )
        )
