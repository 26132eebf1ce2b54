"""The alert stream at the ASGI level (as safecampus/stream/tests): each guard room hears its
school, the bureau every school, others are refused; a new alert arrives within a second."""

from __future__ import annotations

import json
import queue
import time

import pytest
from django.utils import timezone

from conftest import _person
from safecampus.organizations.choices import Role
from safecampus.security.services.alerts import alert_acknowledge
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import event
from safecampus.stream.app import StreamApp
from safecampus.stream.broker import DatabaseBroker
from safecampus.stream.tests.conftest import StreamCall, session_cookie

pytestmark = pytest.mark.usefixtures("live_db")
PATH = "/stream/alerts"
RETRY = b"retry: 5000\n\n"


@pytest.fixture(autouse=True)
def _fast_heartbeat(settings):
    settings.STREAM_HEARTBEAT_SECONDS = 30.0


@pytest.fixture
def live_db(transactional_db):
    return transactional_db


@pytest.fixture
def app():
    return StreamApp(broker=DatabaseBroker())


def _open(app, user):
    call = StreamCall(app, path=PATH, headers=[("cookie", session_cookie(user))])
    assert call.start()["status"] == 200
    assert call.next_body() == RETRY
    return call


def _event(body: bytes) -> dict:
    head, data = body.decode().strip().split("\n")
    assert head == "event: alert"
    return json.loads(data.removeprefix("data: "))


def test_others_are_refused(app, district):
    teacher = _person("teacher", district.school_a, Role.TEACHER)
    call = StreamCall(app, path=PATH, headers=[("cookie", session_cookie(teacher))])
    status, _headers, body = call.response()
    assert status == 403 and set(body) == {"detail"}


def test_a_new_alert_reaches_its_school_and_the_bureau_within_a_second(
    app, district, safety_officer
):
    guard_a = _person("guard_a", district.school_a, Role.GUARD)
    guard_b = _person("guard_b", district.school_b, Role.GUARD)
    panic, _secret = device_register(
        actor=None, school=district.school_a, kind="panic_button", name="SOS", code="XB-001-S"
    )
    calls = {who: _open(app, who) for who in (guard_a, guard_b, safety_officer)}
    time.sleep(0.3)  # the subscriptions' cursors are set
    sent = time.monotonic()
    ingest_events(device=panic, items=[event("p1", "panic_button", timezone.now())], source="http")
    for who in (guard_a, safety_officer):
        data = _event(calls[who].next_body(timeout=2))
        assert time.monotonic() - sent < 1.0
        assert (data["school"], data["priority"], data["status"]) == (
            district.school_a.pk,
            4,
            "open",
        )
    alert_acknowledge(actor=guard_a, alert=panic.alerts.get())
    assert _event(calls[guard_a].next_body(timeout=2))["status"] == "acknowledged"
    with pytest.raises(queue.Empty):  # school B heard nothing
        calls[guard_b].sent.get(timeout=0.8)
    for call in calls.values():
        assert call.disconnect()
