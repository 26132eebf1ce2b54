"""R-1.2: units keep their yearly work plan as a document with version history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import login
from safecampus.attachments.models import Attachment
from safecampus.organizations.models import WorkPlan, WorkPlanVersion

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name="方案.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.mark.django_db
def test_school_files_two_versions_and_keeps_both(client, officer_a, district):
    login(client, officer_a)
    url = "/organizations/work-plans/XB-001/2026/"
    first = client.post(url, {"title": "2026年平安校园工作方案", "document": _pdf()})
    assert first.status_code == 302
    second = client.post(
        url,
        {"title": "2026年平安校园工作方案", "note": "补充欺凌防治措施", "document": _pdf("v2.pdf")},
    )
    assert second.status_code == 302
    plan = WorkPlan.objects.get(unit=district.school_a, year=2026)
    assert list(plan.versions.values_list("number", "note")) == [(2, "补充欺凌防治措施"), (1, "")]
    assert Attachment.objects.filter(content_type="application/pdf").count() == 2
    page = client.get(url)
    assert [v.number for v in page.context["versions"]] == [2, 1]
    assert all(v.document is not None for v in page.context["versions"])


@pytest.mark.django_db
def test_a_plan_must_be_a_document(client, officer_a):
    login(client, officer_a)
    fake = SimpleUploadedFile(
        "plan.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(
        "/organizations/work-plans/XB-001/2026/", {"title": "x", "document": fake}
    )
    assert response.status_code == 400
    assert WorkPlanVersion.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_another_school_cannot_see_or_file(client, officer_b, officer_a):
    login(client, officer_b)
    assert client.get("/organizations/work-plans/XB-001/2026/").status_code == 404
    assert (
        client.post(
            "/organizations/work-plans/XB-001/2026/", {"title": "x", "document": _pdf()}
        ).status_code
        == 404
    )
    assert WorkPlan.objects.count() == 0


@pytest.mark.django_db
def test_a_teacher_may_read_but_not_file(client, teacher_a):
    login(client, teacher_a)
    assert client.get("/organizations/work-plans/XB-001/2026/").status_code == 200
    response = client.post(
        "/organizations/work-plans/XB-001/2026/", {"title": "x", "document": _pdf()}
    )
    assert response.status_code == 403
    assert WorkPlan.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_bureau_sees_who_has_not_filed(client, safety_officer, officer_a):
    login(client, officer_a)
    client.post("/organizations/work-plans/XB-001/2026/", {"title": "方案", "document": _pdf()})
    login(client, safety_officer)
    page = client.get("/organizations/work-plans/", {"year": 2026})
    codes = [(r.unit.code, r.plan is not None) for r in page.context["rows"]]
    assert codes[0][1] is False and ("XB-001", True) in codes
    assert page.context["missing"] == len(codes) - 1
