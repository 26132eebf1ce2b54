"""Events in: stored once, judged by the rules, grouped into alerts; bad events refused."""

from __future__ import annotations

import base64
import io
import json
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from PIL import Image

from safecampus.attachments.models import Attachment
from safecampus.security.choices import AlertStatus, Priority
from safecampus.security.models import Alert, AlertRule, Device, DeviceEvent
from safecampus.security.services.ingest import device_authenticate, ingest_events
from safecampus.security.tests.conftest import MORNING, NIGHT, event

pytestmark = pytest.mark.django_db


def _jpeg() -> str:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), "gray").save(out, format="JPEG")
    return base64.b64encode(out.getvalue()).decode()


def test_a_redelivered_event_is_stored_once(camera):
    batch = [event("e1", "line_crossing", NIGHT), event("e2", "line_crossing", NIGHT)]
    first = ingest_events(device=camera, items=batch, source="http", now=NIGHT)
    again = ingest_events(device=camera, items=batch, source="mqtt", now=NIGHT)
    twice_in_one = ingest_events(
        device=camera, items=[event("e3", "fall", NIGHT)] * 2, source="http", now=NIGHT
    )
    assert (first.accepted, first.duplicates) == (2, 0)
    assert (again.accepted, again.duplicates) == (0, 2)
    assert (twice_in_one.accepted, twice_in_one.duplicates) == (1, 1)
    assert DeviceEvent.objects.count() == 3


def test_a_batch_mixing_stored_and_new_events_grows_the_alert_by_the_new_ones(camera):
    stored = event("r1", "perimeter_intrusion", NIGHT, zone="东墙")
    ingest_events(device=camera, items=[stored], source="mqtt", now=NIGHT)
    later = NIGHT + timedelta(minutes=1)
    mixed = [
        stored,
        event("r2", "perimeter_intrusion", later, zone="东墙"),
        event("r3", "perimeter_intrusion", later, zone="东墙"),
    ]
    result = ingest_events(device=camera, items=mixed, source="mqtt", now=later)
    assert (result.accepted, result.duplicates) == (2, 1)
    [alert] = Alert.objects.all()
    assert (alert.count, alert.last_seen_at) == (3, later)
    linked = DeviceEvent.objects.filter(alert=alert).values_list("event_id", flat=True)
    assert sorted(linked) == ["r1", "r2", "r3"]


def test_night_intrusion_is_high_and_repeats_grow_one_alert(camera):
    for n in range(3):
        at = NIGHT + timedelta(minutes=n)
        ingest_events(
            device=camera,
            items=[event(f"i{n}", "perimeter_intrusion", at, zone="东墙")],
            source="http",
            now=at,
        )
    [alert] = Alert.objects.all()
    assert (alert.priority, alert.count, alert.zone) == (Priority.HIGH, 3, "东墙")
    assert alert.rule.name == "夜间周界入侵"
    assert alert.last_seen_at == NIGHT + timedelta(minutes=2)
    assert DeviceEvent.objects.filter(alert=alert).count() == 3
    # the same in the morning is only the default priority, and a new alert
    ingest_events(
        device=camera,
        items=[event("m1", "perimeter_intrusion", MORNING, zone="东墙")],
        source="http",
        now=MORNING,
    )
    assert Alert.objects.get(first_seen_at=MORNING).priority == Priority.MEDIUM


def test_school_rule_beats_the_district_rule_and_info_raises_nothing(camera, district):
    AlertRule.objects.create(
        school=district.school_a,
        name="本校校门聚集",
        event_type="crowd_gathering",
        zone="校门",
        priority=Priority.CRITICAL,
    )
    ingest_events(
        device=camera,
        items=[
            event("c1", "crowd_gathering", MORNING),  # zone falls back to the device's
            event("f1", "face_recognised", MORNING, subject="P-001"),
        ],
        source="http",
        now=MORNING,
    )
    [alert] = Alert.objects.all()
    assert (alert.event_type, alert.priority, alert.rule.name) == (
        "crowd_gathering",
        Priority.CRITICAL,
        "本校校门聚集",
    )
    assert DeviceEvent.objects.get(event_id="f1").alert is None


def test_a_panic_button_is_critical_and_announced_after_commit(
    panic, django_capture_on_commit_callbacks, monkeypatch
):
    heard = []
    monkeypatch.setattr("safecampus.security.live.publish_alerts", heard.append)
    with django_capture_on_commit_callbacks(execute=True):
        ingest_events(
            device=panic,
            items=[event("p1", "panic_button", MORNING)],
            source="http",
            now=MORNING,
        )
        assert heard == []  # not before the commit
    alert = Alert.objects.get()
    assert (alert.priority, alert.status) == (Priority.CRITICAL, AlertStatus.OPEN)
    assert heard == [[alert.pk]]


