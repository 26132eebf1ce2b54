"""The grade pages and the grades API: the bureau's list with the heat map data, a school
sent to its own page, another school's page a 404, computing and adjusting through HTTP."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from conftest import login
from safecampus.organizations.models import Unit
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import RiskGrade, SeasonalRisk
from safecampus.risk.tests.test_grading import GRADED_AT

APRIL = date(2026, 4, 1)
MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def graded(district):
    SeasonalRisk.objects.all().delete()
    Unit.objects.filter(pk=district.school_a.pk).update(
        latitude=Decimal("31.81"), longitude=Decimal("119.97")
    )
    Unit.objects.filter(pk=district.school_b.pk).update(
        latitude=Decimal("31.83"), longitude=Decimal("119.99")
    )

    def grade(school, month, level, score, factors):
        return RiskGrade.objects.create(
            school=school,
            month=month,
            score=score,
            computed_level=level,
            level=level,
            factors=factors,
            computed_at=GRADED_AT,
        )

    grade(
        district.school_a, MARCH, "blue", 4, [{"code": "hazard_general", "value": 2, "points": 4}]
    )
    grade(
        district.school_a,
        APRIL,
        "orange",
        48,
        [
            {"code": "hazard_major", "value": 2, "points": 40},
            {"code": "leads_violent", "value": 1, "points": 8},
        ],
    )
    grade(district.school_b, APRIL, "blue", 0, [])


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_bureau_list_has_counts_map_and_table(en, safety_officer, district):
    response = login(en, safety_officer).get("/risk/")
    assert response.status_code == 200
    assert [(band["level"], n) for band, n in response.context["counts"]] == [
        ("red", 0),
        ("orange", 1),
        ("yellow", 0),
        ("blue", 1),
    ]
    rows = list(response.context["page"])
    assert [r.school_code for r in rows] == ["XB-001", "XB-002"]
    a = rows[0]
    assert (a.previous_level, a.score_change, a.level_change) == ("blue", 44, 2)
    data = json.loads(response.context["map_data"] and json.dumps(response.context["map_data"]))
    assert [(m["name"], m["level"], m["score"]) for m in data["markers"]] == [
        ("新北区实验小学", "orange", 48),
        ("新北区河海中学", "blue", 0),
    ]
    html = response.content.decode()
    assert 'data-risk-map="risk-map-data"' in html
    assert "data-map=" not in html
    assert 'id="risk-map-data"' in html


def test_list_filters_and_orders_by_change(en, safety_officer):
    client = login(en, safety_officer)
    response = client.get("/risk/", {"month": "2026-04", "level": "blue"})
    assert [r.school_code for r in response.context["page"]] == ["XB-002"]
    response = client.get("/risk/", {"month": "2026-04", "order": "-change"})
    assert [r.school_code for r in response.context["page"]] == ["XB-002", "XB-001"]
    response = client.get(
        "/risk/", {"month": "2026-04"}, headers={"HX-Request": "true", "HX-Target": "grade-table"}
    )
    assert response.templates[0].name == "risk/grades/partials/_grade_table.html"
    assert client.get("/risk/", {"month": "garbage"}).status_code == 200


def test_school_people_go_to_their_own_page(en, officer_a, district):
    response = login(en, officer_a).get("/risk/")
    assert response.status_code == 302
    assert response["Location"] == f"/risk/schools/{district.school_a.pk}/"


def test_school_page_explains_the_grade(en, officer_a, district):
    response = login(en, officer_a).get(f"/risk/schools/{district.school_a.pk}/")
    assert response.status_code == 200
    assert response.context["month"] == APRIL
    assert [
        (f["code"], f["label"], f["value"], f["points"]) for f in response.context["factors"]
    ] == [
        ("hazard_major", "Open major hazards", 2, 40),
        ("leads_violent", "Leads of gangs, lawless persons, bullying or violence", 1, 8),
    ]
    assert response.context["may_adjust"] is False
    chart = response.context["chart"]
    assert chart["series"][0]["data"][-2:] == [4, 48]
    assert chart["series"][0]["data"][:10] == [None] * 10


def test_another_school_is_a_404(en, officer_b, district):
    client = login(en, officer_b)
    assert client.get(f"/risk/schools/{district.school_a.pk}/").status_code == 404
    assert client.get("/api/v1/risk-grades/XB-001/2026-04/").status_code == 404
    listed = client.get("/api/v1/risk-grades/", {"month": "2026-04"}).json()
    assert [g["school"] for g in listed["results"]] == ["XB-002"]


def test_auditor_and_outsider_see_nothing(client, auditor):
    assert login(client, auditor).get("/risk/").status_code == 403


def test_compute_now(en, safety_officer, officer_a):
    client = login(en, safety_officer)
    with time_machine.travel(GRADED_AT, tick=False):
        response = client.post("/risk/grades/compute/", {"month": "2026-04"})
    assert response.status_code == 302
    assert response["Location"] == "/risk/?month=2026-04"
    assert RiskGrade.objects.get(school__code="XB-001", month=APRIL).score == 0
    assert (
        login(en, officer_a).post("/risk/grades/compute/", {"month": "2026-04"}).status_code == 403
    )


def test_adjust_through_the_page(en, principal_a, safety_officer, district):
    url = f"/risk/schools/{district.school_a.pk}/2026-04/adjust/"
    client = login(en, principal_a)
    response = client.post(url, {"level": "blue", "reason": "整改完毕"})
    assert response.status_code == 403
    assert "A school cannot lower its own grade." in response.content.decode()
    assert RiskGrade.objects.get(school=district.school_a, month=APRIL).level == "orange"
    assert client.post(url, {"level": "red", "reason": ""}).status_code == 400
    assert client.post(url, {"level": "red", "reason": "周边施工"}).status_code == 302
    assert RiskGrade.objects.get(school=district.school_a, month=APRIL).level == "red"
    page = client.get(f"/risk/schools/{district.school_a.pk}/")
    assert [(h["old"], h["new"], h["reason"]) for h in page.context["history"]] == [
        ("orange", "red", "周边施工")
    ]
    bureau = login(en, safety_officer)
    assert bureau.post(url + "clear/").status_code == 302
    assert RiskGrade.objects.get(school=district.school_a, month=APRIL).level == "orange"


def test_api_list_detail_compute_adjust(client, safety_officer, principal_a, district):
    api = login(client, safety_officer)
    listed = api.get("/api/v1/risk-grades/").json()
    assert listed["month"] == "2026-04"
    assert [(g["school"], g["level"], g["score"]) for g in listed["results"]] == [
        ("XB-001", "orange", 48),
        ("XB-002", "blue", 0),
    ]
    assert api.get("/api/v1/risk-grades/", {"month": "April"}).status_code == 400
    detail = api.get("/api/v1/risk-grades/XB-001/2026-04/").json()
    assert [(f["code"], f["value"], f["points"]) for f in detail["factors"]] == [
        ("hazard_major", "2", 40),
        ("leads_violent", "1", 8),
    ]
    response = api.post(
        "/api/v1/risk-grades/XB-001/2026-04/adjust/",
        {"level": "yellow", "reason": ""},
        content_type="application/json",
    )
    assert response.status_code == 400
    response = api.post(
        "/api/v1/risk-grades/XB-001/2026-04/adjust/",
        {"level": "yellow", "reason": "已整改"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["level"], response.json()["adjusted"]) == (
        200,
        WarningLevel.YELLOW,
        True,
    )
    with time_machine.travel(GRADED_AT, tick=False):
        run = api.post(
            "/api/v1/risk-grades/compute/", {"month": "2026-04"}, content_type="application/json"
        )
    assert run.json() == {
        "month": "2026-04",
        "schools": 2,
        "by_level": {"red": 0, "orange": 0, "yellow": 1, "blue": 1},
    }
    assert RiskGrade.objects.get(school=district.school_a, month=APRIL).level == "yellow"
    school = login(client, principal_a)
    response = school.post(
        "/api/v1/risk-grades/XB-001/2026-04/adjust/",
        {"level": "blue", "reason": "x"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"]
    assert (
        school.post(
            "/api/v1/risk-grades/compute/", {"month": "2026-04"}, content_type="application/json"
        ).status_code
        == 403
    )
