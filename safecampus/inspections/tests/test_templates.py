"""Checklist versioning, editing rules, the editor pages and the read API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.inspections.choices import (
    HazardLevel,
    InspectionStatus,
    ItemType,
    Performer,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionError, InspectionForbidden
from safecampus.inspections.models import (
    ChecklistTemplate,
    Inspection,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.services import templates as svc

pytestmark = pytest.mark.django_db


def _items(version):
    return list(version.items.order_by("section__order", "order").values_list("code", flat=True))


def _item_row(item):
    return {field: getattr(item, field) for field in svc.ITEM_FIELDS}


@pytest.fixture
def draft(safety_officer):
    """A new checklist's first draft, one section, one item."""
    template = svc.template_create(
        actor=safety_officer, code="fire-check", name="消防专项检查", kind=TemplateKind.SUPERVISION
    )
    version = template.versions.get()
    section = svc.section_add(actor=safety_officer, version=version, title="消防设施")
    svc.item_add(
        actor=safety_officer,
        section=section,
        code="F-01",
        text="灭火器在有效期内",
        weight=Decimal(5),
        severity=HazardLevel.GENERAL,
        category="fire",
    )
    return version


# --- versioning -----------------------------------------------------------------------


def test_template_create_makes_draft_version_one(safety_officer):
    template = svc.template_create(
        actor=safety_officer, code="bus-extra", name="校车补充检查", kind=TemplateKind.SCHOOL_BUS
    )
    assert list(template.versions.values_list("number", "status")) == [(1, VersionStatus.DRAFT)]
    assert AuditEvent.objects.filter(action="inspections.checklisttemplate.created").count() == 1


def test_editing_a_published_version_is_refused_and_nothing_changes(safety_officer, gate_checklist):
    item = gate_checklist.items.get(code="G-01")
    section = gate_checklist.sections.first()
    before = [_item_row(i) for i in gate_checklist.items.order_by("pk")]
    attempts = [
        lambda: svc.item_update(actor=safety_officer, item=item, text="改掉"),
        lambda: svc.item_add(actor=safety_officer, section=section, code="X-1", text="新增"),
        lambda: svc.item_delete(actor=safety_officer, item=item),
        lambda: svc.item_move(actor=safety_officer, item=item, offset=1),
        lambda: svc.section_add(actor=safety_officer, version=gate_checklist, title="新部分"),
        lambda: svc.section_update(actor=safety_officer, section=section, title="改名"),
        lambda: svc.section_delete(actor=safety_officer, section=section),
        lambda: svc.version_publish(actor=safety_officer, version=gate_checklist),
        lambda: svc.version_discard(actor=safety_officer, version=gate_checklist),
    ]
    for attempt in attempts:
        with pytest.raises(InspectionError) as refused:
            attempt()
        assert refused.value.code == "published"
    assert [_item_row(i) for i in gate_checklist.items.order_by("pk")] == before
    assert gate_checklist.sections.count() == 2
    assert list(gate_checklist.sections.values_list("title", flat=True)) == ["第1部分", "第2部分"]


def test_draft_copies_items_and_publish_retires_previous(safety_officer, gate_checklist):
    template = gate_checklist.template
    draft = svc.version_draft(actor=safety_officer, template=template)
    assert (draft.number, draft.status) == (2, VersionStatus.DRAFT)
    assert (
        _items(draft) == _items(gate_checklist) == ["G-01", "G-02", "G-03", "G-04", "G-05", "G-06"]
    )
    assert draft.sections.count() == 2
    copied = draft.items.get(code="G-03")
    assert (copied.veto, copied.severity, copied.weight) == (True, HazardLevel.MAJOR, Decimal(10))
    assert copied.section.version_id == draft.pk

    with pytest.raises(InspectionError) as refused:
        svc.version_draft(actor=safety_officer, template=template)
    assert refused.value.code == "draft_exists"

    svc.item_update(actor=safety_officer, item=copied, text="一键报警每日测试并记录")
    svc.version_publish(actor=safety_officer, version=draft)
    statuses = dict(template.versions.values_list("number", "status"))
    assert statuses == {1: VersionStatus.RETIRED, 2: VersionStatus.PUBLISHED}
    assert gate_checklist.items.get(code="G-03").text == "一键报警装置测试正常"
    assert svc.current_version(template).pk == draft.pk