def test_late_events_are_stored_but_raise_no_live_alert(panic):
    result = ingest_events(
        device=panic,
        items=[event("old", "panic_button", MORNING - timedelta(minutes=6))],
        source="mqtt",
        now=MORNING,
    )
    assert result.accepted == 1
    assert DeviceEvent.objects.get().late is True
    assert not Alert.objects.exists()


def test_heartbeats_mark_the_device_alive_and_are_not_stored(camera):
    ingest_events(
        device=camera, items=[event("h", "heartbeat", MORNING)], source="http", now=MORNING
    )
    camera.refresh_from_db()
    assert camera.last_seen_at == MORNING
    assert not DeviceEvent.objects.exists()


def test_bad_events_are_refused_with_reasons_and_the_rest_stored(camera):
    items = [
        event("ok", "fight", MORNING),
        "not an object",
        event("", "fight", MORNING),
        event("x1", "dancing", MORNING),
        event("x2", "fight", MORNING + timedelta(hours=1)),
        {"event_id": "x3", "type": "fight", "occurred_at": "2026-03-11T10:00:00"},
        {"event_id": "x4", "type": "fight", "occurred_at": "yesterday"},
        event("x5", "fight", MORNING, confidence="high"),
        event("x6", "fight", MORNING, picture="!!not base64!!"),
        event("x7", "fight", MORNING, attributes=["list"]),
        event("x8", "fight", MORNING, zone="z" * 81),
    ]
    result = ingest_events(device=camera, items=items, source="http", now=MORNING)
    assert result.accepted == 1
    reasons = [r["reason"] for r in result.rejected]
    assert [r["index"] for r in result.rejected] == list(range(1, 11))
    assert reasons[0] == "an event must be a JSON object"
    assert "unknown type" in reasons[2] and "future" in reasons[3]
    assert "offset" in reasons[4] and "ISO 8601" in reasons[5]
    assert DeviceEvent.objects.count() == 1


def test_a_picture_is_kept_without_its_metadata(camera):
    ingest_events(
        device=camera,
        items=[event("pic", "fight", MORNING, picture=_jpeg(), confidence=87)],
        source="http",
        now=MORNING,
    )
    stored = DeviceEvent.objects.get()
    assert stored.confidence == pytest.approx(0.87)
    assert Attachment.objects.filter(owner_id=str(stored.pk)).count() == 1


def test_credentials_and_commands(camera, district, capsys):
    assert device_authenticate(camera.code, camera.secret) == camera
    assert device_authenticate(camera.code, "0" * 40) is None
    assert device_authenticate("NOPE", camera.secret) is None
    Device.objects.filter(pk=camera.pk).update(enabled=False)
    assert device_authenticate(camera.code, camera.secret) is None
    call_command("device_add", "--school", "XB-002", "--kind", "perimeter", "--name", "北墙")
    added = json.loads(capsys.readouterr().out)
    assert added["code"].startswith("XB-002-D") and len(added["secret"]) == 40
    assert device_authenticate(added["code"], added["secret"]).school == district.school_b
    assert added["secret"] not in str(Device.objects.values_list())
    call_command("device_list", "--school", "XB-002")
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["code"] for d in listed] == [added["code"]]
    assert "secret" not in listed[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_ingest_processes_grow_one_alert_for_one_device_and_zone(camera):
    """Two processes (a shared subscription) each store a batch of one device's intrusions:
    the second waits for the first's commit and grows its alert instead of opening one."""
    first_stored, results = threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic():  # held open while the second process starts
                items = [event("a1", "perimeter_intrusion", NIGHT, zone="东墙")]
                results.append(ingest_events(device=camera, items=items, source="mqtt", now=NIGHT))
                first_stored.set()
                second_thread.join(0.5)  # the second is blocked meanwhile
        finally:
            connection.close()

    def second() -> None:
        try:
            first_stored.wait(10)
            items = [event("b1", "perimeter_intrusion", NIGHT, zone="东墙")]
            results.append(ingest_events(device=camera, items=items, source="mqtt", now=NIGHT))
        finally:
            connection.close()

    second_thread = threading.Thread(target=second)
    first_thread = threading.Thread(target=first)
    second_thread.start()
    first_thread.start()
    first_thread.join()
    second_thread.join()
    assert [r.accepted for r in results] == [1, 1]
    [alert] = Alert.objects.all()
    assert alert.count == 2
    assert DeviceEvent.objects.filter(alert=alert).count() == 2
