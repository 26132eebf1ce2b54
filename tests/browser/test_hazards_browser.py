"""The register, a major hazard, a notice and its report form in a real Chromium, on a
desktop and on a phone: no CSP violation, no console error, nothing from outside."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.rectification import rectification_issue
from safecampus.organizations.tests.factories import PASSWORD
from tests.browser.conftest import DESKTOP, PHONE, _open_page
from tests.browser.test_shell import _assert_clean, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = os.environ.get("SCREENSHOT_DIR", "")


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_register_notice_and_report_form(
    browser,
    live_server,
    district,
    inspector,
    officer_a,
    viewport,
):
    major = hazard_register(
        actor=inspector,
        school=district.school_a,
        category=HazardCategory.TECHNICAL,
        level=HazardLevel.MAJOR,
        description="一键报警装置无法接通派出所",
        place="门卫室",
    )
    notice = rectification_issue(
        actor=inspector,
        hazards=[
            hazard_register(
                actor=inspector,
                school=district.school_a,
                category=HazardCategory.FIRE,
                level=HazardLevel.GENERAL,
                description="消防通道堆放杂物",
                place="教学楼一楼",
            )
        ],
    )
    name = "desktop" if viewport is DESKTOP else "phone"
    for user, pages in (
        (inspector, ["/inspections/hazards/", f"/inspections/hazards/{major.pk}/"]),
        (officer_a, [f"/inspections/rectifications/{notice.pk}/", "/inspections/hazards/new/"]),
    ):
        generator = _open_page(browser, live_server, viewport)
        page, log = next(generator)
        try:
            if user is inspector:
                _sign_in(page, live_server, user)
            else:  # a school officer has no second factor
                page.goto(f"{live_server.url}/accounts/login/")
                page.locator("#id_username").fill(user.username)
                page.locator("#id_password").fill(PASSWORD)
                page.locator("form.sc-auth-form button[type=submit]").click()
                expect(page).to_have_url(f"{live_server.url}/")
            for path in pages:
                page.goto(f"{live_server.url}{path}")
                expect(page.locator("h1")).to_be_visible()
                _shot(page, f"{name}-{path.strip('/').replace('/', '-')}")
            _assert_clean(page, log)
        finally:
            generator.close()
    assert notice.reference
