"""The district's starting checklists shipped by the data migration."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db.models import Q, Sum
from django.utils import translation

from safecampus.inspections.choices import ItemType, TemplateKind, VersionStatus
from safecampus.inspections.models import ChecklistTemplate, TemplateItem, TemplateSection
from safecampus.inspections.services.shipped import (
    SHIPPED_CODES,
    seed_shipped,
    shipped_english,
    shipped_specs,
)

pytestmark = pytest.mark.django_db

KINDS = {
    "daily-gate-patrol": TemplateKind.DAILY_PATROL,
    "monthly-self-inspection": TemplateKind.SELF_INSPECTION,
    "surroundings-check": TemplateKind.SURROUNDINGS,
    "school-bus-check": TemplateKind.SCHOOL_BUS,
    "supervision-visit": TemplateKind.SUPERVISION,
    "safe-campus-evaluation": TemplateKind.EVALUATION,
}


@pytest.fixture(autouse=True)
def shipped(db):
    """The migration's rows, again: a transactional test elsewhere may have flushed them."""
    seed_shipped()


def _items(code):
    return TemplateItem.objects.filter(version__template__code=code)


def test_all_six_exist_published_as_version_one():
    templates = ChecklistTemplate.objects.filter(code__in=SHIPPED_CODES)
    assert {t.code: t.kind for t in templates} == KINDS
    for template in templates:
        versions = list(template.versions.values_list("number", "status"))
        assert versions == [(1, VersionStatus.PUBLISHED)]
        assert template.versions.get().published_at is not None


def test_item_counts_as_specified():
    counts = {code: _items(code).count() for code in SHIPPED_CODES}
    assert counts == {
        "daily-gate-patrol": 12,
        "monthly-self-inspection": 38,
        "surroundings-check": 12,
        "school-bus-check": 14,
        "supervision-visit": 15,
        "safe-campus-evaluation": 23,
    }


def test_monthly_self_inspection_covers_every_area():
    titles = list(
        ChecklistTemplate.objects.get(code="monthly-self-inspection")
        .versions.get()
        .sections.values_list("title", flat=True)
    )
    assert titles == [
        "消防安全",
        "用电与燃气",
        "校舍与设施",
        "食堂与食品安全",
        "宿舍安全（寄宿制学校）",
        "门卫与校门",
        "技术防范",
        "安保人员配备",
        "安全管理与教育",
    ]


def test_evaluation_weights_sum_to_100_with_three_veto_items():
    items = _items("safe-campus-evaluation")
    assert items.aggregate(total=Sum("weight"))["total"] == Decimal("100")
    assert items.first().version.pass_percent == 60
    vetoes = items.filter(veto=True)
    assert vetoes.count() == 3
    assert set(vetoes.values_list("item_type", "weight")) == {(ItemType.YES_NO, Decimal("0"))}
    scored = items.filter(veto=False)
    assert set(scored.values_list("item_type", flat=True)) == {ItemType.SCORE}
    sections = {
        s.title: sum(i.weight for i in s.items.all())
        for s in items.first().version.sections.prefetch_related("items")
    }
    assert sections == {
        "组织领导（10分）": 10,
        "制度建设（10分）": 10,
        "人防物防技防（30分）": 30,
        "隐患排查整改（15分）": 15,
        "安全教育与演练（15分）": 15,
        "校园欺凌防治（10分）": 10,
        "周边环境治理（10分）": 10,
        "一票否决": 0,
    }


def test_every_item_with_a_severity_has_a_category_and_guidance():
    items = TemplateItem.objects.filter(version__template__code__in=SHIPPED_CODES)
    assert not items.exclude(severity="").filter(category="").exists()
    assert not items.filter(guidance="").exists()


