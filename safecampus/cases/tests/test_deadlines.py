"""The overdue sweeper escalates each deadline exactly once, to the next level's people."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections

from safecampus.cases.choices import CaseEventKind
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.selectors import deadline_overdue_list
from safecampus.cases.services import deadline_set, deadline_sweep
from safecampus.cases.services.deadlines import deadline_claim
from safecampus.cases.tasks import deadline_sweep_task
from safecampus.cases.tests.conftest import SPRING_FESTIVAL_EVE, end_of
from safecampus.core.localtime import CHINA_TZ
from safecampus.notifications.models import Notification

ESCALATED = "cases.deadline.escalated"
AFTER_DUE = datetime(2026, 2, 15, 0, 0, tzinfo=CHINA_TZ)


def _escalations(case):
    return list(CaseEvent.objects.for_case(case).filter(kind=CaseEventKind.ESCALATED))


def _recipients():
    rows = Notification.objects.filter(verb=ESCALATED).values_list("recipient__username", flat=True)
    return sorted(rows)


@pytest.fixture
def accept_deadline(complaint, district, safety_officer, principal_a, officer_a, teacher_a):
    """Due at the end of Saturday 14 Feb 2026 (the make-up working day); escalates to school A."""
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        return deadline_set(
            actor=safety_officer,
            case=complaint,
            purpose="accept",
            days=1,
            escalate_to=district.school_a,
        )


@pytest.mark.django_db
def test_escalates_once_and_tells_each_person_once(
    complaint, accept_deadline, officer_a, principal_a
):
    assert accept_deadline.due_at == end_of(2026, 2, 14)
    assert deadline_sweep(now=accept_deadline.due_at) == 0  # due, not yet past due

    assert deadline_sweep(now=AFTER_DUE) == 1
    assert deadline_sweep(now=AFTER_DUE) == 0
    assert deadline_sweep(now=AFTER_DUE + timedelta(days=3)) == 0

    accept_deadline.refresh_from_db()
    assert accept_deadline.escalated_at == AFTER_DUE
    assert accept_deadline.met_at is None  # still owed
    # The principal and the designated officer of school A; not the teacher.
    assert _recipients() == ["officer_a", "principal_a"]
    [event] = _escalations(complaint)
    assert (event.actor_id, event.at) == (None, AFTER_DUE)
    assert event.data == {
        "deadline": accept_deadline.pk,
        "purpose": "accept",
        "due_at": "2026-02-14T23:59:59.999999+08:00",
        "escalate_to": complaint.unit_id,
        "recipients": sorted([officer_a.pk, principal_a.pk]),
    }
    note = Notification.objects.filter(verb=ESCALATED).first()
    assert note.object_id == str(complaint.pk)
    assert note.unit_id == complaint.unit_id


@pytest.mark.django_db
def test_by_default_the_bureau_safety_section_is_the_next_level(
    complaint, safety_officer, principal_a
):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        deadline_set(actor=safety_officer, case=complaint, purpose="reply", days=2)
    assert deadline_sweep(now=end_of(2026, 2, 24) + timedelta(seconds=1)) == 1
    assert _recipients() == ["safety_officer"]


@pytest.mark.django_db
def test_a_second_worker_cannot_claim_what_the_first_claimed(accept_deadline):
    # Both workers listed the deadline before either claimed it.
    assert deadline_claim(pk=accept_deadline.pk, now=AFTER_DUE) is True
    assert deadline_claim(pk=accept_deadline.pk, now=AFTER_DUE) is False


@pytest.mark.django_db
def test_met_or_replaced_deadlines_are_not_escalated(complaint, accept_deadline, safety_officer):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        longer = deadline_set(actor=safety_officer, case=complaint, purpose="accept", days=2)
    accept_deadline.refresh_from_db()
    assert accept_deadline.cancelled_at == SPRING_FESTIVAL_EVE
    assert longer.due_at == end_of(2026, 2, 24)
    assert Deadline.objects.for_case(complaint).open().get() == longer
    assert deadline_sweep(now=AFTER_DUE) == 0  # the extension is not yet due
    assert deadline_sweep(now=end_of(2026, 2, 25)) == 1
    assert len(_escalations(complaint)) == 1


@pytest.mark.django_db
def test_a_failing_escalation_is_retried_next_time(accept_deadline, monkeypatch):
    import safecampus.cases.services._base as services

    def broken(**kwargs):
        raise RuntimeError("mail server down")

    monkeypatch.setattr(services, "notify", broken)
    assert deadline_sweep(now=AFTER_DUE) == 0
    accept_deadline.refresh_from_db()
    assert accept_deadline.escalated_at is None
    monkeypatch.undo()
    assert deadline_sweep(now=AFTER_DUE) == 1


@pytest.mark.django_db
def test_the_periodic_task_runs_the_sweep(accept_deadline):
    with time_machine.travel(AFTER_DUE, tick=False):
        assert deadline_sweep_task.call_local() == 1
    assert len(_recipients()) == 2


@pytest.mark.django_db
def test_overdue_list_follows_the_case_scope(
    open_complaint,
    district,
    accept_deadline,
    safety_officer,
    officer_a,
    officer_b,
    outsider,
    police_liaison,
    auditor,
):
    in_b = open_complaint(unit=district.school_b)
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        other = deadline_set(actor=safety_officer, case=in_b, purpose="accept", days=1)

    def overdue(user):
        return list(deadline_overdue_list(user=user, now=AFTER_DUE))

    assert overdue(safety_officer) == [accept_deadline, other]
    assert overdue(officer_a) == [accept_deadline]
    assert overdue(officer_b) == [other]
    assert overdue(outsider) == overdue(police_liaison) == overdue(auditor) == []
    assert overdue(officer_a)[0].case.title == "食堂饭菜变质"
    assert list(deadline_overdue_list(user=officer_a, now=SPRING_FESTIVAL_EVE)) == []


@pytest.fixture
def committed_db(transactional_db):
    """Committed data, since each worker thread has its own connection."""
    return transactional_db


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks between real connections"
)
def test_two_workers_at_once_escalate_once(committed_db, accept_deadline):
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(deadline_sweep(now=AFTER_DUE))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 1]
    assert _recipients() == ["officer_a", "principal_a"]
