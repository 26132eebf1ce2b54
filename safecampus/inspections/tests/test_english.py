"""Checklists in the reader's language (issue #14): English readers see the English names
and texts of checklists, sections and items, Chinese readers the Chinese; the API gives
both; the editor takes the English and a new version keeps it."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import login
from safecampus.core.i18n import localized
from safecampus.inspections.choices import AccountabilityMeasure, HazardLevel
from safecampus.inspections.excel.inspections import inspection_rows
from safecampus.inspections.forms.templates import ItemForm
from safecampus.inspections.models import (
    ChecklistTemplate,
    Inspection,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.services import templates as svc
from safecampus.inspections.services.shipped import DAILY_GATE_PATROL, seed_shipped
from safecampus.inspections.tests.test_inspect_services import make_inspection

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]+")


@pytest.fixture
def patrol(db) -> TemplateVersion:
    """The shipped daily gate and patrol checklist, version 1 (as the migrations left it)."""
    seed_shipped()
    return TemplateVersion.objects.get(template__code=DAILY_GATE_PATROL, number=1)


def chinese_reference_texts(version: TemplateVersion) -> list[str]:
    """Every Chinese name and text of the checklist a page might show."""
    texts = [version.template.name, version.template.description]
    texts += [s.title for s in TemplateSection.objects.filter(version=version)]
    for item in TemplateItem.objects.filter(version=version):
        texts += [item.text, item.guidance, item.unit_label]
    texts += [str(label) for label in ("一般", "较大", "重大", "一票否决")]
    return [t for t in texts if t]


def han_outside(html: str, allowed: list[str]) -> set[str]:
    """Runs of Chinese characters in ``html`` that are not part of user data (``allowed``)."""
    return {run for run in HAN.findall(html) if not any(run in text for text in allowed)}


def user_data(district, *people) -> list[str]:
    """School and person names, and what the shell shows in every language (the brand, the
    language switcher's own name for Chinese)."""
    names = [district.school_a.name, district.school_b.name, "平安校园", "简体中文", "中文"]
    return names + [p.full_name for p in people]


def page(client, user, path, language):
    client.cookies["django_language"] = language
    response = login(client, user).get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_the_run_page_in_english_shows_no_chinese_reference_data(
    client, patrol, district, inspector
):
    visit = make_inspection(patrol, district.school_a, inspector=inspector)
    html = page(client, inspector, reverse("inspections:inspection", args=[visit.pk]), "en")
    assert "Daily gate and patrol checklist" in html
    assert "Gate duty" in html and "Campus patrol" in html
    assert "The gatehouse is staffed 24 hours a day" in html
    assert "Check: at least 5 patrols during school hours" in html
    assert '<span class="input-group-text">times</span>' in html
    assert not [t for t in chinese_reference_texts(patrol) if t in html]
    assert han_outside(html, user_data(district, inspector)) == set()


def test_the_run_page_in_chinese_shows_the_chinese(client, patrol, district, inspector):
    visit = make_inspection(patrol, district.school_a, inspector=inspector)
    html = page(client, inspector, reverse("inspections:inspection", args=[visit.pk]), "zh-hans")
    assert "门卫与巡逻日检查表" in html
    assert "门卫值守" in html and "门卫室24小时有人值守，交接班记录完整" in html
    assert '<span class="input-group-text">次</span>' in html
    assert "Daily gate and patrol checklist" not in html and "Gate duty" not in html


def test_the_result_page_follows_the_language(client, patrol, district, safety_officer):
    visit = make_inspection(patrol, district.school_a)
    path = reverse("inspections:inspection", args=[visit.pk])
    english = page(client, safety_officer, path, "en")
    assert "1. Gate duty" in english and "Record of today&#x27;s duty" in english
    assert han_outside(english, user_data(district, safety_officer)) == set()
    chinese = page(client, safety_officer, path, "zh-hans")
    assert "1. 门卫值守" in chinese and "当日值班情况记录" in chinese


def test_the_checklist_pages_in_english(client, patrol, district, safety_officer):
    allowed = user_data(district, safety_officer)
    listing = page(client, safety_officer, reverse("inspections:template_list"), "en")
    for name in (
        "Daily gate and patrol checklist",
        "Monthly school safety self-inspection checklist",
        "Safe campus evaluation criteria",
    ):
        assert name in listing
    assert han_outside(listing, allowed) == set()

    detail_path = reverse("inspections:template_detail", args=[patrol.template_id])
    detail = page(client, safety_officer, detail_path, "en")
    assert "Daily check of the gate, school protection and campus patrols" in detail
    # The seeded version note is the bureau's free text ("what changed"), not a name.
    assert han_outside(detail, [*allowed, patrol.notes]) == set()

    version = page(
        client, safety_officer, reverse("inspections:version_detail", args=[patrol.pk]), "en"
    )
    assert "Gate duty" in version and "Campus patrols made today" in version
    assert "Basis: GB/T 29315-2022" in version
    assert not [t for t in chinese_reference_texts(patrol) if t in version]
    assert han_outside(version, [*allowed, patrol.notes]) == set()


def test_the_version_page_in_chinese(client, patrol, safety_officer):
    html = page(
        client, safety_officer, reverse("inspections:version_detail", args=[patrol.pk]), "zh-hans"
    )
    assert "门卫与巡逻日检查表" in html and "当日校园巡逻次数" in html
    assert "Campus patrols made today" not in html


def test_an_empty_english_text_falls_back_to_the_chinese(client, patrol, safety_officer):
    TemplateItem.objects.filter(version=patrol, code="D-01").update(text_en="")
    html = page(
        client, safety_officer, reverse("inspections:version_detail", args=[patrol.pk]), "en"
    )
    assert "门卫室24小时有人值守，交接班记录完整" in html


def test_the_api_gives_both_languages_whatever_the_readers(client, patrol, officer_a):
    client.cookies["django_language"] = "en"
    login(client, officer_a)
    rows = {r["code"]: r for r in client.get("/api/v1/inspection-templates/").json()["results"]}
    gate = rows[DAILY_GATE_PATROL]
    assert (gate["name"], gate["name_en"]) == (
        "门卫与巡逻日检查表",
        "Daily gate and patrol checklist",
    )
    assert gate["description_en"].startswith("Daily check of the gate")
    body = client.get(f"/api/v1/inspection-templates/{DAILY_GATE_PATROL}/versions/1/").json()
    section = body["sections"][0]
    assert (section["title"], section["title_en"]) == ("门卫值守", "Gate duty")
    first = section["items"][0]
    assert first["text"] == "门卫室24小时有人值守，交接班记录完整"
    assert first["text_en"].startswith("The gatehouse is staffed 24 hours a day")
    assert first["guidance_en"].startswith("Check: guards are on post")
    patrols = body["sections"][1]["items"][0]
    assert (patrols["unit_label"], patrols["unit_label_en"]) == ("次", "times")


def test_the_editor_takes_the_english_and_a_new_version_keeps_it(client, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("inspections:template_create"),
        {
            "code": "canteen-check",
            "name": "食堂专项检查",
            "name_en": "Canteen special check",
            "kind": "self_inspection",
            "description_en": "Food safety in the canteen.",
        },
    )
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(code="canteen-check")
    assert (template.name_en, template.description_en) == (
        "Canteen special check",
        "Food safety in the canteen.",
    )
    version = template.versions.get()
    client.post(
        reverse("inspections:section_add", args=[version.pk]),
        {"title": "原料", "title_en": "Ingredients"},
        HTTP_HX_REQUEST="true",
    )
    section = version.sections.get()
    assert section.title_en == "Ingredients"
    response = client.post(
        reverse("inspections:item_add", args=[section.pk]),
        {
            "code": "C-01",
            "text": "原料索证索票齐全",
            "text_en": "Certificates and invoices of ingredients are complete",
            "guidance": "抽查台账。",
            "guidance_en": "Sample the ledger.",
            "item_type": "number",
            "weight": "2",
            "unit_label": "批",
            "unit_label_en": "batches",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    item = section.items.get()
    assert (item.text_en, item.guidance_en, item.unit_label_en) == (
        "Certificates and invoices of ingredients are complete",
        "Sample the ledger.",
        "batches",
    )
    svc.version_publish(actor=safety_officer, version=version)
    draft = svc.version_draft(actor=safety_officer, template=template)
    copied = draft.items.select_related("section").get()
    assert copied.section.title_en == "Ingredients"
    assert (copied.text_en, copied.guidance_en, copied.unit_label_en) == (
        item.text_en,
        item.guidance_en,
        item.unit_label_en,
    )


def test_the_section_rename_takes_the_english(client, safety_officer):
    template = svc.template_create(
        actor=safety_officer, code="x-check", name="检查", kind="self_inspection"
    )
    section = svc.section_add(actor=safety_officer, version=template.versions.get(), title="甲")
    login(client, safety_officer)
    url = reverse("inspections:section_edit", args=[section.pk])
    form = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="title_en"' in form
    client.post(url, {"title": "乙", "title_en": "Part B"}, HTTP_HX_REQUEST="true")
    section.refresh_from_db()
    assert (section.title, section.title_en) == ("乙", "Part B")


def test_the_family_edit_page_renames_in_both_languages(client, patrol, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    url = reverse("inspections:template_edit", args=[patrol.template_id])
    form = client.get(url)
    assert form.status_code == 200
    assert 'value="Daily gate and patrol checklist"' in form.content.decode()
    response = client.post(
        url,
        {
            "name": "门卫日检查表",
            "name_en": "Daily gate check",
            "description": "每日检查。",
            "description_en": "",
        },
    )
    assert response.status_code == 302
    template = ChecklistTemplate.objects.get(pk=patrol.template_id)
    assert (template.name, template.name_en, template.description_en) == (
        "门卫日检查表",
        "Daily gate check",
        "",
    )
    with translation.override("en"):
        assert str(template) == "Daily gate check"
        # An empty English description reads the Chinese.
        assert localized(template, "description") == "每日检查。"


def test_the_family_edit_page_is_the_editors(client, patrol, officer_a):
    login(client, officer_a)
    url = reverse("inspections:template_edit", args=[patrol.template_id])
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "改名"}).status_code == 403
    assert ChecklistTemplate.objects.get(pk=patrol.template_id).name == "门卫与巡逻日检查表"


def test_choice_labels_carry_no_chinese_in_english():
    with translation.override("en"):
        labels = [str(label) for label in (*HazardLevel.labels, *AccountabilityMeasure.labels)]
        labels.append(str(ItemForm().fields["veto"].label))
    assert labels[:3] == ["General", "Serious", "Major"]
    assert labels[-1] == "Veto item"
    assert not [label for label in labels if HAN.search(label)]


def test_the_ledger_names_the_checklist_in_the_readers_language(patrol, district):
    """The ledger's headings follow the reader's language, so does the checklist's name."""
    make_inspection(patrol, district.school_a)
    inspections = Inspection.objects.all()
    with translation.override("en"):
        assert next(iter(inspection_rows(inspections)))[3] == "Daily gate and patrol checklist"
    with translation.override("zh-hans"):
        assert next(iter(inspection_rows(inspections)))[3] == "门卫与巡逻日检查表"


def test_the_submit_page_lists_missing_items_in_english(client, patrol, district, inspector):
    visit = make_inspection(patrol, district.school_a, inspector=inspector)
    path = reverse("inspections:inspection_submit", args=[visit.pk])
    html = page(client, inspector, path, "en")
    assert "D-01 The gatehouse is staffed 24 hours a day" in html
    assert han_outside(html, user_data(district, inspector)) == set()
