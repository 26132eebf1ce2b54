"""The hazard register and rectification pages, the Excel ledger and the API: exact text,
the scope matrix (another school sees none of it), bad input refused with nothing stored."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from openpyxl import load_workbook

from conftest import login
from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    HazardStatus,
    RectificationStatus,
)
from safecampus.inspections.models import Hazard, Rectification
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.rectification import rectification_issue

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 10, 9, 30, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def _hazard(actor, school, description="消防通道堆放杂物", level=HazardLevel.GENERAL):
    return hazard_register(
        actor=actor,
        school=school,
        category=HazardCategory.FIRE,
        level=level,
        description=description,
        place="教学楼一楼",
    )


@pytest.fixture
def school_a_notice(district, inspector):
    with time_machine.travel(NOW, tick=False):
        hazard = _hazard(inspector, district.school_a)
        notice = rectification_issue(actor=inspector, hazards=[hazard])
    return hazard, notice


def _text(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_register_lists_filters_and_counts(client, district, inspector, school_a_notice):
    _hazard(inspector, district.school_b, "围墙破损", HazardLevel.MAJOR)
    login(client, inspector)
    page = client.get("/inspections/hazards/")
    assert page.status_code == 200
    html = _text(page)
    assert "消防通道堆放杂物" in html and "围墙破损" in html
    assert "2 hazards" in html
    assert '<div class="kpi-value" data-testid="kpi-major">1</div>' in html
    assert '<div class="kpi-value" data-testid="kpi-general">1</div>' in html
    assert school_a_notice[1].reference in html
    filtered = _text(client.get("/inspections/hazards/", {"level": "major"}))
    assert "围墙破损" in filtered and "消防通道堆放杂物" not in filtered
    by_school = _text(client.get("/inspections/hazards/", {"school": "XB-001"}))
    assert "1 hazard<" in by_school and "围墙破损" not in by_school


@pytest.mark.django_db
def test_overdue_filter_and_badge(client, district, inspector, school_a_notice):
    _hazard(inspector, district.school_a, "灭火器过期")
    login(client, inspector)
    with time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=TZ), tick=False):
        html = _text(client.get("/inspections/hazards/", {"overdue": "on"}))
        tabs = _text(client.get("/inspections/rectifications/", {"state": "overdue"}))
    assert "1 hazard<" in html and "消防通道堆放杂物" in html and "灭火器过期" not in html
    assert '<span class="badge text-bg-danger">Overdue</span>' in html
    assert '<span class="badge text-bg-danger" data-testid="count-overdue">1</span>' in tabs
    assert school_a_notice[1].reference in tabs


@pytest.mark.django_db
def test_school_reports_a_hazard_in_its_own_school(client, district, teacher_a):
    login(client, teacher_a)
    form = client.get("/inspections/hazards/new/")
    assert form.status_code == 200
    response = client.post(
        "/inspections/hazards/new/",
        {
            "school": "XB-001",
            "category": HazardCategory.BUILDING,
            "level": HazardLevel.SERIOUS,
            "place": "操场",
            "description": "篮球架底座松动",
            "photos": SimpleUploadedFile("a.txt", b"base is loose\n", "text/plain"),
        },
    )
    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/hazards/{hazard.pk}/"
    assert (hazard.school, hazard.found_by, hazard.source) == (
        district.school_a,
        teacher_a,
        "school_report",
    )
    # Another school is not even a choice.
    refused = client.post(
        "/inspections/hazards/new/",
        {"school": "XB-002", "category": "fire", "level": "general", "description": "x"},
    )
    assert refused.status_code == 400
    assert "Select a valid choice. XB-002 is not one of the available choices." in _text(refused)
    assert Hazard.objects.count() == 1


@pytest.mark.django_db
def test_major_hazard_page_shows_the_red_banner(client, district, inspector, principal_a):
    hazard = _hazard(inspector, district.school_a, "配电房门锁损坏", HazardLevel.MAJOR)
    login(client, principal_a)
    html = _text(client.get(f"/inspections/hazards/{hazard.pk}/"))
    assert "Major hazard: no interim control measure and person responsible are named yet." in html
    response = client.post(
        f"/inspections/hazards/{hazard.pk}/interim/",
        {"measure": "设置警戒线", "responsible": "张校长"},
    )
    assert response.status_code == 302
    html = _text(client.get(f"/inspections/hazards/{hazard.pk}/"))
    assert "no interim control measure" not in html
    assert "设置警戒线" in html


@pytest.mark.django_db
def test_issue_from_the_register_and_a_past_date_is_refused(client, district, inspector):
    first = _hazard(inspector, district.school_a)
    login(client, inspector)
    with time_machine.travel(NOW, tick=False):
        refused = client.post(
            "/inspections/hazards/issue/", {"hazards": [first.pk], "due_on": "2026-03-09"}
        )
        assert refused.status_code == 302
        page = _text(client.get(refused["Location"]))
        assert "The deadline cannot be in the past." in page
        assert Rectification.objects.count() == 0
        done = client.post(
            "/inspections/hazards/issue/", {"hazards": [first.pk], "due_on": "2026-03-20"}
        )
    notice = Rectification.objects.get()
    assert done["Location"] == f"/inspections/rectifications/{notice.pk}/"
    assert notice.due_at == datetime(2026, 3, 20, 23, 59, 59, 999999, tzinfo=TZ)


@pytest.mark.django_db
def test_notice_page_submit_and_verify(client, district, inspector, officer_a, school_a_notice):
    hazard, notice = school_a_notice
    login(client, officer_a)
    html = _text(client.get(f"/inspections/rectifications/{notice.pk}/"))
    assert "Report the rectification" in html and "Verification" not in html
    missing = client.post(
        f"/inspections/rectifications/{notice.pk}/submit/", {f"measures_{hazard.pk}": "清理"}
    )
    assert missing.status_code == 400
    assert "Upload at least one photo or document as evidence for “消防通道堆放杂物”." in _text(
        missing
    )
    done = client.post(
        f"/inspections/rectifications/{notice.pk}/submit/",
        {
            f"measures_{hazard.pk}": "清理杂物",
            f"evidence_{hazard.pk}": SimpleUploadedFile("b.txt", b"cleared\n", "text/plain"),
            "overall": "已整改",
        },
    )
    assert done.status_code == 302
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.SUBMITTED
    own = _text(client.get(f"/inspections/rectifications/{notice.pk}/"))
    assert "You submitted this rectification; someone else verifies it." in own
    login(client, inspector)
    assert 'id="verify"' in _text(client.get(f"/inspections/rectifications/{notice.pk}/"))
    no_reason = client.post(
        f"/inspections/rectifications/{notice.pk}/verify/", {"action": "return", "note": ""}
    )
    assert no_reason.status_code == 400
    assert "Give the reason for returning it." in _text(no_reason)
    client.post(f"/inspections/rectifications/{notice.pk}/verify/", {"action": "accept"})
    notice.refresh_from_db()
    hazard.refresh_from_db()
    assert (notice.status, hazard.status) == (RectificationStatus.VERIFIED, HazardStatus.CLOSED)


@pytest.mark.django_db
def test_scope_matrix(
    client, district, inspector, officer_b, police_liaison, auditor, school_a_notice
):
    hazard, notice = school_a_notice
    login(client, officer_b)
    for url in (
        f"/inspections/hazards/{hazard.pk}/",
        f"/inspections/rectifications/{notice.pk}/",
        f"/inspections/rectifications/{notice.pk}/notice.pdf",
        f"/api/v1/hazards/{hazard.pk}/",
        f"/api/v1/rectifications/{notice.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        f"/inspections/rectifications/{notice.pk}/submit/",
        f"/api/v1/rectifications/{notice.pk}/submit/",
    ):
        assert client.post(url, {f"measures_{hazard.pk}": "x", "measures": "{}"}).status_code == 404
    assert "消防通道堆放杂物" not in _text(client.get("/inspections/hazards/"))
    assert notice.reference not in _text(client.get("/inspections/rectifications/"))
    assert client.get("/api/v1/hazards/").json()["results"] == []
    assert client.get("/api/v1/rectifications/").json()["results"] == []
    sheet = load_workbook(io.BytesIO(b"".join(client.get("/inspections/hazards/export.xlsx"))))
    assert sheet.active.max_row == 3  # title, subtitle, header: no rows
    for person in (police_liaison, auditor):
        login(client, person)
        for url in (
            "/inspections/hazards/",
            f"/inspections/hazards/{hazard.pk}/",
            f"/inspections/rectifications/{notice.pk}/",
            "/api/v1/hazards/",
        ):
            assert client.get(url).status_code == 403, (person, url)
    notice.refresh_from_db()
    assert notice.status == RectificationStatus.ISSUED


@pytest.mark.django_db
def test_excel_ledger(client, district, inspector, school_a_notice):
    _hazard(inspector, district.school_b, '=HYPERLINK("http://evil")', HazardLevel.SERIOUS)
    login(client, inspector)
    response = client.get("/inspections/hazards/export.xlsx", {"level": "serious"})
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:8] == (
        "No.",
        "Found at",
        "School",
        "Place",
        "Category",
        "Level",
        "Description",
        "Source",
    )
    assert len(rows) == 4
    assert rows[3][2] == "新北区河海中学"
    cell = sheet.cell(row=4, column=7)
    assert cell.value == '=HYPERLINK("http://evil")'
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    everything = load_workbook(
        io.BytesIO(b"".join(client.get("/inspections/hazards/export.xlsx").streaming_content))
    ).active
    assert everything.max_row == 5
    assert [c.value for c in everything[5]][11] == school_a_notice[1].reference


@pytest.mark.django_db
def test_api_loop(client, district, inspector, officer_a, school_a_notice):
    hazard, notice = school_a_notice
    login(client, officer_a)
    listed = client.get("/api/v1/hazards/").json()
    assert [row["id"] for row in listed["results"]] == [hazard.pk]
    created = client.post(
        "/api/v1/hazards/",
        {"school": "XB-001", "category": "gate", "level": "general", "description": "门禁故障"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert created.json()["source"] == "school_report"
    refused = client.post(
        f"/api/v1/rectifications/{notice.pk}/submit/",
        {"measures": {str(hazard.pk): "清理"}},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "evidence_required"
    done = client.post(
        f"/api/v1/rectifications/{notice.pk}/submit/",
        {
            "measures": f'{{"{hazard.pk}": "清理"}}',
            f"evidence_{hazard.pk}": SimpleUploadedFile("c.txt", b"done\n", "text/plain"),
        },
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "submitted"
    assert client.post(f"/api/v1/rectifications/{notice.pk}/verify/").status_code == 403
    login(client, inspector)
    no_reason = client.post(
        f"/api/v1/rectifications/{notice.pk}/return/", {}, content_type="application/json"
    )
    assert no_reason.status_code == 400
    returned = client.post(
        f"/api/v1/rectifications/{notice.pk}/return/",
        {"reason": "照片不清晰"},
        content_type="application/json",
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["returns"] == 1
    schema = client.get("/api/v1/schema/").json()
    assert "/api/v1/rectifications/{rectification_id}/submit/" in schema["paths"]


@pytest.mark.django_db
def test_cards_follow_every_write(client, district, inspector, officer_a, school_a_notice):
    login(client, officer_a)
    marker = '<div class="kpi-value" data-testid="kpi-serious">{}</div>'
    assert marker.format(0) in _text(client.get("/inspections/hazards/"))
    _hazard(inspector, district.school_a, "楼梯扶手松动", HazardLevel.SERIOUS)
    assert marker.format(1) in _text(client.get("/inspections/hazards/"))


@pytest.mark.django_db
def test_each_side_sees_its_own_notice_counts(
    district, inspector, officer_a, officer_b, safety_officer, school_a_notice
):
    from safecampus.inspections.selectors.hazards import rectification_counts
    from safecampus.inspections.services.rectification import rectification_cancel

    with time_machine.travel(NOW, tick=False):
        other = rectification_issue(
            actor=inspector, hazards=[_hazard(inspector, district.school_b, "围墙破损")]
        )
        rectification_cancel(actor=safety_officer, notice=other, reason="错发")
    with time_machine.travel(datetime(2026, 3, 25, 9, 0, tzinfo=TZ), tick=False):
        assert rectification_counts(user=officer_a) == {"open": 1, "overdue": 1, "closed": 0}
        assert rectification_counts(user=officer_b) == {"open": 0, "overdue": 0, "closed": 1}
        assert rectification_counts(user=inspector) == {"open": 1, "overdue": 1, "closed": 1}


@pytest.mark.django_db
def test_register_queries_do_not_grow_with_rows(
    client, district, inspector, django_assert_max_num_queries
):
    with time_machine.travel(NOW, tick=False):
        for n in range(12):
            notice_hazard = _hazard(inspector, district.school_a, f"隐患{n}")
            rectification_issue(actor=inspector, hazards=[notice_hazard])
    login(client, inspector)
    client.get("/inspections/hazards/")  # the cards and the school choices are cached
    with django_assert_max_num_queries(9):
        html = _text(client.get("/inspections/hazards/"))
    assert "12 hazards" in html


def _cold_queries(client, path: str) -> tuple[int, str]:
    """The queries of one register request with every cache emptied first (as the cold rows
    of bench-inspections), counted by a wrapper round the connection: the test client's
    request_started resets the list CaptureQueriesContext reads."""
    cache.clear()
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(path)
    assert response.status_code == 200
    return len(seen), _text(response)


@pytest.mark.django_db
def test_register_cold_queries_do_not_grow_with_rows(client, district, inspector):
    """Cards, filters, the page and each row's school and notice: the same number of queries
    for one hazard as for thirty (of two schools, with notices or without, overdue)."""
    paths = (
        "/inspections/hazards/",
        "/inspections/hazards/?school=XB-001&status=rectifying",
        "/inspections/hazards/?overdue=on&level=general",
    )
    with time_machine.travel(NOW, tick=False):
        rectification_issue(actor=inspector, hazards=[_hazard(inspector, district.school_a)])
    login(client, inspector)
    for path in paths:  # what a process reads once (content types, the session's first save)
        _cold_queries(client, path)
    few = {path: _cold_queries(client, path)[0] for path in paths}
    with time_machine.travel(NOW, tick=False):
        for n in range(29):
            school = district.school_a if n % 2 else district.school_b
            hazard = _hazard(inspector, school, f"隐患{n}")
            if n % 3:
                rectification_issue(actor=inspector, hazards=[hazard])
    many = {path: _cold_queries(client, path) for path in paths}
    assert {path: n for path, (n, _html) in many.items()} == few
    assert "30 hazards" in many[paths[0]][1]
    assert "隐患28" in many[paths[0]][1] and "Overdue</span>" in many[paths[2]][1]
