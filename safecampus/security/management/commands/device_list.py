from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from safecampus.security.models import Device


class Command(BaseCommand):
    help = "List devices as JSON lines (never their secrets)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--school", default="", help="only this school's (unit code)")

    def handle(self, *args: Any, school: str, **options: Any) -> None:
        devices = Device.objects.select_related("school").order_by("school__code", "code")
        if school:
            devices = devices.filter(school__code=school)
        for device in devices:
            self.stdout.write(
                json.dumps(
                    {
                        "code": device.code,
                        "school": device.school.code,
                        "name": device.name,
                        "kind": device.kind,
                        "protocol": device.protocol,
                        "zone": device.zone,
                        "enabled": device.enabled,
                        "last_seen_at": device.last_seen_at.isoformat()
                        if device.last_seen_at
                        else None,
                    },
                    ensure_ascii=False,
                )
            )
