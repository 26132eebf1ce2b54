"""The offline base map in a real Chromium (#14): the reporter's map on a phone draws the
district outline, rivers, roads and place names from the shipped GeoJSON under the school
dots, names schools when zoomed in, in the page's language, with nothing from another host."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from playwright.sync_api import expect

from safecampus.organizations.models import Unit
from tests.browser.conftest import PHONE
from tests.browser.test_crawl import _AXE_RUN, AXE

pytestmark = pytest.mark.browser


@pytest.fixture
def categories(transactional_db):
    importlib.import_module("safecampus.leads.migrations.0002_seed_categories").seed(apps, None)


def _place_schools(district) -> None:
    for unit, (lat, lng) in (
        (district.school_a, ("31.825400", "119.963600")),
        (district.school_b, ("31.839200", "119.978200")),
    ):
        Unit.objects.filter(pk=unit.pk).update(latitude=Decimal(lat), longitude=Decimal(lng))


def _view(page, zoom: int, centre: list[float] | None = None) -> None:
    """Move the map at once (no animation): the test reads the labels right after."""
    page.evaluate(
        "([zoom, centre]) => { const map = document.querySelector('[data-map]')._scMap;"
        " map.setView(centre || map.getCenter(), zoom, {animate: false}); }",
        [zoom, centre],
    )


def _open_map(page, url: str):
    page.goto(url)
    page.locator("details summary").first.click()
    box = page.locator("[data-map=portal-map-data]")
    expect(box).to_have_attribute("data-basemap", "drawn")
    return box


def test_the_portal_map_draws_the_district_offline_on_a_phone(
    phone, live_server, district, categories
):
    page, log = phone
    _place_schools(district)
    box = _open_map(page, f"{live_server.url}/report/")
    expect(box.locator("path.sc-base-district")).to_have_count(1)
    expect(box.locator("path.sc-base-road")).to_have_count(8)
    expect(box.locator("path.sc-base-river")).to_have_count(2)
    expect(box.locator(".sc-base-place")).to_have_count(10)
    expect(box.locator(".sc-base-place", has_text="三井")).to_be_visible()
    expect(box.locator(".leaflet-tile")).to_have_count(0)
    # Road names show from zoom 12 on, in Chinese on a Chinese page.
    _view(page, 13)
    expect(box.locator(".sc-base-label", has_text="通江中路")).to_be_visible()
    expect(box.locator(".sc-map-label-near")).to_have_count(0)
    # Near enough, every school is named; a tap still marks the place.
    _view(page, 15, [31.8254, 119.9636])
    expect(box.locator(".sc-map-label-near", has_text="新北区实验小学")).to_be_visible()
    box.click(position={"x": 40, "y": 200})
    assert page.locator("input[name=latitude]").input_value() != ""
    page.screenshot(path="/tmp/portal-basemap.png", full_page=True)
    page.evaluate(AXE.read_text())
    assert page.evaluate(_AXE_RUN) == []  # the drawn map and its labels meet WCAG 2.1 AA

    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert log.console_errors == []
    fetched = [u for u in log.requests if u.endswith("/static/geo/demo-district.geojson")]
    assert len(fetched) == 1


def test_the_portal_map_speaks_english_in_english(phone, live_server, district, categories):
    page, log = phone
    _place_schools(district)
    box = _open_map(page, f"{live_server.url}/report/?lang=en")
    _view(page, 13)
    expect(box.locator(".sc-base-label", has_text="Tongjiang Middle Road")).to_be_visible()
    expect(box.locator(".sc-base-label", has_text="通江中路")).to_have_count(0)
    expect(box.locator(".sc-base-place", has_text="Sanjing")).to_have_count(1)
    assert log.console_errors == []


def test_without_javascript_the_portal_hides_the_map_and_keeps_the_place_field(
    browser, live_server, district, categories
):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/report/")
        page.locator("details summary").first.click()
        expect(page.locator("input[name=place]")).to_be_visible()
        expect(page.locator("[data-map=portal-map-data]")).to_be_hidden()
        expect(page.get_by_text("在地图上标出位置（选填）")).to_be_hidden()
    finally:
        context.close()
