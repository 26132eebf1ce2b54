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
from collections.abc import Iterable
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
from safecampus.security.services.alerts import (
    alerts_auto_close,
    alerts_grow,
    alerts_offline_shrink,
    alerts_open,
)

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


def _when(value: Any, now: datetime, latest: datetime | None = None) -> datetime:
    if not isinstance(value, str):
        raise EventRejected("occurred_at must be an ISO 8601 time with an offset")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise EventRejected("occurred_at is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise EventRejected("occurred_at needs a UTC offset, e.g. +08:00")
    if latest is None:
        latest = now + timedelta(seconds=rule("event_future_seconds"))
    if moment > latest:
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


def parse_event(raw: Any, *, now: datetime, latest: datetime | None = None) -> ParsedEvent:
    """Check one generic event; raise ``EventRejected`` with the reason. ``latest``: the
    latest acceptable ``occurred_at`` (``now`` + ``event_future_seconds``), when the caller
    checks many events against one ``now``."""
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
        occurred_at=_when(raw.get("occurred_at"), now, latest),
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
    "alert",
)
_RETURNING = (
    'ON CONFLICT ("device_id", "event_id") DO NOTHING RETURNING "id", "device_id", "event_id"'
)
#: PostgreSQL: the batch is copied into this per-connection temporary table first (``COPY``
#: is the cheapest way in: its rows are encoded in C, where an array or ``VALUES``
#: parameter is adapted in Python, ~0.1 ms per row), and inserted from there in one
#: statement; it empties itself at commit.
_STAGE = "security_ingest_stage"


class _Raced(Exception):
    """Another process stored some of the batch's events between the check for stored ones
    and the insert (the same message delivered twice at once): the batch is done again."""


