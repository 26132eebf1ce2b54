"""`manage.py seed_demo`: the demo district (calls the seeding service)."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from safecampus.organizations.demo import DEMO_LOGINS, DEMO_PASSWORD
from safecampus.organizations.services import demo_district_seed


class Command(BaseCommand):
    help = "Create the demo district (Xinbei, Changzhou) with one login per role. Idempotent."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--schools", type=int, default=60)
        parser.add_argument("--seed", type=int, default=20261128)
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")
        parser.add_argument(
            "--no-devices",
            action="store_true",
            help="Do not register the demo security devices (seed_demo_devices).",
        )

    def handle(
        self, *args: Any, schools: int, seed: int, quiet: bool, no_devices: bool, **options: Any
    ) -> None:
        if not 1 <= schools <= 20000:
            raise CommandError("--schools must be between 1 and 20000.")
        result = demo_district_seed(schools=schools, seed=seed)
        self.stdout.write(
            f"Demo district: {result.units_created} units and "
            f"{result.users_created} people created."
        )
        if not no_devices:  # the demo district's guard rooms have something to show (issue #4)
            call_command("seed_demo_devices", stdout=self.stdout)
        if quiet:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for username, role, unit in DEMO_LOGINS:
            self.stdout.write(f"  {username:<10} {role.label:<28} {unit}")
        self.stdout.write(
            "\nBureau, partner and admin roles need a TOTP code: `make totp USER=safety` prints the"
            " current one for a demo login (development only), or add the user's secret"
            " from `manage.py totp_code --uri USER` to an authenticator app."
        )
