"""POST /api/v1/ingest/events with a device credential: 202 with counts, clear 4xx otherwise."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from safecampus.security.models import Alert, DeviceEvent
from safecampus.security.tests.conftest import event

pytestmark = pytest.mark.django_db
URL = "/api/v1/ingest/events"


def _post(client, device, body, *, secret=None, **headers):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(
        URL,
        data,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {device.code}:{secret or device.secret}",
        **headers,
    )


def test_one_event_or_a_batch_answers_202_with_counts(client, panic):
    now = timezone.now()
    one = _post(client, panic, event("p1", "panic_button", now))
    assert one.status_code == 202 and one.json() == {"accepted": 1, "duplicates": 0, "rejected": []}
    batch = _post(client, panic, [event("p1", "panic_button", now), event("p2", "tamper", now), {}])
    assert batch.status_code == 202
    body = batch.json()
    assert (body["accepted"], body["duplicates"]) == (1, 1)
    assert body["rejected"] == [{"index": 2, "event_id": None, "reason": "event_id is missing"}]
    assert DeviceEvent.objects.count() == 2 and Alert.objects.filter(priority=4).exists()


def test_bad_credentials_and_bodies_are_refused_with_reasons(client, panic, camera):
    now = timezone.now()
    wrong = _post(client, panic, event("a", "fight", now), secret="f" * 40)
    assert wrong.status_code == 401 and wrong.json()["detail"] == "unknown device or wrong secret"
    assert wrong["WWW-Authenticate"].startswith("Device")
    none = client.post(URL, "{}", content_type="application/json")
    assert none.status_code == 401
    other = client.post(
        URL,
        json.dumps(event("a", "fight", now)),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Device {camera.code}:{panic.secret}",  # another device's secret
    )
    assert other.status_code == 401
    assert _post(client, panic, b"{not json").status_code == 400
    assert _post(client, panic, []).status_code == 400
    too_many = _post(client, panic, [event(str(n), "fight", now) for n in range(1001)])
    assert too_many.status_code == 413
    huge = _post(client, panic, b"[" + b" " * (16 * 1024 * 1024) + b"]")
    assert huge.status_code == 413
    assert not DeviceEvent.objects.exists()


def test_the_route_takes_only_post_and_no_session(client, panic, safety_officer):
    from conftest import login

    login(client, safety_officer)  # a person's session is not a device credential
    assert client.post(URL, "{}", content_type="application/json").status_code == 401
    assert client.get(URL).status_code == 405
