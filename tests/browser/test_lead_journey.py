"""Issue #3's journey in a real Chromium, three people in three browsers.

An anonymous student reports bullying in Chinese on a phone with a photo and keeps the
receipt; the bureau officer accepts the lead and asks a question; the student answers
with the receipt; the officer transfers the lead to the police station; the liaison
accepts, posts progress and the result; the student sees "concluded".
"""

from __future__ import annotations

import importlib
import io
import re

import pytest
from django.apps import apps
from PIL import Image
from playwright.sync_api import expect

from safecampus.leads.models import Lead
from tests.browser.conftest import DESKTOP, PHONE, _open_page
from tests.browser.test_shell import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORY = "我们班有同学经常被几个高年级学生堵在厕所要钱，不给就打。"
QUESTION = "请问这件事一般发生在什么时间？"
ANSWER = "一般是周五下午放学以后。"
PROGRESS = "已调取学校东门监控，正在走访"


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "orange").save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def categories(transactional_db):
    importlib.import_module("safecampus.leads.migrations.0002_seed_categories").seed(apps, None)


@pytest.fixture
def windows(browser, live_server):
    """Open browser windows on demand (each its own context); all closed at the end."""
    opened = []

    def open_window(viewport, *, english: bool = False):
        generator = _open_page(browser, live_server, viewport)
        page, log = next(generator)
        if english:
            page.context.add_cookies(
                [{"name": "django_language", "value": "en", "url": live_server.url}]
            )
        opened.append((generator, page, log))
        return page, log

    yield open_window
    for generator, page, log in opened:
        assert log.foreign_requests() == []
        assert log.console_errors == []
        assert log.csp_violations(page) == []
        generator.close()


def _student_checks(page, live_server, receipt: str) -> None:
    page.goto(f"{live_server.url}/report/status/")
    page.fill("input[name=receipt]", receipt)
    page.get_by_role("button", name="查看我的举报").click()


def test_the_whole_journey_of_a_bullying_lead(
    windows, live_server, district, categories, safety_officer, police_liaison
):
    # the student, anonymous, on a phone, in Chinese
    student, _ = windows(PHONE)
    student.goto(f"{live_server.url}/report/")
    expect(student.locator("html")).to_have_attribute("lang", "zh-CN")
    student.select_option("select[name=category]", value="bullying_violence")
    student.fill("textarea[name=description]", STORY)
    student.set_input_files(
        "input[name=evidence]",
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": _photo()}],
    )
    student.locator("details summary").click()
    student.fill("textarea[name=persons_involved]", "三个初三男生")
    student.locator(".sc-map-pick").click(position={"x": 120, "y": 90})
    expect(student.locator("#id_latitude")).to_have_value(re.compile(r"^\d+\.\d{6}$"))
    student.get_by_role("button", name="提交举报").click()
    receipt = student.locator("#sc-receipt").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", receipt)
    lead = Lead.objects.get()
    assert (lead.is_anonymous, lead.source) == (True, "portal")
    assert lead.persons_involved == "三个初三男生" and lead.latitude is not None

    # the bureau officer accepts it and asks a question
    officer, _ = windows(DESKTOP, english=True)
    _sign_in(officer, live_server, safety_officer)
    officer.goto(f"{live_server.url}/leads/")
    officer.get_by_role("link", name=lead.reference).click()
    expect(officer.get_by_text(STORY)).to_be_visible()
    expect(officer.get_by_role("cell", name="photo.jpg", exact=True)).to_be_visible()
    officer.get_by_role("button", name="Accept", exact=True).click()
    expect(officer.locator("h1 + p > .badge").first).to_have_text("Accepted")
    officer.fill("textarea[name=body]", QUESTION)
    officer.get_by_role("button", name="Send to the reporter").click()
    expect(officer.get_by_text(QUESTION)).to_be_visible()

    # the student reads it with the receipt and answers
    _student_checks(student, live_server, receipt)
    expect(student.get_by_text(QUESTION)).to_be_visible()
    student.fill("textarea[name=message]", ANSWER)
    student.get_by_role("button", name="发送", exact=True).click()
    expect(student.get_by_text(ANSWER)).to_be_visible()

    # the officer sees the answer and transfers the lead to the police station
    officer.reload()
    expect(officer.get_by_text(ANSWER)).to_be_visible()
    officer.select_option("#transfer-units", value=district.police_station.code)
    officer.fill("#transfer-days", "5")
    officer.get_by_role("button", name="Transfer", exact=True).click()
    expect(officer.locator("h1 + p > .badge").first).to_have_text("Transferred")

    # the liaison accepts, posts progress, and the result
    liaison, _ = windows(DESKTOP, english=True)
    _sign_in(liaison, live_server, police_liaison)
    liaison.goto(f"{live_server.url}/leads/{lead.pk}/")
    expect(liaison.get_by_text("Protected: the reporter's identity is not shown.")).to_be_visible()
    # the names are masked until the liaison, a handler since the transfer, asks (audited)
    expect(liaison.locator("#lead-persons-involved")).to_have_text("(hidden)")
    liaison.get_by_role("button", name="Show the names").click()
    expect(liaison.locator("#lead-persons-involved")).to_have_text("三个初三男生")
    liaison.get_by_role("button", name="Accept the transfer").click()
    expect(liaison.locator("h1 + p > .badge").first).to_have_text("Being handled")
    liaison.fill("textarea[name=note][id^=progress-]", PROGRESS)
    liaison.get_by_role("button", name="Post progress").click()
    expect(liaison.get_by_text(PROGRESS).first).to_be_visible()
    liaison.select_option("#conclude-result", value="verified")
    liaison.fill("#conclude-note", "查实，已对涉事学生依法处理")
    liaison.get_by_role("button", name="Conclude", exact=True).click()
    expect(liaison.locator("h1 + p > .badge").first).to_have_text("Concluded")
    assert ANSWER not in liaison.content()  # the conversation is the bureau's alone

    # the student sees the lead concluded, and nothing internal
    _student_checks(student, live_server, receipt)
    expect(student.get_by_text("已办结").first).to_be_visible()
    page = student.content()
    assert PROGRESS not in page and "三井派出所" not in page
    row = Lead.objects.get(pk=lead.pk)
    assert (row.status, row.result) == ("concluded", "verified")
