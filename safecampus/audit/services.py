"""Appending to, verifying and trimming the audit trail, and checkpointing its head outside."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.models import AuditChainHead, AuditEvent, AuditPurgePermit, AuditResult
from safecampus.core.rules import rule

MASK = "***"
GENESIS = "0" * 64
PURGED = "audit.trail.purged"
HEAD_FORGED = "audit.chain.head_forged"
HEAD_FIELDS = ("last_id", "last_hash", "count", "anchor_id", "anchor_hash")
# Rounds of reading the rows appended while verifying; each is short, a steady writer is not.
WALK_ROUNDS = 10

logger = logging.getLogger(__name__)


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


def _seal(kind: str, fields: dict[str, Any]) -> str:
    """Keyed hash of a head, permit or checkpoint; ``kind`` keeps one from passing for another.

    Plain ``name=value`` fields joined by a separator no value holds (ids, hex hashes, ISO
    times): the head is sealed on every write, and this is a third of the cost of JSON.
    """
    body = "\x1f".join([kind, *(f"{name}={fields[name]}" for name in sorted(fields))])
    return hmac.new(settings.AUDIT_CHAIN_KEY.encode(), body.encode(), hashlib.sha256).hexdigest()


def _utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat() if moment is not None else ""


def _head_fields(head: AuditChainHead) -> dict[str, Any]:
    return {name: getattr(head, name) for name in HEAD_FIELDS}


def head_seal(head: AuditChainHead) -> str:
    return _seal("head", _head_fields(head))


def head_seal_ok(head: AuditChainHead) -> bool:
    """Signed with the audit key, or the untouched initial row of a trail never written to."""
    if not head.seal:
        return _head_fields(head) == {
            "last_id": 0,
            "last_hash": GENESIS,
            "count": 0,
            "anchor_id": 0,
            "anchor_hash": GENESIS,
        }
    return hmac.compare_digest(head.seal, head_seal(head))


def permit_seal(permit: AuditPurgePermit) -> str:
    return _seal(
        "permit",
        {
            "cutoff": _utc(permit.cutoff),
            "up_to_id": permit.up_to_id,
            "up_to_hash": permit.up_to_hash,
            "issued_at": _utc(permit.issued_at),
        },
    )


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


def _append(head: AuditChainHead, event: AuditEvent) -> AuditEvent:
    """Chain ``event`` after the locked ``head`` and sign the head again."""
    event.at, event.prev_hash = timezone.now(), head.last_hash
    event.row_hash = row_hash(event)
    event.save(force_insert=True)
    head.last_id, head.last_hash, head.count = event.pk, event.row_hash, head.count + 1
    head.seal = head_seal(head)
    head.save(update_fields=[*HEAD_FIELDS, "seal"])
    return event


def _locked_head() -> AuditChainHead:
    """The head, locked for an append; a head changed without the key is recorded first.

    Re-signing a forged head as it stands would launder a cut, and refusing to write would
    stop every write in the app (alarms included). So the forgery goes into the chain as a
    signed row that ``audit_verify`` reports for as long as the row is kept.
    """
    head, _created = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
    if not head_seal_ok(head):
        found = {**_head_fields(head), "seal": head.seal}
        _append(
            head,
            AuditEvent(
                action=HEAD_FORGED,
                result=AuditResult.FAILED,
                object_type="audit.auditchainhead",
                object_id="1",
                changes=found,
            ),
        )
    return head


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
    event = AuditEvent(
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
    )
    with transaction.atomic():
        return _append(_locked_head(), event)


def audit_record_many(
    *, actor: Any, action: str, entries: list[tuple[models.Model, dict[str, Any]]]
) -> list[AuditEvent]:
    """``audit_record`` of one action on many objects (a batch of machine changes): the rows
    are chained in memory under the locked head and written in one insert, so a batch takes
    the head's lock once, not once per row."""
    if not entries:
        return []
    authenticated = bool(actor is not None and getattr(actor, "is_authenticated", False))
    events = [
        AuditEvent(
            actor_id=actor.pk if authenticated else None,
            actor_label=(actor.get_username() if authenticated else "")[:150],
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            unit_id=getattr(obj, "unit_id", None),
            changes=_plain(changes),
            result=AuditResult.SUCCESS,
        )
        for obj, changes in entries
    ]
    with transaction.atomic():
        head = _locked_head()
        now, previous = timezone.now(), head.last_hash
        for event in events:
            event.at, event.prev_hash = now, previous
            event.row_hash = previous = row_hash(event)
        # One INSERT numbers its rows in order, so the chain's order is the ids' order.
        AuditEvent.objects.bulk_create(events)
        last = events[-1]
        head.last_id, head.last_hash, head.count = last.pk, last.row_hash, head.count + len(events)
        head.seal = head_seal(head)
        head.save(update_fields=[*HEAD_FIELDS, "seal"])
    return events


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


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete the oldest rows past the retention rule (never younger), as a signed checkpoint.

    Only a prefix of the chain goes — up to the first row still within retention — so no
    gap opens in the middle. The delete runs under a signed permit, and a chain row records
    which rows went up to which hash, so the new start is justified by a row nobody can
    forge without the key.
    """
    cutoff = (now or timezone.now()) - timedelta(days=rule("audit_retention_days"))
    with transaction.atomic():
        head = _locked_head()
        young = AuditEvent.objects.filter(at__gte=cutoff).order_by("id").first()
        old = AuditEvent.objects.filter(id__lt=young.pk) if young else AuditEvent.objects.all()
        first, last = old.order_by("id").first(), old.order_by("-id").first()
        if first is None or last is None:
            return 0
        permit = AuditPurgePermit(
            cutoff=cutoff, up_to_id=last.pk, up_to_hash=last.row_hash, issued_at=timezone.now()
        )
        permit.seal = permit_seal(permit)
        permit.save()
        deleted, _counts = old.delete()
        head.anchor_id, head.anchor_hash, head.count = last.pk, last.row_hash, head.count - deleted
        checkpoint = {
            "first_id": first.pk,
            "last_id": last.pk,
            "last_hash": last.row_hash,
            "rows": deleted,
            "cutoff": cutoff.isoformat(),
            "permit": permit.pk,
        }
        _append(head, AuditEvent(action=PURGED, object_type="audit.trail", changes=checkpoint))
    return deleted


@dataclass(frozen=True)
class Finding:
    """One break in the trail: what is wrong, and the row it shows at (if any)."""

    kind: str
    row_id: int | None
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    findings: tuple[Finding, ...] = ()
    checkpoints: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


class _Walk:
    """The chain read in id order: every bad link or hash, and the purges it records."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.checked = 0
        self.first: AuditEvent | None = None
        self.last: AuditEvent | None = None
        self.covered = {GENESIS}

    def visit(self, event: AuditEvent) -> None:
        if self.last is not None and event.prev_hash != self.last.row_hash:
            self.add("link", event.pk, _("Rows before this one were removed or inserted."))
        if not hmac.compare_digest(row_hash(event), event.row_hash):
            self.add("hash", event.pk, _("The row's content does not match its hash."))
        elif event.action == PURGED:
            self.covered.add(str(event.changes.get("last_hash", "")))
        elif event.action == HEAD_FORGED:
            message = _(
                "The chain head had been changed outside the application when this row was "
                "written (it said: last row %(last_id)s, %(count)s rows)."
            )
            self.add("head_forged", event.pk, message % event.changes)
        self.first = self.first or event
        self.last, self.checked = event, self.checked + 1

    def add(self, kind: str, row_id: int | None, message: str) -> None:
        self.findings.append(Finding(kind, row_id, message))

    def check_start(self) -> None:
        """The first row follows the genesis or a row a signed retention checkpoint purged."""
        if self.first is not None and self.first.prev_hash not in self.covered:
            message = _("Rows before this one are missing and no retention checkpoint covers them.")
            # First in the report: it is where the trail now begins.
            self.findings.insert(0, Finding("start", self.first.pk, message))

    def check_head(self, head: AuditChainHead | None) -> None:
        if head is None:
            if self.checked:
                self.add("head_missing", None, _("The chain head row is missing."))
            return
        if not head_seal_ok(head):
            message = _(
                "The chain head is not signed with the audit key: it was changed outside "
                "the application."
            )
            self.add("head_unsigned", None, message)
        last_id = self.last.pk if self.last else 0
        last_hash = self.last.row_hash if self.last else GENESIS
        if (head.last_id, head.last_hash) != (last_id, last_hash):
            message = _(
                "Rows at the end are missing: the chain head records row %(head)s, the trail "
                "ends at row %(last)s."
            )
            self.add("end", head.last_id, message % {"head": head.last_id, "last": last_id})
        if head.count != self.checked:
            message = _("The chain head counts %(head)s rows, the trail holds %(found)s.")
            self.add("count", None, message % {"head": head.count, "found": self.checked})
        if self.first is not None and head.anchor_hash != self.first.prev_hash:
            message = _(
                "The chain head's start (after row %(anchor)s) does not match the first row."
            )
            self.add("anchor", self.first.pk, message % {"anchor": head.anchor_id})


