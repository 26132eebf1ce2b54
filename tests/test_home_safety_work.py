"""The home page's inspections, hazards and risk row: each reader sees their scope's figures;
roles outside the modules do not see the row."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from conftest import login
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.services.hazards import hazard_register
from safecampus.risk.models import RiskGrade

pytestmark = pytest.mark.django_db


def _grade(school, level: str) -> None:
    RiskGrade.objects.create(
        school=school,
        month=date(2026, 11, 1),
        score=70,
        computed_level=level,
        level=level,
        factors=[],
        computed_at=timezone.now(),
    )


def _row(client) -> str:
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    start = body.find("Inspections, hazards and risk")
    return body[start : start + 4000] if start >= 0 else ""


def test_the_bureau_sees_the_district_and_a_school_its_own(
    client, district, safety_officer, officer_a, officer_b
):
    for school, level in ((district.school_a, HazardLevel.MAJOR), (district.school_b, "general")):
        officer = officer_a if school == district.school_a else officer_b
        hazard_register(
            actor=officer,
            school=school,
            category=HazardCategory.FIRE,
            level=level,
            description="消防通道堆放杂物",
        )
    _grade(district.school_a, "red")
    _grade(district.school_b, "blue")

    bureau = _row(login(client, safety_officer))
    assert "2026-11" in bureau
    assert 'kpi-value">2<' in bureau.replace(" ", "")  # open hazards, district-wide
    assert "Red 1" in bureau and "Blue 1" in bureau

    client.logout()
    school_b = _row(login(client, officer_b))
    assert 'kpi-value">1<' in school_b.replace(" ", "")
    assert "0 major" in school_b
    assert "Red 0" in school_b and "Blue 1" in school_b


def test_the_auditor_does_not_see_the_row(client, auditor):
    assert _row(login(client, auditor)) == ""


@pytest.mark.parametrize("path", ["/", "/organizations/responsibility/"])
def test_pages_show_no_internal_requirement_codes(client, district, safety_officer, path):
    """R-1.1 … R-8.3 name the plan's requirements for the developers, not for users."""
    login(client, safety_officer)
    response = client.get(path)
    assert response.status_code == 200
    assert re.findall(r"\bR-\d(?:\.\d)?\b", response.content.decode()) == []


def test_a_school_users_home_lists_its_open_work_and_not_the_district_dashboard(
    client, district, inspector, principal_a, officer_b, safety_officer
):
    """Issue #14: the principal's home was a shrunk district dashboard. It lists the
    school's waiting cases now, soonest deadline first; other schools see none of them."""
    from safecampus.inspections.services.rectification import rectification_issue

    hazard = hazard_register(
        actor=inspector,
        school=district.school_a,
        category=HazardCategory.FIRE,
        level=HazardLevel.GENERAL,
        description="消防通道堆放杂物",
    )
    notice = rectification_issue(actor=inspector, hazards=[hazard])
    login(client, principal_a)
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    assert "Your open work" in body
    start = body.index("Your open work")
    work = body[start : start + 3000]
    assert notice.reference in work and f"/inspections/rectifications/{notice.pk}/" in work
    assert "消防通道堆放杂物" not in work  # kind and reference only, no description
    assert "Schools by kind" not in body and "chart-kinds" not in body

    client.logout()
    login(client, officer_b)
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    assert "Nothing is waiting for you." in body and notice.reference not in body

    client.logout()
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    body = client.get("/").content.decode()
    assert "Your open work" not in body and "Schools by kind" in body