def test_an_inspection_on_v1_keeps_v1_after_v2(safety_officer, gate_checklist, district):
    inspection = Inspection.objects.create(
        version=gate_checklist,
        kind=TemplateKind.SUPERVISION,
        school=district.school_a,
        performer=Performer.INSPECTOR,
        due_on=date(2026, 9, 30),
        status=InspectionStatus.DUE,
    )
    draft = svc.version_draft(actor=safety_officer, template=gate_checklist.template)
    svc.item_delete(actor=safety_officer, item=draft.items.get(code="G-06"))
    svc.item_update(actor=safety_officer, item=draft.items.get(code="G-01"), weight=Decimal(20))
    svc.version_publish(actor=safety_officer, version=draft)

    inspection.refresh_from_db()
    assert inspection.version.number == 1
    assert _items(inspection.version) == ["G-01", "G-02", "G-03", "G-04", "G-05", "G-06"]
    assert inspection.version.items.get(code="G-01").weight == Decimal(10)
    assert _items(draft) == ["G-01", "G-02", "G-03", "G-04", "G-05"]


def test_publish_refuses_an_empty_draft(safety_officer):
    template = svc.template_create(
        actor=safety_officer, code="empty", name="空表", kind=TemplateKind.SUPERVISION
    )
    with pytest.raises(InspectionError) as refused:
        svc.version_publish(actor=safety_officer, version=template.versions.get())
    assert refused.value.code == "empty_version"
    assert template.versions.get().status == VersionStatus.DRAFT


def test_discard_deletes_only_the_draft(safety_officer, gate_checklist):
    draft = svc.version_draft(actor=safety_officer, template=gate_checklist.template)
    svc.version_discard(actor=safety_officer, version=draft)
    assert list(gate_checklist.template.versions.values_list("number", flat=True)) == [1]
    assert TemplateItem.objects.filter(version_id=draft.pk).count() == 0


def test_teachers_and_school_officers_cannot_edit(officer_a, gate_checklist):
    with pytest.raises(InspectionForbidden):
        svc.version_draft(actor=officer_a, template=gate_checklist.template)
    with pytest.raises(InspectionForbidden):
        svc.template_create(actor=officer_a, code="x", name="x", kind=TemplateKind.SUPERVISION)


def test_inspector_may_edit(inspector, gate_checklist):
    draft = svc.version_draft(actor=inspector, template=gate_checklist.template)
    assert draft.created_by == inspector


# --- validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields,code",
    [
        ({"item_type": "essay"}, "bad_type"),
        ({"weight": Decimal(-1)}, "bad_weight"),
        ({"item_type": ItemType.SCORE, "weight": Decimal(0)}, "score_weight"),
        (
            {"item_type": ItemType.NUMBER, "min_value": Decimal(9), "max_value": Decimal(3)},
            "bad_range",
        ),
        ({"severity": "huge"}, "bad_severity"),
        ({"category": "weather"}, "bad_category"),
        ({"text": "  "}, "text_required"),
        ({"weight": "abc"}, "bad_number"),
    ],
)
def test_item_validation(safety_officer, draft, fields, code):
    section = draft.sections.get()
    with pytest.raises(InspectionError) as refused:
        svc.item_add(
            actor=safety_officer, section=section, code="F-02", **{"text": "检查项", **fields}
        )
    assert refused.value.code == code
    assert _items(draft) == ["F-01"]


def test_item_code_unique_in_version(safety_officer, draft):
    section = draft.sections.get()
    with pytest.raises(InspectionError) as refused:
        svc.item_add(actor=safety_officer, section=section, code="F-01", text="重复")
    assert refused.value.code == "duplicate_item_code"
    second = svc.item_add(actor=safety_officer, section=section, code="F-02", text="消火栓")
    with pytest.raises(InspectionError):
        svc.item_update(actor=safety_officer, item=second, code="F-01")
    assert _items(draft) == ["F-01", "F-02"]


def test_duplicate_template_code_refused(safety_officer, draft):
    with pytest.raises(InspectionError) as refused:
        svc.template_create(
            actor=safety_officer, code="fire-check", name="重复", kind=TemplateKind.SUPERVISION
        )
    assert refused.value.code == "duplicate_code"
    with pytest.raises(InspectionError) as refused:
        svc.template_create(
            actor=safety_officer, code="Bad Code!", name="坏", kind=TemplateKind.SUPERVISION
        )
    assert refused.value.code == "bad_code"


