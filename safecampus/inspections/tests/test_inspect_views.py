"""The inspection pages: list, new, the run page and its JSON endpoints, submit, cancel."""

from __future__ import annotations

import json
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from conftest import login
from safecampus.inspections.choices import InspectionStatus, Performer
from safecampus.inspections.models import Hazard, Inspection, InspectionAnswer
from safecampus.inspections.tests.test_inspect_services import (
    TUESDAY,
    answer_all,
    item,
    make_inspection,
    photo,
)

JSON = {"HTTP_ACCEPT": "application/json", "HTTP_X_REQUESTED_WITH": "fetch"}


@pytest.fixture
def visit(gate_checklist, district, inspector):
    return make_inspection(gate_checklist, district.school_a, inspector=inspector)


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


def url(name, inspection, *more):
    return reverse(f"inspections:{name}", args=[inspection.pk, *more])


@time_machine.travel(TUESDAY, tick=False)
def test_the_bureau_list_shows_overdue_first_in_its_badge(
    client, gate_checklist, district, safety_officer
):
    make_inspection(gate_checklist, district.school_a, due_on=date(2026, 3, 2))
    make_inspection(gate_checklist, district.school_b, due_on=date(2026, 3, 20))
    response = login(client, safety_officer).get(reverse("inspections:inspection_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="fs-4 fw-semibold text-danger" id="overdue-count">1</span>' in html
    assert html.count("sc-overdue") == 1
    assert "新北区河海中学" in html
    response = client.get(reverse("inspections:inspection_list"), {"tab": "overdue"})
    assert response.context["count"] == 1


def test_a_school_sees_only_its_own_inspections(client, visit, gate_checklist, district, officer_b):
    make_inspection(gate_checklist, district.school_b, performer=Performer.SCHOOL)
    response = login(client, officer_b).get(reverse("inspections:inspection_list"))
    assert [i.school_id for i in response.context["page"]] == [district.school_b.pk]
    assert response.context["page"][0].may_perform is True


@time_machine.travel(TUESDAY, tick=False)
def test_list_with_htmx_renders_the_table_only(client, visit, inspector):
    response = login(client, inspector).get(
        reverse("inspections:inspection_list"), {"tab": "due"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "<h1" not in response.content.decode()
    assert response.context["count"] == 1


def test_list_queries_do_not_grow_with_rows(
    client, gate_checklist, district, inspector, django_assert_max_num_queries
):
    for _ in range(12):
        make_inspection(gate_checklist, district.school_a, inspector=inspector)
    login(client, inspector)
    client.get(reverse("inspections:inspection_list"))
    with django_assert_max_num_queries(16):
        client.get(reverse("inspections:inspection_list"))


@time_machine.travel(TUESDAY, tick=False)
def test_new_adhoc_inspection_redirects_to_its_run_page(
    client, gate_checklist, district, inspector
):
    login(client, inspector)
    assert client.get(reverse("inspections:inspection_new")).status_code == 200
    response = client.post(
        reverse("inspections:inspection_new"),
        {"school": "XB-002", "version": gate_checklist.pk, "performer": Performer.INSPECTOR},
    )
    made = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("inspection", made)
    assert (made.school, made.inspector) == (district.school_b, inspector)


def test_a_school_cannot_start_one_for_another_school(en, gate_checklist, officer_a):
    login(en, officer_a)
    response = en.post(
        reverse("inspections:inspection_new"),
        {"school": "XB-002", "version": gate_checklist.pk, "performer": Performer.SCHOOL},
    )
    assert response.status_code == 400
    assert Inspection.objects.count() == 0


def test_the_performer_gets_the_run_page(client, visit, inspector):
    response = login(client, inspector).get(url("inspection", visit))
    assert response.status_code == 200
    assert next(t.name for t in response.templates) == "inspections/inspect/run.html"
    html = response.content.decode()
    assert 'capture="environment"' in html
    assert 'id="sc-save-status"' in html
    assert "js/inspection-run.js" in html
    assert "<script>" not in html and "style=" not in html


def test_others_in_scope_get_the_read_only_page(client, visit, safety_officer):
    response = login(client, safety_officer).get(url("inspection", visit))
    assert next(t.name for t in response.templates) == "inspections/inspect/result.html"


def test_another_school_gets_404_everywhere(client, visit, officer_b):
    login(client, officer_b)
    g01 = item(visit, "G-01")
    assert client.get(url("inspection", visit)).status_code == 404
    assert (
        client.post(url("answer_save", visit), {"item": g01.code, "result": "pass"}).status_code
        == 404
    )
    assert client.get(url("inspection_submit", visit)).status_code == 404
    assert client.post(url("inspection_submit", visit)).status_code == 404
    assert (
        client.post(url("answer_photo", visit), {"item": g01.code, "photo": photo()}).status_code
        == 404
    )
    assert InspectionAnswer.objects.count() == 0


def test_a_teacher_may_not_save_answers(client, visit, teacher_a):
    response = login(client, teacher_a).post(
        url("answer_save", visit), {"item": "G-01", "result": "pass"}
    )
    assert response.status_code == 403
    assert InspectionAnswer.objects.count() == 0


def test_saving_an_answer_returns_json(client, visit, inspector):
    login(client, inspector)
    response = client.post(
        url("answer_save", visit), {"item": "G-04", "number": "12", "note": "巡逻4次"}, **JSON
    )
    assert response.status_code == 200
    data = response.json()
    assert data["answer"]["number"] == "12"
    assert data["answer"]["note"] == "巡逻4次"
    assert data["answer"]["answered"] is True
    assert (data["lock_version"], data["status"]) == (2, InspectionStatus.DRAFT)
    again = client.post(
        url("answer_save", visit), {"item": "G-04", "number": "12", "note": "巡逻4次"}, **JSON
    )
    assert again.json()["lock_version"] == 2


def test_a_refused_answer_is_json_4xx(en, visit, inspector):
    login(en, inspector)
    response = en.post(url("answer_save", visit), {"item": "G-05", "score": "99"}, **JSON)
    assert response.status_code == 400
    assert response.json() == {"detail": "The score of item G-05 must be between 0 and 10."}
    assert en.post(url("answer_save", visit), {"item": "NOPE"}, **JSON).status_code == 404


def test_without_javascript_an_answer_posts_and_comes_back(client, visit, inspector):
    response = login(client, inspector).post(
        url("answer_save", visit), {"item": "G-01", "result": "fail", "note": "无人"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("inspection", visit) + "#item-G-01"
    assert InspectionAnswer.objects.get().result == "fail"


def test_without_javascript_a_refusal_rerenders_the_page(en, visit, inspector):
    response = login(en, inspector).post(url("answer_save", visit), {"item": "G-05", "score": "x"})
    assert response.status_code == 400
    assert "The score must be a number." in response.content.decode()


def test_photo_upload_returns_a_thumbnail_url(client, visit, inspector):
    login(client, inspector)
    response = client.post(url("answer_photo", visit), {"item": "G-01", "photo": photo()}, **JSON)
    assert response.status_code == 200
    data = response.json()["photo"]
    assert data["url"] == reverse("attachments:download", args=[data["id"]])
    page = client.get(url("inspection", visit)).content.decode()
    assert f'src="{data["url"]}"' in page
    assert client.get(data["url"]).status_code == 200
    deleted = client.post(data["delete_url"], **JSON)
    assert deleted.status_code == 200


def test_a_file_that_is_not_an_image_is_refused(en, visit, inspector):
    from safecampus.attachments.tests.files import upload

    login(en, inspector)
    response = en.post(
        url("answer_photo", visit),
        {"item": "G-01", "photo": upload("x.png", b"MZ\x90\x00 not a picture")},
        **JSON,
    )
    assert response.status_code == 400
    assert "not accepted" in response.json()["detail"]


def test_the_review_page_lists_what_is_missing(en, visit, inspector):
    login(en, inspector)
    response = en.get(url("inspection_submit", visit))
    assert response.status_code == 200
    assert [code for code, _t, _w in response.context["problems"]] == [
        "G-01",
        "G-02",
        "G-03",
        "G-04",
        "G-05",
    ]


@time_machine.travel(TUESDAY, tick=False)
def test_submit_refused_rerenders_with_the_list(en, visit, inspector):
    login(en, inspector)
    answer_all(inspector, visit, **{"G-01": {"result": "fail"}})
    response = en.post(url("inspection_submit", visit), {"summary": ""})
    assert response.status_code == 400
    assert [(c, w) for c, _t, w in response.context["problems"]] == [
        ("G-01", "a photo of the failure is required")
    ]
    assert Inspection.objects.get().status == InspectionStatus.DRAFT
    assert Hazard.objects.count() == 0


@time_machine.travel(TUESDAY, tick=False)
def test_submit_then_the_result_page_links_hazards_and_notice(client, visit, inspector):
    login(client, inspector)
    client.post(url("answer_photo", visit), {"item": "G-02", "photo": photo()}, **JSON)
    answer_all(inspector, visit, **{"G-02": {"result": "fail"}})
    visit.refresh_from_db()
    response = client.post(
        url("inspection_submit", visit), {"summary": "门口登记缺失", "version": visit.lock_version}
    )
    assert response.status_code == 302
    page = client.get(url("inspection", visit))
    assert next(t.name for t in page.templates) == "inspections/inspect/result.html"
    html = page.content.decode()
    hazard = Hazard.objects.get()
    assert reverse("inspections:hazard", args=[hazard.pk]) in html
    assert reverse("inspections:rectification", args=[hazard.rectification_id]) in html
    assert '<p class="display-6 mb-1" id="score-percent">73.3%</p>' in html
    assert client.post(url("answer_save", visit), {"item": "G-01"}, **JSON).status_code == 409
    # A second submit is a conflict, shown on the page.
    assert client.post(url("inspection_submit", visit), {}).status_code == 409


def test_submit_with_a_stale_version_is_a_conflict(client, visit, inspector):
    login(client, inspector)
    answer_all(inspector, visit)
    response = client.post(url("inspection_submit", visit), {"version": 1})
    assert response.status_code == 409
    assert Inspection.objects.get().status == InspectionStatus.DRAFT


def test_cancel(en, visit, safety_officer, inspector):
    login(en, inspector)
    assert en.post(url("inspection_cancel", visit), {"reason": "x"}).status_code == 403
    login(en, safety_officer)
    refused = en.post(url("inspection_cancel", visit), {"reason": ""})
    assert refused.status_code == 400
    assert Inspection.objects.get().status == InspectionStatus.DUE
    assert en.post(url("inspection_cancel", visit), {"reason": "停课"}).status_code == 302
    assert Inspection.objects.get().status == InspectionStatus.CANCELLED


def test_run_page_words_are_valid_json(client, visit, inspector):
    response = login(client, inspector).get(url("inspection", visit))
    html = response.content.decode()
    block = html.split('id="sc-run-words">', 1)[1].split("</script>", 1)[0]
    assert set(json.loads(block)) >= {"saved", "saving", "offline", "answered"}
