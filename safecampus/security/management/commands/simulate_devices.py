from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safecampus.security.simulator import (
    SCENARIOS,
    http_sender,
    in_process_sender,
    simulate,
    simulator_devices,
)


def served_url() -> str:
    """The URL a running ``manage.py serve`` (``make run``) serves, else ``SITE_URL``."""
    try:
        url = Path(settings.SERVED_URL_FILE).read_text().strip()
    except OSError:
        url = ""
    return url or settings.SITE_URL


class Command(BaseCommand):
    help = (
        "Make the demo devices (seed_demo_devices) send realistic events: heartbeats, face and "
        "plate recognitions, line crossings, a night intrusion burst and a one-key alarm. "
        "Gives the demo devices fresh secrets first; prints none."
    )

    def add_arguments(self, parser: Any) -> None:
        default = served_url()
        parser.add_argument(
            "--url",
            default=default,
            help=f"the server to post to (default: what `make run` serves, else SITE_URL: "
            f"{default})",
        )
        parser.add_argument("--rate", type=int, default=5, help="background events per second")
        parser.add_argument("--duration", type=float, default=60, help="seconds")
        parser.add_argument("--scenario", choices=SCENARIOS, default="mixed")
        parser.add_argument(
            "--in-process", action="store_true", help="call the ingest service, no server"
        )
        parser.add_argument("--seed", type=int, default=None, help="repeatable randomness")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PROD:
            raise CommandError("The device simulator does not run in production.")
        if not 0 <= options["rate"] <= 1000 or not 0 < options["duration"] <= 86_400:
            raise CommandError("--rate must be 0–1000 and --duration 1–86400 seconds.")
        devices = simulator_devices()
        if not devices:
            raise CommandError("No demo devices: run `manage.py seed_demo_devices` first.")
        sender = in_process_sender if options["in_process"] else http_sender(options["url"])
        verbose = options["verbosity"] > 1
        report = simulate(
            devices=devices,
            sender=sender,
            rate=options["rate"],
            duration=options["duration"],
            scenario=options["scenario"],
            seed=options["seed"],
            log=self.stdout.write if verbose else None,
        )
        self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        if report.failures and not report.accepted:
            raise CommandError(f"Nothing was delivered: {report.first_error}")
