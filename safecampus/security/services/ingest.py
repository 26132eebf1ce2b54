"""Events in: credentials, the generic event format, storing each event once, and the rules
that turn events into alerts (R-5.2). Every channel — HTTP, Hikvision ISAPI, the MQTT
consumer — ends here, so they all store and judge events the same way.

A batch is one transaction: the events are inserted with ``ON CONFLICT DO NOTHING
RETURNING`` so a redelivered event (same device and ``event_id``) is counted as a
duplicate and never stored twice, and the alerts the new events raise or grow are written
in the same commit, through the alert services (``security.alerts``: kernel cases, audited
in bulk, published after commit). A broker consumer acknowledges a batch only after this
function returns.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import orjson
from django.db import connection, transaction
from django.utils import timezone

from safecampus.core.crypto import blind_index
from safecampus.core.localtime import CHINA_TZ
from safecampus.core.rules import rule
from safecampus.security.choices import (
    ALERT_OPEN_STATES,
    DEFAULT_PRIORITY,
    DEVICE_EVENT_TYPES,
    EventType,
    Priority,
)
from safecampus.security.models import Alert, AlertRule, Device, DeviceEvent
from safecampus.security.services.alerts import alerts_auto_close, alerts_grow, alerts_open

SECRET_CONTEXT = "security.device.secret"
DIGEST_REALM = "SafeCampus"
MAX_PICTURE_BYTES = 2 * 1024 * 1024
MAX_ATTRIBUTES_BYTES = 8 * 1024
MAX_BATCH = 1000
INSERT_CHUNK = 500


# --- credentials ---------------------------------------------------------------------------


def secret_new() -> str:
    """A device secret: 160 random bits as 40 hex digits (shown once)."""
    return secrets.token_hex(20)


def secret_hash(secret: str) -> str:
    return blind_index(secret, context=SECRET_CONTEXT)


def digest_ha1(code: str, secret: str) -> str:
    """HTTP Digest's HA1 for a camera that can only do Digest (RFC 7616, MD5)."""
    return hashlib.md5(
        f"{code}:{DIGEST_REALM}:{secret}".encode(), usedforsecurity=False
    ).hexdigest()


def device_authenticate(code: str, secret: str) -> Device | None:
    """The enabled device ``code`` if ``secret`` is its secret (compared in constant time)."""
    device = Device.objects.filter(code=code, enabled=True).select_related("school").first()
    given = secret_hash(secret or "")
    if device is None:
        hmac.compare_digest(given, "0" * 64)  # the same work for an unknown code
        return None
    return device if hmac.compare_digest(device.secret_hash, given) else None


def device_digest_ha1(device: Device) -> str | None:
    return device.digest_ha1 or None


# --- the generic event format ------------------------------------------------------------


