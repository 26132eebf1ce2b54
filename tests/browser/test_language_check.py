"""The crawl's language check finds what it must (a check that cannot fail is no check)."""

from __future__ import annotations

import pytest

from tests.browser.language import UserData, foreign_text, user_data

DATA = UserData(text="新北区实验小学\n张老师\n校门口有人索要钱财", words={"zhang"})


def test_english_page_flags_chinese_labels_but_not_user_data():
    page = "Level 1 (red) · 一级（红色） at 新北区实验小学, reported by 张老师: 校门口有人"
    assert foreign_text(page, "en", DATA) == ["一级（红色）"]


def test_chinese_page_flags_english_ui_words_but_not_terms_or_codes():
    page = "线索台账 Export to Excel PDF 编号 XS-2026-000001 设备 CAM-01 Acknowledge 确认 Zhang"
    assert foreign_text(page, "zh-hans", DATA) == ["Export", "Acknowledge"]


@pytest.mark.django_db
def test_user_data_keeps_the_chinese_of_people_not_of_reference_names(district):
    from safecampus.leads.models import LeadCategory

    LeadCategory.objects.create(code="x_test", name="测试类别", name_en="Test category")
    data = user_data()
    assert data.holds(district.school_a.name)
    assert not data.holds("测试类别")
