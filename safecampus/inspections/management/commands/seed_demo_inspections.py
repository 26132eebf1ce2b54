"""``manage.py seed_demo_inspections``: the demo district's plans, inspections, hazards and
notices (see ``inspections/demo.py``)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.cases.demo import demo_seeding
from safecampus.inspections.demo import demo_inspections_seed


class Command(BaseCommand):
    help = (
        "Add demo inspection plans, inspections, hazards and rectification notices to the demo "
        "district (after seed_demo); nothing if the demo plans exist."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--years", type=int, default=1)
        parser.add_argument("--seed", type=int, default=20261204)
        parser.add_argument(
            "--no-answers",
            action="store_true",
            help="Do not write the item-by-item answers (the benchmark's scale).",
        )

    def handle(self, *args: Any, years: int, seed: int, no_answers: bool, **options: Any) -> None:
        if not 1 <= years <= 10:
            raise CommandError("--years must be between 1 and 10.")
        started = time.perf_counter()
        with demo_seeding():
            answers = False if no_answers else None
            stats = demo_inspections_seed(years=years, seed=seed, answers=answers)
        self.stdout.write(
            f"Demo inspections: {stats.plans} plans, {stats.inspections} inspections, "
            f"{stats.hazards} hazards, {stats.notices} notices, {stats.answers} answers "
            f"created in {time.perf_counter() - started:.1f} s."
        )
