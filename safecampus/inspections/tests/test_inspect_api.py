"""/api/v1/inspections/…: list, detail with answers, saving an answer, submitting."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine

from conftest import login
from safecampus.inspections.choices import InspectionStatus, Performer
from safecampus.inspections.models import Hazard, InspectionAnswer
from safecampus.inspections.tests.test_inspect_services import TUESDAY, answer_all, make_inspection


@pytest.fixture
def visit(gate_checklist, district, inspector):
    return make_inspection(gate_checklist, district.school_a, inspector=inspector)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@time_machine.travel(TUESDAY, tick=False)
def test_list_with_filters(client, gate_checklist, district, safety_officer):
    late = make_inspection(gate_checklist, district.school_a, due_on=date(2026, 3, 2))
    make_inspection(gate_checklist, district.school_b, performer=Performer.SCHOOL)
    login(client, safety_officer)
    everything = client.get("/api/v1/inspections/").json()
    assert everything["count"] == 2
    overdue = client.get("/api/v1/inspections/", {"overdue": "true"}).json()
    assert [row["id"] for row in overdue["results"]] == [late.pk]
    assert overdue["results"][0]["school"] == "XB-001"
    by_school = client.get("/api/v1/inspections/", {"school": "XB-002"}).json()
    assert by_school["count"] == 1
    assert client.get("/api/v1/inspections/", {"status": "nonsense"}).status_code == 400
    assert client.get("/api/v1/inspections/", {"school": "NOPE"}).json()["count"] == 0


def test_a_school_lists_only_its_own(client, visit, gate_checklist, district, officer_b):
    make_inspection(gate_checklist, district.school_b, performer=Performer.SCHOOL)
    data = login(client, officer_b).get("/api/v1/inspections/").json()
    assert [row["school"] for row in data["results"]] == ["XB-002"]


def test_detail_with_answers(client, visit, inspector):
    login(client, inspector)
    client.put(
        f"/api/v1/inspections/{visit.pk}/answers/G-04/",
        {"number": "12.5", "note": "巡逻"},
        content_type="application/json",
    )
    data = client.get(f"/api/v1/inspections/{visit.pk}/").json()
    assert data["status"] == InspectionStatus.DRAFT
    assert data["answers"] == [
        {
            "item": "G-04",
            "result": "",
            "number": "12.5",
            "score": None,
            "text": "",
            "note": "巡逻",
            "answered": True,
            "updated_at": data["answers"][0]["updated_at"],
        }
    ]


def test_another_school_gets_404(client, visit, officer_b):
    login(client, officer_b)
    assert client.get(f"/api/v1/inspections/{visit.pk}/").status_code == 404
    response = client.put(
        f"/api/v1/inspections/{visit.pk}/answers/G-01/",
        {"result": "pass"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.post(f"/api/v1/inspections/{visit.pk}/submit/").status_code == 404
    assert InspectionAnswer.objects.count() == 0


def test_a_bad_value_is_a_400_with_detail(en, visit, inspector):
    login(en, inspector)
    response = en.put(
        f"/api/v1/inspections/{visit.pk}/answers/G-05/",
        {"score": "12"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The score of item G-05 must be between 0 and 10.",
        "code": "bad_score",
    }
    assert (
        en.put(
            f"/api/v1/inspections/{visit.pk}/answers/NOPE/", {}, content_type="application/json"
        ).status_code
        == 404
    )


@time_machine.travel(TUESDAY, tick=False)
def test_submit_missing_then_complete(en, visit, inspector):
    login(en, inspector)
    refused = en.post(
        f"/api/v1/inspections/{visit.pk}/submit/", {}, content_type="application/json"
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "incomplete"
    assert [m["item"] for m in body["missing"]] == ["G-01", "G-02", "G-03", "G-04", "G-05"]
    assert "G-01" in body["detail"]

    answer_all(inspector, visit, **{"G-05": {"score": "2"}})
    done = en.post(
        f"/api/v1/inspections/{visit.pk}/submit/",
        {"summary": "ok"},
        content_type="application/json",
    )
    assert done.status_code == 400  # the failed score item needs a photo
    assert done.json()["missing"][0]["item"] == "G-05"
    answer_all(inspector, visit)
    done = en.post(
        f"/api/v1/inspections/{visit.pk}/submit/",
        {"summary": "ok"},
        content_type="application/json",
    )
    assert done.status_code == 200
    data = done.json()
    assert (data["status"], data["score"], data["max_score"], data["score_percent"]) == (
        "submitted",
        "43.00",
        "45.00",
        "95.6",
    )
    assert (data["passed"], data["findings_count"]) == (True, 0)
    again = en.post(f"/api/v1/inspections/{visit.pk}/submit/", {}, content_type="application/json")
    assert again.status_code == 409
    put = en.put(
        f"/api/v1/inspections/{visit.pk}/answers/G-01/",
        {"result": "fail"},
        content_type="application/json",
    )
    assert put.status_code == 409
    assert Hazard.objects.count() == 0


def test_the_schema_lists_the_endpoints(client, inspector):
    schema = login(client, inspector).get("/api/v1/schema/").json()
    paths = schema["paths"]
    assert "/api/v1/inspections/" in paths
    assert "put" in paths["/api/v1/inspections/{inspection_id}/answers/{item_code}/"]
    assert "post" in paths["/api/v1/inspections/{inspection_id}/submit/"]
