"""The lead moves for programs: triage, an agency's answers, the two-person reveal, timeline."""

from __future__ import annotations

import pytest

from conftest import _person
from safecampus.accounts.services import api_token_create
from safecampus.cases.models import Transfer
from safecampus.leads.choices import LeadStatus
from safecampus.leads.models import Lead, RevealRequest
from safecampus.leads.tests.conftest import REPORTER_NAME
from safecampus.organizations.choices import Role

pytestmark = pytest.mark.django_db


def _as(user):
    token = api_token_create(actor=None, user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Token {token}"}


def _post(client, url, data, headers):
    return client.post(url, data, content_type="application/json", **headers)


def test_bureau_transfers_and_the_station_answers_through_the_api(
    client, lead, district, safety_officer, police_liaison
):
    officer, liaison = _as(safety_officer), _as(police_liaison)
    base = f"/api/v1/leads/{lead.reference}"
    accepted = _post(client, f"{base}/actions/", {"action": "accept"}, officer)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    moved = _post(
        client,
        f"{base}/actions/",
        {"action": "transfer", "units": [district.police_station.code], "feedback_days": 5},
        officer,
    )
    assert moved.json()["status"] == "transferred"
    transfer = Transfer.objects.for_case(lead).get()
    url = f"{base}/transfers/{transfer.pk}/"
    assert _post(client, url, {"action": "accept"}, liaison).json()["status"] == "handling"
    assert _post(client, url, {"action": "progress", "note": "走访"}, liaison).status_code == 200
    done = _post(client, f"{base}/actions/", {"action": "conclude", "result": "verified"}, liaison)
    assert done.json()["status"] == "concluded" and done.json()["result"] == "verified"
    trail = client.get(f"{base}/timeline/", **liaison).json()
    kinds = [event["kind"] for event in trail["events"]]
    assert {"transfer_accepted", "progress", "feedback"} <= set(kinds)
    assert trail["transfers"][0]["status"] == "answered"
    assert REPORTER_NAME not in str(trail)


def test_bad_moves_are_translated_4xx_and_change_nothing(
    client, lead, district, safety_officer, officer_b
):
    officer = _as(safety_officer)
    base = f"/api/v1/leads/{lead.reference}"
    unknown = _post(client, f"{base}/actions/", {"action": "explode"}, officer)
    assert unknown.status_code == 400 and "action" in unknown.json()["errors"]
    illegal = _post(client, f"{base}/actions/", {"action": "close"}, officer)
    assert illegal.status_code == 400 and "不能变更为" in illegal.json()["detail"]
    bad_unit = _post(client, f"{base}/actions/", {"action": "transfer", "units": ["NOPE"]}, officer)
    assert bad_unit.status_code == 400
    outsider = _post(client, f"{base}/actions/", {"action": "accept"}, _as(officer_b))
    assert outsider.status_code in (403, 404)
    assert Lead.objects.get(pk=lead.pk).status == LeadStatus.RECEIVED
    assert client.get("/api/v1/leads/XS-0000-000000/timeline/", **officer).status_code == 404


def test_reveal_through_the_api_needs_a_second_person(client, lead, safety_officer, district):
    leader = _person("leader", district.bureau, Role.BUREAU_LEADER, second_factor=True)
    officer, boss = _as(safety_officer), _as(leader)
    url = f"/api/v1/leads/{lead.reference}/reveal/"
    asked = _post(client, url, {"action": "request", "note": "需回访核实"}, officer)
    assert asked.status_code == 200 and asked.json()["status"] == "pending"
    request_id = asked.json()["request_id"]
    assert _post(client, url, {"action": "show"}, officer).status_code == 403
    own = _post(client, url, {"action": "approve", "request_id": request_id}, officer)
    assert own.status_code == 403
    approved = _post(client, url, {"action": "approve", "request_id": request_id}, boss)
    assert approved.json()["status"] == "approved"
    shown = _post(client, url, {"action": "show"}, officer)
    assert shown.status_code == 200 and shown.json()["name"] == REPORTER_NAME
    assert RevealRequest.objects.get().decided_by == leader


def test_the_new_endpoints_are_in_the_schema(client, safety_officer):
    schema = client.get("/api/v1/schema/", **_as(safety_officer)).content.decode()
    for path in ("actions/", "transfers/{transfer_id}/", "reveal/", "timeline/"):
        assert f"/api/v1/leads/{{reference}}/{path}" in schema


def test_dual_reports_through_the_api(client, lead, safety_officer, officer_a, police_liaison):
    """R-2.2's second report: recorded and listed by the bureau, on the timeline too; bad
    input a translated 400 that records nothing; other roles refused (#14)."""
    officer = _as(safety_officer)
    url = f"/api/v1/leads/{lead.reference}/dual-reports/"
    report = {
        "channel": "local_government",
        "reported_to": "三井街道综治办",
        "reported_at": "2026-12-01T09:30:00+08:00",
        "method": "phone",
    }
    before = client.get(url, **officer).json()  # the safety section's, made with the lead
    made = _post(client, url, report, officer)
    assert made.status_code == 201, made.content
    assert made.json()["reported_to"] == "三井街道综治办"
    listed = client.get(url, **officer).json()
    assert [r for r in listed if r not in before] == [made.json()]
    trail = client.get(f"/api/v1/leads/{lead.reference}/timeline/", **officer).json()
    assert "三井街道综治办" in [r["reported_to"] for r in trail["dual_reports"]]

    for bad in ({**report, "channel": "moon"}, {**report, "reported_to": ""}, {}):
        answer = _post(client, url, bad, officer)
        assert answer.status_code == 400, bad
    future = _post(client, url, {**report, "reported_at": "2099-01-01T00:00:00+08:00"}, officer)
    assert future.status_code == 400
    for someone in (officer_a, police_liaison):
        assert _post(client, url, report, _as(someone)).status_code in (403, 404)
    assert len(client.get(url, **officer).json()) == len(before) + 1


@pytest.mark.parametrize("wrong", [[1], {"a": 1}, 12345, True, None])
def test_a_dual_report_field_of_any_wrong_json_type_is_a_400(client, lead, safety_officer, wrong):
    """The schema fuzzer sends arrays, objects and numbers where a string belongs: a form's
    DateTimeField called .strip() on them (a 500); the API's own fields answer 400."""
    url = f"/api/v1/leads/{lead.reference}/dual-reports/"
    officer = _as(safety_officer)
    good = {
        "channel": "department",
        "reported_to": "区公安分局",
        "reported_at": "2026-12-01T09:30:00+08:00",
        "method": "document",
    }
    for field in good:
        answer = _post(client, url, {**good, field: wrong}, officer)
        # A number is taken as the text it spells for the addressee (DRF's CharField).
        expected = 201 if field == "reported_to" and type(wrong) is int else 400
        assert answer.status_code == expected, (field, wrong, answer.status_code)
