"""The ledger, the lead page's actions, dual reporting and the internal report form."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import login
from safecampus.attachments.models import Attachment
from safecampus.audit.models import AuditEvent
from safecampus.cases.models import CaseEvent
from safecampus.leads.choices import DualReportChannel, LeadSource, LeadStatus
from safecampus.leads.models import DualReport, Lead
from safecampus.leads.services import lead_accept, lead_dual_report_add

pytestmark = pytest.mark.django_db

REPORT = {
    "category": "bullying_violence",
    "description": "初二学生在厕所被高年级学生围殴",
    "place": "教学楼二楼厕所",
    "urgency": "urgent",
    "source": "internal",
}


def _counts():
    return (Lead.objects.count(), DualReport.objects.count(), CaseEvent.objects.count())


def _png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return SimpleUploadedFile("photo.png", out.getvalue(), content_type="image/png")


def test_safety_officer_reports_a_lead_with_evidence(client, district, safety_officer):
    login(client, safety_officer)
    data = REPORT | {"school": district.school_b.code, "evidence": [_png()]}
    response = client.post("/leads/new/", data)
    lead = Lead.objects.get()
    assert response.status_code == 302 and response.url == f"/leads/{lead.pk}/"
    assert (lead.status, lead.source, lead.school, lead.category.code) == (
        LeadStatus.RECEIVED,
        LeadSource.INTERNAL,
        district.school_b,
        "bullying_violence",
    )
    assert Attachment.objects.filter(owner_id=str(lead.pk)).count() == 1
    page = client.get(f"/leads/{lead.pk}/")
    assert page.status_code == 200 and "photo.png" in page.content.decode()


def test_a_school_report_is_its_own_screening(client, district, officer_a):
    login(client, officer_a)
    form = client.get("/leads/new/").context["form"]
    assert form["school"].initial == district.school_a.code
    assert [value for value, _label in form.fields["source"].choices] == [LeadSource.SCREENING]
    response = client.post("/leads/new/", REPORT | {"school": district.school_a.code})
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert (lead.source, lead.school, lead.unit) == (
        LeadSource.SCREENING,
        district.school_a,
        district.school_a,
    )
    before = _counts()
    refused = client.post("/leads/new/", REPORT | {"school": district.school_b.code})
    assert refused.status_code == 400
    assert _counts() == before


@pytest.mark.parametrize(
    "category,message",
    [("", "该字段是必填项。"), ("no_such_thing", "选择一个有效的选项")],
)
def test_empty_or_unknown_category_is_a_translated_400_and_stores_nothing(
    client, safety_officer, category, message
):
    login(client, safety_officer)
    before = (_counts(), AuditEvent.objects.filter(action__startswith="leads.").count())
    response = client.post("/leads/new/", REPORT | {"category": category})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (_counts(), AuditEvent.objects.filter(action__startswith="leads.").count()) == before


def test_empty_description_is_refused(client, safety_officer):
    login(client, safety_officer)
    response = client.post("/leads/new/", REPORT | {"description": ""})
    assert response.status_code == 400
    assert Lead.objects.count() == 0


def test_actions_move_the_lead_and_refusals_change_nothing(client, lead, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    url = f"/leads/{lead.pk}/actions/"
    before = (Lead.objects.get(pk=lead.pk).status, CaseEvent.objects.for_case(lead).count())
    refused = client.post(url, {"action": "close"})
    assert refused.status_code == 400
    assert "cannot become “Closed”" in refused.content.decode()
    no_reason = client.post(url, {"action": "reject", "note": ""})
    assert no_reason.status_code == 400
    assert (Lead.objects.get(pk=lead.pk).status, CaseEvent.objects.for_case(lead).count()) == before
    accepted = client.post(url, {"action": "accept"})
    assert accepted.status_code == 302 and accepted.url == f"/leads/{lead.pk}/"
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.ACCEPTED
    transferred = client.post(url, {"action": "transfer", "units": ["GA-SJ"], "feedback_days": 5})
    assert transferred.status_code == 302
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.TRANSFERRED


def test_a_teacher_may_not_act_and_another_school_gets_404(
    client, lead, district, safety_officer, teacher_a, officer_b
):
    lead_accept(actor=safety_officer, lead=lead)
    url = f"/leads/{lead.pk}/actions/"
    login(client, teacher_a)
    assert client.post(url, {"action": "start"}).status_code == 403
    login(client, officer_b)
    assert client.post(url, {"action": "start"}).status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.ACCEPTED


def test_missing_second_report_filter(client, report_lead, safety_officer):
    reported, missing = report_lead(), report_lead()
    lead_dual_report_add(
        actor=safety_officer,
        lead=reported,
        channel=DualReportChannel.LOCAL_GOVERNMENT,
        reported_to="新北区人民政府办公室",
        method="document",
    )
    assert list(Lead.objects.missing_second_report()) == [missing]
    login(client, safety_officer)
    page = client.get("/leads/", {"missing_second_report": "on"}).context["page"]
    assert [row.pk for row in page] == [missing.pk]
    everything = client.get("/leads/").context["page"]
    assert {row.pk for row in everything} == {reported.pk, missing.pk}


def test_dual_report_form_records_the_second_report(client, lead, safety_officer):
    login(client, safety_officer)
    response = client.post(
        f"/leads/{lead.pk}/dual-reports/",
        {
            "channel": "department",
            "reported_to": "区公安分局",
            "reported_at": "2026-03-10T10:00",
            "method": "phone",
        },
    )
    assert response.status_code == 302
    assert sorted(lead.dual_reports.values_list("channel", flat=True)) == [
        "department",
        "safety_section",
    ]


def test_list_filters_by_category_and_status(client, report_lead, safety_officer):
    first = report_lead()
    report_lead()
    lead_accept(actor=safety_officer, lead=first)
    login(client, safety_officer)
    page = client.get("/leads/", {"status": "accepted", "category": "gang_disruption"})
    assert [row.pk for row in page.context["page"]] == [first.pk]
    fragment = client.get("/leads/", {"status": "received"}, HTTP_HX_REQUEST="true")
    assert fragment.templates[0].name == "leads/partials/_lead_table.html"


def test_categories_api_lists_the_six_stable_codes(client, officer_a):
    login(client, officer_a)
    rows = client.get("/api/v1/lead-categories/").json()
    top = [row["code"] for row in rows if row["parent"] is None]
    assert top == [
        "gang_disruption",
        "lawless_persons",
        "construction_coercion",
        "campus_loans",
        "bullying_violence",
        "other",
    ]
    assert {row["parent"] for row in rows if row["parent"]} <= set(top)


def test_the_ledger_costs_the_same_queries_for_one_lead_or_many(
    client, report_lead, safety_officer
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report_lead()
    login(client, safety_officer)
    client.get("/leads/")  # warm the per-process caches (content types, navigation)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/leads/").status_code == 200
    for _ in range(5):
        report_lead()
    with CaptureQueriesContext(connection) as six:
        assert client.get("/leads/").status_code == 200
    assert len(six) == len(one)


def test_the_assigned_school_sees_its_move_on_the_lead_page(
    client, lead, district, safety_officer, officer_a
):
    from safecampus.leads.services import lead_assign_school

    lead_accept(actor=safety_officer, lead=lead)
    lead_assign_school(actor=safety_officer, lead=lead, school=district.school_a)
    login(client, officer_a)
    client.cookies["django_language"] = "en"
    page = client.get(f"/leads/{lead.pk}/")
    assert page.context["moves"] == [LeadStatus.HANDLING]
    assert "Start handling" in page.content.decode()
    assert "Mark as spam" not in page.content.decode()
    response = client.post(f"/leads/{lead.pk}/actions/", {"action": "start"})
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.HANDLING


def test_a_move_from_a_stale_page_is_refused(client, lead, safety_officer, district):
    """Two officers have the page open; the second one's click must not undo the first's."""
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    shown = lead.lock_version
    assert (
        client.post(
            f"/leads/{lead.pk}/actions/", {"action": "accept", "version": shown}
        ).status_code
        == 302
    )
    stale = client.post(
        f"/leads/{lead.pk}/actions/",
        {"action": "assign", "school": district.school_a.code, "version": shown},
    )
    assert stale.status_code == 409
    assert "Someone else changed this lead" in stale.content.decode()
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.ACCEPTED


def test_the_ledger_filters_by_period_in_shanghai_days(client, report_lead, safety_officer):
    import time_machine

    from safecampus.leads.tests.conftest import TUESDAY_MORNING

    with time_machine.travel(TUESDAY_MORNING.replace(hour=0, minute=30), tick=False):
        early = report_lead(description="凌晨在校门口发生打架")  # 10 March, 00:30 Beijing time
    with time_machine.travel(TUESDAY_MORNING.replace(day=12), tick=False):
        later = report_lead(description="两天后又有人在校门口索要财物")
    login(client, safety_officer)
    page = client.get("/leads/", {"received_from": "2026-03-10", "received_to": "2026-03-10"})
    shown = [lead.pk for lead in page.context["page"]]
    assert shown == [early.pk]
    page = client.get("/leads/", {"received_from": "2026-03-11"})
    assert [lead.pk for lead in page.context["page"]] == [later.pk]
    backwards = client.get("/leads/", {"received_from": "2026-03-12", "received_to": "2026-03-01"})
    assert backwards.status_code == 200 and not backwards.context["form"].is_valid()
