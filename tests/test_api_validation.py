"""Every query parameter and body of /api/v1 goes through one validation layer: input that
Python, the database or the China time zone cannot hold is a translated 400 ``{"detail"}``,
never a 500. The cases are those a schema-driven fuzzer found (issue 11, part 3)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.views import APIView

from conftest import _person
from safecampus.accounts.services import api_token_create
from safecampus.api.parsers import JSONObjectParser
from safecampus.cases.models import Transfer
from safecampus.inspections.tests.factories import make_checklist
from safecampus.inspections.tests.test_inspect_services import make_inspection
from safecampus.leads.models import LeadCategory
from safecampus.leads.services import lead_report
from safecampus.organizations.choices import Role
from safecampus.security.models import Alert
from safecampus.security.services.devices import device_register
from safecampus.security.services.ingest import ingest_events

pytestmark = pytest.mark.django_db

NOT_OBJECTS = ["[null, null]", '"x"', "3", "null", "[]"]


def _token(user) -> dict[str, str]:
    token = api_token_create(actor=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["django_language"] = "en"


@pytest.fixture
def officer(safety_officer):
    return _token(safety_officer)


def _bad_request(response, words: str) -> None:
    assert response.status_code == 400, (response.request["PATH_INFO"], response.content)
    body = response.json()
    assert words in body["detail"], body
    assert set(body) <= {"detail", "code", "errors"}


@pytest.mark.parametrize("year", ["10000", "99999", "336488758764", "0", "-1", "2026.5"])
def test_an_inspection_year_out_of_range_is_400(client, officer, year):
    response = client.get("/api/v1/inspections/", {"year": year}, **officer)
    _bad_request(response, "year")


def test_a_sane_inspection_year_is_accepted(client, officer):
    response = client.get("/api/v1/inspections/", {"year": "2026"}, **officer)
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize("notice", ["99999999999999999999", "-3", "x"])
def test_a_risk_warning_notice_beyond_the_database_is_400(client, officer, notice):
    _bad_request(client.get("/api/v1/risk-warnings/", {"notice": notice}, **officer), "notice")


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "2026-01-01T00:00:00"]
)
def test_an_alert_since_python_cannot_convert_is_400(client, officer, since):
    _bad_request(client.get("/api/v1/alerts/", {"since": since}, **officer), "since")


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_hazard_date_the_time_zone_cannot_hold_is_400(client, officer, day):
    for name in ("found_from", "found_to"):
        _bad_request(client.get("/api/v1/hazards/", {name: day}, **officer), name)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_alert_statistics_dates_out_of_range_are_400(client, officer, day):
    _bad_request(client.get("/api/v1/security/stats/", {"date_from": day}, **officer), "date")


@pytest.fixture
def inspection(district, inspector):
    return make_inspection(make_checklist(), district.school_a, inspector=inspector)


@pytest.fixture
def lead(district, safety_officer):
    migration = importlib.import_module("safecampus.leads.migrations.0002_seed_categories")
    migration.seed(apps, None)
    return lead_report(
        actor=safety_officer,
        category=LeadCategory.objects.get(code="gang_disruption"),
        description="校门口有社会人员向学生索要钱财",
        place="实验小学东门",
        school=district.school_a,
        reporter_name="匿名家长",
        reporter_contact="13700001111",
    )


@pytest.fixture
def transfer(client, lead, district, officer):
    base = f"/api/v1/leads/{lead.reference}/actions/"
    for move in ({"action": "accept"}, {"action": "transfer", "units": ["GA-SJ"]}):
        answer = client.post(base, move, content_type="application/json", **officer)
        assert answer.status_code == 200, answer.content
    return Transfer.objects.for_case(lead).get()


@pytest.fixture
def alert(district):
    importlib.import_module("safecampus.security.migrations.0002_default_rules").seed(apps, None)
    panic, _secret = device_register(
        actor=None, school=district.school_a, kind="panic_button", name="一键报警", code="SOS1"
    )
    item = {"event_id": "p1", "type": "panic_button", "occurred_at": timezone.now().isoformat()}
    ingest_events(device=panic, items=[item], source="http")
    return Alert.objects.get()


@pytest.mark.parametrize("body", NOT_OBJECTS)
def test_a_json_body_that_is_not_an_object_is_400_everywhere(
    client,
    body,
    inspection,
    inspector,
    lead,
    transfer,
    alert,
    safety_officer,
    police_liaison,
    bureau_leader,
):
    guard = _person("guard_a", alert.school, Role.GUARD)
    cases = [
        (inspector, f"/api/v1/inspections/{inspection.pk}/submit/"),
        (safety_officer, f"/api/v1/leads/{lead.reference}/actions/"),
        (safety_officer, f"/api/v1/leads/{lead.reference}/reveal/"),
        (police_liaison, f"/api/v1/leads/{lead.reference}/transfers/{transfer.pk}/"),
        (guard, f"/api/v1/alerts/{alert.pk}/dispose/"),
        (safety_officer, "/api/v1/risk-grades/compute/"),
        (safety_officer, "/api/v1/hazards/"),
        (bureau_leader, "/api/v1/accountability-decisions/"),
    ]
    for user, url in cases:
        response = client.post(url, body, content_type="application/json", **_token(user))
        _bad_request(response, "JSON object")
    alert.refresh_from_db()
    assert alert.status == "open" and alert.disposed_at is None


def _api_views(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _api_views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view = getattr(entry.callback, "cls", None)
            if view is not None and issubclass(view, APIView):
                yield prefix + str(entry.pattern), view


def test_no_api_view_parses_json_without_the_object_check():
    """One parser refuses non-object JSON bodies; a view with its own parser list must
    still use it (a plain JSONParser would hand a list or a number to the view)."""
    views = list(_api_views(get_resolver().url_patterns))
    assert len(views) > 40
    for route, view in views:
        if not {"post", "put", "patch"} & set(dir(view)):
            continue
        json_parsers = [p for p in view.parser_classes if "json" in p.media_type]
        assert all(issubclass(p, JSONObjectParser) for p in json_parsers), route
