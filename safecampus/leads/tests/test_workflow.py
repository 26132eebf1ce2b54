"""The triage workflow on the case kernel: exact statuses, timeline events and refusals."""

from __future__ import annotations

import pytest
import time_machine
from django.utils import translation

from safecampus.audit.models import AuditEvent
from safecampus.cases.choices import CaseEventKind as K
from safecampus.cases.errors import CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, Deadline, Transfer
from safecampus.leads.choices import DualReportChannel, LeadResult, LeadSource, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import DualReport, Lead
from safecampus.leads.services import (
    lead_accept,
    lead_assign_school,
    lead_close,
    lead_conclude,
    lead_reject,
    lead_reopen,
    lead_start_handling,
    lead_transfer,
)
from safecampus.leads.tests.conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db
S = LeadStatus


def _kinds(lead):
    return [(e.kind, e.from_status, e.to_status) for e in CaseEvent.objects.for_case(lead)]


def _state(lead):
    row = Lead.objects.get(pk=lead.pk)
    return (
        row.status,
        row.result,
        row.lock_version,
        CaseEvent.objects.for_case(lead).count(),
        Deadline.objects.for_case(lead).count(),
        AuditEvent.objects.count(),
    )


def test_report_starts_received_with_the_automatic_first_report(lead, district, safety_officer):
    assert (lead.status, lead.source, lead.unit_id) == (
        S.RECEIVED,
        LeadSource.INTERNAL,
        district.safety_section.pk,
    )
    assert lead.reference.startswith("XS-")
    assert _kinds(lead) == [(K.CREATED, "", S.RECEIVED), (K.DEADLINE_SET, "", "")]
    report = DualReport.objects.get(lead=lead)
    assert (report.channel, report.reported_by, report.reported_to) == (
        DualReportChannel.SAFETY_SECTION,
        safety_officer,
        district.safety_section.name,
    )
    assert AuditEvent.objects.filter(action="leads.lead.reported").count() == 1


def test_transfer_journey_to_the_police_station(lead, district, safety_officer, police_liaison):
    lead_accept(actor=safety_officer, lead=lead)
    assert lead.status == S.ACCEPTED
    transfers = lead_transfer(
        actor=safety_officer, lead=lead, to_units=[district.police_station], feedback_days=5
    )
    assert lead.status == S.TRANSFERRED
    assert [t.to_unit_id for t in transfers] == [district.police_station.pk]
    lead_start_handling(actor=police_liaison, lead=lead, note="已立案调查")
    lead_conclude(actor=police_liaison, lead=lead, result=LeadResult.VERIFIED, note="查实")
    assert (lead.status, Lead.objects.get(pk=lead.pk).result) == (S.CONCLUDED, "verified")
    lead_close(actor=safety_officer, lead=lead)
    assert lead.status == S.CLOSED
    assert Deadline.objects.for_case(lead).open().count() == 0
    assert _kinds(lead) == [
        (K.CREATED, "", S.RECEIVED),
        (K.DEADLINE_SET, "", ""),
        (K.TRANSITIONED, S.RECEIVED, S.ACCEPTED),
        (K.DEADLINE_SET, "", ""),
        (K.TRANSFERRED, "", ""),
        (K.TRANSITIONED, S.ACCEPTED, S.TRANSFERRED),
        (K.TRANSITIONED, S.TRANSFERRED, S.HANDLING),
        (K.FEEDBACK, "", ""),  # the liaison's result answers the station's transfer
        (K.TRANSITIONED, S.HANDLING, S.CONCLUDED),
        (K.TRANSITIONED, S.CONCLUDED, S.CLOSED),
    ]
    lead_reopen(actor=safety_officer, lead=lead, reason="出现新证据")
    row = Lead.objects.get(pk=lead.pk)
    assert (row.status, row.result, row.closed_at) == (S.ACCEPTED, "", None)
    assert CaseEvent.objects.for_case(lead).count() == 12
    assert Deadline.objects.for_case(lead).open().get().purpose == "conclude"


def test_assign_journey_to_school_a(lead, district, safety_officer, officer_a, officer_b):
    lead_accept(actor=safety_officer, lead=lead)
    lead_assign_school(actor=safety_officer, lead=lead, school=district.school_a, note="请核查")
    assert (lead.status, lead.assignee_unit_id) == (S.ASSIGNED, district.school_a.pk)
    with pytest.raises(CasePermissionDenied):
        lead_start_handling(actor=officer_b, lead=lead)
    lead_start_handling(actor=officer_a, lead=lead)
    lead_conclude(actor=officer_a, lead=lead, result=LeadResult.NOT_VERIFIED, note="未发现")
    assert lead.status == S.CONCLUDED
    assert [k for k, _f, _t in _kinds(lead)].count(K.ASSIGNED) == 1
    assert CaseEvent.objects.for_case(lead).count() == 8


