"""The risk register: matrix levels, review intervals, who keeps which register, the level
bands, the seasonal calendar's rules, school profiles, the pages and the API."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import login
from safecampus.accounts.services import api_token_create
from safecampus.audit.models import AuditEvent
from safecampus.risk.choices import WarningLevel
from safecampus.risk.errors import RiskConflict, RiskError, RiskForbidden
from safecampus.risk.models import (
    RiskItem,
    RiskLevelBand,
    RiskReview,
    SchoolRiskProfile,
    SeasonalRisk,
)
from safecampus.risk.services import calendar as calendar_services
from safecampus.risk.services import register as services

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _item(actor, school, **extra):
    values = {
        "category": "fire",
        "title": "食堂燃气管道老化",
        "likelihood": 3,
        "severity": 4,
        "owner_name": "李后勤",
        "control_measures": "每月检查燃气管道和报警装置",
        **extra,
    }
    return services.risk_item_create(actor=actor, school=school, **values)


def _token(user):
    return {"HTTP_AUTHORIZATION": f"Token {api_token_create(actor=None, user=user, name='t')}"}


# --- matrix and intervals -----------------------------------------------------------------


@pytest.mark.parametrize(
    "likelihood,severity,level",
    [
        (5, 5, WarningLevel.RED),
        (4, 5, WarningLevel.RED),  # 20: the red threshold
        (4, 4, WarningLevel.ORANGE),  # 16
        (3, 4, WarningLevel.ORANGE),  # 12: the orange threshold
        (5, 2, WarningLevel.YELLOW),  # 10
        (2, 3, WarningLevel.YELLOW),  # 6: the yellow threshold
        (1, 5, WarningLevel.BLUE),  # 5
        (1, 1, WarningLevel.BLUE),
    ],
)
def test_matrix_level_at_the_thresholds(likelihood, severity, level):
    assert services.matrix_level(likelihood, severity) == level


def test_review_intervals_fall_with_the_level():
    assert [services.review_interval_days(level) for level in WarningLevel.values] == [
        30,
        60,
        90,
        180,
    ]


# --- register writes ----------------------------------------------------------------------


def test_create_computes_level_and_review_due_in_china_time(district, officer_a):
    # 20:00 UTC on 31 March is already 1 April in Shanghai.
    with time_machine.travel(datetime(2026, 3, 31, 20, 0, tzinfo=ZoneInfo("UTC")), tick=False):
        item = _item(officer_a, district.school_a, likelihood=4, severity=5)
    assert (item.level, item.matrix_score, item.review_due) == ("red", 20, date(2026, 5, 1))
    assert item.created_by == officer_a
    event = AuditEvent.objects.get(action="risk.riskitem.created")
    assert (event.object_id, event.unit_id) == (str(item.pk), district.school_a.pk)


@pytest.mark.parametrize(
    "extra,code",
    [
        ({"likelihood": 6}, "bad_rating"),
        ({"severity": 0}, "bad_rating"),
        ({"likelihood": "3"}, "bad_rating"),
        ({"title": "  "}, "required"),
        ({"title": "x" * 201}, "too_long"),
        ({"owner_name": ""}, "required"),
        ({"control_measures": ""}, "required"),
        ({"category": "weather"}, "bad_category"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(district, officer_a, extra, code):
    with pytest.raises(RiskError) as refused:
        _item(officer_a, district.school_a, **extra)
    assert refused.value.code == code
    assert RiskItem.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="risk.").exists()


def test_a_school_keeps_only_its_own_register(district, officer_a, teacher_a, safety_officer):
    for actor, school in (
        (officer_a, district.school_b),
        (officer_a, None),
        (teacher_a, district.school_a),
    ):
        with pytest.raises(RiskForbidden):
            _item(actor, school)
    assert RiskItem.objects.count() == 0
    district_wide = _item(safety_officer, None)
    assert district_wide.school is None
    with pytest.raises(RiskError):
        _item(safety_officer, district.bureau)


def test_update_brings_a_review_forward_but_never_postpones_it(district, officer_a, officer_b):
    with time_machine.travel(datetime(2026, 5, 10, 9, tzinfo=SHANGHAI), tick=False):
        item = _item(officer_a, district.school_a, likelihood=1, severity=1)  # blue, 180 days
        assert item.review_due == date(2026, 11, 6)
        fields = {
            "category": "fire",
            "title": item.title,
            "owner_name": "李后勤",
            "control_measures": "x",
        }
        with pytest.raises(RiskForbidden):
            services.risk_item_update(
                actor=officer_b, item=item, likelihood=5, severity=5, **fields
            )
        item = services.risk_item_update(
            actor=officer_a, item=item, likelihood=5, severity=5, **fields
        )
        assert (item.level, item.review_due) == ("red", date(2026, 6, 9))
        item = services.risk_item_update(
            actor=officer_a, item=item, likelihood=1, severity=2, **fields
        )
        assert (item.level, item.review_due) == ("blue", date(2026, 6, 9))


def test_review_records_the_rating_and_the_next_due_date(district, principal_a):
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        item = _item(principal_a, district.school_a, likelihood=2, severity=3)  # yellow
    with time_machine.travel(datetime(2026, 4, 20, 23, 30, tzinfo=SHANGHAI), tick=False):
        review = services.risk_item_review(
            actor=principal_a, item=item, likelihood=4, severity=4, note="管道已部分更换"
        )
    item.refresh_from_db()
    assert (review.level, review.note, review.reviewed_by) == (
        "orange",
        "管道已部分更换",
        principal_a,
    )
    assert (item.likelihood, item.severity, item.level) == (4, 4, "orange")
    assert item.review_due == date(2026, 6, 19)
    assert item.last_reviewed_at == datetime(2026, 4, 20, 23, 30, tzinfo=SHANGHAI)
    with pytest.raises(RiskError):
        services.risk_item_review(actor=principal_a, item=item, likelihood=0, severity=4)
    assert RiskReview.objects.count() == 1


def test_retire_needs_a_reason_and_freezes_the_item(district, officer_a):
    item = _item(officer_a, district.school_a)
    with pytest.raises(RiskError):
        services.risk_item_retire(actor=officer_a, item=item, reason=" ")
    services.risk_item_retire(actor=officer_a, item=item, reason="燃气改电")
    item.refresh_from_db()
    assert item.is_active is False
    with pytest.raises(RiskConflict):
        services.risk_item_review(actor=officer_a, item=item, likelihood=1, severity=1)
    assert AuditEvent.objects.get(action="risk.riskitem.retired").changes == {"reason": "燃气改电"}


# --- bands --------------------------------------------------------------------------------


def _levels():
    return {b.level: (b.label, b.min_score, b.color) for b in RiskLevelBand.objects.all()}


@pytest.mark.parametrize(
    "changes,code",
    [
        ({"orange": {"label": "二级", "min_score": 60, "color": "#f46036"}}, "bad_order"),
        ({"yellow": {"label": "三级", "min_score": 40, "color": "#e9c46a"}}, "bad_order"),
        ({"blue": {"label": "四级", "min_score": 1, "color": "#2e86de"}}, "bad_order"),
        ({"red": {"label": "一级", "min_score": 70, "color": "red"}}, "bad_color"),
        ({"red": {"label": "", "min_score": 70, "color": "#d7263d"}}, "required"),
        ({"red": {"label": "一级", "min_score": -1, "color": "#d7263d"}}, "bad_score"),
        ({"purple": {"label": "x", "min_score": 1, "color": "#d7263d"}}, "bad_level"),
    ],
)
def test_bands_stay_strictly_ordered(safety_officer, changes, code):
    before = _levels()
    with pytest.raises(RiskError) as refused:
        calendar_services.level_bands_update(actor=safety_officer, changes=changes)
    assert refused.value.code == code
    assert _levels() == before


def test_the_safety_officer_moves_the_bands(safety_officer, bureau_leader, officer_a):
    for actor in (bureau_leader, officer_a):
        with pytest.raises(RiskForbidden):
            calendar_services.level_band_update(
                actor=actor, level="red", label="一级", min_score=70, color="#d7263d"
            )
    band = calendar_services.level_band_update(
        actor=safety_officer, level="red", label="一级预警", min_score=70, color="#AA0000"
    )
    assert (band.label, band.min_score, band.color) == ("一级预警", 70, "#aa0000")
    moved = calendar_services.level_bands_update(
        actor=safety_officer,
        changes={
            "orange": {"label": "二级", "min_score": 50, "color": "#f46036"},
            "yellow": {"label": "三级", "min_score": 36, "color": "#e9c46a"},
        },
    )
    assert [b.min_score for b in moved] == [70, 50, 36, 0]
    assert AuditEvent.objects.filter(action="risk.risklevelband.updated").count() == 3


# --- seasonal calendar --------------------------------------------------------------------


def _seasonal(actor, **extra):
    values = {
        "title": "测试风险",
        "category": "drowning",
        "months": [7, 6, 7],
        "measures": "落实巡查",
        "school_kinds": ["junior", "primary"],
        "points": 6,
        **extra,
    }
    return calendar_services.seasonal_risk_create(actor=actor, **values)


@pytest.mark.parametrize(
    "extra,code",
    [
        ({"months": []}, "bad_months"),
        ({"months": [13]}, "bad_months"),
        ({"months": [0, 5]}, "bad_months"),
        ({"school_kinds": ["university"]}, "bad_kind"),
        ({"points": 41}, "bad_points"),
        ({"measures": ""}, "required"),
    ],
)
def test_seasonal_risk_input_is_checked(safety_officer, extra, code):
    before = SeasonalRisk.objects.count()
    with pytest.raises(RiskError) as refused:
        _seasonal(safety_officer, **extra)
    assert refused.value.code == code
    assert SeasonalRisk.objects.count() == before


def test_seasonal_risk_create_update_deactivate(safety_officer, officer_a):
    with pytest.raises(RiskForbidden):
        _seasonal(officer_a)
    risk = _seasonal(safety_officer)
    assert (risk.months, risk.school_kinds, risk.points) == ([6, 7], ["primary", "junior"], 6)
    risk = calendar_services.seasonal_risk_update(
        actor=safety_officer,
        risk=risk,
        title="测试风险",
        category="drowning",
        months=[8],
        measures="落实巡查",
        near_water_only=True,
        points=40,
    )
    assert (risk.months, risk.school_kinds, risk.near_water_only) == ([8], [], True)
    calendar_services.seasonal_risk_set_active(actor=safety_officer, risk=risk, active=False)
    risk.refresh_from_db()
    assert risk.is_active is False
    assert AuditEvent.objects.filter(object_id=str(risk.pk)).count() == 3


# --- profiles -----------------------------------------------------------------------------


def test_profile_by_the_school_or_the_bureau(district, officer_a, officer_b, teacher_a, inspector):
    for actor in (officer_b, teacher_a):
        with pytest.raises(RiskForbidden):
            calendar_services.risk_profile_update(
                actor=actor,
                school=district.school_a,
                near_water=True,
                near_main_road=False,
                flood_prone=False,
            )
    assert not SchoolRiskProfile.objects.exists()
    calendar_services.risk_profile_update(
        actor=officer_a,
        school=district.school_a,
        near_water=True,
        near_main_road=False,
        flood_prone=True,
        notes="南侧临河",
    )
    calendar_services.risk_profile_update(
        actor=inspector,
        school=district.school_a,
        near_water=True,
        near_main_road=True,
        flood_prone=True,
        notes="南侧临河",
    )
    profile = SchoolRiskProfile.objects.get(school=district.school_a)
    assert (profile.near_water, profile.near_main_road, profile.flood_prone) == (True, True, True)
    changes = AuditEvent.objects.filter(action="risk.schoolriskprofile.updated").order_by("pk")
    assert [e.changes for e in changes][1] == {"near_main_road": True}


# --- scope, pages -------------------------------------------------------------------------


def test_another_school_cannot_see_a_schools_risk(
    client, district, officer_a, officer_b, safety_officer
):
    mine = _item(officer_a, district.school_a, title="A 校风险")
    shared = _item(safety_officer, None, title="全区风险")
    login(client, officer_b)
    assert client.get(f"/risk/register/{mine.pk}/").status_code == 404
    assert client.get(f"/risk/register/{shared.pk}/").status_code == 200
    assert client.post(f"/risk/register/{mine.pk}/retire/", {"reason": "x"}).status_code == 404
    page = client.get("/risk/register/").content.decode()
    assert "全区风险" in page and "A 校风险" not in page
    assert client.get(f"/risk/schools/{district.school_a.pk}/profile/").status_code == 404
    mine.refresh_from_db()
    assert mine.is_active is True


@pytest.mark.parametrize(
    "persona,status",
    [
        ("safety_officer", [200, 200, 200, 200, 200, 200]),
        ("bureau_leader", [200, 403, 200, 200, 200, 200]),
        ("officer_a", [200, 200, 200, 403, 200, 200]),
        ("teacher_a", [200, 403, 200, 403, 200, 200]),
    ],
)
def test_pages_per_role(client, district, officer_a, request, persona, status):
    item = _item(officer_a, district.school_a)
    login(client, request.getfixturevalue(persona))
    urls = [
        "/risk/register/",
        "/risk/register/new/",
        f"/risk/register/{item.pk}/",
        "/risk/levels/",
        "/risk/calendar/",
        f"/risk/schools/{district.school_a.pk}/profile/",
    ]
    assert [client.get(url).status_code for url in urls] == status


def test_list_filters_and_matrix(client, district, officer_a, safety_officer):
    _item(officer_a, district.school_a, likelihood=5, severity=5, title="红色风险")
    _item(officer_a, district.school_a, likelihood=1, severity=1, title="蓝色风险")
    login(client, safety_officer)
    response = client.get("/risk/register/", {"level": "red", "school": district.school_a.code})
    assert response.status_code == 200
    page = response.content.decode()
    assert "红色风险" in page and "蓝色风险" not in page
    cells = {
        (c["likelihood"], c["severity"]): c["count"] for r in response.context["matrix"] for c in r
    }
    assert cells[(5, 5)] == 1 and sum(cells.values()) == 1
    partial = client.get("/risk/register/", {"overdue": "on"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<html" not in partial.content.decode()


def test_enter_review_and_retire_through_the_pages(client, district, officer_a):
    client.cookies["django_language"] = "en"
    login(client, officer_a)
    data = {
        "school": district.school_a.code,
        "category": "drowning",
        "title": "南门外河道",
        "likelihood": "4",
        "severity": "5",
        "owner_name": "李专人",
        "control_measures": "设置护栏",
    }
    refused = client.post("/risk/register/new/", {**data, "owner_name": ""})
    assert refused.status_code == 400 and RiskItem.objects.count() == 0
    other = client.post("/risk/register/new/", {**data, "school": district.school_b.code})
    assert other.status_code == 400 and RiskItem.objects.count() == 0
    created = client.post("/risk/register/new/", data)
    item = RiskItem.objects.get()
    assert created["Location"] == f"/risk/register/{item.pk}/"
    assert (item.school, item.level) == (district.school_a, "red")
    reviewed = client.post(
        f"/risk/register/{item.pk}/review/", {"likelihood": "2", "severity": "2", "note": "已整改"}
    )
    assert reviewed.status_code == 302
    item.refresh_from_db()
    assert item.level == "blue"
    bad = client.post(f"/risk/register/{item.pk}/retire/", {"reason": ""})
    assert bad.status_code == 400
    assert client.post(f"/risk/register/{item.pk}/retire/", {"reason": "已封闭"}).status_code == 302
    again = client.post(f"/risk/register/{item.pk}/retire/", {"reason": "again"})
    assert again.status_code == 409
    assert "retired" in again.content.decode()


def test_level_page_refuses_disorder_and_non_officers(client, safety_officer, bureau_leader):
    client.cookies["django_language"] = "en"
    form = {}
    for level, label, least, color in (
        ("red", "一级", 60, "#d7263d"),
        ("orange", "二级", 60, "#f46036"),
        ("yellow", "三级", 15, "#e9c46a"),
        ("blue", "四级", 0, "#2e86de"),
    ):
        form |= {f"{level}-label": label, f"{level}-min_score": least, f"{level}-color": color}
    before = _levels()
    login(client, safety_officer)
    refused = client.post("/risk/levels/", form)
    assert refused.status_code == 400
    assert "strictly" in refused.content.decode()
    login(client, bureau_leader)
    assert client.post("/risk/levels/", {**form, "orange-min_score": 40}).status_code == 403
    assert _levels() == before
    login(client, safety_officer)
    assert client.post("/risk/levels/", {**form, "orange-min_score": 40}).status_code == 302
    assert _levels()["orange"] == ("二级", 40, "#f46036")


def test_calendar_pages(client, safety_officer):
    login(client, safety_officer)
    data = {
        "title": "开学季电梯安全",
        "category": "campus_security",
        "months": ["2", "9"],
        "measures": "检查电梯维保记录",
        "points": "3",
    }
    assert client.post("/risk/calendar/new/", {**data, "months": []}).status_code == 400
    assert client.post("/risk/calendar/new/", {**data, "points": "99"}).status_code == 400
    assert client.post("/risk/calendar/new/", data).status_code == 302
    risk = SeasonalRisk.objects.get(title="开学季电梯安全")
    assert client.get(f"/risk/calendar/{risk.pk}/edit/").status_code == 200
    assert client.post(f"/risk/calendar/{risk.pk}/active/", {"active": "0"}).status_code == 302
    risk.refresh_from_db()
    assert risk.is_active is False
    assert "开学季电梯安全" in client.get("/risk/calendar/").content.decode()


def test_profile_page(client, district, officer_a, teacher_a):
    url = f"/risk/schools/{district.school_a.pk}/profile/"
    login(client, teacher_a)
    assert client.post(url, {"near_water": "on"}).status_code == 403
    assert not SchoolRiskProfile.objects.exists()
    login(client, officer_a)
    assert client.post(url, {"near_water": "on", "notes": "临河"}).status_code == 302
    assert SchoolRiskProfile.objects.get().near_water is True


# --- API ----------------------------------------------------------------------------------


def test_api_scope_and_create(client, district, officer_a, officer_b, teacher_a, safety_officer):
    client.cookies["django_language"] = "en"
    mine = _item(officer_a, district.school_a)
    shared = _item(safety_officer, None, title="全区")
    listed = client.get("/api/v1/risk-items/", **_token(officer_b)).json()
    assert [row["id"] for row in listed["results"]] == [shared.pk]
    assert client.get(f"/api/v1/risk-items/{mine.pk}/", **_token(officer_b)).status_code == 404
    detail = client.get(f"/api/v1/risk-items/{mine.pk}/", **_token(officer_a)).json()
    assert (detail["school"], detail["level"], detail["matrix_score"]) == ("XB-001", "orange", 12)
    body = {
        "school": "XB-001",
        "category": "food",
        "title": "食堂留样不规范",
        "likelihood": 2,
        "severity": 4,
        "owner_name": "王主任",
        "control_measures": "专人留样",
    }
    created = client.post(
        "/api/v1/risk-items/", body, content_type="application/json", **_token(officer_a)
    )
    assert created.status_code == 201 and created.json()["level"] == "yellow"
    bad = client.post(
        "/api/v1/risk-items/",
        {**body, "likelihood": 9},
        content_type="application/json",
        **_token(officer_a),
    )
    assert bad.status_code == 400 and "detail" in bad.json()
    other = client.post(
        "/api/v1/risk-items/",
        {**body, "school": "XB-002"},
        content_type="application/json",
        **_token(officer_a),
    )
    assert (other.status_code, other.json()["code"]) == (400, "bad_school")
    teacher = client.post(
        "/api/v1/risk-items/", body, content_type="application/json", **_token(teacher_a)
    )
    assert teacher.status_code == 403
    assert RiskItem.objects.count() == 3


def test_api_levels_and_seasonal(client, officer_a):
    levels = client.get("/api/v1/risk-levels/", **_token(officer_a)).json()
    assert [(row["level"], row["min_score"]) for row in levels] == [
        ("red", 60),
        ("orange", 35),
        ("yellow", 15),
        ("blue", 0),
    ]
    july = client.get("/api/v1/seasonal-risks/", {"month": 7}, **_token(officer_a)).json()
    assert "防溺水安全" in {row["title"] for row in july}
    assert all(7 in row["months"] for row in july)
    bad = client.get("/api/v1/seasonal-risks/", {"month": 13}, **_token(officer_a))
    assert bad.status_code == 400