def test_number_range_is_dropped_for_other_types(safety_officer, draft):
    item = svc.item_add(
        actor=safety_officer,
        section=draft.sections.get(),
        code="F-02",
        text="是否",
        min_value=Decimal(1),
        max_value=Decimal(2),
    )
    assert (item.min_value, item.max_value) == (None, None)


def test_move_items_and_sections(safety_officer, draft):
    section = draft.sections.get()
    svc.item_add(actor=safety_officer, section=section, code="F-02", text="二")
    third = svc.item_add(actor=safety_officer, section=section, code="F-03", text="三")
    svc.item_move(actor=safety_officer, item=third, offset=-1)
    assert _items(draft) == ["F-01", "F-03", "F-02"]
    svc.item_move(actor=safety_officer, item=TemplateItem.objects.get(pk=third.pk), offset=-1)
    svc.item_move(actor=safety_officer, item=TemplateItem.objects.get(pk=third.pk), offset=-1)
    assert _items(draft) == ["F-03", "F-01", "F-02"]
    second = svc.section_add(actor=safety_officer, version=draft, title="用电")
    svc.section_move(actor=safety_officer, section=second, offset=-1)
    assert list(draft.sections.order_by("order").values_list("title", flat=True)) == [
        "用电",
        "消防设施",
    ]
    with pytest.raises(InspectionError):
        svc.item_move(actor=safety_officer, item=third, offset=5)


# --- pages ----------------------------------------------------------------------------


def test_pages_for_readers(client, safety_officer, officer_a, gate_checklist):
    login(client, safety_officer)
    template = gate_checklist.template
    assert client.get("/inspections/checklists/").status_code == 200
    assert client.get(f"/inspections/checklists/{template.pk}/").status_code == 200
    page = client.get(f"/inspections/checklists/versions/{gate_checklist.pk}/")
    assert page.status_code == 200
    assert "门卫室24小时有人值守" in page.content.decode()
    assert client.get("/inspections/checklists/new/").status_code == 200
    client.logout()

    login(client, officer_a)
    assert client.get("/inspections/checklists/").status_code == 200
    page = client.get(f"/inspections/checklists/versions/{gate_checklist.pk}/")
    assert page.status_code == 200
    assert "/publish/" not in page.content.decode()
    assert f"/inspections/checklists/{template.pk}/draft/" not in page.content.decode()
    assert client.get("/inspections/checklists/new/").status_code == 403
    draft = svc.version_draft(actor=safety_officer, template=template)
    assert client.get(f"/inspections/checklists/versions/{draft.pk}/").status_code == 404


