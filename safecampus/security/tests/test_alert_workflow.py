"""Alerts on the case kernel: the workflow's table refuses illegal moves, the machine's
changes (raise, grow, auto-close) leave audit and timeline rows, an auto-closed offline
alert is announced on the live stream, and the acknowledgement deadline escalates once."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import redis
import time_machine
from django.db import connection
from django.utils import timezone

from conftest import _person
from safecampus.audit.models import AuditEvent
from safecampus.audit.services import audit_verify
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.errors import CaseError
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.selectors import deadline_overdue_list
from safecampus.cases.services import case_transition, deadline_sweep
from safecampus.notifications.models import Notification
from safecampus.organizations.choices import Role
from safecampus.security.choices import ALERT_ACK_PURPOSE, AlertStatus, EventType, Outcome
from safecampus.security.live import channel
from safecampus.security.models import Alert
from safecampus.security.services.alerts import alert_acknowledge, alert_dispose
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.services.liveness import liveness_sweep
from safecampus.security.tests.conftest import MORNING, event

REDIS_URL = "redis://127.0.0.1:6379/12"


def _actions(alert: Alert) -> list[str]:
    rows = AuditEvent.objects.filter(object_type="security.alert", object_id=str(alert.pk))
    return list(rows.order_by("id").values_list("action", flat=True))


def _timeline(alert: Alert) -> list[tuple[str, str, str]]:
    rows = CaseEvent.objects.for_case(alert).order_by("id")
    return list(rows.values_list("kind", "from_status", "to_status"))


def _raise(device, event_id: str, kind: str = "panic_button", at=None) -> Alert:
    at = at or timezone.now()
    result = ingest_events(device=device, items=[event(event_id, kind, at)], source="http", now=at)
    return Alert.objects.get(pk=next(iter(result.alerts)))


def _ack_deadline(alert: Alert) -> Deadline:
    return Deadline.objects.for_case(alert).get(purpose=ALERT_ACK_PURPOSE)


@pytest.fixture
def guard_a(district):
    return _person("guard_a", district.school_a, Role.GUARD)


@pytest.fixture
def perimeter(district):
    with time_machine.travel(MORNING, tick=False):
        device, _secret = device_register(
            actor=None,
            school=district.school_a,
            kind="perimeter",
            name="周界东墙",
            zone="东墙",
            code="XB-001-PZ9",
        )
    # Commissioned: its first heartbeat (a device never heard from raises no offline alert).
    ingest_events(
        device=device, items=[event("hb0", "heartbeat", MORNING)], source="http", now=MORNING
    )
    return device


# --- the workflow ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_alert_is_a_kernel_case(panic, district):
    sos = _raise(panic, "p1")
    assert sos.unit_id == district.school_a.pk and sos.reference.startswith("ALERT-")
    assert sos.status == AlertStatus.OPEN and sos.title == "panic_button"
    assert _timeline(sos) == [
        (CaseEventKind.CREATED, "", AlertStatus.OPEN),
        (CaseEventKind.DEADLINE_SET, "", ""),
    ]


@pytest.mark.django_db
def test_illegal_moves_are_refused_by_the_kernel(panic, guard_a):
    sos = _raise(panic, "p1")
    with pytest.raises(CaseError) as refused:
        case_transition(actor=None, case=sos, to_status=AlertStatus.ACKNOWLEDGED)
    assert refused.value.code == "forbidden"  # the machine never acknowledges for a person
    alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.FALSE_ALARM)
    for target in (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.DISPOSED):
        with pytest.raises(CaseError) as refused:
            case_transition(actor=guard_a, case=sos, to_status=target)
        assert refused.value.code == "illegal_transition"
    sos.refresh_from_db()
    assert (sos.status, sos.outcome, sos.closed_at is not None) == (
        AlertStatus.DISPOSED,
        Outcome.FALSE_ALARM,
        True,
    )
    assert _timeline(sos)[-1] == (
        CaseEventKind.TRANSITIONED,
        AlertStatus.OPEN,
        AlertStatus.DISPOSED,
    )


# --- the machine's changes -------------------------------------------------------------------


@pytest.mark.django_db
def test_raising_and_growing_are_audited(camera):
    at = timezone.now()
    first = ingest_events(
        device=camera,
        items=[event("c1", "fight", at), event("c2", "loitering", at)],
        source="http",
        now=at,
    )
    assert len(first.alerts) == 2
    fight = Alert.objects.get(event_type="fight")
    assert _actions(fight) == ["security.alert.created"]
    ingest_events(
        device=camera,
        items=[event("c3", "fight", at + timedelta(seconds=5)), event("c4", "fight", at)],
        source="http",
        now=at + timedelta(seconds=5),
    )
    fight.refresh_from_db()
    assert fight.count == 3
    assert _actions(fight) == ["security.alert.created", "security.alert.grown"]
    grown = AuditEvent.objects.get(action="security.alert.grown")
    assert (grown.changes["events"], grown.changes["count"]) == (2, 3)
    assert grown.unit_id == camera.school_id
    assert audit_verify().ok  # rows written in one insert are chained like any other


@pytest.mark.django_db
def test_a_device_back_online_closes_its_offline_alert_through_the_kernel(perimeter):
    [pk] = liveness_sweep(MORNING + timedelta(seconds=400))
    offline = Alert.objects.get(pk=pk)
    assert _actions(offline) == ["security.alert.created"]
    back = MORNING + timedelta(minutes=10)
    ingest_events(device=perimeter, items=[event("hb", "heartbeat", back)], source="http", now=back)
    offline.refresh_from_db()
    assert (offline.status, offline.outcome, offline.note) == (
        AlertStatus.DISPOSED,
        Outcome.DEVICE_FAULT,
        "back online",
    )
    assert _actions(offline) == ["security.alert.created", "security.alert.auto_closed"]
    assert _timeline(offline)[-1] == (
        CaseEventKind.TRANSITIONED,
        AlertStatus.OPEN,
        AlertStatus.DISPOSED,
    )
    closed = AuditEvent.objects.get(action="security.alert.auto_closed")
    assert closed.actor_id is None and closed.changes["outcome"] == Outcome.DEVICE_FAULT


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db
@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
def test_the_auto_close_is_announced_on_the_stream(
    perimeter, settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = REDIS_URL
    [pk] = liveness_sweep(MORNING + timedelta(seconds=400))
    listener = redis.Redis.from_url(REDIS_URL).pubsub(ignore_subscribe_messages=True)
    listener.subscribe(channel(perimeter.school_id))
    try:
        listener.get_message(timeout=1)  # the subscription's confirmation
        back = MORNING + timedelta(minutes=10)
        with django_capture_on_commit_callbacks(execute=True):
            ingest_events(
                device=perimeter, items=[event("hb", "heartbeat", back)], source="http", now=back
            )
        heard = []
        for _ in range(20):  # other tests may publish on a school of the same id
            message = listener.get_message(timeout=2)
            if message is None:
                break
            envelope = json.loads(message["data"])
            if envelope["data"]["id"] == pk:
                heard.append(envelope)
                break
    finally:
        listener.close()
    assert [(m["event"], m["data"]["status"]) for m in heard] == [("alert", "disposed")]


# --- the acknowledgement deadline --------------------------------------------------------------


@pytest.mark.django_db
def test_the_deadline_escalates_once_and_not_after_acknowledgement(
    panic, guard_a, safety_officer, principal_a
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sos = _raise(panic, "p1")
    deadline = _ack_deadline(sos)
    assert deadline.due_at == sos.created_at + timedelta(seconds=60)
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        other = _raise(panic, "q1", kind="watchlist_match")
        alert_acknowledge(actor=guard_a, alert=other)
    assert _ack_deadline(other).met_at == start + timedelta(seconds=30)
    later = start + timedelta(seconds=200)
    with time_machine.travel(later, tick=False):
        assert deadline_sweep(purposes=[ALERT_ACK_PURPOSE]) == 1
        assert deadline_sweep(purposes=[ALERT_ACK_PURPOSE]) == 0
        assert deadline_sweep() == 0  # the kernel's own sweep finds it claimed
    sos.refresh_from_db()
    other.refresh_from_db()
    assert sos.escalated_at == later and other.escalated_at is None
    assert Notification.objects.filter(verb="security.alert.escalated").count() == 2
    assert _timeline(sos)[-1][0] == CaseEventKind.ESCALATED
    assert _actions(sos)[-1] == "security.alert.deadline_escalated"


@pytest.mark.django_db
def test_an_overdue_acknowledgement_counts_only_for_who_watches_alerts(
    panic, guard_a, safety_officer, teacher_a, officer_b
):
    """The kernel's overdue list (the home page's count) goes through ``visible_to``: the
    guard room and the bureau see the unacknowledged alert, a teacher of the same school and
    another school's officer do not; the alert statistics stay in the school's scope."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sos = _raise(panic, "p1")
    with time_machine.travel(start + timedelta(seconds=120), tick=False):
        counts = {
            user.username: deadline_overdue_list(user=user, model=Alert).count()
            for user in (guard_a, safety_officer, teacher_a, officer_b)
        }
    assert counts == {guard_a.username: 1, safety_officer.username: 1,
                      teacher_a.username: 0, officer_b.username: 0}  # fmt: skip
    assert list(Alert.objects.visible_to(teacher_a)) == []
    assert list(Alert.objects.in_school_scope(teacher_a)) == [sos]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_two_workers_sweeping_at_once_escalate_once(district, safety_officer, principal_a):
    panic, _secret = device_register(
        actor=None, school=district.school_a, kind="panic_button", name="SOS", code="XB-001-S9"
    )
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sos = _raise(panic, "p1")
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            counts.append(deadline_sweep(now=start + timedelta(seconds=61)))
        finally:
            connection.close()

    workers = [threading.Thread(target=sweep) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(counts) == [0, 1]
    sos.refresh_from_db()
    assert sos.escalated_at is not None
    assert Notification.objects.filter(verb="security.alert.escalated").count() == 2


@pytest.mark.django_db
def test_an_offline_alert_is_not_a_critical_deadline(perimeter):
    [pk] = liveness_sweep(MORNING + timedelta(seconds=400))
    offline = Alert.objects.get(pk=pk)
    assert offline.event_type == EventType.DEVICE_OFFLINE
    assert not Deadline.objects.for_case(offline).exists()
