"""Devices, the events they send, priorities and the life of an alert (R-5.2, R-5.4)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DeviceKind(models.TextChoices):
    PERIMETER = "perimeter", _("Perimeter alarm zone")
    CAMERA = "camera", _("Camera with video analytics")
    ACCESS_GATE = "access_gate", _("Face or card access gate")
    VEHICLE_BARRIER = "vehicle_barrier", _("Vehicle barrier with plate recognition")
    PANIC_BUTTON = "panic_button", _("One-key alarm button")
    OTHER = "other", _("Other device")


class Protocol(models.TextChoices):
    GENERIC = "generic", _("Generic JSON (HTTP or MQTT)")
    HIKVISION = "hikvision", _("Hikvision ISAPI")


class EventType(models.TextChoices):
    PERIMETER_INTRUSION = "perimeter_intrusion", _("Perimeter intrusion")
    LINE_CROSSING = "line_crossing", _("Line crossing")
    REGION_ENTRANCE = "region_entrance", _("Region entrance")
    REGION_EXIT = "region_exit", _("Region exit")
    LOITERING = "loitering", _("Loitering")
    CROWD_GATHERING = "crowd_gathering", _("Crowd gathering")
    FIGHT = "fight", _("Fight")
    FALL = "fall", _("Fall")
    RUNNING = "running", _("Running")
    FACE_RECOGNISED = "face_recognised", _("Face recognised")
    FACE_UNKNOWN = "face_unknown", _("Unknown face")
    WATCHLIST_MATCH = "watchlist_match", _("Watch-list match")
    PLATE_RECOGNISED = "plate_recognised", _("Plate recognised")
    PLATE_UNKNOWN = "plate_unknown", _("Unknown plate")
    DOOR_FORCED = "door_forced", _("Door forced")
    DOOR_HELD_OPEN = "door_held_open", _("Door held open")
    ACCESS_DENIED = "access_denied", _("Access denied")
    PANIC_BUTTON = "panic_button", _("One-key alarm")
    TAMPER = "tamper", _("Tamper")
    VIDEO_LOSS = "video_loss", _("Video loss")
    HEARTBEAT = "heartbeat", _("Heartbeat")
    #: Raised by the liveness sweep, never sent by a device.
    DEVICE_OFFLINE = "device_offline", _("Device offline")


#: What a device may send (``device_offline`` is the platform's own).
DEVICE_EVENT_TYPES = frozenset(EventType.values) - {EventType.DEVICE_OFFLINE}


class Priority(models.IntegerChoices):
    INFO = 0, _("Information")
    LOW = 1, _("Low")
    MEDIUM = 2, _("Medium")
    HIGH = 3, _("High")
    CRITICAL = 4, _("Critical")


class AlertStatus(models.TextChoices):
    # "Open" alone is translated as the button 查看 elsewhere; an alert's state is 待处理.
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    DISPOSED = "disposed", _("Disposed")


#: The kernel deadline on a critical alert: acknowledged within ``alert_ack_seconds``.
ALERT_ACK_PURPOSE = "alert_ack"


#: Statuses in which an alert still calls for someone (and groups new events).
ALERT_OPEN_STATES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class Outcome(models.TextChoices):
    REAL = "real", _("Real incident")
    FALSE_ALARM = "false_alarm", _("False alarm")
    TEST = "test", _("Test")
    DEVICE_FAULT = "device_fault", _("Device fault")


#: Without a rule, how grave each event type is (the district's rules refine this by zone
#: and time of day). ``INFO`` is stored but raises no alert.
DEFAULT_PRIORITY: dict[str, int] = {
    EventType.PERIMETER_INTRUSION: Priority.MEDIUM,
    EventType.LINE_CROSSING: Priority.LOW,
    EventType.REGION_ENTRANCE: Priority.LOW,
    EventType.REGION_EXIT: Priority.INFO,
    EventType.LOITERING: Priority.MEDIUM,
    EventType.CROWD_GATHERING: Priority.MEDIUM,
    EventType.FIGHT: Priority.HIGH,
    EventType.FALL: Priority.MEDIUM,
    EventType.RUNNING: Priority.LOW,
    EventType.FACE_RECOGNISED: Priority.INFO,
    EventType.FACE_UNKNOWN: Priority.INFO,
    EventType.WATCHLIST_MATCH: Priority.CRITICAL,
    EventType.PLATE_RECOGNISED: Priority.INFO,
    EventType.PLATE_UNKNOWN: Priority.LOW,
    EventType.DOOR_FORCED: Priority.HIGH,
    EventType.DOOR_HELD_OPEN: Priority.LOW,
    EventType.ACCESS_DENIED: Priority.LOW,
    EventType.PANIC_BUTTON: Priority.CRITICAL,
    EventType.TAMPER: Priority.HIGH,
    EventType.VIDEO_LOSS: Priority.MEDIUM,
    EventType.HEARTBEAT: Priority.INFO,
    EventType.DEVICE_OFFLINE: Priority.MEDIUM,
}
