"""``manage.py broker_credentials``: the brokers' device logins, written from the registry.

The registry keeps each device's broker hashes (security/services/brokers.py), so both files are
written from it: NATS's authorization file (``NATS_AUTH_FILE``, enabled devices with
their publish permissions) and Mosquitto's password file (``--mosquitto-passwd``,
PBKDF2-SHA512 ``$7$``, service accounts kept). The web process does the same after every
change; this command is for a broker's start (``scripts/brokers.sh`` runs it), for a
broker on another host, and for devices registered before the hashes were kept: give
their secrets with ``--from-json`` (``device_add``'s JSON lines, passed on) or ``--set
CODE`` (one secret on stdin), checked against the registry and then stored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safecampus.core.errors import DomainError
from safecampus.security.models import Device
from safecampus.security.services.brokers import (
    INGEST_USER,
    broker_reload,
    write_mosquitto_passwd,
    write_nats_auth,
)
from safecampus.security.services.devices import device_broker_login_set


class Command(BaseCommand):
    help = "Write the device logins of the brokers (NATS, Mosquitto) from the device registry."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--nats-auth",
            type=Path,
            default=None,
            help="NATS authorization file (default: NATS_AUTH_FILE unless --mosquitto-passwd "
            "alone is given)",
        )
        parser.add_argument("--mosquitto-passwd", type=Path, default=None)
        parser.add_argument(
            "--service",
            action="append",
            default=None,
            help=f"a Mosquitto service account to keep (default: {INGEST_USER}); repeatable",
        )
        parser.add_argument(
            "--reload", action="store_true", help="then SIGHUP the brokers of the pidfiles"
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--set", metavar="CODE", help="store CODE's broker login from the secret on stdin"
        )
        group.add_argument(
            "--from-json",
            action="store_true",
            help="read device_add's JSON lines from stdin, store their logins, pass them on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        given: list[tuple[str, str]] = []
        if options["set"]:
            given.append((options["set"], sys.stdin.readline().strip()))
        elif options["from_json"]:
            for line in sys.stdin:
                if line.strip():
                    item = json.loads(line)
                    given.append((item["code"], item["secret"]))
                    self.stdout.write(line.rstrip("\n"))
        for code, secret in given:
            self._store(code, secret)
        nats, passwd = options["nats_auth"], options["mosquitto_passwd"]
        if nats is None and passwd is None:
            nats = settings.NATS_AUTH_FILE
        if nats is not None:
            count = write_nats_auth(nats)
            self.stderr.write(f"{nats}: {count} device logins")
        if passwd is not None:
            services = options["service"] or [INGEST_USER]
            count, removed = write_mosquitto_passwd(passwd, services=services)
            self.stderr.write(
                f"{passwd}: {count} logins ({len(given)} set, {len(removed)} removed"
                + (f": {', '.join(removed)}" if removed else "")
                + ")"
            )
        if options["reload"]:
            broker_reload(settings.NATS_PIDFILE, "nats-server")
            broker_reload(settings.MOSQUITTO_PIDFILE, "mosquitto")

    def _store(self, code: str, secret: str) -> None:
        if not secret:
            raise CommandError(f"No password given for {code}.")
        device = Device.objects.filter(code=code, enabled=True).first()
        if device is None:
            raise CommandError(f"{code} is not an enabled device with that secret.")
        try:
            device_broker_login_set(actor=None, device=device, secret=secret)
        except DomainError:
            raise CommandError(f"{code} is not an enabled device with that secret.") from None