def _stage(rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """PostgreSQL: copy the rows into the stage; the (device, event_id) already stored."""
    fields: list[Any] = [DeviceEvent._meta.get_field(name) for name in _COLUMNS[:-1]]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(DeviceEvent._meta.db_table)
    with connection.cursor() as cursor:
        # Table and column names come from the model.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT 0::integer AS n, {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"DELETE FROM {_STAGE}")  # noqa: S608  (a batch earlier in this transaction)
        with cursor.cursor.copy(f"COPY {_STAGE} (n, {columns}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                copy.write_row(
                    (
                        n,
                        *(row[f.name] for f in fields[:10]),
                        orjson.dumps(row["attributes"]).decode(),
                        row["source"],
                        row["late"],
                    )
                )
        cursor.execute(
            f"SELECT s.device_id, s.event_id FROM {_STAGE} s JOIN {table} e "  # noqa: S608
            "ON e.device_id = s.device_id AND e.event_id = s.event_id"
        )
        return set(cursor.fetchall())


def _stored(rows: list[dict[str, Any]]) -> set[tuple[int, str]]:
    """The (device, event_id) of the rows that are already stored."""
    if connection.vendor == "postgresql":
        return _stage(rows)
    found: set[tuple[int, str]] = set()
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        found |= set(
            DeviceEvent.objects.filter(
                device_id__in={row["device"] for row in chunk},
                event_id__in=[row["event_id"] for row in chunk],
            ).values_list("device_id", "event_id")
        )
    return found


def _insert(rows: list[dict[str, Any]], fresh: list[int]) -> dict[tuple[int, str], int]:
    """Insert the rows at the positions ``fresh`` (the ones not stored yet, each with its
    ``alert``), skipping any (device, event_id) already stored; the new ones' ids.

    PostgreSQL inserts from the stage ``_stored`` filled, with the alert ids as one array
    parameter; SQLite gets multi-row ``VALUES`` in chunks.
    """
    fields: list[Any] = [DeviceEvent._meta.get_field(name) for name in _COLUMNS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(DeviceEvent._meta.db_table)
    inserted: dict[tuple[int, str], int] = {}
    chunks: list[tuple[str, list[Any]]] = []
    if connection.vendor == "postgresql":
        staged = ", ".join(f"s.{connection.ops.quote_name(f.column)}" for f in fields[:-1])
        # The stage's rows at ``fresh``, each with its alert; names come from the model.
        sql = (
            f"INSERT INTO {table} ({columns}) SELECT {staged}, a.alert "  # noqa: S608
            f"FROM {_STAGE} s JOIN unnest(%s::integer[], %s::bigint[]) a (n, alert) "
            f"ON a.n = s.n {_RETURNING}"
        )
        chunks.append((sql, [fresh, [rows[n]["alert"] for n in fresh]]))
    else:
        for start in range(0, len(fresh), INSERT_CHUNK):
            chunk = [rows[n] for n in fresh[start : start + INSERT_CHUNK]]
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


def _lock_groups(groups: Iterable[tuple[int, str, str]]) -> None:
    """PostgreSQL: hold a lock per (device, type, zone) until commit, so that two ingest
    processes (a shared subscription splits one device's events between them) never both
    open an alert for one group: the second waits, then finds the first one's alert. Taken
    in one order (sorted keys) by every process, so they cannot deadlock."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time
    keys = sorted(
        int.from_bytes(
            hashlib.blake2b(f"{d}\x1f{t}\x1f{z}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        for d, t, z in groups
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY AS u (k, i)",
            [keys],
        )


def _open_candidates(
    spans: dict[tuple[int, str, str], tuple[datetime, datetime]], window: timedelta
) -> dict[tuple[int, str, str], Alert]:
    """For each (device, type, zone) group and the span of its new events, the open alert
    they join: the one last seen most recently whose time overlaps the span by ``window``.
    One query finds them all, one more locks them (by key, ordered, so two processes lock
    in the same order; a LIMIT with FOR UPDATE is not portable) — an alert disposed
    meanwhile is no candidate."""
    _lock_groups(spans)
    first = min(start for start, _end in spans.values())
    last = max(end for _start, end in spans.values())
    found = Alert.objects.filter(
        device_id__in={device_id for device_id, _t, _z in spans},
        event_type__in={event_type for _d, event_type, _z in spans},
        status__in=ALERT_OPEN_STATES,
        last_seen_at__gte=first - window,
        first_seen_at__lte=last + window,
    ).values_list("pk", "device_id", "event_type", "zone", "first_seen_at", "last_seen_at")
    best: dict[tuple[int, str, str], tuple[datetime, int]] = {}
    for pk, device_id, event_type, zone, first_seen, last_seen in found:
        key = (device_id, event_type, zone)
        span = spans.get(key)
        if span is None or last_seen < span[0] - window or first_seen > span[1] + window:
            continue
        if key not in best or (last_seen, pk) > best[key]:
            best[key] = (last_seen, pk)
    if not best:
        return {}
    locked = Alert.objects.select_for_update().filter(
        pk__in=sorted(pk for _at, pk in best.values()), status__in=ALERT_OPEN_STATES
    )
    by_pk = {alert.pk: alert for alert in locked.order_by("pk")}
    return {key: by_pk[pk] for key, (_at, pk) in best.items() if pk in by_pk}


def _raise_alerts(
    new: list[tuple[int, Device, ParsedEvent]], book: RuleBook, now: datetime
) -> dict[int, list[int]]:
    """Open or grow one alert per (device, type, zone) of the new, timely events (each
    given with a key of the caller's); the keys each alert took. The new alerts are stored
    together, and the grown ones saved and audited together, by the alert services."""
    groups: dict[tuple[int, str, str], list[tuple[int, Device, ParsedEvent, int, Any]]] = (
        defaultdict(list)
    )
    for key, device, event in new:
        priority, matched = book.judge(
            school_id=device.school_id, event_type=event.type, zone=event.zone, at=event.occurred_at
        )
        if priority > Priority.INFO:
            groups[(device.pk, event.type, event.zone)].append(
                (key, device, event, priority, matched)
            )
    if not groups:
        return {}
    window = timedelta(minutes=rule("alert_group_minutes"))
    spans = {
        group: (
            min(event.occurred_at for _k, _d, event, _p, _r in items),
            max(event.occurred_at for _k, _d, event, _p, _r in items),
        )
        for group, items in groups.items()
    }
    candidates = _open_candidates(spans, window)
    fresh: list[tuple[Alert, list[int]]] = []
    grown: list[tuple[Alert, int]] = []
    taken: dict[int, list[int]] = {}
    for (_device_id, event_type, zone), items in groups.items():
        device = items[0][1]
        first, last = spans[(device.pk, event_type, zone)]
        top = max(items, key=lambda item: item[3])
        alert = candidates.get((device.pk, event_type, zone))
        subject = next((e.subject for _k, _d, e, _p, _r in reversed(items) if e.subject), "")
        keys = [key for key, *_rest in items]
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
            fresh.append((alert, keys))
            continue
        alert.count += len(items)
        alert.last_seen_at = max(alert.last_seen_at, last)
        if top[3] > alert.priority:
            alert.priority, alert.rule = top[3], top[4]
        alert.subject = subject or alert.subject
        grown.append((alert, len(items)))
        taken[alert.pk] = keys
    alerts_grow(grown=grown)
    alerts_open(alerts=[alert for alert, _keys in fresh])
    for alert, keys in fresh:
        taken[alert.pk] = keys
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
    """The devices spoke: mark them alive and clear their offline alerts (one query more
    per batch: which of them were offline)."""
    if not devices:
        return
    back = set(
        Device.objects.filter(pk__in=list(devices), offline_since__isnull=False).values_list(
            "school_id", flat=True
        )
    )
    Device.objects.filter(pk__in=list(devices)).update(last_seen_at=now, offline_since=None)
    alerts_auto_close(device_ids=list(devices), now=now)  # alerts of one device (before #14)
    if back:  # rare: devices that were offline; their school's alert shrinks or closes
        alerts_offline_shrink(school_ids=back, now=now)


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
    latest = now + timedelta(seconds=rule("event_future_seconds"))
    cutoff = now - grace  # older events are late: stored, never alerted
    rows: list[dict[str, Any]] = []
    parsed: dict[tuple[int, str], tuple[Device, ParsedEvent]] = {}
    seen: dict[int, Device] = {}
    for index, (device, raw) in enumerate(batch):
        try:
            event = parse_event(raw, now=now, latest=latest)
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
                "late": event.occurred_at < cutoff,
                "alert": None,
            }
        )
        event.zone = event.zone or device.zone
    with transaction.atomic():
        for attempt in range(3):
            try:
                with transaction.atomic():  # a savepoint: a raced attempt leaves nothing
                    new, alerts = _store(rows, parsed, now)
                break
            except _Raced:
                if attempt == 2:
                    raise
        result.accepted += len(new)
        result.duplicates += len(rows) - len(new)
        result.alerts = alerts
        _attach_pictures(new)
        _devices_seen(seen, now)
    return result


def _store(
    rows: list[dict[str, Any]],
    parsed: dict[tuple[int, str], tuple[Device, ParsedEvent]],
    now: datetime,
) -> tuple[list[tuple[int, Device, ParsedEvent]], set[int]]:
    """The rows not stored yet, each with its alert (judged before the insert, so that every
    event is written once, with its alert): (id, device, event) of each, and the alerts."""
    if not rows:
        return [], set()
    for row in rows:
        row["alert"] = None
    stored = _stored(rows)
    fresh = [n for n, row in enumerate(rows) if (row["device"], row["event_id"]) not in stored]
    events = [(n, *parsed[(rows[n]["device"], rows[n]["event_id"])]) for n in fresh]
    timely = [(n, d, e) for n, d, e in events if not rows[n]["late"]]
    taken = _raise_alerts(timely, RuleBook(), now) if timely else {}
    for alert_id, positions in taken.items():
        for n in positions:
            rows[n]["alert"] = alert_id
    inserted = _insert(rows, fresh) if fresh else {}
    if len(inserted) != len(fresh):
        raise _Raced
    return [(inserted[(d.pk, e.event_id)], d, e) for _n, d, e in events], set(taken)


def ingest_events(
    *, device: Device, items: list[Any], source: str, now: datetime | None = None
) -> IngestResult:
    """One device's events (the HTTP endpoint's batch), in one transaction."""
    return ingest_batch(batch=[(device, item) for item in items], source=source, now=now)


def device_seen(*, device: Device, at: datetime | None = None) -> None:
    """A status message or heartbeat: the device is alive."""
    with transaction.atomic():
        _devices_seen({device.pk: device}, at or timezone.now())
