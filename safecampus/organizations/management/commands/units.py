"""`manage.py units`: the units as JSON lines."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit


class Command(BaseCommand):
    help = "List units as JSON lines: code, name, kind."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", choices=UnitKind.values)

    def handle(self, *args: Any, kind: str | None, **options: Any) -> None:
        units = Unit.objects.order_by("code")
        if kind:
            units = units.filter(kind=kind)
        for code, name, unit_kind in units.values_list("code", "name", "kind").iterator():
            self.stdout.write(
                json.dumps({"code": code, "name": name, "kind": unit_kind}, ensure_ascii=False)
            )