def _permit_findings() -> list[Finding]:
    message = _("Purge permit #%(id)s is not signed with the audit key.")
    return [
        Finding("permit", permit.up_to_id, message % {"id": permit.pk})
        for permit in AuditPurgePermit.objects.order_by("id")
        if not hmac.compare_digest(permit.seal, permit_seal(permit))
    ]


def _walk_to_head(walk: _Walk) -> AuditChainHead | None:
    """Read every row, then the head as it stands once the walk has read all the rows it counts.

    Writes go on while the trail is verified: rows appended during the walk are read (and
    checked like the rest) rather than reported as a disagreement with a newer head. A row
    and its head are committed together, so a head past the last row after a round that found
    nothing new is a cut, not a race.
    """
    last_id, head = -1, None
    for _round in range(WALK_ROUNDS):
        newer = AuditEvent.objects.filter(id__gt=last_id).order_by("id")
        for event in newer.iterator(chunk_size=2000):
            walk.visit(event)
        head = AuditChainHead.objects.filter(pk=1).first()
        read_to = walk.last.pk if walk.last else 0
        if head is None or head.last_id <= read_to or read_to == last_id:
            break
        last_id = read_to
    return head


def audit_verify(*, checkpoint_file: Path | None = None) -> ChainReport:
    """Walk the whole trail and report every break, not only the first.

    A row changed, inserted or removed in the middle breaks a link or a hash; a cut at the
    start is a first row that neither the genesis nor a signed retention checkpoint explains;
    a cut at the end disagrees with the signed head. With ``checkpoint_file`` the heads
    written outside the database are compared too: rows they recorded must still be there.
    """
    walk = _Walk()
    head = _walk_to_head(walk)
    walk.check_start()
    walk.check_head(head)
    findings = [*walk.findings, *_permit_findings()]
    compared = 0
    if checkpoint_file is not None:
        checkpoint_findings, compared = _checkpoint_findings(checkpoint_file, walk)
        findings += checkpoint_findings
    return ChainReport(walk.checked, tuple(findings), compared)


