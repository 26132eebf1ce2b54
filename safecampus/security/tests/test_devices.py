"""The device registry pages, the event history and the alert statistics, as each persona
sees them: a secret is shown once and never cached, another school's device is a 404."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import login
from safecampus.attachments.models import Attachment
from safecampus.security.choices import AlertStatus, Outcome
from safecampus.security.models import Alert, Device
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import device_authenticate, ingest_events
from safecampus.security.tests.conftest import event
from safecampus.security.tests.test_ingest import _jpeg

pytestmark = pytest.mark.django_db
EN = {"django_language": "en"}


@pytest.fixture
def english(client):
    client.cookies.load(EN)
    return client


def _secret_on(page: str, code: str) -> str:
    start = page.index('id="secret-1">') + len('id="secret-1">')
    return page[start : page.index("</code>", start)]


def test_a_school_officer_registers_a_device_and_sees_its_secret_once(english, officer_a, district):
    login(english, officer_a)
    form = english.get("/security/devices/new/")
    assert form.status_code == 200
    response = english.post(
        "/security/devices/new/",
        {
            "school": "XB-001",
            "kind": "panic_button",
            "name": "门卫室一键报警",
            "zone": "门卫室",
            "protocol": "generic",
            "heartbeat_seconds": "30",
            "latitude": "31.811",
            "longitude": "119.974",
        },
    )
    assert response.status_code == 200  # rendered, never redirected to a URL with the secret
    assert "no-store" in response["Cache-Control"]
    device = Device.objects.get()
    secret = _secret_on(response.content.decode(), device.code)
    assert len(secret) == 40 and secret not in device.secret_hash
    assert device_authenticate(device.code, secret) == device
    assert (device.school, device.heartbeat_seconds, device.zone) == (
        district.school_a,
        30,
        "门卫室",
    )
    # the detail page never shows it again
    assert secret not in english.get(f"/security/devices/{device.pk}/").content.decode()


def test_a_school_may_not_register_for_another_school(client, officer_a):
    login(client, officer_a)
    response = client.post(
        "/security/devices/new/",
        {"school": "XB-002", "kind": "camera", "name": "x", "protocol": "generic"}
        | {"heartbeat_seconds": "60"},
    )
    assert response.status_code == 400 and not Device.objects.exists()


@pytest.fixture
def devices(district):
    now = timezone.now()
    made = {}
    for code, school, kind in (
        ("XB-001-CAM1", district.school_a, "camera"),
        ("XB-001-SOS1", district.school_a, "panic_button"),
        ("XB-002-CAM1", district.school_b, "camera"),
    ):
        device, secret = device_register(
            actor=None,
            school=school,
            kind=kind,
            name=code,
            code=code,
            latitude=31.8,
            longitude=119.9,
        )
        device.secret = secret
        made[code] = device
    for code in ("XB-001-CAM1", "XB-002-CAM1"):
        ingest_events(
            device=made[code], items=[event(f"{code}-hb", "heartbeat", now)], source="http"
        )
    return made


def test_the_list_shows_online_share_per_school_within_scope(
    english, officer_a, safety_officer, devices, django_assert_max_num_queries
):
    login(english, officer_a)
    with django_assert_max_num_queries(14):
        page = english.get("/security/devices/").content.decode()
    assert "XB-001-SOS1" in page and "XB-002-CAM1" not in page
    assert 'data-testid="share">50%' in page
    online = english.get("/security/devices/?liveness=online").content.decode()
    assert "XB-001-CAM1" in online and "XB-001-SOS1" not in online
    never = english.get("/security/devices/?liveness=never&kind=panic_button").content.decode()
    assert "XB-001-SOS1" in never and "XB-001-CAM1" not in never
    english.logout()
    login(english, safety_officer)
    page = english.get("/security/devices/").content.decode()
    assert 'data-testid="total">3' in page and 'data-testid="share">66%' in page
    assert "XB-002-CAM1" in english.get("/security/devices/?school=XB-002").content.decode()


def test_detail_of_another_schools_device_is_404_and_shows_pictures(
    client, officer_a, officer_b, devices
):
    camera = devices["XB-001-CAM1"]
    ingest_events(
        device=camera,
        items=[event("c1", "loitering", timezone.now(), picture=_jpeg())],
        source="http",
    )
    login(client, officer_b)
    assert client.get(f"/security/devices/{camera.pk}/").status_code == 404
    assert client.post(f"/security/devices/{camera.pk}/rotate/").status_code == 404
    client.logout()
    login(client, officer_a)
    page = client.get(f"/security/devices/{camera.pk}/").content.decode()
    picture = Attachment.objects.get()
    assert f"/attachments/{picture.pk}/" in page


def test_rotating_shows_a_new_secret_once_and_the_old_one_stops(english, officer_a, devices):
    camera = devices["XB-001-CAM1"]
    login(english, officer_a)
    response = english.post(f"/security/devices/{camera.pk}/rotate/")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    fresh = _secret_on(response.content.decode(), camera.code)
    assert device_authenticate(camera.code, camera.secret) is None
    assert device_authenticate(camera.code, fresh) == camera
    english.post(f"/security/devices/{camera.pk}/enabled/", {"enabled": "0"})
    camera.refresh_from_db()
    assert camera.enabled is False and device_authenticate(camera.code, fresh) is None


def test_a_teacher_reads_but_may_not_manage(client, teacher_a, devices):
    login(client, teacher_a)
    camera = devices["XB-001-CAM1"]
    assert client.get(f"/security/devices/{camera.pk}/").status_code == 200
    assert client.post(f"/security/devices/{camera.pk}/rotate/").status_code == 403
    assert device_authenticate(camera.code, camera.secret) == camera


def test_event_history_filters_and_exports_formula_safe_csv(english, officer_a, devices):
    now = timezone.now()
    camera = devices["XB-001-CAM1"]
    ingest_events(
        device=camera,
        items=[
            event("f1", "face_unknown", now, subject='=HYPERLINK("http://x")'),
            event("l1", "line_crossing", now - timedelta(hours=2)),
        ],
        source="http",
        now=now,
    )
    ingest_events(
        device=devices["XB-002-CAM1"], items=[event("b1", "line_crossing", now)], source="http"
    )
    login(english, officer_a)
    page = english.get("/security/events/?late=yes").content.decode()
    assert "1 event<" in page and "XB-002" not in page
    typed = english.get("/security/events/?event_type=face_unknown&device=cam1").content.decode()
    assert "1 event<" in typed
    export = english.get("/security/events/export/?school=XB-001")
    assert export.status_code == 200 and export["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3 and rows[0][0] == "Occurred at (Beijing time)"
    subjects = {row[8] for row in rows[1:]}
    assert '\'=HYPERLINK("http://x")' in subjects


def _alert(device, *, hour_offset=0, ack_after=None, outcome="", kind="perimeter_intrusion"):
    now = timezone.now() - timedelta(hours=hour_offset)
    alert = Alert.objects.create(
        school_id=device.school_id,
        device=device,
        event_type=kind,
        priority=3,
        first_seen_at=now,
        last_seen_at=now,
    )
    changes = {}
    if ack_after is not None:
        changes["acknowledged_at"] = alert.created_at + timedelta(seconds=ack_after)
        changes["status"] = AlertStatus.ACKNOWLEDGED
    if outcome:
        changes |= {"status": AlertStatus.DISPOSED, "outcome": outcome, "disposed_at": now}
    Alert.objects.filter(pk=alert.pk).update(**changes)
    return alert


def test_statistics_page_and_api(english, officer_a, safety_officer, devices):
    camera, other = devices["XB-001-CAM1"], devices["XB-002-CAM1"]
    _alert(camera, ack_after=30, outcome=Outcome.FALSE_ALARM)
    _alert(camera, ack_after=90, outcome=Outcome.REAL)
    _alert(camera, ack_after=200, kind="fight")
    _alert(camera, kind="device_offline", outcome=Outcome.DEVICE_FAULT)
    _alert(other, ack_after=5, outcome=Outcome.FALSE_ALARM)
    login(english, officer_a)
    body = english.get("/api/v1/security/stats/").json()
    assert (body["total"], body["disposed"], body["false_alarms"]) == (4, 2, 1)
    assert body["false_alarm_rate"] == 0.5 and body["median_ack_seconds"] == 90
    assert {c["key"]: c["count"] for c in body["by_type"]} == {
        "perimeter_intrusion": 2,
        "fight": 1,
        "device_offline": 1,
    }
    assert sum(body["by_hour"]) == 4 and len(body["by_hour"]) == 24
    assert [row["code"] for row in body["by_school"]] == ["XB-001"]
    assert english.get("/api/v1/security/stats/?school=XB-002").status_code == 404
    bad = english.get("/api/v1/security/stats/?date_from=2026-03-02&date_to=2026-03-01")
    assert bad.status_code == 400
    page = english.get("/security/stats/").content.decode()
    assert 'data-testid="rate">50%' in page and 'data-testid="ack">90 seconds' in page
    assert 'id="chart-alert-hour"' in page
    english.logout()
    login(english, safety_officer)
    district_wide = english.get("/api/v1/security/stats/").json()
    assert district_wide["total"] == 5 and district_wide["false_alarm_rate"] == 0.6667
    one = english.get("/api/v1/security/stats/?school=XB-002").json()
    assert (one["total"], one["median_ack_seconds"]) == (1, 5)


def test_the_stats_endpoint_is_in_the_schema(client, safety_officer):
    login(client, safety_officer)
    schema = client.get("/api/v1/schema/").json()
    assert "/api/v1/security/stats/" in schema["paths"]
