"""The transition service: legal moves write one event; everything else changes nothing."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import gettext

from safecampus.audit.models import AuditEvent
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.errors import CaseConflict, CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.services import case_assign, case_transition, deadline_set
from safecampus.cases.tests.casetype.models import Complaint, ComplaintStatus
from safecampus.cases.tests.conftest import SPRING_FESTIVAL_EVE
from safecampus.cases.workflow import Transition, Workflow

pytestmark = pytest.mark.django_db

S = ComplaintStatus


def _state(case):
    row = Complaint.objects.get(pk=case.pk)
    return (
        row.status,
        row.lock_version,
        CaseEvent.objects.for_case(case).count(),
        AuditEvent.objects.count(),
    )


def test_create_sets_initial_status_reference_and_one_event(district, officer_a):
    from safecampus.cases.services import case_create

    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        case = case_create(
            actor=officer_a, case=Complaint(unit=district.school_a, title="围墙破损"), note="巡查"
        )
    assert case.status == S.NEW
    assert case.reference == f"TS-2026-{case.pk:06d}"
    events = list(CaseEvent.objects.for_case(case))
    assert [(e.kind, e.from_status, e.to_status, e.note, e.actor_id) for e in events] == [
        (CaseEventKind.CREATED, "", S.NEW, "巡查", officer_a.pk)
    ]
    assert AuditEvent.objects.filter(action="casetype.complaint.created").count() == 1


def test_legal_transition_writes_one_event_and_audit_row(complaint, officer_a):
    before = CaseEvent.objects.for_case(complaint).count()
    event = case_transition(actor=officer_a, case=complaint, to_status=S.ACCEPTED, note="已受理")

    assert complaint.status == S.ACCEPTED
    assert complaint.lock_version == 1
    assert Complaint.objects.get(pk=complaint.pk).status == S.ACCEPTED
    assert CaseEvent.objects.for_case(complaint).count() == before + 1
    assert (event.kind, event.from_status, event.to_status, event.note, event.actor_id) == (
        CaseEventKind.TRANSITIONED,
        S.NEW,
        S.ACCEPTED,
        "已受理",
        officer_a.pk,
    )
    assert event.actor_label == "李专人"
    audit = AuditEvent.objects.get(action="casetype.complaint.transitioned")
    assert audit.changes == {"status": ["new", "accepted"], "note": "已受理"}
    assert audit.object_id == str(complaint.pk)
    assert audit.unit_id == complaint.unit_id


def test_illegal_transition_is_refused_with_a_translated_message_and_changes_nothing(
    complaint, safety_officer
):
    before = _state(complaint)
    with translation.override("en"), pytest.raises(CaseError) as refused:
        case_transition(actor=safety_officer, case=complaint, to_status=S.RESOLVED, note="x")
    assert refused.value.message == "A case that is “New” cannot become “Resolved”."
    assert refused.value.code == "illegal_transition"
    assert refused.value.status_code == 400
    assert _state(complaint) == before

    with translation.override("zh-hans"), pytest.raises(CaseError) as refused:
        case_transition(actor=safety_officer, case=complaint, to_status=S.RESOLVED)
    with translation.override("zh-hans"):
        template = gettext("A case that is “%(current)s” cannot become “%(target)s”.")
        expected = template % {"current": gettext("New"), "target": gettext("Resolved")}
    assert refused.value.message == expected
    assert "New" not in expected  # the catalogue really translated it
    assert _state(complaint) == before


def test_unknown_status_is_an_illegal_move(complaint, safety_officer):
    before = _state(complaint)
    with pytest.raises(CaseError):
        case_transition(actor=safety_officer, case=complaint, to_status="vanished")
    assert _state(complaint) == before


def test_role_not_in_the_table_is_refused(complaint, teacher_a, officer_a):
    before = _state(complaint)
    with pytest.raises(CasePermissionDenied) as refused:
        case_transition(actor=teacher_a, case=complaint, to_status=S.ACCEPTED)
    assert refused.value.status_code == 403
    # The school officer may accept but only the bureau may reject.
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=officer_a, case=complaint, to_status=S.REJECTED, note="不属实")
    assert _state(complaint) == before


def test_officer_of_another_school_cannot_move_the_case(complaint, officer_b, outsider):
    before = _state(complaint)
    for stranger in (officer_b, outsider):
        with pytest.raises(CasePermissionDenied):
            case_transition(actor=stranger, case=complaint, to_status=S.ACCEPTED)
    assert _state(complaint) == before


def test_required_note_is_enforced(complaint, safety_officer):
    before = _state(complaint)
    with translation.override("en"), pytest.raises(CaseError) as refused:
        case_transition(actor=safety_officer, case=complaint, to_status=S.REJECTED, note="  ")
    assert refused.value.message == "Give a reason for moving this case to “Rejected”."
    assert _state(complaint) == before
    case_transition(actor=safety_officer, case=complaint, to_status=S.REJECTED, note="不属实")
    assert complaint.status == S.REJECTED
    assert complaint.closed_at is not None


def test_stale_form_is_refused(complaint, officer_a):
    case_transition(actor=officer_a, case=complaint, to_status=S.ACCEPTED, expected_version=0)
    stale = Complaint.objects.get(pk=complaint.pk)
    stale.lock_version = 0
    before = _state(complaint)
    with pytest.raises(CaseConflict) as refused:
        case_transition(
            actor=officer_a, case=stale, to_status=S.RESOLVED, note="done", expected_version=0
        )
    assert refused.value.status_code == 409
    assert _state(complaint) == before


def test_stale_instance_is_checked_against_the_locked_row(complaint, officer_a, safety_officer):
    stale = Complaint.objects.get(pk=complaint.pk)
    case_transition(actor=safety_officer, case=complaint, to_status=S.REJECTED, note="重复")
    with pytest.raises(CaseError):
        case_transition(actor=officer_a, case=stale, to_status=S.ACCEPTED)
    assert Complaint.objects.get(pk=complaint.pk).status == S.REJECTED


def test_system_moves_need_no_person_and_people_need_a_role(complaint, officer_a):
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=None, case=complaint, to_status=S.ACCEPTED)
    with pytest.raises(CasePermissionDenied):
        case_transition(actor=officer_a, case=complaint, to_status=S.EXPIRED)
    event = case_transition(actor=None, case=complaint, to_status=S.EXPIRED)
    assert (event.actor_id, event.actor_label, event.to_status) == (None, "", S.EXPIRED)


def test_moves_meet_their_deadlines_and_terminal_status_meets_all(
    complaint, officer_a, safety_officer
):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        accept = deadline_set(actor=safety_officer, case=complaint, purpose="accept", days=1)
        resolve = deadline_set(actor=safety_officer, case=complaint, purpose="resolve", days=10)
        case_transition(actor=officer_a, case=complaint, to_status=S.ACCEPTED)
        accept.refresh_from_db()
        resolve.refresh_from_db()
        assert accept.met_at == SPRING_FESTIVAL_EVE
        assert resolve.met_at is None
        case_transition(actor=officer_a, case=complaint, to_status=S.RESOLVED, note="已整改")
    resolve.refresh_from_db()
    assert resolve.met_at == SPRING_FESTIVAL_EVE
    assert Deadline.objects.for_case(complaint).open().count() == 0
    with pytest.raises(CaseError):
        deadline_set(actor=safety_officer, case=complaint, purpose="again", days=1)


def test_assign_to_a_member_of_the_unit(complaint, district, officer_a, teacher_a, officer_b):
    event = case_assign(actor=officer_a, case=complaint, unit=district.school_a, user=teacher_a)
    assert (complaint.assignee_unit_id, complaint.assignee_id) == (
        district.school_a.pk,
        teacher_a.pk,
    )
    assert event.data == {
        "from": {"unit": None, "user": None},
        "to": {"unit": district.school_a.pk, "user": teacher_a.pk},
    }
    with pytest.raises(CaseError):
        case_assign(actor=officer_a, case=complaint, unit=district.school_a, user=officer_b)
    with pytest.raises(CasePermissionDenied):
        case_assign(actor=teacher_a, case=complaint, unit=district.school_a)
    assert Complaint.objects.get(pk=complaint.pk).assignee_id == teacher_a.pk


def test_a_workflow_that_names_unknown_statuses_stops_start_up():
    with pytest.raises(ImproperlyConfigured):
        Workflow(statuses=S, initial=S.NEW, transitions={S.NEW: {"nowhere": Transition()}})
    with pytest.raises(ImproperlyConfigured):
        Workflow(
            statuses=S,
            initial=S.NEW,
            transitions={S.RESOLVED: {S.NEW: Transition()}},
            terminal={S.RESOLVED},
        )


def test_every_installed_case_type_passes_the_start_up_checks():
    from safecampus.cases.checks import check_case_types

    assert check_case_types() == []
