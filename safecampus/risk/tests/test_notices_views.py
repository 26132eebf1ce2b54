"""The warning notice pages and API: drafting, issuing, a school's inbox and its
acknowledgement and report, scope (another school's warning is a 404, a draft is the
bureau's), and bad input answered with a translated 4xx."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from conftest import login
from safecampus.risk.choices import NoticeStatus, SchoolWarningStatus, WarningLevel
from safecampus.risk.models import SchoolWarning, WarningNotice
from safecampus.risk.services import notices as services
from safecampus.risk.tests.test_notices import APRIL, ISSUE_AT, RED_FACTORS, grade


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def graded(district):
    grade(district.school_a, WarningLevel.RED, RED_FACTORS)
    grade(district.school_b, WarningLevel.YELLOW)
    return district


@pytest.fixture
def draft(graded, safety_officer):
    with time_machine.travel(ISSUE_AT, tick=False):
        return services.notice_draft(actor=safety_officer, month=APRIL)


@pytest.fixture
def notice(draft, safety_officer, principal_a, officer_a, officer_b, bureau_leader):
    with time_machine.travel(ISSUE_AT, tick=False):
        return services.notice_issue(actor=safety_officer, notice=draft)


def warning_of(notice, school) -> SchoolWarning:
    return SchoolWarning.objects.get(notice=notice, unit=school)


def test_create_page_refuses_a_month_without_grades(district, safety_officer, english):
    login(english, safety_officer)
    response = english.post("/risk/notices/new/", {"month": "2026-04"})
    assert response.status_code == 400
    assert "compute the grades first" in response.content.decode()
    assert WarningNotice.objects.count() == 0
    bad = english.post("/risk/notices/new/", {"month": "2026-13"})
    assert bad.status_code == 400
    assert "Enter a month as YYYY-MM." in bad.content.decode()


def test_draft_edit_and_issue_through_the_pages(graded, safety_officer, principal_a, english):
    login(english, safety_officer)
    with time_machine.travel(ISSUE_AT, tick=False):
        created = english.post("/risk/notices/new/", {"month": "2026-04"})
        notice = WarningNotice.objects.get()
        assert created["Location"] == f"/risk/notices/{notice.pk}/"
        page = english.get(f"/risk/notices/{notice.pk}/")
        assert page.status_code == 200
        assert "Issue to every school" in page.content.decode()
        past = english.post(
            f"/risk/notices/{notice.pk}/edit/",
            {"title": "标题", "feedback_due": "2026-04-01", "summary": ""},
        )
        assert past.status_code == 400
        assert "The feedback date cannot be in the past." in past.content.decode()
        saved = english.post(
            f"/risk/notices/{notice.pk}/edit/",
            {
                "title": "关于2026年4月全区学校安全风险预警的通知",
                "document_number": "新教安〔2026〕9号",
                "summary": "注意防溺水",
                "feedback_due": "2026-04-22",
            },
        )
        assert saved.status_code == 302
        issued = english.post(f"/risk/notices/{notice.pk}/issue/")
        assert issued.status_code == 302
        body = english.get(f"/risk/notices/{notice.pk}/").content.decode()
        again = english.post(f"/risk/notices/{notice.pk}/issue/")
    assert "Acknowledged: 0 of 2" in body
    assert "新北区实验小学" in body and "新北区河海中学" in body
    assert again.status_code == 409
    notice.refresh_from_db()
    assert (notice.status, notice.document_number, notice.summary) == (
        NoticeStatus.ISSUED,
        "新教安〔2026〕9号",
        "注意防溺水",
    )
    assert SchoolWarning.objects.filter(notice=notice).count() == 2


def test_a_draft_is_invisible_to_schools(draft, officer_a, client):
    login(client, officer_a)
    assert client.get(f"/risk/notices/{draft.pk}/").status_code == 404
    assert client.get(f"/risk/notices/{draft.pk}/notice.pdf").status_code == 404
    listing = client.get("/risk/notices/")
    assert draft.title not in listing.content.decode()
    api = client.get(f"/api/v1/risk-notices/{draft.pk}/")
    assert api.status_code == 404


def test_school_sees_only_its_own_warning(notice, graded, officer_a, officer_b, client):
    own = warning_of(notice, graded.school_b)
    other = warning_of(notice, graded.school_a)
    login(client, officer_b)
    assert client.get(f"/risk/warnings/{other.pk}/").status_code == 404
    refused = client.post(f"/risk/warnings/{other.pk}/action/", {"action": "acknowledge"})
    assert refused.status_code == 404
    assert client.post(f"/api/v1/risk-warnings/{other.pk}/acknowledge/").status_code == 404
    other.refresh_from_db()
    assert other.status == SchoolWarningStatus.ISSUED
    inbox = client.get("/risk/warnings/").content.decode()
    assert own.reference in inbox and other.reference not in inbox
    notice_page = client.get(f"/risk/notices/{notice.pk}/").content.decode()
    assert "新北区河海中学" in notice_page and "新北区实验小学" not in notice_page
    assert "Acknowledgement progress" not in notice_page
    api = client.get("/api/v1/risk-warnings/").json()
    assert [row["reference"] for row in api["results"]] == [own.reference]
    detail = client.get(f"/api/v1/risk-notices/{notice.pk}/").json()
    assert detail["progress"] is None


def test_acknowledge_and_report_on_the_page(notice, graded, principal_a, english):
    warning = warning_of(notice, graded.school_a)
    login(english, principal_a)
    page = english.get(f"/risk/warnings/{warning.pk}/").content.decode()
    assert "立即落实重大隐患临时管控措施并限期整改" in page
    with time_machine.travel(datetime(2026, 4, 7, 9, 0, tzinfo=ISSUE_AT.tzinfo), tick=False):
        done = english.post(f"/risk/warnings/{warning.pk}/action/", {"action": "acknowledge"})
    assert done.status_code == 302
    empty = english.post(f"/risk/warnings/{warning.pk}/action/", {"action": "report"})
    assert empty.status_code == 400
    assert "Describe the measures taken." in empty.content.decode()
    reported = english.post(
        f"/risk/warnings/{warning.pk}/action/", {"action": "report", "feedback": "已管控"}
    )
    assert reported.status_code == 302
    warning.refresh_from_db()
    assert (warning.status, warning.feedback) == (SchoolWarningStatus.REPORTED, "已管控")
    closing = english.post(f"/risk/warnings/{warning.pk}/action/", {"action": "close"})
    assert closing.status_code == 403
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.REPORTED


def test_bureau_asks_for_more_and_closes(notice, graded, officer_a, safety_officer, english):
    warning = warning_of(notice, graded.school_a)
    services.warning_acknowledge(actor=officer_a, warning=warning)
    services.warning_report(actor=officer_a, warning=warning, feedback="已管控")
    login(english, safety_officer)
    no_note = english.post(f"/risk/warnings/{warning.pk}/action/", {"action": "reopen"})
    assert no_note.status_code == 400
    more = english.post(
        f"/risk/warnings/{warning.pk}/action/", {"action": "reopen", "note": "请补充照片"}
    )
    assert more.status_code == 302
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.ACKNOWLEDGED
    services.warning_report(actor=officer_a, warning=warning, feedback="照片已补充")
    closed = english.post(f"/risk/warnings/{warning.pk}/action/", {"action": "close"})
    assert closed.status_code == 302
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.CLOSED


def test_api_acknowledge_and_report(notice, graded, officer_a, english):
    warning = warning_of(notice, graded.school_a)
    login(english, officer_a)
    early = english.post(
        f"/api/v1/risk-warnings/{warning.pk}/report/", {"feedback": "x"}, "application/json"
    )
    assert early.status_code == 400
    assert early.json()["code"] == "illegal_transition"
    ack = english.post(f"/api/v1/risk-warnings/{warning.pk}/acknowledge/")
    assert ack.status_code == 200
    assert ack.json()["status"] == SchoolWarningStatus.ACKNOWLEDGED
    blank = english.post(
        f"/api/v1/risk-warnings/{warning.pk}/report/", {"feedback": ""}, "application/json"
    )
    assert blank.status_code == 400
    assert blank.json() == {"detail": "Describe the measures taken.", "code": "feedback_required"}
    done = english.post(
        f"/api/v1/risk-warnings/{warning.pk}/report/", {"feedback": "已管控"}, "application/json"
    )
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["feedback"]) == ("reported", "已管控")


def test_api_notice_with_progress_for_the_bureau(notice, safety_officer, client):
    login(client, safety_officer)
    listing = client.get("/api/v1/risk-notices/").json()
    assert [row["id"] for row in listing["results"]] == [notice.pk]
    with time_machine.travel(ISSUE_AT, tick=False):
        detail = client.get(f"/api/v1/risk-notices/{notice.pk}/").json()
    assert detail["progress"] == {
        "schools": 2,
        "acknowledged": 0,
        "acknowledged_late": 0,
        "overdue_acknowledgement": 0,
        "reported": 0,
        "overdue_feedback": 0,
        "closed": 0,
    }
    warnings = client.get("/api/v1/risk-warnings/?level=red").json()
    assert [row["school"] for row in warnings["results"]] == ["XB-001"]


def test_notice_list_query_count(notice, safety_officer, client, django_assert_max_num_queries):
    login(client, safety_officer)
    with django_assert_max_num_queries(20):
        assert client.get("/risk/notices/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/risk/notices/{notice.pk}/").status_code == 200