def test_create_and_edit_through_the_pages(client, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        "/inspections/checklists/new/",
        {"code": "canteen-check", "name": "食堂专项检查", "kind": TemplateKind.SELF_INSPECTION},
    )
    template = ChecklistTemplate.objects.get(code="canteen-check")
    version = template.versions.get()
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/checklists/versions/{version.pk}/"

    url = f"/inspections/checklists/versions/{version.pk}/sections/"
    response = client.post(url, {"title": "原料"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#version-body"
    section = version.sections.get()

    add_url = f"/inspections/checklists/sections/{section.pk}/items/new/"
    assert client.get(add_url, HTTP_HX_REQUEST="true").status_code == 200
    bad = client.post(
        add_url,
        {"code": "C-01", "text": "留样", "item_type": ItemType.SCORE, "weight": "0"},
        HTTP_HX_REQUEST="true",
    )
    assert bad.status_code == 200
    assert "A score item needs points greater than zero." in bad.content.decode()
    assert not TemplateItem.objects.filter(version=version).exists()
    good = client.post(
        add_url,
        {
            "code": "C-01",
            "text": "留样125克48小时",
            "item_type": ItemType.YES_NO,
            "weight": "3",
            "severity": HazardLevel.SERIOUS,
            "category": "canteen",
            "required": "on",
            "photo_on_fail": "on",
        },
    )
    assert good.status_code == 302
    item = TemplateItem.objects.get(version=version, code="C-01")
    assert (item.weight, item.severity, item.required, item.veto) == (
        Decimal(3),
        HazardLevel.SERIOUS,
        True,
        False,
    )
    dup = client.post(
        add_url, {"code": "C-01", "text": "重复", "item_type": ItemType.YES_NO, "weight": "1"}
    )
    assert dup.status_code == 400
    assert "Item code “C-01” is already used in this version." in dup.content.decode()

    edit = client.post(
        f"/inspections/checklists/items/{item.pk}/",
        {"code": "C-01", "text": "留样", "item_type": ItemType.YES_NO, "weight": "4"},
        HTTP_HX_REQUEST="true",
    )
    assert edit.status_code == 200
    item.refresh_from_db()
    assert (item.text, item.weight, item.required) == ("留样", Decimal(4), False)

    publish = client.post(f"/inspections/checklists/versions/{version.pk}/publish/")
    assert publish.status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED

    refused = client.post(
        f"/inspections/checklists/items/{item.pk}/",
        {"code": "C-01", "text": "偷改", "item_type": ItemType.YES_NO, "weight": "4"},
    )
    assert refused.status_code == 400
    assert "A published version cannot be changed: draft a new version." in (
        refused.content.decode()
    )
    item.refresh_from_db()
    assert item.text == "留样"

    drafted = client.post(f"/inspections/checklists/{template.pk}/draft/")
    new = template.versions.get(number=2)
    assert drafted["Location"] == f"/inspections/checklists/versions/{new.pk}/"
    discard = client.post(f"/inspections/checklists/versions/{new.pk}/discard/")
    assert discard.status_code == 302
    assert list(template.versions.values_list("number", flat=True)) == [1]


def test_section_rename_and_delete_pages(client, safety_officer, draft):
    login(client, safety_officer)
    section = draft.sections.get()
    url = f"/inspections/checklists/sections/{section.pk}/"
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(url, {"title": "消防"}).status_code == 302
    assert TemplateSection.objects.get(pk=section.pk).title == "消防"
    move = client.post(f"/inspections/checklists/sections/{section.pk}/move/", {"direction": "up"})
    assert move.status_code == 302
    delete = client.post(f"/inspections/checklists/sections/{section.pk}/delete/")
    assert delete.status_code == 302
    assert not TemplateItem.objects.filter(version=draft).exists()


def test_school_officer_cannot_post_to_the_editor(client, officer_a, draft):
    login(client, officer_a)
    section = draft.sections.get()
    response = client.post(f"/inspections/checklists/sections/{section.pk}/delete/")
    assert response.status_code == 403
    assert TemplateSection.objects.filter(pk=section.pk).exists()


def test_template_active_toggle(client, safety_officer, gate_checklist):
    login(client, safety_officer)
    template = gate_checklist.template
    client.post(f"/inspections/checklists/{template.pk}/active/", {"active": "0"})
    template.refresh_from_db()
    assert template.is_active is False


# --- API ------------------------------------------------------------------------------


def test_api_lists_templates_with_current_version(
    client, officer_a, safety_officer, gate_checklist
):
    svc.version_draft(actor=safety_officer, template=gate_checklist.template)
    login(client, officer_a)
    rows = {
        row["code"]: row for row in client.get("/api/v1/inspection-templates/").json()["results"]
    }
    assert rows["test-gate"]["current_version"] == 1
    assert rows["safe-campus-evaluation"]["kind"] == TemplateKind.EVALUATION
    assert len(rows) == 7

    version = client.get("/api/v1/inspection-templates/test-gate/versions/1/").json()
    assert [s["title"] for s in version["sections"]] == ["第1部分", "第2部分"]
    assert [i["code"] for i in version["sections"][0]["items"]] == ["G-01", "G-02", "G-03"]
    assert version["sections"][0]["items"][2]["veto"] is True
    # A school never reads a draft.
    assert client.get("/api/v1/inspection-templates/test-gate/versions/2/").status_code == 404


def test_api_plans_are_the_bureaus(client, officer_a, safety_officer):
    login(client, officer_a)
    assert client.get("/api/v1/inspection-plans/").status_code == 403
    client.logout()
    login(client, safety_officer)
    assert client.get("/api/v1/inspection-plans/").json()["results"] == []


def test_api_in_openapi_schema(client, safety_officer):
    login(client, safety_officer)
    paths = client.get("/api/v1/schema/").json()["paths"]
    assert "/api/v1/inspection-templates/" in paths
    assert "/api/v1/inspection-templates/{template_code}/versions/{number}/" in paths
    assert "/api/v1/inspection-plans/" in paths


def test_version_model_numbers(gate_checklist):
    assert TemplateVersion.objects.filter(template=gate_checklist.template).count() == 1
