from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from conftest import login
from safecampus.accounts.models import ApiToken, User
from safecampus.organizations.models import Membership, School, Unit


@pytest.mark.django_db
def test_responsibility_lists_units_without_a_designated_person_first(
    client, safety_officer, officer_a, district
):
    login(client, safety_officer)
    page = client.get("/organizations/responsibility/", {"kind": "school"})
    rows = page.context["rows"]
    assert [r.unit.code for r in rows] == ["XB-002", "XB-001"]  # XB-002 has named nobody
    assert rows[0].missing_designated and not rows[1].missing_designated
    assert page.context["missing"] == 1
    html = page.content.decode()
    assert "139****9001" in html and "13900139001" not in html  # masked until revealed


@pytest.mark.django_db
def test_responsibility_fragment_for_htmx(client, safety_officer, district):
    login(client, safety_officer)
    page = client.get("/organizations/responsibility/", HTTP_HX_REQUEST="true")
    assert page.templates[0].name == "organizations/partials/_responsibility_table.html"


@pytest.mark.django_db
def test_school_list_is_scoped_and_filters(
    client, officer_a, safety_officer, district, django_assert_max_num_queries
):
    login(client, officer_a)
    page = client.get("/organizations/schools/")
    assert [s.unit.code for s in page.context["page"]] == ["XB-001"]
    login(client, safety_officer)
    page = client.get("/organizations/schools/", {"school_kind": "junior"})
    assert [s.unit.code for s in page.context["page"]] == ["XB-002"]
    with django_assert_max_num_queries(12):
        client.get("/organizations/schools/")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", "--schools", "12", stdout=out)
    assert "safety" in out.getvalue() and "Demo-2026-safe" in out.getvalue()
    counts = (
        Unit.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert counts[1] == 12
    call_command("seed_demo", "--schools", "12", stdout=StringIO())
    assert counts == (
        Unit.objects.count(),
        School.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    assert Unit.objects.filter(is_safety_section=True).count() == 1
    assert School.objects.filter(police_station__isnull=True).count() == 0
    # Every role has a demo login.
    from safecampus.organizations.choices import Role

    demo_roles = set(
        Membership.objects.filter(
            user__username__in=[
                "leader",
                "safety",
                "section",
                "inspector",
                "principal",
                "officer",
                "teacher",
                "guard",
                "police",
                "sysadmin",
                "secadmin",
                "auditor",
            ]
        ).values_list("role", flat=True)
    )
    assert demo_roles == set(Role.values)


@pytest.mark.django_db
def test_units_command_prints_json_lines(district):
    out = StringIO()
    call_command("units", "--kind", "school", stdout=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines == [
        {"code": "XB-001", "name": "新北区实验小学", "kind": "school"},
        {"code": "XB-002", "name": "新北区河海中学", "kind": "school"},
    ]


@pytest.mark.django_db
def test_api_token_command_issues_a_working_hashed_token(client, safety_officer):
    out = StringIO()
    call_command("api_token", "safety_officer", stdout=out)
    raw = out.getvalue().strip()
    assert ApiToken.objects.get().digest == ApiToken.digest_of(raw) != raw
    response = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert [s["code"] for s in response.json()["results"]] == ["XB-001", "XB-002"]


@pytest.mark.django_db
def test_home_numbers_follow_a_new_designated_person(client, safety_officer, district):
    from safecampus.organizations.choices import Role
    from safecampus.organizations.tests.factories import MembershipFactory

    login(client, safety_officer)
    before = client.get("/").context["overview"].units_without_designated
    MembershipFactory(unit=district.school_b, role=Role.SCHOOL_OFFICER)
    after = client.get("/").context["overview"].units_without_designated
    assert after == before - 1


@pytest.mark.django_db
def test_home_flags_a_year_whose_holidays_nobody_entered(client, safety_officer, teacher_a):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from safecampus.cases.models import HolidayOverride

    # chinese-calendar 1.11 knows 2026 but not 2027; from November the bureau is warned.
    with time_machine.travel(datetime(2026, 11, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai"))):
        login(client, safety_officer)
        assert client.get("/").context["calendar_gap"] == 2027
        HolidayOverride.objects.create(day=date(2027, 1, 1), is_workday=False, name="元旦")
        assert client.get("/").context["calendar_gap"] is None
        login(client, teacher_a)
        assert client.get("/").context["calendar_gap"] is None


@pytest.mark.django_db
def test_seed_demo_registers_demo_devices_unless_asked_not_to():
    from safecampus.security.models import Device

    call_command("seed_demo", "--schools", "3", "--quiet", "--no-devices", stdout=StringIO())
    assert not Device.objects.exists()
    out = StringIO()
    call_command("seed_demo", "--schools", "3", "--quiet", stdout=out)
    assert Device.objects.exists() and "Demo devices" in out.getvalue()
    assert not any(len(word) == 40 for word in out.getvalue().split())  # no secret printed
