"""manage.py grade_risk [--month YYYY-MM] [--if-due]: compute the monthly school risk grades."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from safecampus.core.errors import DomainError
from safecampus.core.localtime import local_day
from safecampus.risk.forms.grades import parse_month
from safecampus.risk.services.grades import grades_compute, grades_compute_if_due


class Command(BaseCommand):
    help = "Compute every school's risk grade for a month (default: the current month)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM (default: this month, China time)")
        parser.add_argument(
            "--if-due",
            action="store_true",
            help="Only on the month's first working day, and only if it is not graded yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_due"]:
            run = grades_compute_if_due()
            if run is None:
                self.stdout.write("Not due: nothing computed.")
                return
        else:
            month = parse_month(options["month"]) if options["month"] else None
            if options["month"] and month is None:
                raise CommandError("--month must be YYYY-MM.")
            try:
                run = grades_compute(actor=None, month=month or local_day(timezone.now()))
            except DomainError as error:
                raise CommandError(str(error.message)) from error
        levels = ", ".join(f"{level} {n}" for level, n in run.by_level.items())
        self.stdout.write(
            self.style.SUCCESS(f"{run.month:%Y-%m}: {run.schools} schools graded ({levels}).")
        )
