"""/api/v1/alerts/: scoped reads with filters, the same moves as the console, in the schema."""

from __future__ import annotations

import pytest
from django.utils import timezone

from conftest import _person, login
from safecampus.organizations.choices import Role
from safecampus.security.choices import AlertStatus
from safecampus.security.models import Alert
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events
from safecampus.security.tests.conftest import event

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard_a(district):
    return _person("guard_a", district.school_a, Role.GUARD)


@pytest.fixture
def alerts(panic, camera, district):
    now = timezone.now()
    ingest_events(device=panic, items=[event("p1", "panic_button", now)], source="http")
    ingest_events(device=camera, items=[event("c1", "loitering", now)], source="http")
    other, _secret = device_register(
        actor=None, school=district.school_b, kind="camera", name="B", code="XB-002-C"
    )
    ingest_events(device=other, items=[event("b1", "fight", now)], source="http")
    return {a.event_type: a for a in Alert.objects.all()}


def test_the_list_is_scoped_and_filtered(client, alerts, guard_a, safety_officer):
    login(client, guard_a)
    body = client.get("/api/v1/alerts/").json()
    mine = {row["event_type"] for row in body["results"]}
    assert mine == {"panic_button", "loitering"}
    critical = client.get("/api/v1/alerts/", {"priority": 4}).json()["results"]
    assert [row["event_type"] for row in critical] == ["panic_button"]
    login(client, safety_officer)
    everyone = client.get("/api/v1/alerts/").json()["results"]
    assert len(everyone) == 3
    school_b = client.get("/api/v1/alerts/", {"school": "XB-002"}).json()["results"]
    assert [row["event_type"] for row in school_b] == ["fight"]
    assert client.get("/api/v1/alerts/", {"type": "fight", "status": "open"}).json()["count"] == 1
    later = (timezone.now() + timezone.timedelta(minutes=1)).isoformat()
    assert client.get("/api/v1/alerts/", {"since": later}).json()["count"] == 0
    assert client.get("/api/v1/alerts/", {"since": "yesterday"}).status_code == 400


def test_another_schools_alert_is_404_and_a_liaison_403(client, alerts, guard_a, police_liaison):
    login(client, guard_a)
    fight = alerts["fight"]
    assert client.get(f"/api/v1/alerts/{fight.pk}/").status_code == 404
    assert client.post(f"/api/v1/alerts/{fight.pk}/acknowledge/").status_code == 404
    login(client, police_liaison)
    assert client.get("/api/v1/alerts/").status_code == 403
    assert Alert.objects.get(pk=fight.pk).status == AlertStatus.OPEN


def test_the_moves(client, alerts, guard_a, police_liaison):
    login(client, guard_a)
    client.cookies["django_language"] = "en"
    sos = alerts["panic_button"]
    url = f"/api/v1/alerts/{sos.pk}"
    assert client.post(f"{url}/acknowledge/").json()["status"] == "acknowledged"
    assert client.post(f"{url}/acknowledge/").status_code == 409
    refused = client.post(f"{url}/dispose/", {"outcome": "real"}, content_type="application/json")
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "Say what happened and what was done.",
        "code": "note_required",
    }
    helped = client.post(f"{url}/request-help/")
    assert helped.status_code == 200 and helped.json()["help_requested_at"]
    escalated = client.post(f"{url}/escalate/", {"note": "持刀"}, content_type="application/json")
    assert escalated.status_code == 200 and escalated.json()["escalated_at"]
    done = client.post(
        f"{url}/dispose/", {"outcome": "real", "note": "已处置"}, content_type="application/json"
    )
    assert done.json()["status"] == "disposed" and done.json()["outcome"] == "real"
    assert client.post(f"{url}/nonsense/").status_code == 404


def test_the_schema_lists_the_alert_endpoints(client, safety_officer):
    login(client, safety_officer)
    paths = client.get("/api/v1/schema/").json()["paths"]
    assert "/api/v1/alerts/" in paths and "/api/v1/alerts/{alert_id}/{action}/" in paths
