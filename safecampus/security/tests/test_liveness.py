"""A device silent for longer than 3× its heartbeat is offline: its school has one
``device_offline`` alert counting its offline devices, which shrinks as they speak again
and clears when the last one does."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.models import Alert, AlertRule, Device
from safecampus.security.services.devices import device_register, device_set_enabled
from safecampus.security.services.ingest import ingest_events
from safecampus.security.services.liveness import liveness_sweep
from safecampus.security.tasks import liveness_sweep_task
from safecampus.security.tests.conftest import MORNING, event

pytestmark = pytest.mark.django_db


def _register(district, code: str, heartbeat: int = 60, *, heard: bool = True) -> Device:
    """A device registered at MORNING; ``heard``: it sent its first heartbeat then (a device
    never heard from is not commissioned, and the sweep leaves it alone)."""
    device = _registered(district, code, heartbeat)
    if heard:
        _heartbeat(device, MORNING, f"hb0-{code}")
        device.refresh_from_db()
    return device


def _registered(district, code: str, heartbeat: int) -> Device:
    with time_machine.travel(MORNING, tick=False):
        device, _secret = device_register(
            actor=None,
            school=district.school_a,
            kind="perimeter",
            name=f"周界 {code}",
            zone="东墙",
            heartbeat_seconds=heartbeat,
            code=code,
        )
    return device


def _heartbeat(device: Device, at, event_id: str) -> None:
    ingest_events(device=device, items=[event(event_id, "heartbeat", at)], source="http", now=at)


def _offline_alerts():
    return Alert.objects.filter(event_type=EventType.DEVICE_OFFLINE)


def test_silent_past_three_heartbeats_raises_one_alert_and_a_heartbeat_clears_it(
    district, django_capture_on_commit_callbacks, monkeypatch
):
    device = _register(district, "XB-001-PZ1")
    _heartbeat(device, MORNING, "hb1")
    received: list[list[int]] = []
    monkeypatch.setattr("safecampus.security.live.publish_alerts", received.append)
    # exactly 3 intervals of silence is not yet "longer than" 3 intervals
    assert liveness_sweep(MORNING + timedelta(seconds=180)) == []
    with django_capture_on_commit_callbacks(execute=True):
        opened = liveness_sweep(MORNING + timedelta(seconds=181))
    # once only: the next sweeps find an open alert and a device already offline
    assert liveness_sweep(MORNING + timedelta(seconds=300)) == []
    assert liveness_sweep(MORNING + timedelta(hours=2)) == []
    [alert] = _offline_alerts()
    assert opened == [alert.pk]
    assert received == [[alert.pk]]
    assert (alert.status, alert.priority, alert.count) == (AlertStatus.OPEN, Priority.MEDIUM, 1)
    assert alert.device_id is None and alert.school_id == district.school_a.pk
    assert alert.subject == device.name  # one device: named
    device.refresh_from_db()
    assert device.offline_since == MORNING + timedelta(seconds=181)

    back = MORNING + timedelta(minutes=10)
    _heartbeat(device, back, "hb2")
    alert.refresh_from_db()
    device.refresh_from_db()
    assert (alert.status, alert.outcome) == (AlertStatus.DISPOSED, Outcome.DEVICE_FAULT)
    assert (device.offline_since, device.last_seen_at) == (None, back)
    # silent again later: a new alert, since the first one was cleared
    assert len(liveness_sweep(back + timedelta(seconds=181))) == 1
    assert _offline_alerts().filter(status=AlertStatus.OPEN).count() == 1


def test_a_device_never_heard_from_raises_nothing_and_each_heartbeat_is_its_own(district):
    slow = _register(district, "XB-001-SLOW", heartbeat=600, heard=False)
    fast = _register(district, "XB-001-FAST", heartbeat=10, heard=False)
    idle = _register(district, "XB-001-IDLE", heartbeat=10, heard=False)
    # Not commissioned: registered a day ago and never heard from, yet no alert.
    assert liveness_sweep(MORNING + timedelta(days=1)) == []
    idle.refresh_from_db()
    assert idle.offline_since is None
    for device in (slow, fast):
        _heartbeat(device, MORNING + timedelta(days=1), f"hb-{device.code}")
    later = MORNING + timedelta(days=1, seconds=31)
    [school_alert] = liveness_sweep(later)
    assert _offline_alerts().get().count == 1  # the fast one only
    # The slow one goes silent later: the same alert grows to 2, no second alert.
    assert liveness_sweep(MORNING + timedelta(days=1, seconds=1801)) == [school_alert]
    alert = _offline_alerts().get()
    assert (alert.pk, alert.count, alert.subject) == (school_alert, 2, "")
    idle.refresh_from_db()
    assert idle.offline_since is None


def test_one_alert_per_school_shrinks_and_closes_as_devices_come_back(district):
    devices = [_register(district, f"XB-001-G{n}") for n in range(5)]
    other = _register(district, "XB-002-G9")
    Device.objects.filter(pk=other.pk).update(school=district.school_b)
    silent = MORNING + timedelta(hours=1)
    opened = liveness_sweep(silent)
    assert len(opened) == 2  # one per school, not six
    a = _offline_alerts().get(school=district.school_a)
    assert (a.count, a.device_id) == (5, None)
    for n, device in enumerate(devices[:4]):
        _heartbeat(device, silent + timedelta(minutes=1), f"back-{n}")
    a.refresh_from_db()
    assert (a.status, a.count, a.subject) == (AlertStatus.OPEN, 1, devices[4].name)
    _heartbeat(devices[4], silent + timedelta(minutes=2), "back-last")
    a.refresh_from_db()
    assert (a.status, a.outcome) == (AlertStatus.DISPOSED, Outcome.DEVICE_FAULT)
    b = _offline_alerts().get(school=district.school_b)
    assert b.status == AlertStatus.OPEN  # school B's device is still silent


def test_disabled_devices_are_not_swept_and_the_batch_is_bounded(district):
    devices = [_register(district, f"XB-001-B{n}") for n in range(3)]
    device_set_enabled(actor=None, device=devices[0], enabled=False)
    later = MORNING + timedelta(hours=1)
    assert len(liveness_sweep(later, batch=1)) == 1
    assert len(liveness_sweep(later, batch=1)) == 1
    assert liveness_sweep(later, batch=1) == []
    assert not _offline_alerts().filter(device=devices[0]).exists()


def test_a_rule_sets_the_priority_and_info_marks_offline_without_an_alert(district):
    critical = _register(district, "XB-001-C1")
    quiet = _register(district, "XB-002-Q1")
    Device.objects.filter(pk=quiet.pk).update(school=district.school_b)
    AlertRule.objects.create(
        name="A 校设备离线", school=district.school_a, event_type="device_offline", priority=4
    )
    AlertRule.objects.create(
        name="B 校设备离线", school=district.school_b, event_type="device_offline", priority=0
    )
    liveness_sweep(MORNING + timedelta(hours=1))
    assert _offline_alerts().get().school_id == critical.school_id
    assert _offline_alerts().get().priority == Priority.CRITICAL
    quiet.refresh_from_db()
    assert quiet.offline_since == MORNING + timedelta(hours=1)


def test_the_periodic_task_sweeps(district):
    _register(district, "XB-001-T1")
    with time_machine.travel(MORNING + timedelta(hours=1), tick=False):
        assert liveness_sweep_task.call_local() == 1
        assert liveness_sweep_task.call_local() == 0
