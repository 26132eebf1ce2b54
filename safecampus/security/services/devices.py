"""Writes on devices and alerts by people (the bureau, a school's guard room)."""

from __future__ import annotations

import hmac
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.core.errors import DomainError, ForbiddenError
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Unit
from safecampus.security.choices import DeviceKind, Protocol
from safecampus.security.models import Device
from safecampus.security.permissions import DEVICE_ADMIN_ROLES
from safecampus.security.services.brokers import broker_hashes, broker_logins_sync_on_commit
from safecampus.security.services.ingest import digest_ha1, secret_hash, secret_new

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class DeviceError(DomainError):
    """A refused device operation."""


def _may_manage(actor: Any, school: Unit) -> bool:
    if actor is None:  # a command run by the installer on the server
        return True
    scope = getattr(actor, "scope", None)
    if scope is None:
        return False
    if scope.district_wide and scope.has_role(*DEVICE_ADMIN_ROLES):
        return True
    return scope.has_role(Role.PRINCIPAL, Role.SCHOOL_OFFICER, unit_id=school.pk)


def _new_code(school: Unit) -> str:
    while True:
        tail = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        code = f"{school.code}-D{tail}"
        if not Device.objects.filter(code=code).exists():
            return code


def device_register(
    *,
    actor: Any,
    school: Unit,
    kind: str,
    name: str,
    protocol: str = Protocol.GENERIC,
    vendor: str = "",
    zone: str = "",
    heartbeat_seconds: int = 60,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    code: str = "",
) -> tuple[Device, str]:
    """Register a device of ``school``; returns it and its secret, which is shown only now.
    Its broker logins follow after the commit."""
    if school.kind != UnitKind.SCHOOL or not school.is_active:
        raise DeviceError(_("Choose an active school."), code="bad_school")
    if not _may_manage(actor, school):
        raise ForbiddenError(_("You may not manage this school's devices."), code="forbidden")
    if kind not in DeviceKind.values:
        raise DeviceError(_("Choose the kind of device."), code="bad_kind")
    if protocol not in Protocol.values:
        raise DeviceError(_("Choose the protocol."), code="bad_protocol")
    name = name.strip()
    if not name:
        raise DeviceError(_("Give the device a name."), code="name_required")
    if heartbeat_seconds < 5:
        raise DeviceError(_("The heartbeat interval is at least 5 seconds."), code="bad_heartbeat")
    code = code.strip().upper() or _new_code(school)
    if Device.objects.filter(code=code).exists():
        raise DeviceError(_("This device code is already taken."), code="code_taken")
    secret = secret_new()
    with transaction.atomic():
        device = Device.objects.create(
            school=school,
            code=code,
            name=name[:120],
            kind=kind,
            protocol=protocol,
            vendor=vendor.strip()[:80],
            zone=zone.strip()[:80],
            heartbeat_seconds=heartbeat_seconds,
            latitude=latitude,
            longitude=longitude,
            secret_hash=secret_hash(secret),
            digest_ha1=digest_ha1(code, secret) if protocol == Protocol.HIKVISION else "",
            **broker_hashes(secret),
        )
        broker_logins_sync_on_commit()
        audit_record(
            actor=actor,
            action="security.device.registered",
            obj=device,
            changes={"school": school.pk, "kind": kind, "protocol": protocol, "code": code},
        )
    return device, secret


def device_rotate_secret(*, actor: Any, device: Device) -> str:
    """Give the device a new secret (shown once); the old one stops working at once, on the
    brokers too (they reload after the commit and drop the old login's connection)."""
    if not _may_manage(actor, device.school):
        raise ForbiddenError(_("You may not manage this school's devices."), code="forbidden")
    secret = secret_new()
    with transaction.atomic():
        device.secret_hash = secret_hash(secret)
        device.digest_ha1 = (
            digest_ha1(device.code, secret) if device.protocol == Protocol.HIKVISION else ""
        )
        for name, value in broker_hashes(secret).items():
            setattr(device, name, value)
        device.save(
            update_fields=[
                "secret_hash",
                "digest_ha1",
                "broker_bcrypt",
                "broker_pbkdf2",
                "updated_at",
            ]
        )
        broker_logins_sync_on_commit()
        audit_record(actor=actor, action="security.device.secret_rotated", obj=device, changes={})
    return secret


def device_set_enabled(*, actor: Any, device: Device, enabled: bool) -> Device:
    """Enable or disable a device; a disabled one is refused everywhere, its broker login
    removed after the commit (and its live broker connection closed)."""
    if not _may_manage(actor, device.school):
        raise ForbiddenError(_("You may not manage this school's devices."), code="forbidden")
    with transaction.atomic():
        device.enabled = enabled
        device.save(update_fields=["enabled", "updated_at"])
        broker_logins_sync_on_commit()
        audit_record(
            actor=actor,
            action="security.device.enabled_set",
            obj=device,
            changes={"enabled": enabled},
        )
    return device


def device_broker_login_set(*, actor: Any, device: Device, secret: str) -> Device:
    """Store the brokers' hashes of a device's current secret, e.g. for a device registered
    before they were kept; refused unless ``secret`` is that secret."""
    if not _may_manage(actor, device.school):
        raise ForbiddenError(_("You may not manage this school's devices."), code="forbidden")
    if not hmac.compare_digest(device.secret_hash, secret_hash(secret or "")):
        raise DeviceError(_("This is not the device's secret."), code="wrong_secret")
    with transaction.atomic():
        for name, value in broker_hashes(secret).items():
            setattr(device, name, value)
        device.save(update_fields=["broker_bcrypt", "broker_pbkdf2", "updated_at"])
        broker_logins_sync_on_commit()
        audit_record(actor=actor, action="security.device.broker_login_set", obj=device, changes={})
    return device