def test_transfer_to_two_agencies(lead, district, safety_officer):
    from safecampus.organizations.tests.factories import AgencyFactory

    court = AgencyFactory(code="FY-1", name="新北区人民法院", kind="agency", agency_kind="court")
    lead_accept(actor=safety_officer, lead=lead)
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station, court])
    assert set(Transfer.objects.for_case(lead).values_list("to_unit__code", flat=True)) == {
        "GA-SJ",
        "FY-1",
    }
    assert lead.status == S.TRANSFERRED


def test_illegal_transition_is_refused_with_a_translated_message_and_changes_nothing(
    lead, safety_officer
):
    before = _state(lead)
    with translation.override("en"), pytest.raises(CaseError) as refused:
        lead_close(actor=safety_officer, lead=lead)
    assert refused.value.message == "A case that is “Received” cannot become “Closed”."
    with translation.override("zh-hans"), pytest.raises(CaseError) as refused_zh:
        lead_close(actor=safety_officer, lead=lead)
    assert refused_zh.value.message != refused.value.message
    assert _state(lead) == before


def test_transfer_to_a_school_or_nowhere_is_refused(lead, district, safety_officer):
    lead_accept(actor=safety_officer, lead=lead)
    before = _state(lead)
    with pytest.raises(LeadError):
        lead_transfer(actor=safety_officer, lead=lead, to_units=[district.school_b])
    with pytest.raises(LeadError):
        lead_transfer(actor=safety_officer, lead=lead, to_units=[])
    assert _state(lead) == before
    assert not Transfer.objects.for_case(lead).exists()


def test_reject_needs_a_reason(lead, safety_officer):
    before = _state(lead)
    with translation.override("en"), pytest.raises(CaseError) as refused:
        lead_reject(actor=safety_officer, lead=lead, reason="  ")
    assert refused.value.code == "note_required"
    assert _state(lead) == before
    lead_reject(actor=safety_officer, lead=lead, reason="不属于线索")
    row = Lead.objects.get(pk=lead.pk)
    assert row.status == S.REJECTED and row.closed_at is not None
    assert Deadline.objects.for_case(lead).open().count() == 0


def test_conclude_needs_a_result(lead, district, safety_officer, police_liaison):
    lead_accept(actor=safety_officer, lead=lead)
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])
    lead_start_handling(actor=police_liaison, lead=lead)
    before = _state(lead)
    with translation.override("en"), pytest.raises(LeadError) as refused:
        lead_conclude(actor=police_liaison, lead=lead, result="", note="好了")
    assert refused.value.message == "Choose the result of the handling."
    assert _state(lead) == before


def test_only_the_bureau_triages(lead, officer_a, police_liaison):
    before = _state(lead)
    for person in (officer_a, police_liaison):
        with pytest.raises(CasePermissionDenied):
            lead_accept(actor=person, lead=lead)
    assert _state(lead) == before


def test_acknowledgement_is_due_one_working_day_after_receipt(report_lead, safety_officer):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        lead = report_lead()
    deadline = Deadline.objects.for_case(lead).get(purpose="acknowledge")
    local = deadline.due_at.astimezone(TUESDAY_MORNING.tzinfo)
    assert (local.date().isoformat(), local.hour, local.minute) == ("2026-03-11", 23, 59)
    assert deadline.working_days is True and deadline.days == 1
    with time_machine.travel(TUESDAY_MORNING.replace(day=11, hour=10), tick=False):
        lead_accept(actor=safety_officer, lead=lead)
    deadline.refresh_from_db()
    assert deadline.met_at is not None


def test_an_anonymous_report_keeps_no_identity(report_lead):
    lead = report_lead(is_anonymous=True)
    lead.refresh_from_db()
    assert (lead.is_anonymous, lead.reporter_name, lead.reporter_contact) == (True, "", "")
    audit = AuditEvent.objects.get(action="leads.lead.reported")
    assert audit.changes["reporter_name"] == "" and audit.changes["reporter_contact"] == ""


def test_the_audit_trail_masks_the_reporter(lead):
    audit = AuditEvent.objects.get(action="leads.lead.reported")
    assert (audit.changes["reporter_name"], audit.changes["reporter_contact"]) == ("***", "***")


def test_spam_is_marked_by_the_bureau_only(lead, safety_officer, officer_a):
    from safecampus.leads.services import lead_mark_spam

    with pytest.raises(CasePermissionDenied):
        lead_mark_spam(actor=officer_a, lead=lead)
    lead_mark_spam(actor=safety_officer, lead=lead)
    assert Lead.objects.get(pk=lead.pk).is_spam is True
    assert list(Lead.objects.not_spam()) == []


def test_overdue_leads_are_those_past_an_open_time_limit(report_lead, safety_officer):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        late, acknowledged = report_lead(), report_lead()
        lead_accept(actor=safety_officer, lead=acknowledged)
    with time_machine.travel(TUESDAY_MORNING.replace(day=12), tick=False):
        assert list(Lead.objects.overdue()) == [late]
