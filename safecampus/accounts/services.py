"""Writes about people: TOTP devices and API tokens."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.models import ApiToken, User
from safecampus.audit.services import audit_record


def totp_device_start(*, actor: User) -> TOTPDevice:
    """Begin TOTP enrolment with an unconfirmed device; it counts only once a code is verified."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=actor, name="default", confirmed=False)
        audit_record(actor=actor, action="accounts.totp_device.started", obj=actor)
    return device


def totp_device_confirm(*, actor: User, device: TOTPDevice) -> None:
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit_record(actor=actor, action="accounts.totp_device.confirmed", obj=actor)


def api_token_create(*, actor: User | None, user: User, name: str) -> str:
    """Issue a token for ``user`` and return it once; only its digest is kept."""
    raw = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, digest=ApiToken.digest_of(raw), prefix=raw[:8]
        )
        audit_record(
            actor=actor,
            action="accounts.api_token.created",
            obj=token,
            changes={"user": user.username},
        )
    return raw


def api_token_revoke(*, actor: User, token: ApiToken) -> None:
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="accounts.api_token.revoked", obj=token)


def api_token_used(*, token_id: int, now: datetime) -> None:
    """Record that token ``token_id`` authenticated a call at ``now`` (for people reading the
    token list, not for accounting: the caller writes at most once a minute per token)."""
    ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
