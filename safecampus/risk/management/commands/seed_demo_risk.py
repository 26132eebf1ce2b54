from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.cases.demo import demo_seeding
from safecampus.risk.demo import demo_risk_seed


class Command(BaseCommand):
    help = (
        "Add demo risk data to the demo district (after seed_demo and the other demo "
        "seeders): profiles, register items, monthly grades and this month's notice."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--months", type=int, default=12)

    def handle(self, *args: Any, months: int, **options: Any) -> None:
        if not 1 <= months <= 36:
            raise CommandError("--months must be between 1 and 36.")
        started = time.perf_counter()
        with demo_seeding():
            stats = demo_risk_seed(months=months)
        self.stdout.write(
            f"Demo risk: {stats.profiles} profiles, {stats.items} register items, "
            f"{stats.months} months graded, notice issued: {stats.notice} "
            f"({time.perf_counter() - started:.1f} s)."
        )
