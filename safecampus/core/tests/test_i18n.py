"""Reference data in the reader's language: the English sibling when reading English and
filled, the Chinese name otherwise."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from safecampus.core.i18n import localized, reading_english


def test_english_reader_gets_the_english_sibling() -> None:
    band = SimpleNamespace(label="一级（红色）", label_en="Level 1 (red)")
    with translation.override("en"):
        assert reading_english()
        assert localized(band, "label") == "Level 1 (red)"
    with translation.override("zh-hans"):
        assert not reading_english()
        assert localized(band, "label") == "一级（红色）"


def test_empty_english_name_falls_back_to_the_chinese() -> None:
    category = SimpleNamespace(name="新类别", name_en="")
    with translation.override("en"):
        assert localized(category) == "新类别"


def test_template_filter() -> None:
    template = Template('{% load safecampus %}{{ c|localized }}|{{ b|localized:"label" }}')
    context = Context(
        {
            "c": SimpleNamespace(name="校园欺凌", name_en="School bullying"),
            "b": SimpleNamespace(label="四级（蓝色）", label_en="Level 4 (blue)"),
        }
    )
    with translation.override("en"):
        assert template.render(context) == "School bullying|Level 4 (blue)"
    with translation.override("zh-hans"):
        assert template.render(context) == "校园欺凌|四级（蓝色）"
