"""What people do with an alert (告警): acknowledge, dispose, escalate, call the police, and
the escalation of a critical alert nobody acknowledged (R-5.2).

Who acts: the school's guard room (guard, principal, designated officer) on their own
school's alerts, the bureau's safety officers and leaders on every school's. Each move
locks the alert, refuses an illegal one with ``AlertError``, writes an audit row and, after
commit, tells the live console (``safecampus.security.live``).

There is no incident model yet: "escalate into an incident record" is recorded on the
alert itself (``escalated_at``, the note, an audit row ``security.alert.incident_escalated``)
and the bureau's safety section and the principal are told.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.models import AuditEvent
from safecampus.audit.services import audit_record
from safecampus.core.errors import ConflictError, DomainError, ForbiddenError
from safecampus.core.rules import rule
from safecampus.notifications.services import notify
from safecampus.organizations.choices import BUREAU_ROLES, Role
from safecampus.organizations.models import Membership, School
from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.models import Alert

#: The school's guard room: they watch and handle their own school's alerts.
ALERT_SCHOOL_ROLES = frozenset({Role.GUARD, Role.PRINCIPAL, Role.SCHOOL_OFFICER})
#: The bureau's triage: they handle every school's alerts.
ALERT_BUREAU_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})
#: Who may act on alerts, and who may read them (all bureau roles read).
ALERT_ACTOR_ROLES = ALERT_SCHOOL_ROLES | ALERT_BUREAU_ROLES
ALERT_READER_ROLES = ALERT_SCHOOL_ROLES | BUREAU_ROLES
#: Events whose subject (a plate, a watch-list entry) the police may be told.
SUBJECT_TYPES = frozenset(
    {EventType.WATCHLIST_MATCH, EventType.PLATE_RECOGNISED, EventType.PLATE_UNKNOWN}
)
INCIDENT_ACTION = "security.alert.incident_escalated"
NOTE_MAX = 2000


class AlertError(DomainError):
    """A refused move on an alert."""


def may_act(user: Any, alert: Alert) -> bool:
    """The bureau's triage on any alert; the guard room on its own school's."""
    scope = getattr(user, "scope", None)
    if scope is None:
        return False
    if scope.district_wide and scope.has_role(*ALERT_BUREAU_ROLES):
        return True
    return scope.has_role(*ALERT_SCHOOL_ROLES, unit_id=alert.school_id)


def _lock(actor: Any, alert: Alert) -> Alert:
    if not may_act(actor, alert):
        raise ForbiddenError(_("You may not act on this alert."), code="forbidden")
    return Alert.objects.select_for_update(of=("self",)).select_related("school").get(pk=alert.pk)


def _append(alert: Alert, label: str, note: str, now: datetime) -> None:
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    line = f"{stamp} {label}: {note}" if note else f"{stamp} {label}"
    alert.note = f"{alert.note}\n{line}" if alert.note else line


def _announce(alert_ids: list[int]) -> None:
    from safecampus.security.live import publish_alerts

    transaction.on_commit(lambda: publish_alerts(alert_ids), robust=True)


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
    """Someone has seen the alert and is on it: an open alert becomes acknowledged."""
    with transaction.atomic():
        locked = _lock(actor, alert)
        if locked.status != AlertStatus.OPEN:
            raise ConflictError(_("This alert is no longer open."), code="not_open")
        now = timezone.now()
        locked.status = AlertStatus.ACKNOWLEDGED
        locked.acknowledged_at, locked.acknowledged_by = now, actor
        locked.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
        audit_record(actor=actor, action="security.alert.acknowledged", obj=locked, changes={})
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
        if locked.acknowledged_at is None:
            locked.acknowledged_at, locked.acknowledged_by = now, actor
        locked.status, locked.outcome = AlertStatus.DISPOSED, outcome
        locked.disposed_at, locked.disposed_by = now, actor
        _append(locked, str(Outcome(outcome).label), note, now)
        locked.save(
            update_fields=[
                "status",
                "outcome",
                "note",
                "acknowledged_at",
                "acknowledged_by",
                "disposed_at",
                "disposed_by",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="security.alert.disposed",
            obj=locked,
            changes={"outcome": outcome, "note": note},
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


def _claim(pk: int, now: datetime) -> bool:
    # The conditional UPDATE is the lock: of two sweeps, only one sees the row change.
    claimed = Alert.objects.filter(
        pk=pk, status=AlertStatus.OPEN, escalated_at__isnull=True
    ).update(escalated_at=now, updated_at=now)
    return claimed == 1


def alert_sweep(*, now: datetime | None = None, limit: int = 200) -> int:
    """Escalate, exactly once, each critical alert still open ``alert_ack_seconds`` after it
    reached the platform: the bureau's safety officers and leaders and the school's
    principal are told. Returns how many were escalated."""
    now = now or timezone.now()
    due = Alert.objects.filter(
        priority=Priority.CRITICAL,
        status=AlertStatus.OPEN,
        escalated_at__isnull=True,
        created_at__lte=now - timedelta(seconds=rule("alert_ack_seconds")),
    ).order_by("created_at")
    escalated: list[int] = []
    for pk in list(due.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            if not _claim(pk, now):
                continue
            alert = Alert.objects.select_related("school").get(pk=pk)
            audit_record(
                actor=None,
                action="security.alert.escalated",
                obj=alert,
                changes={"ack_seconds": rule("alert_ack_seconds")},
            )
            where = _where(alert)
            notify(
                recipients=_escalation_recipients(alert),
                verb="security.alert.escalated",
                title=_("Not acknowledged: %(type)s at %(school)s") % where,
                body=_("Zone %(zone)s, first seen %(time)s. Nobody has acknowledged it.") % where,
                url=_detail_url(alert),
                obj=alert,
                unit_id=alert.school_id,
            )
            escalated.append(pk)
    if escalated:
        from safecampus.security.live import publish_alerts

        publish_alerts(escalated)
    return len(escalated)
