"""Appending to, verifying and trimming the audit trail."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from safecampus.audit.models import AuditChainHead, AuditEvent, AuditPurgePermit, AuditResult
from safecampus.core.rules import rule

MASK = "***"
GENESIS = "0" * 64


def _client_addr(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    # Behind a proxy the trusted hop count decides which forwarded address is the client's.
    hops = settings.AXES_IPWARE_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        parts = [p.strip() for p in forwarded.split(",") if p.strip()]
        if len(parts) >= hops:
            return parts[-hops][:45]
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _canonical(event: AuditEvent) -> bytes:
    body = {
        "at": event.at.astimezone(UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "unit_id": event.unit_id,
        "changes": event.changes,
        "result": event.result,
        "remote_addr": event.remote_addr,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(event: AuditEvent) -> str:
    return hmac.new(
        settings.AUDIT_CHAIN_KEY.encode(), _canonical(event), hashlib.sha256
    ).hexdigest()


def _plain(value: Any) -> Any:
    """JSON-safe and stable across SQLite and PostgreSQL (jsonb reorders keys, not strings)."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, models.Model):
        return str(value.pk)
    return str(value)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    result: str = AuditResult.SUCCESS,
    unit_id: int | None = None,
    request: HttpRequest | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEvent:
    """Append one event, chained to the last. Call it inside the write's own transaction.

    ``action`` is ``app.model.verb_past``. Values of sensitive fields must be
    passed through ``mask_changes`` first; anonymous-reporter routes pass no request.
    """
    authenticated = bool(actor is not None and getattr(actor, "is_authenticated", False))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            actor_id=actor.pk if authenticated else None,
            actor_label=(actor.get_username() if authenticated else "")[:150],
            action=action,
            object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
            object_id=object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
            object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
            unit_id=unit_id if unit_id is not None else getattr(obj, "unit_id", None),
            changes=_plain(changes or {}),
            result=result,
            remote_addr=_client_addr(request),
            prev_hash=head.last_hash,
        )
        event.row_hash = row_hash(event)
        event.save(force_insert=True)
        head.last_id, head.last_hash, head.count = event.pk, event.row_hash, head.count + 1
        head.save(update_fields=["last_id", "last_hash", "count"])
    return event


def mask_changes(changes: dict[str, Any], sensitive: set[str]) -> dict[str, Any]:
    """Replace the values of sensitive fields by a mask; the trail says *that* they changed."""
    return {k: (MASK if k in sensitive and v not in (None, "") else v) for k, v in changes.items()}


def audit_record_access(
    *, actor: Any, obj: models.Model, field: str, request: HttpRequest | None = None
) -> AuditEvent:
    """Record that ``actor`` was shown the clear value of a sensitive field."""
    action = f"{obj._meta.label_lower}.field_viewed"
    return audit_record(
        actor=actor, action=action, obj=obj, changes={"field": field}, request=request
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_id: int | None = None
    reason: str = ""


def audit_verify() -> ChainReport:
    """Walk the chain from its anchor; the first row whose link or hash is wrong breaks it."""
    head = AuditChainHead.objects.filter(pk=1).first()
    expected_prev = head.anchor_hash if head else GENESIS
    checked, last_id = 0, 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != expected_prev:
            return ChainReport(False, checked, event.pk, "link to the previous row is broken")
        if not hmac.compare_digest(row_hash(event), event.row_hash):
            return ChainReport(False, checked, event.pk, "row content does not match its hash")
        expected_prev, last_id, checked = event.row_hash, event.pk, checked + 1
    if head is not None and (head.last_hash != expected_prev or head.last_id != last_id):
        return ChainReport(False, checked, head.last_id, "rows at the end of the chain are missing")
    return ChainReport(True, checked)


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete rows older than the retention rule (never younger), keeping the chain verifiable."""
    cutoff = (now or timezone.now()) - timedelta(days=rule("audit_retention_days"))
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        old = AuditEvent.objects.filter(at__lt=cutoff).order_by("-id").first()
        if old is None:
            return 0
        permit = AuditPurgePermit.objects.create(cutoff=cutoff)
        deleted, _ = AuditEvent.objects.filter(id__lte=old.pk, at__lt=cutoff).delete()
        permit.delete()
        head.anchor_id, head.anchor_hash = old.pk + 1, old.row_hash
        head.count -= deleted
        head.save(update_fields=["anchor_id", "anchor_hash", "count"])
        audit_record(
            actor=None,
            action="audit.trail.purged",
            changes={"rows": deleted, "cutoff": cutoff.isoformat()},
        )
    return deleted
