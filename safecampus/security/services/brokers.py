"""Device logins on the MQTT brokers, derived from the registry (R-5.2).

The registry keeps only a keyed hash of each device secret, which no broker can check a
password against, so when the secret is known (registration, rotation, Excel import) the
device row also gets the brokers' own hashes of it: bcrypt for NATS, PBKDF2-SHA512 in
Mosquitto's ``$7$`` format. Every change to who may log in (register, rotate, enable,
disable, delete) rewrites both brokers' login files from the registry after the commit
and asks a running broker to reload them (SIGHUP). NATS then closes the connections of
users it no longer knows or whose password changed (measured: within 10 ms, MQTT clients
included), so a disabled device is cut off at once.

On NATS a device (username = its code) may connect over MQTT only and publish only to its
own two topics, ``safecampus/<its school>/<its code>/events|status``, and subscribe to
nothing; the ingest processes' account (``safecampus-ingest``) is the only one that may
read the stream. No file on disk holds a secret.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import signal
import tempfile
from collections.abc import Iterable
from pathlib import Path

import bcrypt
from django.conf import settings
from django.db import DatabaseError, transaction

from safecampus.security.models import Device

log = logging.getLogger("safecampus.security.services.brokers")

INGEST_USER = "safecampus-ingest"
#: Beside the NATS login file: the ingest account's bcrypt hash, written by
#: ``scripts/brokers.sh`` from ``MQTT_INGEST_PASSWORD`` (nats-server resolves no variable
#: across included files, so the hash is copied into the login file).
INGEST_HASH_FILE = "ingest.bcrypt"
#: bcrypt's work factor. A device secret is 160 random bits: no work factor changes what a
#: guess can reach, while NATS pays it on every connect — and a broker restart reconnects
#: every device of the district at once (10,000 × ~5 ms at cost 6, × ~75 ms at cost 10),
#: as does an import of 500 devices at registration.
BCRYPT_ROUNDS = 6
MOSQUITTO_ITERATIONS = 101  # what mosquitto_passwd 2.0 writes
#: A code that is one NATS subject token and one MQTT topic level: no ".", no wildcards
#: ("*", ">", "+", "#") that would widen a publish permission, no spaces or quotes.
SAFE_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
BCRYPT_HASH = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")


def mosquitto_hash(password: str, *, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(12)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, MOSQUITTO_ITERATIONS)
    return (
        f"$7${MOSQUITTO_ITERATIONS}${base64.b64encode(salt).decode()}"
        f"${base64.b64encode(key).decode()}"
    )


def broker_hashes(secret: str) -> dict[str, str]:
    """The device row's broker fields for ``secret``."""
    return {
        "broker_bcrypt": bcrypt.hashpw(secret.encode(), bcrypt.gensalt(BCRYPT_ROUNDS)).decode(),
        "broker_pbkdf2": mosquitto_hash(secret),
    }


def device_topics(school_code: str, code: str) -> list[str]:
    """NATS subjects of the two MQTT topics a device may publish to."""
    return [f"safecampus.{school_code}.{code}.{kind}" for kind in ("events", "status")]


def nats_authorization(devices: Iterable[tuple[str, str, str]], ingest_hash: str) -> str:
    """NATS's ``authorization`` block for (code, school code, bcrypt hash) of each device."""
    lines = [
        "# Written by SafeCampus from the device registry (enabled devices); do not edit.",
        "authorization {",
        "  users = [",
    ]
    # Always one user at least: nats-server takes an empty list for no authorization at all
    # (measured: an anonymous client is then accepted). Without a known hash the ingest
    # account gets one of a random password, i.e. locked.
    if not ingest_hash:
        ingest_hash = bcrypt.hashpw(secrets.token_bytes(32), bcrypt.gensalt(BCRYPT_ROUNDS)).decode()
    # MQTT too: `ingest --setup` logs in over MQTT once so the server makes its streams.
    lines.append(
        f'    {{user: "{INGEST_USER}", password: "{ingest_hash}",'
        ' allowed_connection_types: ["STANDARD", "MQTT"]}'
    )
    for code, school, hashed in devices:
        allow = ", ".join(f'"{subject}"' for subject in device_topics(school, code))
        lines.append(
            f'    {{user: "{code}", password: "{hashed}", allowed_connection_types: ["MQTT"],'
            f' permissions: {{publish: {{allow: [{allow}]}}, subscribe: {{deny: [">"]}}}}}}'
        )
    lines += ["  ]", "}", ""]
    return "\n".join(lines)


