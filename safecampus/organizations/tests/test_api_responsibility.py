"""/api/v1/responsibility/ and /api/v1/work-plans/ (#14): the pages' data for programs,
scoped as the pages are, phones masked, bad queries a 400."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import login
from safecampus.organizations.services import work_plan_version_add

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_bureau_reads_who_answers_for_each_unit(client, district, safety_officer, officer_a):
    login(client, safety_officer)
    body = client.get("/api/v1/responsibility/").json()
    rows = {row["code"]: row for row in body["results"]}
    assert body["count"] == len(body["results"]) and body["missing_designated"] >= 1
    school_a = rows[district.school_a.code]
    assert [p["membership"] for p in school_a["designated"]]
    assert school_a["missing_designated"] is False
    # Units with nobody designated come first, as on the page.
    flags = [row["missing_designated"] for row in body["results"]]
    assert flags == sorted(flags, reverse=True)
    for row in body["results"]:
        for person in row["heads"] + row["designated"]:
            assert "*" in person["phone"] or person["phone"] == ""
    schools = client.get("/api/v1/responsibility/", {"kind": "school"}).json()["results"]
    assert schools and {row["kind"] for row in schools} == {"school"}
    bad = client.get("/api/v1/responsibility/", {"kind": "moon"})
    assert bad.status_code == 400


def test_school_roles_may_not_read_the_district_responsibility_list(client, district, officer_a):
    login(client, officer_a)
    assert client.get("/api/v1/responsibility/").status_code == 403
    client.logout()
    assert client.get("/api/v1/responsibility/").status_code in (401, 403)


def test_work_plans_scoped_with_versions(client, district, officer_a, officer_b, safety_officer):
    year = timezone.localdate().year
    for note in ("", "补充欺凌防治措施"):
        work_plan_version_add(
            actor=officer_a,
            unit=district.school_a,
            year=year,
            title=f"{year}年平安校园工作方案",
            document=SimpleUploadedFile("方案.pdf", PDF, content_type="application/pdf"),
            note=note,
        )
    login(client, officer_a)
    own = client.get("/api/v1/work-plans/").json()
    assert own["year"] == year and [r["code"] for r in own["results"]] == [district.school_a.code]
    plan = own["results"][0]
    assert plan["filed"] is True and [v["number"] for v in plan["versions"]] == [2, 1]
    assert plan["versions"][0]["note"] == "补充欺凌防治措施"
    assert plan["page"] == f"/organizations/work-plans/{district.school_a.code}/{year}/"
    client.logout()

    login(client, officer_b)
    other = client.get("/api/v1/work-plans/").json()
    assert [r["code"] for r in other["results"]] == [district.school_b.code]
    assert other["results"][0]["filed"] is False and other["missing"] == 1
    client.logout()

    login(client, safety_officer)
    district_wide = client.get("/api/v1/work-plans/", {"year": year}).json()
    assert {district.school_a.code, district.school_b.code} <= {
        r["code"] for r in district_wide["results"]
    }
    for bad in ("1999", "abc", str(year + 2), "99999999999999999999"):
        assert client.get("/api/v1/work-plans/", {"year": bad}).status_code == 400, bad
