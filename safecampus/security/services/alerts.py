"""Every change to an alert (告警), by a person or by the machine, and who is told (R-5.2).

People acknowledge, dispose (with what it was), escalate into an incident and call the
police; the machine raises and grows alerts from device events (in bulk, per batch),
closes a ``device_offline`` alert when its device speaks again, and escalates a critical
alert nobody acknowledged in time. Each status change goes through the case kernel's
``case_transition`` (row locked, illegal moves refused, a timeline row and an audit row);
the machine's raising and growing write their audit rows in one insert per batch. After
commit every change is published to the live console (``live.publish_alerts``) — called
explicitly here, there is no signal.

Who acts: the school's guard room (guard, principal, designated officer) on their own
school's alerts, the bureau's safety officers and leaders on every school's
(``security.permissions``).

The 60-second acknowledgement limit of a critical alert is a kernel ``Deadline``
(purpose ``alert_ack``), met by acknowledging or disposing. The kernel's sweep escalates
it once and calls ``alert_ack_overdue`` (named in ``ALERT_WORKFLOW.escalations``), which
tells the bureau and the principal.

There is no incident model yet: "escalate into an incident record" is recorded on the
alert itself (``escalated_at``, the note, an audit row ``security.alert.incident_escalated``)
and the bureau's safety section and the principal are told.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.models import AuditEvent
from safecampus.audit.services import audit_record, audit_record_many
from safecampus.cases.models import Deadline
from safecampus.cases.services import case_create_many, case_transition, deadline_set
from safecampus.cases.tasks import deadline_sweep_purposes_task
from safecampus.core.errors import ConflictError, DomainError, ForbiddenError
from safecampus.core.rules import rule
from safecampus.notifications.services import notify
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Membership, School
from safecampus.security import live
from safecampus.security.choices import (
    ALERT_ACK_PURPOSE,
    ALERT_OPEN_STATES,
    AlertStatus,
    EventType,
    Outcome,
    Priority,
)
from safecampus.security.models import ALERT_ACK_LABEL, Alert, Device
from safecampus.security.permissions import (
    ALERT_ACTOR_ROLES,
    ALERT_BUREAU_ROLES,
    ALERT_READER_ROLES,
    ALERT_SCHOOL_ROLES,
    may_act,
)

__all__ = [
    "ALERT_ACTOR_ROLES",
    "ALERT_BUREAU_ROLES",
    "ALERT_READER_ROLES",
    "ALERT_SCHOOL_ROLES",
    "NOTE_MAX",
    "AlertError",
    "alert_ack_overdue",
    "alert_acknowledge",
    "alert_dispose",
    "alert_escalate_incident",
    "alert_request_police_help",
    "alerts_auto_close",
    "alerts_grow",
    "alerts_open",
    "may_act",
]

#: Events whose subject (a plate, a watch-list entry) the police may be told.
SUBJECT_TYPES = frozenset(
    {EventType.WATCHLIST_MATCH, EventType.PLATE_RECOGNISED, EventType.PLATE_UNKNOWN}
)
INCIDENT_ACTION = "security.alert.incident_escalated"
NOTE_MAX = 2000
#: What a device's own words close its ``device_offline`` alert with.
BACK_ONLINE = "back online"


class AlertError(DomainError):
    """A refused move on an alert."""


def _lock(actor: Any, alert: Alert) -> Alert:
    if not may_act(actor, alert):
        raise ForbiddenError(_("You may not act on this alert."), code="forbidden")
    return Alert.objects.select_for_update(of=("self",)).select_related("school").get(pk=alert.pk)


def _append(alert: Alert, label: str, note: str, now: datetime) -> None:
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    line = f"{stamp} {label}: {note}" if note else f"{stamp} {label}"
    alert.note = f"{alert.note}\n{line}" if alert.note else line


def _announce(alert_ids: Iterable[int]) -> None:
    """Publish the alerts to the live console once the change has committed; a broker that
    is down is logged, never an error for the change (``robust``)."""
    ids = sorted(set(alert_ids))
    if ids:
        transaction.on_commit(lambda: live.publish_alerts(ids), robust=True)


def _people(*, roles: Iterable[str], unit_ids: Iterable[int] | None = None) -> list[Any]:
    memberships = Membership.objects.active().filter(role__in=list(roles))
    if unit_ids is not None:
        memberships = memberships.filter(unit_id__in=list(unit_ids))
    users = get_user_model().objects.filter(pk__in=memberships.values("user_id"), is_active=True)
    return list(users.order_by("pk"))


def _escalation_recipients(alert: Alert) -> list[Any]:
    """The bureau's safety officers and leaders, and the school's principal."""
    bureau = _people(roles=ALERT_BUREAU_ROLES)
    principals = _people(roles=[Role.PRINCIPAL], unit_ids=[alert.school_id])
    return [*bureau, *principals]


def _where(alert: Alert) -> dict[str, str]:
    return {
        "type": str(alert.get_event_type_display()),
        "school": alert.school.display_name,
        "zone": alert.zone or "-",
        "time": timezone.localtime(alert.first_seen_at).strftime("%Y-%m-%d %H:%M:%S"),
    }


def _detail_url(alert: Alert) -> str:
    return f"/security/alerts/{alert.pk}/"


def alert_acknowledge(*, actor: Any, alert: Alert) -> Alert:
    """Someone has seen the alert and is on it: an open alert becomes acknowledged (which
    meets its acknowledgement deadline)."""
    with transaction.atomic():
        locked = _lock(actor, alert)
        if locked.status != AlertStatus.OPEN:
            raise ConflictError(_("This alert is no longer open."), code="not_open")
        now = timezone.now()
        case_transition(
            actor=actor,
            case=locked,
            to_status=AlertStatus.ACKNOWLEDGED,
            fields={"acknowledged_at": now, "acknowledged_by": actor},
            verb="acknowledged",
        )
        _announce([locked.pk])
    return locked


def alert_dispose(*, actor: Any, alert: Alert, outcome: str, note: str = "") -> Alert:
    """Close the alert with what it was; a real incident needs a note saying what was done."""
    note = note.strip()[:NOTE_MAX]
    if outcome not in Outcome.values:
        raise AlertError(_("Choose the outcome."), code="bad_outcome")
    if outcome == Outcome.REAL and not note:
        raise AlertError(_("Say what happened and what was done."), code="note_required")
    with transaction.atomic():
        locked = _lock(actor, alert)
        if locked.status == AlertStatus.DISPOSED:
            raise ConflictError(_("This alert is already disposed."), code="disposed")
        now = timezone.now()
        fields: dict[str, Any] = {
            "outcome": outcome,
            "disposed_at": now,
            "disposed_by": actor,
        }
        if locked.acknowledged_at is None:
            fields |= {"acknowledged_at": now, "acknowledged_by": actor}
        _append(locked, str(Outcome(outcome).label), note, now)
        fields["note"] = locked.note
        case_transition(
            actor=actor,
            case=locked,
            to_status=AlertStatus.DISPOSED,
            note=note,
            fields=fields,
            verb="disposed",
            changes={"outcome": outcome},
        )
        _announce([locked.pk])
    return locked


def alert_escalate_incident(*, actor: Any, alert: Alert, note: str) -> Alert:
    """Make the alert an incident for the bureau, once: recorded on the alert (there is no
    incident model yet) and told to the bureau's safety section and the school's principal."""
    note = note.strip()[:NOTE_MAX]
    if not note:
        raise AlertError(_("Say why this is an incident."), code="note_required")
    with transaction.atomic():
        locked = _lock(actor, alert)
        if locked.status == AlertStatus.DISPOSED and locked.outcome != Outcome.REAL:
            raise ConflictError(_("This alert was disposed as no incident."), code="disposed")
        done = AuditEvent.objects.filter(
            action=INCIDENT_ACTION, object_type="security.alert", object_id=str(locked.pk)
        )
        if done.exists():
            raise ConflictError(_("This alert is already an incident."), code="escalated")
        now = timezone.now()
        locked.escalated_at = locked.escalated_at or now
        _append(locked, _("Escalated as an incident"), note, now)
        locked.save(update_fields=["escalated_at", "note", "updated_at"])
        audit_record(actor=actor, action=INCIDENT_ACTION, obj=locked, changes={"note": note})
        where = _where(locked)
        notify(
            recipients=_escalation_recipients(locked),
            verb=INCIDENT_ACTION,
            title=_("Incident: %(type)s at %(school)s") % where,
            body=_("Zone %(zone)s, first seen %(time)s.") % where + "\n" + note,
            url=_detail_url(locked),
            obj=locked,
            unit_id=locked.school_id,
        )
        _announce([locked.pk])
    return locked


def alert_request_police_help(*, actor: Any, alert: Alert) -> Alert:
    """Ask the police station of the school's area for help, once per alert.

    The liaisons are told the school, zone, type and time, and the subject only for a plate
    or watch-list hit: never anyone's personal data beyond that.
    """
    with transaction.atomic():
        locked = _lock(actor, alert)
        if locked.status == AlertStatus.DISPOSED:
            raise ConflictError(_("This alert is already disposed."), code="disposed")
        if locked.help_requested_at is not None:
            raise ConflictError(_("Help has already been requested."), code="requested")
        station_id = (
            School.objects.filter(unit_id=locked.school_id)
            .values_list("police_station_id", flat=True)
            .first()
        )
        liaisons = (
            _people(roles=[Role.PARTNER_LIAISON], unit_ids=[station_id]) if station_id else []
        )
        if not liaisons:
            raise AlertError(
                _("No police station with a liaison is set for this school."), code="no_station"
            )
        now = timezone.now()
        locked.help_requested_at = now
        locked.save(update_fields=["help_requested_at", "updated_at"])
        where = _where(locked)
        lines = [_("School: %(school)s") % where, _("Zone: %(zone)s") % where]
        lines.append(_("First seen: %(time)s") % where)
        if locked.event_type in SUBJECT_TYPES and locked.subject:
            lines.append(_("Subject: %(subject)s") % {"subject": locked.subject})
        notify(
            recipients=liaisons,
            verb="security.alert.help_requested",
            title=_("Help requested: %(type)s at %(school)s") % where,
            body="\n".join(lines),
            obj=locked,
            unit_id=station_id,
        )
        audit_record(
            actor=actor,
            action="security.alert.help_requested",
            obj=locked,
            changes={"station": station_id, "recipients": [p.pk for p in liaisons]},
        )
        _announce([locked.pk])
    return locked


# --- the machine's changes ------------------------------------------------------------------


def alerts_open(*, alerts: list[Alert]) -> list[Alert]:
    """Store new alerts raised by device events or the liveness sweep, as kernel cases in
    one go (one insert each for the alerts, their timeline rows and their audit rows). A
    critical one gets its acknowledgement deadline; all are published after commit."""
    if not alerts:
        return alerts
    for alert in alerts:
        alert.unit_id = alert.school_id
        alert.title = (alert.subject or alert.event_type)[:200]
    with transaction.atomic():
        case_create_many(actor=None, cases=alerts)
        for alert in alerts:
            if alert.priority >= Priority.CRITICAL:
                _ack_deadline(alert)
        _announce(alert.pk for alert in alerts)
    return alerts


def alerts_grow(*, grown: list[tuple[Alert, int]]) -> None:
    """Save alerts that took more events (``(alert, how many)``, each locked by the caller
    and already counted) in one update, with one audit row each, in one insert. An alert
    raised to critical by its new events gets its acknowledgement deadline."""
    if not grown:
        return
    fields = ["count", "last_seen_at", "priority", "rule", "subject", "updated_at"]
    now = timezone.now()
    for alert, _added in grown:
        alert.updated_at = now  # what ``auto_now`` would set; ``bulk_update`` does not
    with transaction.atomic():
        Alert.objects.bulk_update([alert for alert, _added in grown], fields)
        audit_record_many(
            actor=None,
            action="security.alert.grown",
            entries=[
                (alert, {"events": added, "count": alert.count, "priority": alert.priority})
                for alert, added in grown
            ],
        )
        critical = [a for a, _n in grown if a.priority >= Priority.CRITICAL]
        if critical:
            pending = Deadline.objects.filter(
                content_type=ContentType.objects.get_for_model(Alert),
                object_id__in=[a.pk for a in critical],
                purpose=ALERT_ACK_PURPOSE,
            ).values_list("object_id", flat=True)
            has_deadline = set(pending)
            for alert in critical:
                if alert.pk not in has_deadline and alert.status == AlertStatus.OPEN:
                    _ack_deadline(alert)
        _announce(alert.pk for alert, _n in grown)


def _ack_deadline(alert: Alert) -> None:
    """The kernel deadline: acknowledged within ``alert_ack_seconds`` of reaching the
    platform, else escalated once; and a sweep scheduled for the moment it runs out."""
    started = alert.created_at
    deadline_set(
        actor=None,
        case=alert,
        purpose=ALERT_ACK_PURPOSE,
        days=0,
        working_days=False,
        label=ALERT_ACK_LABEL,
        start=started,
        due=started + timedelta(seconds=rule("alert_ack_seconds")),
    )
    transaction.on_commit(_sweep_when_due, robust=True)


def _sweep_when_due() -> None:
    """Queue the kernel's sweep of acknowledgement deadlines for the moment one set now runs
    out: the periodic sweep runs only every minute, too coarse for a 60-second rule. One
    queued sweep per second of deadline, however many critical alerts that second raised."""
    delay = rule("alert_ack_seconds") + 1
    due = int(timezone.now().timestamp()) + delay
    if cache.add(f"security:alert-sweep:{due}", 1, timeout=delay + 5):
        deadline_sweep_purposes_task.schedule(args=([ALERT_ACK_PURPOSE],), delay=delay)


def alerts_auto_close(*, device_ids: Iterable[int], now: datetime) -> list[int]:
    """The devices spoke again: close their open ``device_offline`` alerts as a device
    fault, each through the kernel (system move), audited and announced; the ids closed."""
    found = Alert.objects.filter(
        device_id__in=list(device_ids),
        event_type=EventType.DEVICE_OFFLINE,
        status__in=ALERT_OPEN_STATES,
    ).values_list("pk", flat=True)
    closed: list[int] = []
    for pk in found:  # rare: only devices that were offline
        alert = Alert.objects.select_for_update(of=("self",)).get(pk=pk)
        if alert.status not in ALERT_OPEN_STATES:
            continue  # a person disposed it meanwhile
        case_transition(
            actor=None,
            case=alert,
            to_status=AlertStatus.DISPOSED,
            note=BACK_ONLINE,
            fields={
                "outcome": Outcome.DEVICE_FAULT,
                "disposed_at": now,
                "note": BACK_ONLINE,
            },
            verb="auto_closed",
            changes={"outcome": Outcome.DEVICE_FAULT},
        )
        closed.append(pk)
    _announce(closed)
    return closed


def school_offline_alerts(*, school_ids: Iterable[int]) -> dict[int, Alert]:
    """The open school-wide ``device_offline`` alert of each school (locked), if any."""
    found = (
        Alert.objects.select_for_update(of=("self",))
        .filter(
            school_id__in=list(school_ids),
            event_type=EventType.DEVICE_OFFLINE,
            device__isnull=True,
            status__in=ALERT_OPEN_STATES,
        )
        .order_by("pk")
    )
    return {alert.school_id: alert for alert in found}


def alerts_offline_shrink(*, school_ids: Iterable[int], now: datetime) -> list[int]:
    """Devices of these schools spoke again: each school's offline alert now counts the
    devices still offline, and closes (device fault, "back online", through the kernel) when
    none is; the ids changed, announced after commit."""
    changed: list[int] = []
    for school_id, alert in school_offline_alerts(school_ids=school_ids).items():
        still = Device.objects.filter(
            school_id=school_id, enabled=True, offline_since__isnull=False
        ).only("name")
        left = list(still[:2])
        if left:
            remaining = still.count()
            alert.count = remaining
            alert.subject = left[0].name[:200] if remaining == 1 else ""
            alert.save(update_fields=["count", "subject", "updated_at"])
        else:
            case_transition(
                actor=None,
                case=alert,
                to_status=AlertStatus.DISPOSED,
                note=BACK_ONLINE,
                fields={"outcome": Outcome.DEVICE_FAULT, "disposed_at": now, "note": BACK_ONLINE},
                verb="auto_closed",
                changes={"outcome": Outcome.DEVICE_FAULT},
            )
        changed.append(alert.pk)
    _announce(changed)
    return changed


def alert_ack_overdue(*, deadline: Deadline, case: Alert, now: datetime) -> list[Any]:
    """The kernel's sweep escalated a critical alert's acknowledgement deadline (once, in its
    transaction): mark the alert escalated, tell the bureau's safety officers and leaders
    and the school's principal, publish it after commit. The people told, for the kernel's
    timeline and audit rows."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("school").get(pk=case.pk)
    alert.escalated_at = alert.escalated_at or now
    alert.save(update_fields=["escalated_at", "updated_at"])
    recipients = _escalation_recipients(alert)
    where = _where(alert)
    notify(
        recipients=recipients,
        verb="security.alert.escalated",
        title=_("Not acknowledged: %(type)s at %(school)s") % where,
        body=_("Zone %(zone)s, first seen %(time)s. Nobody has acknowledged it.") % where,
        url=_detail_url(alert),
        obj=alert,
        unit_id=alert.school_id,
    )
    _announce([alert.pk])
    return recipients
