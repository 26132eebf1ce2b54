"""The run page on a phone (390×844) in a real Chromium: answers sync, and an answer typed
while the network is down survives a reload and reaches the server once it is back."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from safecampus.inspections.choices import Performer
from safecampus.inspections.models import InspectionAnswer
from safecampus.inspections.tests.factories import make_checklist
from safecampus.inspections.tests.test_inspect_services import make_inspection
from tests.browser.test_shell import _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOT = "/tmp/inspection-run-phone.png"
SCREENSHOT_TOP = "/tmp/inspection-run-phone-top.png"


def _answer(inspection, code):
    return InspectionAnswer.objects.filter(inspection=inspection, item__code=code).first()


def test_offline_answers_survive_and_sync(phone, live_server, district, officer_a):
    page, log = phone
    own = make_inspection(make_checklist(), district.school_a, performer=Performer.SCHOOL)
    _sign_in_password(page, live_server, officer_a)
    page.goto(f"{live_server.url}/inspections/{own.pk}/")
    status = page.locator("#sc-save-status")

    page.locator("label[for='r-G-01-pass']").click()
    expect(status).to_have_attribute("data-state", "saved")
    expect(page.locator("[data-progress-text]")).to_contain_text("1")
    assert _answer(own, "G-01").result == "pass"

    # The network drops: the answer stays on the phone and the page says so.
    page.route("**/answers/", lambda route: route.abort())
    page.locator("label[for='r-G-02-fail']").click()
    page.locator("#note-G-02").fill("登记本缺页")
    expect(status).to_have_attribute("data-state", "offline")
    assert _answer(own, "G-02") is None

    # Reloaded while still cut off: the local draft wins over the server's empty answer.
    page.reload()
    expect(page.locator("#r-G-02-fail")).to_be_checked()
    expect(page.locator("#note-G-02")).to_have_value("登记本缺页")
    page.unroute("**/answers/")
    expect(status).to_have_attribute("data-state", "saved", timeout=15_000)
    saved = _answer(own, "G-02")
    assert (saved.result, saved.note) == ("fail", "登记本缺页")

    page.locator("#n-G-04").fill("12")
    page.locator("#s-G-05").fill("8")
    expect(status).to_have_attribute("data-state", "saved")
    page.wait_for_function(f"() => !localStorage.getItem('sc-inspection-{own.pk}-answers')")
    page.screenshot(path=SCREENSHOT, full_page=False)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SCREENSHOT_TOP, full_page=False)
    assert _answer(own, "G-05").score == 8
    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert [e for e in log.console_errors if "ERR_FAILED" not in e and "Failed to" not in e] == []
