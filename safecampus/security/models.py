"""Devices of each school, the events they send, the rules that judge them and the alerts
that reach a person (R-5.2, R-5.4).

An alert is a case of the kernel (``safecampus.cases``): ``Alert`` subclasses ``CaseModel``
and declares its workflow as data (``ALERT_WORKFLOW``), so every status change goes through
``cases.services.case_transition`` (row locked, illegal moves refused, a timeline row and an
audit row written) and its 60-second acknowledgement limit is a kernel ``Deadline``. The
statuses stay the three the console and the API have always answered (open, acknowledged,
disposed); what the alert was (real, false alarm, test, device fault) is the ``outcome`` the
disposing move sets, an automatic close is the system's move to disposed, and an escalation
is the deadline's (``escalated_at``), not a status.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from safecampus.cases.models import CaseModel
from safecampus.cases.workflow import Transition, Workflow
from safecampus.core.fields import EncryptedTextField
from safecampus.core.i18n import english_field, localized
from safecampus.core.location import location_fields
from safecampus.core.models import TimeStampedModel
from safecampus.organizations.querysets import SchoolScopedQuerySet
from safecampus.security.choices import (
    ALERT_ACK_PURPOSE,
    AlertStatus,
    DeviceKind,
    EventType,
    Outcome,
    Priority,
    Protocol,
)
from safecampus.security.permissions import ALERT_ACTOR_ROLES, alert_school_ids


class Device(TimeStampedModel):
    """A perimeter zone, camera, access gate, barrier or one-key alarm of one school.

    ``code`` is what the device sends as its name; the secret is shown once at
    registration and kept only as a keyed hash (``secret_hash``), plus, for cameras that
    can only do HTTP Digest, the Digest HA1 encrypted (``digest_ha1``), and the MQTT
    brokers' password hashes of it (``broker_bcrypt`` for NATS, ``broker_pbkdf2`` for
    Mosquitto).
    """

    school = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="devices",
        limit_choices_to={"kind": "school"},
    )
    code = models.CharField(_("device code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    protocol = models.CharField(
        _("protocol"), max_length=20, choices=Protocol.choices, default=Protocol.GENERIC
    )
    vendor = models.CharField(_("vendor"), max_length=80, blank=True)
    zone = models.CharField(_("zone"), max_length=80, blank=True)
    latitude, longitude = location_fields()
    heartbeat_seconds = models.PositiveIntegerField(
        _("expected heartbeat (seconds)"), default=60, validators=[MinValueValidator(5)]
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    secret_hash = models.CharField(_("secret (keyed hash)"), max_length=64, editable=False)
    digest_ha1 = EncryptedTextField(_("HTTP Digest HA1"), blank=True, editable=False)
    # The brokers' own hashes of the secret (security/services/brokers.py), written when the
    # secret is known.
    broker_bcrypt = models.CharField(
        _("broker login (bcrypt)"), max_length=72, blank=True, editable=False
    )
    broker_pbkdf2 = models.CharField(
        _("broker login (PBKDF2)"), max_length=160, blank=True, editable=False
    )
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    offline_since = models.DateTimeField(_("offline since"), null=True, blank=True, editable=False)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["school_id", "code"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DeviceEvent(models.Model):
    """One event as a device sent it; (device, event_id) is stored once however often it
    is delivered. ``late`` events (older than the grace window) raise no live alert."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="events")
    school = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="+", editable=False
    )
    event_id = models.CharField(_("event id"), max_length=100)
    type = models.CharField(_("type"), max_length=30, choices=EventType.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    zone = models.CharField(_("zone"), max_length=80, blank=True)
    severity = models.CharField(_("severity (as sent)"), max_length=20, blank=True)
    confidence = models.FloatField(_("confidence"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    source = models.CharField(_("received through"), max_length=20)
    late = models.BooleanField(_("late"), default=False)
    alert = models.ForeignKey(
        "Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        constraints = [
            models.UniqueConstraint(fields=["device", "event_id"], name="security_event_once"),
        ]
        indexes = [
            models.Index(fields=["school", "occurred_at"], name="security_event_school_time"),
            models.Index(fields=["type", "occurred_at"], name="security_event_type_time"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}/{self.event_id}"


class AlertRule(models.Model):
    """How grave an event type is, district-wide (no school) or for one school, optionally
    for one zone and a daily time window (which may pass midnight, e.g. 22:00–06:00).
    ``name`` is the Chinese name, ``name_en`` the one English readers see."""

    school = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: the whole district."),
    )
    name = models.CharField(_("name"), max_length=120)
    name_en = english_field(_("name in English"), 120)
    event_type = models.CharField(_("event type"), max_length=30, choices=EventType.choices)
    zone = models.CharField(_("zone"), max_length=80, blank=True, help_text=_("Empty: any."))
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["event_type", "school_id", "zone", "starts_at"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True, ends_at__isnull=True)
                | Q(starts_at__isnull=False, ends_at__isnull=False),
                name="security_rule_window_whole",
            ),
        ]

    def __str__(self) -> str:
        return localized(self)


#: Acknowledging meets the acknowledgement deadline; disposing (terminal) meets them all. The
#: system may dispose (a device back online closes its ``device_offline`` alert) but never
#: acknowledges for a person.
ALERT_WORKFLOW = Workflow(
    statuses=AlertStatus,
    initial=AlertStatus.OPEN,
    transitions={
        AlertStatus.OPEN: {
            AlertStatus.ACKNOWLEDGED: Transition(
                roles=ALERT_ACTOR_ROLES, meets={ALERT_ACK_PURPOSE}, label=_("Acknowledge")
            ),
            AlertStatus.DISPOSED: Transition(
                roles=ALERT_ACTOR_ROLES, system=True, label=_("Dispose")
            ),
        },
        AlertStatus.ACKNOWLEDGED: {
            AlertStatus.DISPOSED: Transition(
                roles=ALERT_ACTOR_ROLES, system=True, label=_("Dispose")
            ),
        },
    },
    terminal={AlertStatus.DISPOSED},
    escalations={ALERT_ACK_PURPOSE: "safecampus.security.services.alerts.alert_ack_overdue"},
)
#: The acknowledgement deadline's name on the timeline (shown translated).
ALERT_ACK_LABEL = gettext_noop("Acknowledge the critical alert")


class AlertQuerySet(SchoolScopedQuerySet):
    """Alerts are the guard room's and the bureau's: ``visible_to`` — what the kernel and the
    console use, down to the home page's count of overdue acknowledgements — shows a school's
    alerts only to its guard, principal and designated officer, every school's to bureau
    roles; a teacher of the school sees none. ``in_school_scope`` is the wider school scope
    the alert statistics are read in (figures, not alerts)."""

    def visible_to(self, user: Any) -> Any:
        schools = alert_school_ids(user)
        scoped = super().visible_to(user)
        return scoped if schools is None else scoped.filter(school_id__in=schools)

    def in_school_scope(self, user: Any) -> Any:
        return super().visible_to(user)


class Alert(CaseModel):
    """What a person must act on: repeated events of one device, zone and type within the
    grouping window are one alert whose count and last-seen grow.

    The kernel's ``unit`` is the school and ``title`` the subject (else the event type);
    ``status`` keeps its own choices and length. The kernel's ``events`` relation is
    renamed ``timeline`` here, since ``events`` are the device events the alert took.
    """

    workflow = ALERT_WORKFLOW
    reference_prefix = "ALERT"

    school = models.ForeignKey("organizations.Unit", on_delete=models.PROTECT, related_name="+")
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="alerts"
    )
    event_type = models.CharField(_("type"), max_length=30, choices=EventType.choices)
    zone = models.CharField(_("zone"), max_length=80, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, db_index=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
        db_index=True,
    )
    rule = models.ForeignKey(
        AlertRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))
    count = models.PositiveIntegerField(_("events"), default=1)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposed_at = models.DateTimeField(_("disposed at"), null=True, blank=True)
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    help_requested_at = models.DateTimeField(_("police help requested at"), null=True, blank=True)

    events = None  # type: ignore[assignment]
    timeline = GenericRelation("cases.CaseEvent")

    objects = AlertQuerySet.as_manager()  # type: ignore[assignment,misc]

    class Meta:
        ordering = ["-last_seen_at", "-id"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [
            models.Index(fields=["school", "status", "last_seen_at"], name="security_alert_open"),
            models.Index(
                fields=["device", "event_type", "zone", "status"], name="security_alert_group"
            ),
            # The live stream's database poll: alerts changed since its cursor.
            models.Index(fields=["updated_at"], name="security_alert_updated"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status=AlertStatus.DISPOSED),
                name="security_alert_outcome_when_disposed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_event_type_display()} · {self.school_id}"

    def get_absolute_url(self) -> str:
        return reverse("security:alert_detail", args=[self.pk])

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The services set these; an alert made elsewhere (a fixture, a data repair) still
        # belongs to its school.
        if self.unit_id is None:
            self.unit_id = self.school_id
        self.title = self.title or (self.subject or self.event_type)[:200]
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status != AlertStatus.DISPOSED


class DigestNonce(models.Model):
    """An HTTP Digest nonce a device has answered, with the highest nonce count (``nc``)
    accepted for it, so that one ``Authorization`` header is accepted once (RFC 7616 §5.1).

    Every web worker and process shares this table: a count is accepted only by the one
    conditional update that raises ``last_nc``, which two requests cannot both win. A row
    is useless once its nonce has expired (``expires_at``) and is purged.
    """

    nonce = models.CharField(max_length=80, primary_key=True)
    last_nc = models.PositiveBigIntegerField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("Digest nonce")
        verbose_name_plural = _("Digest nonces")

    def __str__(self) -> str:
        return f"{self.nonce} nc={self.last_nc}"