class EventRejected(ValueError):
    """One event refused, with a reason a device installer can act on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ParsedEvent:
    event_id: str
    type: str
    occurred_at: datetime
    zone: str = ""
    severity: str = ""
    confidence: float | None = None
    subject: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    picture: bytes | None = None


def _text(raw: dict[str, Any], name: str, limit: int) -> str:
    value = raw.get(name)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise EventRejected(f"{name} must be text")
    text = str(value).strip()
    if len(text) > limit:
        raise EventRejected(f"{name} is longer than {limit} characters")
    return text


def _when(value: Any, now: datetime) -> datetime:
    if not isinstance(value, str):
        raise EventRejected("occurred_at must be an ISO 8601 time with an offset")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise EventRejected("occurred_at is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise EventRejected("occurred_at needs a UTC offset, e.g. +08:00")
    if moment > now + timedelta(seconds=rule("event_future_seconds")):
        raise EventRejected("occurred_at is in the future (check the device clock)")
    if moment.year < 2000:
        raise EventRejected("occurred_at is before 2000 (check the device clock)")
    return moment


def _confidence(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise EventRejected("confidence must be a number")
    number = float(value)
    if not 0 <= number <= 100:
        raise EventRejected("confidence must be between 0 and 1 (or 0 and 100)")
    return number / 100 if number > 1 else number


def _picture(value: Any) -> bytes | None:
    if value is None or value == "":
        return None
    if isinstance(value, bytes):
        data = value
    elif isinstance(value, str):
        if len(value) > MAX_PICTURE_BYTES * 4 // 3 + 4:
            raise EventRejected("picture is larger than 2 MB")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise EventRejected("picture is not base64") from None
    else:
        raise EventRejected("picture must be base64 text")
    if len(data) > MAX_PICTURE_BYTES:
        raise EventRejected("picture is larger than 2 MB")
    return data


def parse_event(raw: Any, *, now: datetime) -> ParsedEvent:
    """Check one generic event; raise ``EventRejected`` with the reason."""
    if not isinstance(raw, dict):
        raise EventRejected("an event must be a JSON object")
    event_id = _text(raw, "event_id", 100)
    if not event_id:
        raise EventRejected("event_id is missing")
    kind = raw.get("type")
    if kind not in DEVICE_EVENT_TYPES:
        raise EventRejected(f"unknown type {str(kind)[:40]!r}")
    attributes = raw.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise EventRejected("attributes must be a JSON object")
    if len(orjson.dumps(attributes)) > MAX_ATTRIBUTES_BYTES:
        raise EventRejected("attributes are larger than 8 KB")
    return ParsedEvent(
        event_id=event_id,
        type=str(kind),
        occurred_at=_when(raw.get("occurred_at"), now),
        zone=_text(raw, "zone", 80),
        severity=_text(raw, "severity", 20),
        confidence=_confidence(raw.get("confidence")),
        subject=_text(raw, "subject", 200),
        attributes=attributes,
        picture=_picture(raw.get("picture")),
    )


# --- storing -------------------------------------------------------------------------------


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    alerts: set[int] = field(default_factory=set)

    def add(self, other: IngestResult) -> None:
        self.accepted += other.accepted
        self.duplicates += other.duplicates
        self.rejected += other.rejected
        self.alerts |= other.alerts

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected}


_COLUMNS = (
    "device",
    "school",
    "event_id",
    "type",
    "occurred_at",
    "received_at",
    "zone",
    "severity",
    "confidence",
    "subject",
    "attributes",
    "source",
    "late",
)


#: PostgreSQL array types of the columns, for the one-statement ``unnest`` insert.
_PG_ARRAYS = {
    "device": "bigint[]",
    "school": "bigint[]",
    "event_id": "text[]",
    "type": "text[]",
    "occurred_at": "timestamptz[]",
    "received_at": "timestamptz[]",
    "zone": "text[]",
    "severity": "text[]",
    "confidence": "float8[]",
    "subject": "text[]",
    "attributes": "jsonb[]",
    "source": "text[]",
    "late": "bool[]",
}
_RETURNING = (
    'ON CONFLICT ("device_id", "event_id") DO NOTHING RETURNING "id", "device_id", "event_id"'
)


def _insert(rows: list[dict[str, Any]]) -> dict[tuple[int, str], int]:
    """Insert the rows, skipping any (device, event_id) already stored; the new ones' ids.

    PostgreSQL gets one statement with one array per column (``unnest``): thirteen
    parameters however long the batch, so the server parses it once — a multi-row
    ``VALUES`` of 2,000 rows has 26,000. SQLite gets multi-row ``VALUES`` in chunks.
    """
    fields: list[Any] = [DeviceEvent._meta.get_field(name) for name in _COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(DeviceEvent._meta.db_table)
    inserted: dict[tuple[int, str], int] = {}
    if connection.vendor == "postgresql":
        arrays = [
            [
                orjson.dumps(row[f.name]).decode() if f.name == "attributes" else row[f.name]
                for row in rows
            ]
            for f in fields
        ]
        casts = ", ".join(f"%s::{_PG_ARRAYS[f.name]}" for f in fields)
        # Table and column names come from the model, values are bound parameters.
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({casts}) {_RETURNING}"  # noqa: S608
        chunks: list[tuple[str, list[Any]]] = [(sql, arrays)]
    else:
        chunks = []
        for start in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[start : start + INSERT_CHUNK]
            values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(chunk))
            params = [f.get_db_prep_save(row[f.name], connection) for row in chunk for f in fields]
            chunks.append((f"INSERT INTO {table} ({columns}) VALUES {values} {_RETURNING}", params))  # noqa: S608
    with connection.cursor() as cursor:
        for sql, params in chunks:
            cursor.execute(sql, params)
            for pk, device_id, event_id in cursor.fetchall():
                inserted[(device_id, event_id)] = pk
    return inserted


def _in_window(moment: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None:
        return True
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end  # passes midnight


def _specificity(candidate: AlertRule) -> tuple[int, int, int, int]:
    return (
        candidate.school_id is not None,
        bool(candidate.zone),
        candidate.starts_at is not None,
        candidate.priority,
    )


class RuleBook:
    """The enabled rules, read once per batch; the most specific match wins (the school's
    over the district's, a zone over any zone, a time window over all day)."""

    def __init__(self) -> None:
        self.by_type: dict[str, list[AlertRule]] = defaultdict(list)
        for candidate in AlertRule.objects.filter(enabled=True):
            self.by_type[candidate.event_type].append(candidate)

    def judge(
        self, *, school_id: int, event_type: str, zone: str, at: datetime
    ) -> tuple[int, AlertRule | None]:
        local = timezone.localtime(at, CHINA_TZ).time()
        matching = [
            r
            for r in self.by_type.get(event_type, [])
            if r.school_id in (None, school_id)
            and (not r.zone or r.zone == zone)
            and _in_window(local, r.starts_at, r.ends_at)
        ]
        if not matching:
            return DEFAULT_PRIORITY.get(event_type, Priority.LOW), None
        best = max(matching, key=_specificity)
        return best.priority, best


def _raise_alerts(
    new: list[tuple[int, Device, ParsedEvent]], book: RuleBook, now: datetime
) -> dict[int, list[int]]:
    """Open or grow one alert per (device, type, zone) of the new, timely events; the event
    ids each alert took. The new alerts are stored together, and the grown ones saved and
    audited together, by the alert services."""
    groups: dict[tuple[int, str, str], list[tuple[int, Device, ParsedEvent, int, Any]]] = (
        defaultdict(list)
    )
    for pk, device, event in new:
        priority, matched = book.judge(
            school_id=device.school_id, event_type=event.type, zone=event.zone, at=event.occurred_at
        )
        if priority > Priority.INFO:
            groups[(device.pk, event.type, event.zone)].append(
                (pk, device, event, priority, matched)
            )
    window = timedelta(minutes=rule("alert_group_minutes"))
    fresh: list[tuple[Alert, list[int]]] = []
    grown: list[tuple[Alert, int]] = []
    taken: dict[int, list[int]] = {}
    for (device_id, event_type, zone), items in groups.items():
        device = items[0][1]
        first = min(event.occurred_at for _pk, _d, event, _p, _r in items)
        last = max(event.occurred_at for _pk, _d, event, _p, _r in items)
        top = max(items, key=lambda item: item[3])
        candidate = (
            Alert.objects.filter(
                device_id=device_id,
                event_type=event_type,
                zone=zone,
                status__in=ALERT_OPEN_STATES,
                last_seen_at__gte=first - window,
                first_seen_at__lte=last + window,
            )
            .order_by("-last_seen_at")
            .values_list("pk", flat=True)
            .first()
        )
        # Locked by key (a LIMIT with FOR UPDATE is not portable), and still open once locked.
        locked = Alert.objects.select_for_update().filter(
            pk=candidate, status__in=ALERT_OPEN_STATES
        )
        alert = next(iter(locked), None) if candidate is not None else None
        subject = next((e.subject for _pk, _d, e, _p, _r in reversed(items) if e.subject), "")
        event_ids = [pk for pk, *_rest in items]
        if alert is None:
            alert = Alert(
                school_id=device.school_id,
                device=device,
                event_type=event_type,
                zone=zone,
                priority=top[3],
                rule=top[4],
                first_seen_at=first,
                last_seen_at=last,
                count=len(items),
                subject=subject,
            )
            fresh.append((alert, event_ids))
            continue
        alert.count += len(items)
        alert.last_seen_at = max(alert.last_seen_at, last)
        if top[3] > alert.priority:
            alert.priority, alert.rule = top[3], top[4]
        alert.subject = subject or alert.subject
        grown.append((alert, len(items)))
        taken[alert.pk] = event_ids
    alerts_grow(grown=grown)
    alerts_open(alerts=[alert for alert, _ids in fresh])
    for alert, event_ids in fresh:
        taken[alert.pk] = event_ids
    return taken


def _attach_pictures(new: list[tuple[int, Device, ParsedEvent]]) -> None:
    from django.core.files.base import ContentFile

    from safecampus.attachments.errors import AttachmentError
    from safecampus.attachments.services import attachment_create

    for pk, device, event in new:
        if not event.picture:
            continue
        owner = DeviceEvent(pk=pk, device=device, school_id=device.school_id)
        try:
            with transaction.atomic():
                attachment_create(
                    actor=None,
                    owner=owner,
                    uploaded_file=ContentFile(event.picture, name=f"{event.event_id[:40]}.jpg"),
                    unit_id=device.school_id,
                )
        except AttachmentError:
            # A picture that is not a picture is dropped; the event itself stands.
            DeviceEvent.objects.filter(pk=pk).update(
                attributes={**event.attributes, "picture_refused": True}
            )


def _devices_seen(devices: dict[int, Device], now: datetime) -> None:
    """The devices spoke: mark them alive and clear their open offline alerts."""
    if not devices:
        return
    Device.objects.filter(pk__in=list(devices)).update(last_seen_at=now, offline_since=None)
    alerts_auto_close(device_ids=list(devices), now=now)


def ingest_batch(
    *, batch: list[tuple[Device, Any]], source: str, now: datetime | None = None
) -> IngestResult:
    """Store the events of many devices in one transaction and judge the new ones.

    Heartbeats only mark their device alive; events older than ``alert_grace_minutes`` are
    stored as late and raise no live alert. Returns the counts; raises only on a database
    failure (nothing of the batch is then stored, and a consumer must not acknowledge).
    """
    now = now or timezone.now()
    result = IngestResult()
    grace = timedelta(minutes=rule("alert_grace_minutes"))
    rows: list[dict[str, Any]] = []
    parsed: dict[tuple[int, str], tuple[Device, ParsedEvent]] = {}
    seen: dict[int, Device] = {}
    for index, (device, raw) in enumerate(batch):
        try:
            event = parse_event(raw, now=now)
        except EventRejected as refused:
            event_id = raw.get("event_id") if isinstance(raw, dict) else None
            result.rejected.append(
                {
                    "index": index,
                    "event_id": str(event_id)[:100] if event_id else None,
                    "reason": refused.reason,
                }
            )
            continue
        seen[device.pk] = device
        if event.type == EventType.HEARTBEAT:
            result.accepted += 1
            continue
        key = (device.pk, event.event_id)
        if key in parsed:
            result.duplicates += 1
            continue
        parsed[key] = (device, event)
        rows.append(
            {
                "device": device.pk,
                "school": device.school_id,
                "event_id": event.event_id,
                "type": event.type,
                "occurred_at": event.occurred_at,
                "received_at": now,
                "zone": event.zone or device.zone,
                "severity": event.severity,
                "confidence": event.confidence,
                "subject": event.subject,
                "attributes": event.attributes,
                "source": source,
                "late": event.occurred_at < now - grace,
            }
        )
        event.zone = event.zone or device.zone
    with transaction.atomic():
        inserted = _insert(rows) if rows else {}
        result.accepted += len(inserted)
        result.duplicates += len(rows) - len(inserted)
        new = [(pk, *parsed[key]) for key, pk in inserted.items()]
        timely = [(pk, d, e) for pk, d, e in new if e.occurred_at >= now - grace]
        taken = _raise_alerts(timely, RuleBook(), now) if timely else {}
        for alert_id, event_ids in taken.items():
            DeviceEvent.objects.filter(pk__in=event_ids).update(alert_id=alert_id)
        _attach_pictures(new)
        _devices_seen(seen, now)
        result.alerts = set(taken)
    return result


def ingest_events(
    *, device: Device, items: list[Any], source: str, now: datetime | None = None
) -> IngestResult:
    """One device's events (the HTTP endpoint's batch), in one transaction."""
    return ingest_batch(batch=[(device, item) for item in items], source=source, now=now)


def device_seen(*, device: Device, at: datetime | None = None) -> None:
    """A status message or heartbeat: the device is alive."""
    with transaction.atomic():
        _devices_seen({device.pk: device}, at or timezone.now())
