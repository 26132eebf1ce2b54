"""The inspection ledger as Excel: one row per inspection, scoped, formula-safe."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.inspections.choices import InspectionStatus, Performer, TemplateKind
from safecampus.inspections.models import Inspection
from safecampus.inspections.tests.factories import make_checklist

pytestmark = [pytest.mark.django_db]
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def inspections(district, inspector):
    version = make_checklist(code="ledger", kind=TemplateKind.SUPERVISION)
    version.template.name = "=HYPERLINK(1)"
    version.template.save()
    submitted = Inspection.objects.create(
        version=version,
        kind=TemplateKind.SUPERVISION,
        school=district.school_a,
        performer=Performer.INSPECTOR,
        inspector=inspector,
        period="2026-2027-1",
        due_on=date(2026, 10, 31),
        status=InspectionStatus.SUBMITTED,
        submitted_at=datetime(2026, 10, 30, 15, 5, tzinfo=SH),
        score=Decimal("40"),
        max_score=Decimal("45"),
        score_percent=Decimal("88.9"),
        passed=True,
        findings_count=1,
    )
    due = Inspection.objects.create(
        version=version,
        kind=TemplateKind.SUPERVISION,
        school=district.school_b,
        performer=Performer.INSPECTOR,
        due_on=date(2026, 11, 30),
    )
    return submitted, due


def _rows(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return sheet, list(sheet.iter_rows(min_row=4, values_only=True))


def test_the_bureau_exports_every_school(client, inspections, safety_officer):
    client.cookies["django_language"] = "en"
    login(client, safety_officer)
    response = client.get("/inspections/export.xlsx?year=2026")
    assert response.status_code == 200
    sheet, rows = _rows(response)
    assert sheet.cell(3, 1).value == "No."
    assert rows[0] == (
        1,
        "XB-001",
        "新北区实验小学",
        "=HYPERLINK(1)",
        "v1",
        "Supervisory inspection",
        "Supervising inspector",
        "孙督学",
        "2026-2027-1",
        "2026-10-31",
        "Submitted",
        "2026-10-30 15:05",
        40.0,
        88.9,
        "Yes",
        "No",
        1,
    )
    assert sheet.cell(4, 4).quotePrefix is True  # formula-like text stays text
    assert [r[1] for r in rows] == ["XB-001", "XB-002"]
    assert AuditEvent.objects.filter(action="inspections.inspection.exported").count() == 1


def test_filters_and_scope(client, inspections, officer_a, officer_b):
    login(client, officer_b)
    _sheet, rows = _rows(client.get("/inspections/export.xlsx"))
    assert [r[1] for r in rows] == ["XB-002"]
    client.logout()
    login(client, officer_a)
    _sheet, rows = _rows(client.get("/inspections/export.xlsx?status=submitted&kind=supervision"))
    assert [r[1] for r in rows] == ["XB-001"]
    assert client.get("/inspections/export.xlsx?school=XB-002").status_code == 400
    _sheet, rows = _rows(client.get("/inspections/export.xlsx?year=2025"))
    assert rows == []
