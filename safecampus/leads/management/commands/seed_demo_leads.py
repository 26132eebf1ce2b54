from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.cases.demo import demo_seeding
from safecampus.leads.demo import demo_leads_seed


class Command(BaseCommand):
    help = "Add demo leads to the demo district (after seed_demo); nothing if leads exist."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, default=40)

    def handle(self, *args: Any, count: int, **options: Any) -> None:
        if not 1 <= count <= 2000:
            raise CommandError("--count must be between 1 and 2000.")
        with demo_seeding():
            created = demo_leads_seed(count=count)
        self.stdout.write(f"Demo leads: {created} created.")
