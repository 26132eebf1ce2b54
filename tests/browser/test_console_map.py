"""The alarm console's map in a real Chromium (#14): a one-key alarm arriving live turns the
map from the district to the alerting school, zoomed in, with its devices and the alarm's
device marked; "Show whole district" zooms out and stays out until another alarm tops the
list, which the map then focuses."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from conftest import _person
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Unit
from safecampus.security.models import Alert
from safecampus.security.services.devices import device_register
from tests.browser.test_alert_console import _post_event
from tests.browser.test_crawl import _AXE_RUN, AXE
from tests.browser.test_shell import _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAP = "#sc-alert-map [data-map]"


def _zoom(page) -> float:
    return float(page.evaluate(f"document.querySelector('{MAP}')._scMap.getZoom()"))


def _device(school, name: str, kind: str, lat: str):
    return device_register(
        actor=None,
        school=school,
        kind=kind,
        name=name,
        latitude=Decimal(lat),
        longitude=Decimal("119.963600"),
    )


def test_the_console_map_focuses_the_alerting_school_and_its_devices(
    desktop, live_server, district, settings
):
    page, log = desktop
    settings.STREAM_URL = f"{live_server.url}/stream/events"  # refused: the console polls
    Unit.objects.filter(pk=district.school_a.pk).update(
        latitude=Decimal("31.825400"), longitude=Decimal("119.963600")
    )
    Unit.objects.filter(pk=district.school_b.pk).update(
        latitude=Decimal("31.899000"), longitude=Decimal("119.870000")
    )
    guard = _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")
    panic, secret = _device(district.school_a, "门卫室一键报警", "panic_button", "31.825600")
    back, back_secret = _device(district.school_a, "后门一键报警", "panic_button", "31.824600")
    _device(district.school_a, "东门摄像机", "camera", "31.825900")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _sign_in_password(page, live_server, guard)
    page.goto(f"{live_server.url}/security/console/")
    expect(page.locator(MAP)).to_have_attribute("data-basemap", "drawn")
    expect(page.locator(MAP)).to_have_attribute("role", "region")
    expect(page.locator(f"{MAP} path.sc-map-marker-device")).to_have_count(0)
    assert _zoom(page) <= 13

    assert _post_event(live_server, panic, secret) == 202
    first = Alert.objects.get()
    expect(page.locator(MAP)).to_have_attribute("data-map-focus", f"alert-{first.pk}", timeout=8000)
    expect(page.locator(f"{MAP} path.sc-map-marker-device")).to_have_count(3)
    expect(page.locator(f"{MAP} path.sc-map-marker-alerting")).to_have_count(1)
    assert _zoom(page) >= 16
    page.locator(f"{MAP} path.sc-map-marker-alerting").hover(force=True)
    tooltip = page.locator(".leaflet-tooltip", has_text="门卫室一键报警 · One-key alarm")
    expect(tooltip).to_be_visible()
    page.evaluate(AXE.read_text())
    # The whole console with a critical alarm on top: its tinted row and buttons included.
    assert page.evaluate(_AXE_RUN) == []

    page.get_by_role("button", name="Show whole district").click()
    page.wait_for_function(f"document.querySelector('{MAP}')._scMap.getZoom() < 14")

    # The map is re-rendered on every change; the dismissed alarm stays dismissed …
    assert _post_event(live_server, panic, secret, "sos-2") == 202
    page.wait_for_timeout(4000)
    assert _zoom(page) < 14
    # … until another alarm becomes the top of the list.
    assert _post_event(live_server, back, back_secret, "sos-back") == 202
    second = Alert.objects.exclude(pk=first.pk).get()
    focus = f"alert-{second.pk}"
    expect(page.locator(MAP)).to_have_attribute("data-map-focus", focus, timeout=8000)
    page.wait_for_function(f"document.querySelector('{MAP}')._scMap.getZoom() >= 16")

    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert [e for e in log.console_errors if "status of 404" not in e] == []
