"""The monthly notice in a real Chromium: the bureau issues a draft through the confirmation
dialog and sees the progress; school A's principal acknowledges and reports on a phone.
Nothing is fetched from outside the intranet, no CSP violation, no console error."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from safecampus.risk.choices import SchoolWarningStatus, WarningLevel
from safecampus.risk.models import SchoolWarning
from safecampus.risk.services import notices as services
from safecampus.risk.tests.test_notices import RED_FACTORS, grade
from tests.browser.conftest import DESKTOP, PHONE, _open_page, answer_confirm
from tests.browser.test_shell import _assert_clean, _sign_in, _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_NOTICE = "/tmp/risk-notice.png"
SCREENSHOT_WARNING = "/tmp/risk-warning-phone.png"


def test_issue_then_acknowledge_and_report(
    browser,
    live_server,
    district,
    safety_officer,
    principal_a,
    bureau_leader,
):
    month = timezone.localdate().replace(day=1)
    grade(district.school_a, WarningLevel.RED, RED_FACTORS, month=month)
    grade(district.school_b, WarningLevel.BLUE, month=month)
    draft = services.notice_draft(actor=safety_officer, month=month)

    pages = _open_page(browser, live_server, DESKTOP)
    page, log = next(pages)
    _sign_in(page, live_server, safety_officer)
    page.goto(f"{live_server.url}/risk/notices/{draft.pk}/")
    page.locator(f"form[action='/risk/notices/{draft.pk}/issue/'] button").click()
    answer_confirm(page)
    expect(page.locator("#notice-progress")).to_be_visible(timeout=15_000)
    expect(page.locator("#warning-table")).to_contain_text("新北区实验小学")
    page.screenshot(path=SCREENSHOT_NOTICE, full_page=True)
    _assert_clean(page, log)
    next(pages, None)

    warning = SchoolWarning.objects.get(notice=draft, unit=district.school_a)
    pages = _open_page(browser, live_server, PHONE)
    page, log = next(pages)
    _sign_in_password(page, live_server, principal_a)
    page.goto(f"{live_server.url}/risk/warnings/{warning.pk}/")
    page.locator("#warning-actions input[value=acknowledge] ~ button").click()
    expect(page.locator("#id_feedback")).to_be_visible()
    page.locator("#id_feedback").fill("已落实重大隐患临时管控措施，整改方案已报教育局。")
    page.locator("#warning-actions input[value=report] ~ button").click()
    expect(page.locator("body")).to_contain_text("已落实重大隐患临时管控措施")
    page.screenshot(path=SCREENSHOT_WARNING, full_page=True)
    _assert_clean(page, log)
    next(pages, None)
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.REPORTED
    assert re.match(r"YJ-\d{4}-\d{6}$", warning.reference)
