"""The console puts the emergency first (#14): unacknowledged before acknowledged, then by
priority, then newest; the bureau's district console shows high and above unless asked
for more; a banner counts the high and critical alerts nobody has acknowledged."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from conftest import _person, login
from safecampus.organizations.choices import Role
from safecampus.security.choices import Priority
from safecampus.security.models import Alert
from safecampus.security.selectors.alerts import console_alerts
from safecampus.security.services.alerts import alert_acknowledge
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import MORNING, event

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_a(district):
    return _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")


def _raise(device, kind: str, zone: str, at) -> Alert:
    result = ingest_events(
        device=device, items=[event(f"{kind}-{zone}", kind, at, zone=zone)], source="http", now=at
    )
    return Alert.objects.get(pk=next(iter(result.alerts)))


@pytest.fixture
def alerts(district):
    # Daytime: the shipped night rules raise a line crossing to high after dark.
    with time_machine.travel(MORNING + timedelta(hours=2), tick=False):
        yield _alerts(district)


def _alerts(district):
    camera, _ = device_register(
        actor=None, school=district.school_a, kind="camera", name="东门摄像机", code="XB-001-C1"
    )
    panic, _ = device_register(
        actor=None, school=district.school_a, kind="panic_button", name="门卫室一键报警"
    )
    now = timezone.now()
    sos = _raise(panic, "panic_button", "门卫室", now - timedelta(minutes=5))  # critical, oldest
    fight = _raise(camera, "fight", "操场", now - timedelta(minutes=4))  # high
    lows = [
        _raise(camera, "line_crossing", f"围墙{i}", now - timedelta(minutes=3, seconds=-i))
        for i in range(20)
    ]  # low, the newest
    return {"sos": sos, "fight": fight, "lows": lows}


def test_a_critical_alert_stays_above_twenty_newer_low_ones_until_acknowledged(alerts, guard_a):
    sos, fight, lows = alerts["sos"], alerts["fight"], alerts["lows"]
    order = list(console_alerts(user=guard_a))
    assert order[:2] == [sos, fight]
    assert order[2:] == sorted(lows, key=lambda a: (a.last_seen_at, a.pk), reverse=True)

    alert_acknowledge(actor=guard_a, alert=sos)
    order = list(console_alerts(user=guard_a))
    # Acknowledged, it goes below every alert still waiting, however low.
    assert order[0] == fight and order[-1].pk == sos.pk


def test_the_district_console_shows_high_and_above_unless_asked(
    client, alerts, safety_officer, guard_a
):
    sos, fight, lows = alerts["sos"], alerts["fight"], alerts["lows"]
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    page = client.get("/security/console/").content.decode()
    assert f'id="alert-{sos.pk}"' in page and f'id="alert-{fight.pk}"' in page
    assert not any(f'id="alert-{low.pk}"' in page for low in lows)
    assert f'data-priority-min="{Priority.HIGH.value}"' in page
    assert "waiting to be acknowledged: 2" in page
    everything = client.get("/security/console/?priority=all").content.decode()
    assert all(f'id="alert-{low.pk}"' in everything for low in lows)
    # In the page's order: the critical one first, the high one second.
    assert everything.index(f'id="alert-{sos.pk}"') < everything.index(f'id="alert-{fight.pk}"')
    assert everything.index(f'id="alert-{fight.pk}"') < everything.index(
        f'id="alert-{lows[-1].pk}"'
    )
    # A nonsense floor falls back to the default; never an error.
    assert client.get("/security/console/?priority=9").status_code == 200

    # The guard room sees everything of its school by default.
    client.logout()
    login(client, guard_a)
    page = client.get("/security/console/").content.decode()
    assert all(f'id="alert-{low.pk}"' in page for low in lows)
    assert 'data-priority-min=""' in page
