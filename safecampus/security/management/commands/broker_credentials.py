"""``manage.py broker_credentials``: the Mosquitto password file, kept in step with the
device registry.

The registry keeps only a keyed hash of each device secret, which a broker cannot check a
password against, so the broker's own entry (PBKDF2-SHA512, Mosquitto's ``$7$`` format) is
written when the secret is known: at registration or rotation, from ``device_add``'s
output or from stdin. Every run also removes the entries of devices that were disabled or
deleted, so revoking a device revokes its broker login. Reload Mosquitto afterwards
(``scripts/brokers.sh reload mosquitto``, i.e. SIGHUP).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.security.ingest import device_authenticate
from safecampus.security.models import Device

ITERATIONS = 101  # what mosquitto_passwd 2.0 writes; secrets are 160 random bits anyway


def mosquitto_hash(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    return f"$7${ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def read_passwd(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, hashed = line.partition(":")
            if sep and name:
                entries[name] = hashed
    return entries


def write_passwd(path: Path, entries: dict[str, str]) -> None:
    """Atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".passwd-")
    with os.fdopen(fd, "w") as out:
        out.writelines(f"{name}:{hashed}\n" for name, hashed in sorted(entries.items()))
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


class Command(BaseCommand):
    help = "Write device (and service) logins into Mosquitto's password file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mosquitto-passwd", required=True, type=Path)
        parser.add_argument(
            "--service",
            action="append",
            default=None,
            help="a service account to keep (default: safecampus-ingest); repeatable",
        )
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--set", metavar="NAME", help="set NAME's password from the first line of stdin"
        )
        group.add_argument(
            "--from-json",
            action="store_true",
            help="read device_add's JSON lines from stdin, add them, and pass them on",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["mosquitto_passwd"]
        services = set(options["service"] or ["safecampus-ingest"])
        entries = read_passwd(path)
        given: list[tuple[str, str]] = []
        if options["set"]:
            given.append((options["set"], sys.stdin.readline().strip()))
        elif options["from_json"]:
            for line in sys.stdin:
                if line.strip():
                    item = json.loads(line)
                    given.append((item["code"], item["secret"]))
                    self.stdout.write(line.rstrip("\n"))
        for name, secret in given:
            if not secret:
                raise CommandError(f"No password given for {name}.")
            if name not in services and device_authenticate(name, secret) is None:
                raise CommandError(f"{name} is not an enabled device with that secret.")
            entries[name] = mosquitto_hash(secret)
        enabled = set(
            Device.objects.filter(enabled=True, code__in=list(entries)).values_list(
                "code", flat=True
            )
        )
        removed = sorted(name for name in entries if name not in enabled | services)
        for name in removed:
            del entries[name]
        write_passwd(path, entries)
        self.stderr.write(
            f"{path}: {len(entries)} logins ({len(given)} set, {len(removed)} removed"
            + (f": {', '.join(removed)}" if removed else "")
            + ")"
        )