def audit_checkpoint(*, path: Path | None = None) -> dict[str, Any]:
    """Append the signed head to the checkpoint file, outside the database (worker, periodic).

    Someone who can rewrite the database can also put back an older signed head (a backup,
    a dead row version) after cutting the newest rows; a head written elsewhere at intervals
    bounds that to the rows since the last checkpoint. Opened for appending only.
    """
    target = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    with transaction.atomic():
        head = _locked_head()
    checkpoint: dict[str, Any] = {"at": _utc(timezone.now()), **_head_fields(head)}
    checkpoint["seal"] = _seal("checkpoint", checkpoint)
    line = json.dumps(checkpoint, sort_keys=True, separators=(",", ":")) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    logger.info("audit checkpoint %s", line.strip())
    return checkpoint


def _read_checkpoints(path: Path) -> tuple[list[dict[str, Any]], list[Finding]]:
    """The signed checkpoints in ``path``, and a finding for every line that is not one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return [], [
            Finding(
                "checkpoint_file",
                None,
                _("No checkpoint file could be read at %(path)s.") % {"path": path},
            )
        ]
    good, bad = [], []
    for number, line in enumerate(lines, start=1):
        try:
            checkpoint = json.loads(line)
            seal = checkpoint.pop("seal")
            signed = hmac.compare_digest(str(seal), _seal("checkpoint", checkpoint))
            int(checkpoint["last_id"])
        except (ValueError, KeyError, TypeError, AttributeError):
            signed = False
        if signed:
            good.append(checkpoint)
        else:
            message = _("Line %(line)s of the checkpoint file is not signed with the audit key.")
            bad.append(Finding("checkpoint_unsigned", None, message % {"line": number}))
    if not good and not bad:
        bad.append(
            Finding(
                "checkpoint_file",
                None,
                _("The checkpoint file %(path)s holds no checkpoint.") % {"path": path},
            )
        )
    return good, bad


def _checkpoint_findings(path: Path, walk: _Walk) -> tuple[list[Finding], int]:
    """Rows a checkpoint recorded must be in the trail with the same hash, unless purged."""
    checkpoints, findings = _read_checkpoints(path)
    last_id = walk.last.pk if walk.last else 0
    first_id = walk.first.pk if walk.first else last_id + 1
    latest = max(checkpoints, key=lambda c: int(c["last_id"]), default=None)
    if latest is not None and int(latest["last_id"]) > last_id:
        message = _(
            "Rows at the end are missing: the checkpoint of %(at)s recorded row %(id)s, "
            "the trail ends at row %(last)s."
        )
        values = {"at": latest["at"], "id": latest["last_id"], "last": last_id}
        findings.append(Finding("checkpoint_end", int(latest["last_id"]), message % values))
    recorded = {
        int(c["last_id"]): c for c in checkpoints if first_id <= int(c["last_id"]) <= last_id
    }
    stored: dict[int, str] = {}
    ids = sorted(recorded)
    for start in range(0, len(ids), 500):
        chunk = AuditEvent.objects.filter(id__in=ids[start : start + 500])
        stored.update(chunk.values_list("id", "row_hash"))
    message = _(
        "The checkpoint of %(at)s recorded row %(id)s with another hash, or the row is gone."
    )
    for row_id in ids:
        if stored.get(row_id) != recorded[row_id]["last_hash"]:
            values = {"at": recorded[row_id]["at"], "id": row_id}
            findings.append(Finding("checkpoint_mismatch", row_id, message % values))
    return findings, len(checkpoints)
