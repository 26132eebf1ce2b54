"""The demo devices and the simulator: a few seconds of simulation raise the scenario's
alerts, in process and over HTTP, and no secret is printed."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from safecampus.attachments.models import Attachment
from safecampus.security.choices import Priority
from safecampus.security.demo import DEMO_DEVICES, DEMO_VENDOR, demo_devices_seed
from safecampus.security.models import Alert, Device, DeviceEvent
from safecampus.security.simulator import (
    http_sender,
    in_process_sender,
    simulate,
    simulator_devices,
)

SECRET = re.compile(r"\b[0-9a-f]{40}\b")


@pytest.fixture
def demo(district):
    created = demo_devices_seed(schools=[district.school_a, district.school_b])
    assert created == 2 * len(DEMO_DEVICES)
    return created


@pytest.mark.django_db
def test_seeding_registers_each_school_s_devices_once_and_prints_no_secret(district, capsys):
    call_command("seed_demo_devices", "--schools", "2")
    call_command("seed_demo_devices")
    out = capsys.readouterr().out
    assert out.splitlines() == ["Demo devices: 12 registered.", "Demo devices: 0 registered."]
    assert Device.objects.filter(vendor=DEMO_VENDOR, school=district.school_a).count() == 6
    assert set(Device.objects.values_list("kind", flat=True)) == {
        "camera",
        "perimeter",
        "access_gate",
        "vehicle_barrier",
        "panic_button",
    }


@pytest.mark.django_db
def test_a_few_seconds_in_process_raise_the_night_intrusion_and_the_panic(demo, capsys):
    call_command(
        "simulate_devices", "--in-process", "--duration", "2", "--rate", "10", "--seed", "7"
    )
    out = capsys.readouterr().out
    assert not SECRET.search(out)
    assert '"failures": 0' in out
    intrusion = Alert.objects.get(event_type="perimeter_intrusion")
    assert (intrusion.count, intrusion.zone) == (3, "东墙")
    assert Alert.objects.get(event_type="panic_button").priority == Priority.CRITICAL
    loitering = DeviceEvent.objects.get(type="loitering")
    assert Attachment.objects.filter(owner_id=str(loitering.pk)).count() == 1
    # every demo device spoke (heartbeats), and background traffic was stored
    assert not Device.objects.filter(vendor=DEMO_VENDOR, last_seen_at__isnull=True).exists()
    assert DeviceEvent.objects.filter(type__in=["face_recognised", "plate_recognised"]).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "scenario,expected",
    [("panic", {"panic_button"}), ("night_intrusion", {"perimeter_intrusion", "loitering"})],
)
def test_each_scenario_raises_its_own_alerts(demo, scenario, expected):
    report = simulate(
        devices=simulator_devices(),
        sender=in_process_sender,
        rate=0,
        duration=2,
        scenario=scenario,
        sleep=lambda seconds: None,
    )
    assert set(Alert.objects.values_list("event_type", flat=True)) == expected
    assert report.failures == 0 and report.alerts == set(Alert.objects.values_list("pk", flat=True))


@pytest.mark.django_db(transaction=True)
def test_over_http_the_devices_authenticate_with_their_fresh_secrets(live_server, district):
    import importlib

    from django.apps import apps

    importlib.import_module("safecampus.security.migrations.0002_default_rules").seed(apps, None)
    demo_devices_seed(schools=[district.school_a])
    report = simulate(
        devices=simulator_devices(),
        sender=http_sender(live_server.url),
        rate=3,
        duration=2,
        scenario="panic",
        sleep=lambda seconds: None,
    )
    assert (report.failures, report.rejected) == (0, 0), report.first_error
    assert report.accepted == report.sent
    assert Alert.objects.filter(event_type="panic_button").count() == 1
    # counted over HTTP too (it said 0): the panic alert and any the background raised
    assert report.alerts == set(Alert.objects.values_list("pk", flat=True))
    assert report.as_dict()["alerts"] == Alert.objects.count() >= 1


def test_the_default_url_is_what_serve_serves_else_site_url(settings, tmp_path):
    from safecampus.security.management.commands.simulate_devices import served_url

    settings.SERVED_URL_FILE = tmp_path / "served-url"
    settings.SITE_URL = "http://school.example:8443"
    assert served_url() == "http://school.example:8443"
    settings.SERVED_URL_FILE.write_text("http://127.0.0.1:9123\n")
    assert served_url() == "http://127.0.0.1:9123"


@pytest.mark.django_db
def test_without_demo_devices_the_command_says_so(district):
    with pytest.raises(Exception, match="seed_demo_devices"):
        call_command("simulate_devices", "--in-process", "--duration", "1")