def _write(path: Path, text: str) -> None:
    """Atomically, readable by its owner only (a broker may be reading the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_passwd(path: Path) -> dict[str, str]:
    entries: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, sep, hashed = line.partition(":")
            if sep and name:
                entries[name] = hashed
    return entries


def write_nats_auth(path: Path) -> int:
    """The NATS login file from the registry; how many devices may log in."""
    enabled = Device.objects.filter(enabled=True).exclude(broker_bcrypt="")
    try:
        rows = list(enabled.values_list("code", "school__code", "broker_bcrypt"))
    except DatabaseError as error:  # not migrated yet: the ingest account alone, for now
        log.warning("no device registry (%s): NATS gets no device login", error)
        rows = []
    devices = []
    for code, school, hashed in rows:
        if SAFE_CODE.match(code) and SAFE_CODE.match(school):
            devices.append((code, school, hashed))
        else:
            log.warning("device %r of %r cannot log in to NATS: not a topic code", code, school)
    ingest = path.parent / INGEST_HASH_FILE
    ingest_hash = ingest.read_text().strip() if ingest.exists() else ""
    if not BCRYPT_HASH.match(ingest_hash):
        log.warning("%s holds no bcrypt hash: the ingest account is locked", ingest)
        ingest_hash = ""
    _write(path, nats_authorization(sorted(devices), ingest_hash))
    return len(devices)


def write_mosquitto_passwd(
    path: Path, *, services: Iterable[str] = (INGEST_USER,)
) -> tuple[int, list[str]]:
    """Mosquitto's password file from the registry, keeping the service accounts; returns
    (logins, names removed). An enabled device without a stored hash (registered before
    the hash was kept) keeps the entry it has."""
    old = read_passwd(path)
    enabled = dict(Device.objects.filter(enabled=True).values_list("code", "broker_pbkdf2"))
    entries = {name: old[name] for name in services if name in old}
    for code, hashed in enabled.items():
        if hashed or code in old:
            entries[code] = hashed or old[code]
    removed = sorted(set(old) - set(entries))
    _write(path, "".join(f"{name}:{hashed}\n" for name, hashed in sorted(entries.items())))
    return len(entries), removed


def broker_reload(pidfile: Path, program: str) -> bool:
    """SIGHUP to the broker whose pid is in ``pidfile`` (if it is that program); False when
    none runs (its next start reads the files)."""
    pid = 0
    try:
        pid = int(pidfile.read_text().strip())
        if program not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return False  # a stale pidfile: the number belongs to someone else now
        os.kill(pid, signal.SIGHUP)
    except PermissionError:  # the broker runs as another user: its own reload must run
        log.warning("may not signal %s (pid %s): reload it to apply the new logins", program, pid)
        return False
    except (OSError, ValueError):
        return False
    return True


def broker_logins_sync() -> None:
    """Rewrite both brokers' login files from the registry and reload the running brokers.

    Never raises: a registration must not fail because a broker is down or its directory
    is not writable (logged; the next change or ``scripts/brokers.sh start`` rewrites)."""
    try:
        write_nats_auth(settings.NATS_AUTH_FILE)
        broker_reload(settings.NATS_PIDFILE, "nats-server")
        if settings.MOSQUITTO_PASSWD_FILE.parent.is_dir():
            write_mosquitto_passwd(settings.MOSQUITTO_PASSWD_FILE)
            broker_reload(settings.MOSQUITTO_PIDFILE, "mosquitto")
    except Exception:
        log.exception("could not write the brokers' device logins")


class PendingSync:
    """One ``broker_logins_sync`` waiting for a commit (``done`` once it ran)."""

    def __init__(self) -> None:
        self.done = False

    def __call__(self) -> None:
        self.done = True
        broker_logins_sync()


def broker_logins_sync_on_commit() -> None:
    """Sync once after the current transaction commits (once however many devices an
    import registers in it)."""
    conn = transaction.get_connection()
    pending = (item[1] for item in conn.run_on_commit)
    if conn.in_atomic_block and any(isinstance(f, PendingSync) and not f.done for f in pending):
        return
    transaction.on_commit(PendingSync())
