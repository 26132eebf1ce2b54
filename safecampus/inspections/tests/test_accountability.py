"""Accountability decisions (追责): only the bureau leader records, the auditor reads."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.inspections.choices import AccountabilityMeasure, RectificationStatus
from safecampus.inspections.errors import InspectionError, InspectionForbidden
from safecampus.inspections.models import AccountabilityDecision, Rectification
from safecampus.inspections.services.accountability import accountability_record

pytestmark = [pytest.mark.django_db]
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def case(district):
    return Rectification.objects.create(
        reference="ZG-2026-000001",
        title="整改通知书",
        status=RectificationStatus.ISSUED,
        unit=district.school_a,
        verifier_unit=district.bureau,
    )


def record(actor, unit, **extra):
    values = {
        "person_name": "王建国",
        "person_position": "副校长",
        "reason": "重大隐患逾期未整改",
        "measure": AccountabilityMeasure.TALK,
        "decided_on": date(2026, 12, 1),
        **extra,
    }
    return accountability_record(actor=actor, unit=unit, **values)


def test_the_leader_records_and_the_audit_masks_the_name(district, bureau_leader, case):
    decision = record(bureau_leader, district.school_a, case_reference="ZG-2026-000001")
    assert AccountabilityDecision.objects.get().person_name == "王建国"
    event = AuditEvent.objects.get(action="inspections.accountabilitydecision.recorded")
    assert event.object_id == str(decision.pk)
    assert event.changes["person_name"] != "王建国"
    assert "王建国" not in str(event.changes)
    assert event.changes["case_reference"] == "ZG-2026-000001"


@pytest.mark.parametrize("persona", ["safety_officer", "auditor", "principal_a", "inspector"])
def test_nobody_else_records(request, district, persona):
    with pytest.raises(InspectionForbidden):
        record(request.getfixturevalue(persona), district.school_a)
    assert AccountabilityDecision.objects.count() == 0


@pytest.mark.parametrize(
    "extra,code",
    [
        ({"case_reference": "ZG-2026-999999"}, "unknown_case"),
        ({"decided_on": date(2026, 12, 5)}, "future_date"),
        ({"reason": "  "}, "reason_required"),
        ({"person_name": ""}, "person_required"),
        ({"measure": "fine"}, "bad_measure"),
    ],
)
def test_bad_input_is_refused(district, bureau_leader, extra, code):
    with pytest.raises(InspectionError) as caught:
        record(bureau_leader, district.school_a, **extra)
    assert caught.value.code == code
    assert AccountabilityDecision.objects.count() == 0


def test_the_auditor_reads_and_the_reading_is_audited(client, district, bureau_leader, auditor):
    record(bureau_leader, district.school_a)
    login(client, auditor)
    response = client.get("/inspections/accountability/")
    assert response.status_code == 200
    assert "王建国" in response.content.decode()
    assert "Record a decision" not in response.content.decode()
    viewed = AuditEvent.objects.filter(action="inspections.accountabilitydecision.list_viewed")
    assert list(viewed.values_list("actor_label", flat=True)) == ["auditor"]


def test_the_auditor_cannot_post(client, district, auditor):
    client.cookies["django_language"] = "en"
    login(client, auditor)
    response = client.post(
        "/inspections/accountability/new/",
        {
            "unit": district.school_a.pk,
            "person_name": "x",
            "reason": "y",
            "measure": "talk",
            "decided_on": "2026-12-01",
        },
    )
    assert response.status_code == 403
    assert AccountabilityDecision.objects.count() == 0


@pytest.mark.parametrize("persona", ["safety_officer", "principal_a", "inspector"])
def test_other_roles_get_403(client, request, persona):
    login(client, request.getfixturevalue(persona))
    assert client.get("/inspections/accountability/").status_code == 403
    assert client.get("/api/v1/accountability-decisions/").status_code == 403


def test_the_leader_records_through_the_page(client, district, bureau_leader, case):
    client.cookies["django_language"] = "en"
    login(client, bureau_leader)
    page = client.get("/inspections/accountability/")
    assert "Record a decision" in page.content.decode()
    data = {
        "unit": district.school_a.pk,
        "person_name": "李明",
        "reason": "值守缺位",
        "measure": "criticism",
        "decided_on": "2026-12-02",
        "case_reference": "ZG-2026-000404",
    }
    refused = client.post("/inspections/accountability/new/", data)
    assert refused.status_code == 400
    assert "No case has the reference “ZG-2026-000404”." in refused.content.decode()
    assert AccountabilityDecision.objects.count() == 0
    data["case_reference"] = "ZG-2026-000001"
    response = client.post("/inspections/accountability/new/", data)
    assert response.status_code == 302
    assert AccountabilityDecision.objects.get().case_reference == "ZG-2026-000001"


def test_the_api(client, district, bureau_leader, auditor):
    client.cookies["django_language"] = "en"
    login(client, bureau_leader)
    body = {
        "unit": district.school_a.code,
        "person_name": "李明",
        "reason": "值守缺位",
        "measure": "talk",
        "decided_on": "2027-01-01",
    }
    refused = client.post(
        "/api/v1/accountability-decisions/", body, content_type="application/json"
    )
    assert refused.status_code == 400
    assert refused.json()["detail"] == "The date of the decision cannot be in the future."
    body["decided_on"] = "2026-11-30"
    created = client.post(
        "/api/v1/accountability-decisions/", body, content_type="application/json"
    )
    assert created.status_code == 201
    assert created.json()["unit"] == "XB-001"
    client.logout()
    login(client, auditor)
    assert [d["person_name"] for d in client.get("/api/v1/accountability-decisions/").json()] == [
        "李明"
    ]
    denied = client.post("/api/v1/accountability-decisions/", body, content_type="application/json")
    assert denied.status_code == 403
    assert AccountabilityDecision.objects.count() == 1