def test_codes_unique_within_each_version_and_rules_hold():
    for spec in shipped_specs():
        codes = [fields["code"] for _title, _cat, items in spec["sections"] for fields in items]
        assert len(codes) == len(set(codes)), spec["code"]
    patrols = TemplateItem.objects.get(version__template__code="daily-gate-patrol", code="D-07")
    assert (patrols.item_type, patrols.min_value, patrols.unit_label) == (
        ItemType.NUMBER,
        Decimal("5.00"),
        "次",
    )
    blocked_exit = TemplateItem.objects.get(
        version__template__code="monthly-self-inspection", code="M-01"
    )
    assert (blocked_exit.severity, blocked_exit.photo_on_fail) == ("major", True)


def test_seed_is_idempotent_and_keeps_the_bureaus_changes():
    ChecklistTemplate.objects.filter(code="school-bus-check").update(name="改过的名称")
    ChecklistTemplate.objects.filter(code="surroundings-check").delete()
    seed_shipped()
    seed_shipped()
    assert ChecklistTemplate.objects.filter(code__in=SHIPPED_CODES).count() == 6
    assert ChecklistTemplate.objects.get(code="school-bus-check").name == "改过的名称"
    assert _items("surroundings-check").count() == 12


HAN = re.compile(r"[\u3400-\u9fff]")


def test_english_data_covers_every_shipped_section_and_item():
    english = shipped_english()
    assert set(english) == set(SHIPPED_CODES)
    for spec in shipped_specs():
        entry = english[spec["code"]]
        titles = [title for title, _cat, _items in spec["sections"]]
        codes = [fields["code"] for _t, _c, items in spec["sections"] for fields in items]
        assert list(entry["sections"]) == titles, spec["code"]
        assert list(entry["items"]) == codes, spec["code"]
        texts = [entry["name"], entry["description"], *entry["sections"].values()]
        texts += [part for pair in entry["items"].values() for part in pair]
        assert all(text.strip() and not HAN.search(text) for text in texts), spec["code"]


def test_every_shipped_row_has_its_english():
    templates = ChecklistTemplate.objects.filter(code__in=SHIPPED_CODES)
    assert not templates.filter(Q(name_en="") | Q(description_en="")).exists()
    sections = TemplateSection.objects.filter(version__template__code__in=SHIPPED_CODES)
    assert sections.count() == 29
    assert not sections.filter(title_en="").exists()
    items = TemplateItem.objects.filter(version__template__code__in=SHIPPED_CODES)
    assert items.count() == 114
    assert not items.filter(Q(text_en="") | Q(guidance_en="")).exists()
    assert not items.exclude(unit_label="").filter(unit_label_en="").exists()
    gate = ChecklistTemplate.objects.get(code="daily-gate-patrol")
    assert (gate.name, gate.name_en) == ("门卫与巡逻日检查表", "Daily gate and patrol checklist")
    patrols = _items("daily-gate-patrol").get(code="D-07")
    assert (patrols.text_en, patrols.unit_label_en) == ("Campus patrols made today", "times")


def test_str_follows_the_language():
    gate = ChecklistTemplate.objects.get(code="daily-gate-patrol")
    with translation.override("zh-hans"):
        assert str(gate) == "门卫与巡逻日检查表"
    with translation.override("en"):
        assert str(gate) == "Daily gate and patrol checklist"


def test_reseeding_keeps_entered_english_and_leaves_reworded_rows_in_chinese():
    bus = ChecklistTemplate.objects.get(code="school-bus-check")
    ChecklistTemplate.objects.filter(pk=bus.pk).update(name_en="Bus checks")
    reworded = _items("school-bus-check").filter(code="B-01")
    reworded.update(text="改过的检查内容", text_en="")
    ChecklistTemplate.objects.filter(code="surroundings-check").delete()
    seed_shipped()
    assert ChecklistTemplate.objects.get(pk=bus.pk).name_en == "Bus checks"
    assert reworded.get().text_en == ""
    assert reworded.get().guidance_en.startswith("Check: the route")
    assert not _items("surroundings-check").filter(text_en="").exists()
