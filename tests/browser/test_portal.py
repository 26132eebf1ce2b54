"""An anonymous reporter in a real Chromium on a phone: report, keep the receipt, follow up."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
RECEIPT = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$")


@pytest.fixture
def categories(transactional_db):
    importlib.import_module("safecampus.leads.migrations.0002_seed_categories").seed(apps, None)


def test_a_student_reports_and_follows_up_with_the_receipt(
    phone, live_server, district, categories
):
    page, log = phone
    page.goto(f"{live_server.url}/report/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.select_option("select[name=category]", value="bullying_violence")
    page.fill(
        "textarea[name=description]", "我们班有同学经常被几个高年级学生堵在厕所要钱，不给就打。"
    )
    page.get_by_role("button", name="提交举报").click()

    receipt = page.locator("#sc-receipt").inner_text().strip()
    assert RECEIPT.match(receipt), receipt
    assert receipt not in page.url

    page.goto(f"{live_server.url}/report/status/")
    page.fill("input[name=receipt]", receipt.lower().replace("-", " "))
    page.get_by_role("button", name="查看我的举报").click()
    expect(page.get_by_text("已接收").first).to_be_visible()
    assert log.foreign_requests() == []
    assert log.console_errors == []
    assert log.csp_violations(page) == []
