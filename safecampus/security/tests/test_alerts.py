"""The moves on an alert, who may make them, the escalation of a critical alert nobody
acknowledged, and the console's pages."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone, translation

from conftest import _person, login
from safecampus.audit.models import AuditEvent
from safecampus.cases.services import deadline_sweep
from safecampus.core.errors import ConflictError, ForbiddenError
from safecampus.notifications.models import Notification
from safecampus.organizations.choices import Role
from safecampus.security.choices import ALERT_ACK_PURPOSE, AlertStatus, Outcome
from safecampus.security.models import Alert
from safecampus.security.selectors.alerts import alert_list
from safecampus.security.services.alerts import (
    AlertError,
    alert_acknowledge,
    alert_dispose,
    alert_escalate_incident,
    alert_request_police_help,
)
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import event

pytestmark = pytest.mark.django_db


def alert_sweep() -> int:
    """The security task's sweep: the kernel's, of acknowledgement deadlines."""
    return deadline_sweep(purposes=[ALERT_ACK_PURPOSE])


@pytest.fixture
def guard_a(district):
    return _person("guard_a", district.school_a, Role.GUARD, full_name="孙门卫")


@pytest.fixture
def guard_b(district):
    return _person("guard_b", district.school_b, Role.GUARD, full_name="钱门卫")


@pytest.fixture
def leader(district):
    return _person("leader", district.bureau, Role.BUREAU_LEADER, second_factor=True)


def _alert(device, kind="panic_button", event_id="e1", **extra) -> Alert:
    result = ingest_events(
        device=device, items=[event(event_id, kind, timezone.now(), **extra)], source="http"
    )
    return Alert.objects.get(pk=next(iter(result.alerts)))


@pytest.fixture
def sos(panic):
    return _alert(panic)


@pytest.fixture
def sos_b(district):
    device, _secret = device_register(
        actor=None, school=district.school_b, kind="panic_button", name="B门卫室", code="XB-002-S"
    )
    return _alert(device, event_id="b1")


# --- scope -----------------------------------------------------------------------------


def test_each_guard_room_sees_its_own_school_and_the_bureau_all(
    sos, sos_b, guard_a, guard_b, safety_officer, teacher_a, police_liaison, auditor
):
    assert list(alert_list(user=guard_a)) == [sos]
    assert list(alert_list(user=guard_b)) == [sos_b]
    assert set(alert_list(user=safety_officer)) == {sos, sos_b}
    for nobody in (teacher_a, police_liaison, auditor):
        assert list(alert_list(user=nobody)) == []


def test_school_b_guard_can_neither_see_nor_touch_school_a(client, sos, guard_b):
    login(client, guard_b)
    assert client.get(f"/security/alerts/{sos.pk}/").status_code == 404
    assert client.post(f"/security/alerts/{sos.pk}/acknowledge/").status_code == 404
    with pytest.raises(ForbiddenError):
        alert_acknowledge(actor=guard_b, alert=sos)
    sos.refresh_from_db()
    assert sos.status == AlertStatus.OPEN and sos.acknowledged_at is None
    page = client.get("/security/console/")
    assert page.status_code == 200 and f'id="alert-{sos.pk}"' not in page.content.decode()


@pytest.mark.parametrize("who", ["auditor", "police_liaison", "teacher_a"])
def test_auditor_liaison_and_teacher_are_refused_the_console(client, sos, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get("/security/console/").status_code == 403
    assert client.post(f"/security/alerts/{sos.pk}/acknowledge/").status_code == 403
    assert Alert.objects.get(pk=sos.pk).status == AlertStatus.OPEN


# --- the moves ---------------------------------------------------------------------------


def test_acknowledge_then_dispose_is_audited(sos, guard_a):
    alert_acknowledge(actor=guard_a, alert=sos)
    sos.refresh_from_db()
    assert (sos.status, sos.acknowledged_by) == (AlertStatus.ACKNOWLEDGED, guard_a)
    with pytest.raises(ConflictError):
        alert_acknowledge(actor=guard_a, alert=sos)
    alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.TEST, note="")
    sos.refresh_from_db()
    assert (sos.status, sos.outcome, sos.disposed_by) == (AlertStatus.DISPOSED, "test", guard_a)
    actions = list(
        AuditEvent.objects.filter(object_type="security.alert", object_id=str(sos.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    # raised by the machine (with its acknowledgement deadline), then the people's moves
    assert actions == [
        "security.alert.created",
        "security.alert.deadline_set",
        "security.alert.acknowledged",
        "security.alert.disposed",
    ]


def test_a_real_incident_needs_a_note(sos, guard_a):
    with translation.override("en"), pytest.raises(AlertError, match="what was done"):
        alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.REAL, note="  ")
    assert Alert.objects.get(pk=sos.pk).status == AlertStatus.OPEN
    alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.REAL, note="门卫驱离可疑人员")
    sos.refresh_from_db()
    assert sos.outcome == "real" and "门卫驱离可疑人员" in sos.note
    assert sos.acknowledged_by == guard_a  # disposing implies having seen it


def test_escalate_into_an_incident_tells_the_bureau_and_the_principal_once(
    sos, officer_a, safety_officer, leader, principal_a, officer_b
):
    alert_escalate_incident(actor=officer_a, alert=sos, note="有人持刀")
    sos.refresh_from_db()
    assert sos.escalated_at is not None and "有人持刀" in sos.note
    told = set(
        Notification.objects.filter(verb="security.alert.incident_escalated").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"safety_officer", "leader", "principal_a"}
    with pytest.raises(ConflictError):
        alert_escalate_incident(actor=officer_a, alert=sos, note="again")
    assert Notification.objects.filter(verb="security.alert.incident_escalated").count() == 3


def test_police_help_goes_to_the_liaison_of_the_schools_station(
    sos, guard_a, police_liaison, district
):
    other = _person("other_liaison", district.bureau, Role.PARTNER_LIAISON)
    with translation.override("en"):
        alert_request_police_help(actor=guard_a, alert=sos)
    sent = Notification.objects.get(verb="security.alert.help_requested")
    assert sent.recipient == police_liaison and sent.unit_id == district.police_station.pk
    assert "新北区实验小学" in sent.title and "门卫室" in sent.body
    assert "孙门卫" not in sent.body + sent.title  # nobody's personal data
    assert not Notification.objects.filter(recipient=other).exists()
    with pytest.raises(ConflictError):
        alert_request_police_help(actor=guard_a, alert=sos)


def test_police_help_carries_the_plate_of_a_plate_hit_only(camera, guard_a, police_liaison):
    hit = _alert(camera, kind="watchlist_match", event_id="w1", subject="苏D12345")
    alert_request_police_help(actor=guard_a, alert=hit)
    assert "苏D12345" in Notification.objects.get(recipient=police_liaison).body


def test_police_help_without_a_station_is_refused(sos_b, safety_officer):
    with pytest.raises(AlertError):
        alert_request_police_help(actor=safety_officer, alert=sos_b)
    assert Alert.objects.get(pk=sos_b.pk).help_requested_at is None


# --- escalation of unacknowledged critical alerts -----------------------------------------


def test_a_critical_alert_unacknowledged_for_60_s_is_escalated_exactly_once(
    panic, camera, safety_officer, leader, principal_a, guard_a
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sos = _alert(panic)
        seen = _alert(panic, event_id="e2", kind="tamper")  # high, not critical
    with time_machine.travel(start + timedelta(seconds=59), tick=False):
        assert alert_sweep() == 0
    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        assert alert_sweep() == 1
        assert alert_sweep() == 0
    sos.refresh_from_db()
    seen.refresh_from_db()
    assert sos.escalated_at == start + timedelta(seconds=61) and seen.escalated_at is None
    told = Notification.objects.filter(verb="security.alert.escalated")
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "leader",
        "principal_a",
        "safety_officer",
    ]
    assert AuditEvent.objects.filter(action="security.alert.deadline_escalated").count() == 1


def test_an_acknowledged_critical_alert_is_not_escalated(panic, guard_a, safety_officer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sos = _alert(panic)
        alert_acknowledge(actor=guard_a, alert=sos)
    with time_machine.travel(start + timedelta(seconds=120), tick=False):
        assert alert_sweep() == 0
    assert not Notification.objects.filter(verb="security.alert.escalated").exists()


# --- pages ---------------------------------------------------------------------------------


def test_console_actions_by_htmx_return_the_row(client, sos, guard_a):
    login(client, guard_a)
    page = client.get("/security/console/")
    assert page.status_code == 200 and f'id="alert-{sos.pk}"' in page.content.decode()
    row = client.post(f"/security/alerts/{sos.pk}/acknowledge/", HTTP_HX_REQUEST="true")
    assert row.status_code == 200 and 'data-status="acknowledged"' in row.content.decode()
    client.cookies["django_language"] = "en"
    refused = client.post(
        f"/security/alerts/{sos.pk}/dispose/",
        {"outcome": "real", "note": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "Say what happened and what was done." in refused.content.decode()
    assert Alert.objects.get(pk=sos.pk).status == AlertStatus.ACKNOWLEDGED


def test_the_feed_returns_rows_changed_since_the_cursor(client, sos, guard_a):
    login(client, guard_a)
    before = (timezone.now() - timedelta(seconds=30)).isoformat()
    rows = client.get("/security/console/feed/", {"since": before}).json()["rows"]
    assert [(r["id"], r["live"], r["sound"]) for r in rows] == [(sos.pk, True, True)]
    alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.FALSE_ALARM)
    rows = client.get("/security/console/feed/", {"ids": str(sos.pk)}).json()["rows"]
    assert [(r["id"], r["live"]) for r in rows] == [(sos.pk, False)]


def test_history_filters_and_a_formula_safe_csv(client, panic, camera, guard_a):
    sos = _alert(panic)
    _alert(camera, kind="fight", event_id="f1", zone="=1+1")
    alert_dispose(actor=guard_a, alert=sos, outcome=Outcome.REAL, note="已处置")
    login(client, guard_a)
    page = client.get("/security/alerts/", {"event_type": "fight"})
    assert page.status_code == 200 and page.context["page"].paginator.count == 1
    assert client.get("/security/alerts/", {"outcome": "real"}).context["page"][0] == sos
    response = client.get("/security/alerts/export.csv", {"event_type": "fight"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 2 and rows[1][3] == "'=1+1"
    assert AuditEvent.objects.filter(action="security.alert.exported").count() == 1


def test_the_stream_alias_redirects_to_the_stream_process(client, guard_a, settings):
    settings.STREAM_URL = "http://127.0.0.1:8001/stream/events"
    login(client, guard_a)
    response = client.get("/alerts/stream/", HTTP_ACCEPT="text/event-stream")
    assert (response.status_code, response["Location"]) == (
        307,
        "http://127.0.0.1:8001/stream/alerts",
    )
    assert client.get("/alerts/stream/").json()["stream"] == "http://127.0.0.1:8001/stream/alerts"
