"""Issue #5's journey in a real Chromium: the inspector on a phone opens a due evaluation
inspection of school A, fails two items with photos and submits; the principal sees the
notice and uploads evidence; the inspector returns it once with a reason, then accepts
it; the hazards close and the school's safe-campus score shows the rectification on time.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from safecampus.inspections.choices import (
    HazardStatus,
    InspectionStatus,
    Performer,
    RectificationStatus,
    TemplateKind,
)
from safecampus.inspections.models import Hazard, Inspection, Rectification
from safecampus.inspections.tests.factories import make_checklist
from tests.browser.conftest import PHONE, _open_page, answer_confirm
from tests.browser.test_shell import _sign_in, _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RETURN_REASON = "整改照片看不清门卫室值守情况，请补充当日值班表"


def _photo(colour: str) -> dict:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), colour).save(out, format="JPEG")
    return {"name": f"{colour}.jpg", "mimeType": "image/jpeg", "buffer": out.getvalue()}


@pytest.fixture
def windows(browser, live_server):
    opened = []

    def open_window():
        generator = _open_page(browser, live_server, PHONE)
        page, log = next(generator)
        opened.append((generator, page, log))
        return page

    yield open_window
    for generator, page, log in opened:
        assert log.foreign_requests() == []
        assert log.csp_violations(page) == []
        assert [e for e in log.console_errors if "favicon" not in e] == []
        generator.close()


def _fail_with_photo(page, code: str, note: str, colour: str) -> None:
    page.locator(f"label[for='r-{code}-fail']").click()
    page.locator(f"#note-{code}").fill(note)
    page.set_input_files(f"#p-{code}", files=[_photo(colour)])
    uploaded = page.locator(f"[data-photos='{code}'] li.sc-photo:not(.sc-photo-pending)")
    expect(uploaded).to_have_count(1, timeout=15_000)


def _inspect(page, live_server, inspection) -> None:
    page.goto(f"{live_server.url}/inspections/")
    page.locator(f"a[href='/inspections/{inspection.pk}/']").first.click()
    status = page.locator("#sc-save-status")
    _fail_with_photo(page, "G-01", "东门门卫室10:20无人值守", "red")
    _fail_with_photo(page, "G-02", "来访登记本缺少当日记录", "blue")
    page.locator("label[for='r-G-03-pass']").click()
    page.locator("#n-G-04").fill("6")
    page.locator("#s-G-05").fill("9")
    expect(status).to_have_attribute("data-state", "saved", timeout=15_000)
    expect(page.locator("[data-progress-text]")).to_contain_text("5")
    page.locator("[data-review-link]").click()
    page.get_by_role("button", name="提交检查").click()
    answer_confirm(page)  # "Submit it now?" — yes
    expect(page).to_have_url(f"{live_server.url}/inspections/{inspection.pk}/")
    expect(page.locator("#main a[href^='/inspections/rectifications/']").first).to_be_visible()


def _report(page, live_server, notice, measures: tuple[str, str], colour: str) -> None:
    page.goto(f"{live_server.url}/inspections/rectifications/")
    page.locator(f"a[href='/inspections/rectifications/{notice.pk}/']").first.click()
    hazards = list(notice.hazards.order_by("pk"))
    for hazard, text in zip(hazards, measures, strict=True):
        page.locator(f"#id_measures_{hazard.pk}").fill(text)
        page.set_input_files(f"#id_evidence_{hazard.pk}", files=[_photo(colour)])
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("[data-testid=notice-status]")).to_have_text("已提交验收")


def _verify(page, live_server, notice, *, reason: str = "") -> None:
    page.goto(f"{live_server.url}/inspections/rectifications/{notice.pk}/")
    if reason:
        page.locator("#verify textarea").fill(reason)
        page.get_by_role("button", name="退回整改").click()
    else:
        page.get_by_role("button", name="验收通过").click()


def test_inspection_to_closed_hazards_and_a_better_score(
    windows, live_server, district, inspector, principal_a
):
    version = make_checklist(code="eval-journey", kind=TemplateKind.EVALUATION)
    inspection = Inspection.objects.create(
        version=version,
        kind=TemplateKind.EVALUATION,
        school=district.school_a,
        performer=Performer.INSPECTOR,
        inspector=inspector,
        due_on=timezone.localdate() + timedelta(days=3),
    )

    # The inspector, on a phone: two failed items with photos, submitted.
    field = windows()
    _sign_in(field, live_server, inspector)
    _inspect(field, live_server, inspection)
    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.SUBMITTED
    assert (inspection.findings_count, inspection.passed) == (2, False)
    notice = Rectification.objects.get(inspection=inspection)
    assert notice.hazards.count() == 2

    # The principal sees the notice and reports the work with evidence.
    school = windows()
    _sign_in_password(school, live_server, principal_a)
    _report(school, live_server, notice, ("已安排两名保安轮班值守", "已补登记并培训门卫"), "green")

    # The inspector returns it once, with a reason the school then reads.
    _verify(field, live_server, notice, reason=RETURN_REASON)
    notice.refresh_from_db()
    assert (notice.status, notice.returns) == (RectificationStatus.RETURNED, 1)
    school.goto(f"{live_server.url}/inspections/rectifications/{notice.pk}/")
    expect(school.get_by_text(RETURN_REASON).first).to_be_visible()
    _report(school, live_server, notice, ("补充了当日值班表和照片", "已补登记并培训门卫"), "yellow")

    # Accepted: the hazards close, on time.
    _verify(field, live_server, notice)
    notice.refresh_from_db()
    assert (notice.status, notice.on_time) == (RectificationStatus.VERIFIED, True)
    assert set(Hazard.objects.filter(rectification=notice).values_list("status", flat=True)) == {
        HazardStatus.CLOSED
    }

    # The school's evaluation: the checklist part from this inspection, full timeliness.
    school.goto(f"{live_server.url}/inspections/evaluation/{district.school_a.pk}/")
    expect(school.locator("#main")).to_contain_text("1 份整改通知书中 1 份按期验收")
    expect(school.locator("#main")).to_contain_text(
        f"1 次考评检查的平均得分率为 {inspection.score_percent}%"
    )
