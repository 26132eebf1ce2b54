"""The guard room's console in a real Chromium: a one-key alarm posted by its device appears
without a reload, and the guard acknowledges it from the page.

live_server serves only WSGI, so the stream process (/stream/alerts) is not there: the
page's EventSource fails and the console falls back to polling its feed, which is the path
tested here. The stream itself is tested at the ASGI level
(safecampus/security/tests/test_alerts_stream.py).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import _person
from safecampus.organizations.choices import Role
from safecampus.security.choices import AlertStatus
from safecampus.security.models import Alert
from safecampus.security.services.devices import device_register
from tests.browser.test_shell import _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _post_event(live_server, device, secret: str, event_id: str = "sos-1") -> int:
    body = {"event_id": event_id, "type": "panic_button", "occurred_at": timezone.now().isoformat()}
    request = urllib.request.Request(
        f"{live_server.url}/api/v1/ingest/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Device {device.code}:{secret}",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_a_panic_alarm_appears_without_reload_and_is_acknowledged(
    desktop, live_server, district, settings
):
    page, log = desktop
    # A stream address on the page's own origin that the WSGI test server cannot serve:
    # the EventSource fails and the console must fall back to polling.
    settings.STREAM_URL = f"{live_server.url}/stream/events"
    guard = _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")
    device, secret = device_register(
        actor=None,
        school=district.school_a,
        kind="panic_button",
        name="门卫室一键报警",
        zone="门卫室",
    )
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _sign_in_password(page, live_server, guard)
    page.goto(f"{live_server.url}/security/console/")
    console = page.locator("#sc-alert-console")
    expect(console.locator(".sc-alert-empty")).to_be_visible()
    expect(console).to_have_attribute("data-mode", "poll")
    page.evaluate("window.__scMarker = 1")  # gone if the page reloads

    started = time.monotonic()
    assert _post_event(live_server, device, secret) == 202
    row = console.locator(".sc-alert").first
    expect(row).to_be_visible(timeout=5000)
    waited = time.monotonic() - started
    assert page.evaluate("window.__scMarker") == 1
    expect(row).to_contain_text("One-key alarm")
    expect(row).to_contain_text("门卫室一键报警")
    expect(row).to_have_class(re.compile(r"sc-alert-level-1"))
    assert waited < 4.5  # the fallback polls every 3 s

    row.get_by_role("button", name="Acknowledge").click()
    expect(row.locator(".sc-alert-state")).to_have_text("Acknowledged")
    alert = Alert.objects.get()
    assert (alert.status, alert.acknowledged_by_id) == (AlertStatus.ACKNOWLEDGED, guard.pk)

    # the mute toggle persists
    page.locator("#sc-alert-mute").click()
    assert page.evaluate("window.localStorage.getItem('sc-alert-muted')") == "1"
    page.reload()
    expect(page.locator("#sc-alert-mute")).to_have_attribute("aria-pressed", "true")

    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    # Only the refused stream may complain (it is what makes the page poll).
    # Only the refused streams may fail (that is what makes the page poll).
    assert missing and all("/stream/" in url for url in missing)
    assert [e for e in log.console_errors if "status of 404" not in e] == []


def test_a_critical_alarm_arrives_above_twenty_low_ones_and_stays_pinned_until_acknowledged(
    phone, live_server, district, settings
):
    """Issue #14: after a reload a one-key alarm was 8th on the guard's phone, under
    device-offline and low alerts. It must arrive on top, stay there while newer low
    alerts come in, keep a banner up until acknowledged, then drop below the waiting ones."""
    from safecampus.security.services.ingest import ingest_events

    page, log = phone
    settings.STREAM_URL = f"{live_server.url}/stream/events"  # refused: the page polls
    guard = _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")
    reader, _ = device_register(
        actor=None, school=district.school_a, kind="vehicle_barrier", name="东门道闸"
    )
    sos_device, secret = device_register(
        actor=None, school=district.school_a, kind="panic_button", name="门卫室一键报警"
    )
    now = timezone.now()
    for i in range(20):  # plates nobody knows: low priority at any hour
        item = {"event_id": f"p{i}", "type": "plate_unknown", "zone": f"车道{i}"}
        item["occurred_at"] = (now - timedelta(seconds=60 - i)).isoformat()
        ingest_events(device=reader, items=[item], source="http")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _sign_in_password(page, live_server, guard)
    page.goto(f"{live_server.url}/security/console/")
    console = page.locator("#sc-alert-console")
    expect(console.locator(".sc-alert")).to_have_count(20)
    banner = page.locator("#sc-alert-banner")
    expect(banner).to_be_hidden()

    assert _post_event(live_server, sos_device, secret) == 202
    sos = console.locator(".sc-alert").first
    expect(sos).to_contain_text("One-key alarm", timeout=5000)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("waiting to be acknowledged: 1")

    # A newer low alert arrives: it goes under the alarm, not above it.
    later = {"event_id": "p-late", "type": "plate_unknown", "zone": "车道99"}
    later["occurred_at"] = timezone.now().isoformat()
    ingest_events(device=reader, items=[later], source="http")
    expect(console.locator(".sc-alert")).to_have_count(22, timeout=5000)
    expect(console.locator(".sc-alert").first).to_contain_text("One-key alarm")
    expect(console.locator(".sc-alert").nth(1)).to_contain_text("车道99")

    console.locator(".sc-alert").first.get_by_role("button", name="Acknowledge").click()
    expect(banner).to_be_hidden()
    last = console.locator(".sc-alert").last
    expect(last).to_contain_text("One-key alarm")
    expect(last.locator(".sc-alert-state")).to_have_text("Acknowledged")
    expect(console.locator(".sc-alert").first).to_contain_text("车道99")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert log.csp_violations(page) == []
