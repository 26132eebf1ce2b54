"""Transfer to another unit with a feedback deadline counted in working days."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from safecampus.cases.choices import CaseEventKind, TransferStatus
from safecampus.cases.errors import CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, Deadline, Transfer
from safecampus.cases.services import case_transfer, deadline_sweep, transfer_feedback
from safecampus.cases.tests.casetype.models import Complaint
from safecampus.cases.tests.conftest import SPRING_FESTIVAL_EVE, end_of
from safecampus.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def transfer(complaint, district, safety_officer, police_liaison):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        return case_transfer(
            actor=safety_officer,
            case=complaint,
            to_unit=district.police_station,
            feedback_days=3,
            note="涉嫌违法，请核查",
        )


def test_transfer_creates_a_feedback_deadline_in_working_days(
    complaint, transfer, district, safety_officer
):
    assert (transfer.from_unit, transfer.to_unit, transfer.by) == (
        district.school_a,
        district.police_station,
        safety_officer,
    )
    assert transfer.status == TransferStatus.PENDING
    deadline = transfer.feedback_deadline
    assert deadline.purpose == f"transfer:{transfer.pk}"
    assert (deadline.days, deadline.working_days) == (3, True)
    assert deadline.due_at == end_of(2026, 2, 25)  # 14 Feb, 24 Feb, 25 Feb
    complaint.refresh_from_db()
    assert (complaint.assignee_unit, complaint.assignee) == (district.police_station, None)
    [event] = CaseEvent.objects.for_case(complaint).filter(kind=CaseEventKind.TRANSFERRED)
    assert event.data == {
        "transfer": transfer.pk,
        "from_unit": district.school_a.pk,
        "to_unit": district.police_station.pk,
        "feedback_days": 3,
        "feedback_due": "2026-02-25T23:59:59.999999+08:00",
    }
    told = Notification.objects.filter(verb="casetype.complaint.transferred")
    assert list(told.values_list("recipient__username", flat=True)) == ["police_liaison"]


def test_the_receiving_agency_now_sees_the_case(complaint, transfer, police_liaison, officer_b):
    assert list(Complaint.objects.visible_to(police_liaison)) == [complaint]
    assert list(Complaint.objects.visible_to(officer_b)) == []


def test_feedback_closes_the_deadline_once(complaint, transfer, police_liaison):
    answered_at = SPRING_FESTIVAL_EVE + timedelta(days=5)
    with time_machine.travel(answered_at, tick=False):
        result = transfer_feedback(actor=police_liaison, transfer=transfer, note="已立案调查")
    assert (result.status, result.feedback_at, result.feedback_by, result.feedback_note) == (
        TransferStatus.ANSWERED,
        answered_at,
        police_liaison,
        "已立案调查",
    )
    deadline = Deadline.objects.get(pk=transfer.feedback_deadline_id)
    assert deadline.met_at == answered_at
    assert Deadline.objects.for_case(complaint).open().count() == 0
    [event] = CaseEvent.objects.for_case(complaint).filter(kind=CaseEventKind.FEEDBACK)
    assert (event.actor, event.note) == (police_liaison, "已立案调查")

    with pytest.raises(CaseError):
        transfer_feedback(actor=police_liaison, transfer=transfer, note="再次反馈")
    assert CaseEvent.objects.for_case(complaint).filter(kind=CaseEventKind.FEEDBACK).count() == 1
    assert deadline_sweep(now=end_of(2026, 3, 31)) == 0


def test_only_the_receiving_unit_or_the_bureau_answers(transfer, officer_a, officer_b):
    for stranger in (officer_a, officer_b):
        with pytest.raises(CasePermissionDenied):
            transfer_feedback(actor=stranger, transfer=transfer, note="不归我们管")
    with pytest.raises(CaseError):
        transfer_feedback(actor=officer_a, transfer=transfer, note="   ")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.feedback_note) == (TransferStatus.PENDING, "")


def test_the_bureau_may_record_feedback_given_by_phone(transfer, safety_officer):
    transfer_feedback(actor=safety_officer, transfer=transfer, note="派出所电话反馈：已处理")
    assert transfer.status == TransferStatus.ANSWERED


def test_feedback_overdue_is_escalated_to_the_bureau(complaint, transfer):
    assert deadline_sweep(now=end_of(2026, 2, 25)) == 0
    assert deadline_sweep(now=end_of(2026, 2, 25) + timedelta(microseconds=1)) == 1
    escalated = Notification.objects.filter(verb="cases.deadline.escalated")
    assert list(escalated.values_list("recipient__username", flat=True)) == ["safety_officer"]


def test_default_feedback_time_is_the_district_rule(complaint, district, safety_officer):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        transfer = case_transfer(actor=safety_officer, case=complaint, to_unit=district.school_b)
    assert transfer.feedback_deadline.days == 15
    assert transfer.feedback_deadline.due_at == end_of(2026, 3, 12)


def test_refused_transfers_change_nothing(complaint, transfer, district, officer_a, safety_officer):
    with pytest.raises(CasePermissionDenied):
        case_transfer(actor=officer_a, case=complaint, to_unit=district.school_b)
    with pytest.raises(CaseError):  # the station holds it now
        case_transfer(actor=safety_officer, case=complaint, to_unit=district.police_station)
    case_transfer(actor=safety_officer, case=complaint, to_unit=district.school_b)
    with pytest.raises(CaseError) as refused:  # the station has not answered yet
        case_transfer(actor=safety_officer, case=complaint, to_unit=district.police_station)
    assert refused.value.code == "pending"
    assert Transfer.objects.for_case(complaint).count() == 2
    assert Deadline.objects.for_case(complaint).count() == 2


# --- the receiving unit accepts, reports progress or returns the case --------------------


def test_the_liaison_accepts_then_reports_progress(complaint, transfer, police_liaison):
    from safecampus.cases.services import transfer_accept, transfer_progress

    accepted = transfer_accept(actor=police_liaison, transfer=transfer, note="已受理")
    assert (accepted.accepted_by, accepted.status) == (police_liaison, TransferStatus.PENDING)
    assert accepted.accepted_at is not None
    with pytest.raises(CaseError) as again:
        transfer_accept(actor=police_liaison, transfer=transfer)
    assert again.value.code == "accepted"
    transfer_progress(actor=police_liaison, transfer=transfer, note="已调取校门口监控")
    kinds = list(
        CaseEvent.objects.for_case(complaint)
        .filter(kind__in=[CaseEventKind.TRANSFER_ACCEPTED, CaseEventKind.PROGRESS])
        .values_list("kind", "note")
    )
    assert kinds == [
        (CaseEventKind.TRANSFER_ACCEPTED, "已受理"),
        (CaseEventKind.PROGRESS, "已调取校门口监控"),
    ]
    told = Notification.objects.filter(verb="casetype.complaint.transfer_accepted")
    assert list(told.values_list("recipient__username", flat=True)) == ["safety_officer"]
    # progress does not answer the transfer: the feedback is still owed
    transfer.refresh_from_db()
    assert transfer.feedback_deadline.met_at is None


def test_the_liaison_returns_the_case_with_a_reason(complaint, transfer, police_liaison, district):
    from safecampus.cases.services import transfer_return

    with pytest.raises(CaseError) as empty:
        transfer_return(actor=police_liaison, transfer=transfer, reason="  ")
    assert empty.value.code == "note_required"
    returned = transfer_return(actor=police_liaison, transfer=transfer, reason="不属于本所辖区")
    assert (returned.status, returned.feedback_note) == (TransferStatus.RETURNED, "不属于本所辖区")
    returned.feedback_deadline.refresh_from_db()
    assert returned.feedback_deadline.met_at is not None
    complaint.refresh_from_db()
    assert complaint.assignee_unit == district.school_a
    with pytest.raises(CaseError) as twice:
        transfer_feedback(actor=police_liaison, transfer=transfer, note="补充")
    assert twice.value.code == "answered"
    [event] = CaseEvent.objects.for_case(complaint).filter(kind=CaseEventKind.TRANSFER_RETURNED)
    assert event.note == "不属于本所辖区"


def test_only_the_receiving_unit_or_the_sender_acts_on_a_transfer(transfer, officer_b, teacher_a):
    from safecampus.cases.services import transfer_accept, transfer_progress, transfer_return

    for outsider in (officer_b, teacher_a):
        with pytest.raises(CasePermissionDenied):
            transfer_accept(actor=outsider, transfer=transfer)
        with pytest.raises(CasePermissionDenied):
            transfer_progress(actor=outsider, transfer=transfer, note="x")
        with pytest.raises(CasePermissionDenied):
            transfer_return(actor=outsider, transfer=transfer, reason="x")
    transfer.refresh_from_db()
    assert (transfer.status, transfer.accepted_at) == (TransferStatus.PENDING, None)
