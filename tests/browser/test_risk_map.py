"""The district heat map of school risk grades in a real Chromium: one marker per school
in its level's colour, the district's base map and legend, a click to the school's page, and
no request to any host but the server (no tile server, no CDN)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safecampus.organizations.models import Unit
from safecampus.organizations.tests.factories import SchoolFactory
from safecampus.risk.models import RiskGrade
from safecampus.risk.selectors.grades import band_rows
from tests.browser.test_shell import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT = "/tmp/risk-map.png"
APRIL = date(2026, 4, 1)


def _graded_district(district) -> dict[str, str]:
    third = SchoolFactory(
        unit__code="XB-003", unit__name="新北区滨江幼儿园", school_kind="kindergarten"
    )
    places = {
        district.school_a.pk: ("31.8100", "119.9700", "red", 72),
        district.school_b.pk: ("31.8350", "119.9950", "orange", 41),
        third.unit.pk: ("31.7900", "120.0100", "blue", 3),
    }
    for school_id, (lat, lng, level, score) in places.items():
        Unit.objects.filter(pk=school_id).update(latitude=Decimal(lat), longitude=Decimal(lng))
        RiskGrade.objects.create(
            school_id=school_id,
            month=APRIL,
            score=score,
            computed_level=level,
            level=level,
            factors=[{"code": "hazard_major", "value": 1, "points": score}] if score else [],
            computed_at=timezone.now(),
        )
    return {band["level"]: band["color"].lower() for band in band_rows()}


def test_heat_map_draws_one_marker_per_school_offline(
    desktop, live_server, district, safety_officer
):
    page, log = desktop
    colours = _graded_district(district)
    _sign_in(page, live_server, safety_officer)
    page.goto(f"{live_server.url}/risk/?month=2026-04")
    markers = page.locator("#risk-map path.risk-marker")
    expect(markers).to_have_count(3)
    fills = sorted(
        (markers.nth(i).get_attribute("fill") or "").lower() for i in range(markers.count())
    )
    assert fills == sorted([colours["red"], colours["orange"], colours["blue"]])
    expect(page.locator("#risk-map path.risk-marker-red")).to_have_count(1)
    # The district's base map stands for the outline (the schools' hull only without one).
    expect(page.locator("#risk-map path.sc-base-district")).to_have_count(1)
    expect(page.locator("#risk-map path.risk-map-outline")).to_have_count(0)
    expect(page.locator("#risk-map .risk-map-legend > div")).to_have_count(4)
    expect(page.locator("#risk-map .leaflet-tile")).to_have_count(0)
    expect(page.locator("[data-testid=grade-table] tbody tr")).to_have_count(3)
    page.screenshot(path=SCREENSHOT, full_page=True)

    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert log.console_errors == []

    page.locator("#risk-map path.risk-marker-red").click(force=True)
    expect(page).to_have_url(
        f"{live_server.url}/risk/schools/{district.school_a.pk}/?month=2026-04"
    )
    expect(page.locator("[data-testid=grade-score]")).to_have_text("72")
    expect(page.locator("[data-chart=risk-trend] canvas")).to_have_count(1)
    page.screenshot(path="/tmp/risk-school.png", full_page=True)
    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert log.console_errors == []
