from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from safecampus.security.demo import DEMO_SCHOOLS, demo_devices_seed, demo_schools


class Command(BaseCommand):
    help = (
        "Register demo devices for the first schools of the demo district (after seed_demo); "
        "nothing if demo devices exist. Prints no secret: simulate_devices gives them fresh ones."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schools", type=int, default=DEMO_SCHOOLS)

    def handle(self, *args: Any, schools: int, **options: Any) -> None:
        created = demo_devices_seed(schools=list(demo_schools(max(1, min(schools, 100)))))
        self.stdout.write(f"Demo devices: {created} registered.")
