"""The console map looks at the emergency (#14): while a high or critical alert waits to be
acknowledged, the map focuses its school and shows that school's located devices, the
alerting one marked; a guard never sees another school's devices, nor does the bureau see
devices of schools that are not alerting."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import _person, login
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Unit
from safecampus.security.models import Alert
from safecampus.security.services.alerts import alert_acknowledge
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import MORNING, event

pytestmark = pytest.mark.django_db
MAP = "/security/console/map/"


def _device(school, name: str, kind: str, lat: str | None, lng: str | None = "119.970000"):
    device, _ = device_register(
        actor=None,
        school=school,
        kind=kind,
        name=name,
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lng) if lat and lng else None,
    )
    return device


def _raise(device, kind: str, at) -> Alert:
    result = ingest_events(device=device, items=[event(kind, kind, at)], source="http", now=at)
    return Alert.objects.get(pk=next(iter(result.alerts)))


@pytest.fixture
def scene(district):
    Unit.objects.filter(pk=district.school_a.pk).update(
        latitude=Decimal("31.825000"), longitude=Decimal("119.963000")
    )
    Unit.objects.filter(pk=district.school_b.pk).update(
        latitude=Decimal("31.840000"), longitude=Decimal("119.978000")
    )
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        panic = _device(district.school_a, "门卫室一键报警", "panic_button", "31.825100")
        gate = _device(district.school_a, "东门摄像机", "camera", "31.825300")
        _device(district.school_a, "未定位摄像机", "camera", None)
        fighter = _device(district.school_b, "操场摄像机", "camera", "31.840100", "119.978100")
        now = timezone.now()
        sos = _raise(panic, "panic_button", now - timedelta(minutes=5))
        fight = _raise(fighter, "fight", now - timedelta(minutes=1))
        yield {"panic": panic, "gate": gate, "fighter": fighter, "sos": sos, "fight": fight}


def _map(client, user) -> dict:
    login(client, user)
    response = client.get(MAP)
    assert response.status_code == 200
    return response.context["map"]


def _devices(data: dict) -> dict[str, dict]:
    return {m["label"].split(" · ")[0]: m for m in data["markers"] if m["kind"] == "device"}


def test_the_guard_map_focuses_the_alarm_with_only_its_own_schools_devices(client, district, scene):
    guard = _person("guard_a", district.school_a, Role.GUARD)
    data = _map(client, guard)
    assert [m["label"] for m in data["markers"] if m["kind"] == "school"] == ["新北区实验小学"]
    devices = _devices(data)
    assert sorted(devices) == ["东门摄像机", "门卫室一键报警"]  # unlocated one skipped
    assert devices["门卫室一键报警"]["highlight"] is True
    assert devices["门卫室一键报警"]["level"] == 1
    assert devices["东门摄像机"]["highlight"] is False
    assert data["focus"]["key"] == f"alert-{scene['sos'].pk}"
    assert [31.825, 119.963] in data["focus"]["points"]
    assert len(data["focus"]["points"]) == 3
    assert data["whole"]


def test_the_other_schools_guard_sees_its_own_fight_not_the_alarm(client, district, scene):
    guard = _person("guard_b", district.school_b, Role.GUARD)
    data = _map(client, guard)
    assert sorted(_devices(data)) == ["操场摄像机"]
    assert data["focus"]["key"] == f"alert-{scene['fight'].pk}"


def test_the_bureau_map_focuses_the_gravest_waiting_alert_then_the_next(
    client, district, scene, safety_officer
):
    data = _map(client, safety_officer)
    assert len([m for m in data["markers"] if m["kind"] == "school"]) == 2
    # The critical alarm outranks the newer fight; school B's camera is not shown.
    assert data["focus"]["key"] == f"alert-{scene['sos'].pk}"
    assert sorted(_devices(data)) == ["东门摄像机", "门卫室一键报警"]

    alert_acknowledge(actor=safety_officer, alert=scene["sos"])
    data = client.get(MAP).context["map"]
    assert data["focus"]["key"] == f"alert-{scene['fight'].pk}"
    assert sorted(_devices(data)) == ["操场摄像机"]

    alert_acknowledge(actor=safety_officer, alert=scene["fight"])
    data = client.get(MAP).context["map"]
    assert "focus" not in data and "whole" not in data
    assert _devices(data) == {}


def test_a_user_without_alert_scope_gets_no_map(client, district, scene, teacher_a):
    login(client, teacher_a)
    assert client.get(MAP).status_code == 403


def test_the_map_costs_the_same_queries_however_many_devices(client, district, scene):
    guard = _person("guard_a", district.school_a, Role.GUARD)
    login(client, guard)
    client.get(MAP)
    with CaptureQueriesContext(connection) as few:
        client.get(MAP)
    for i in range(6):
        _device(district.school_a, f"围墙{i}", "camera", f"31.82{i}000")
    with CaptureQueriesContext(connection) as many:
        data = client.get(MAP).context["map"]
    assert len(_devices(data)) == 8
    assert len(many) == len(few)
