"""Lead categories in English (issue #14): an English-speaking reporter can pick a type, the
ledger and the export read English, and an import accepts either name."""

from __future__ import annotations

import re

from django.test import override_settings
from django.utils import translation

from conftest import login
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.tests.test_excel import _upload, _workbook

HAN = re.compile(r"[\u3400-\u9fff]")


def _options(html: str, select_name: str) -> list[str]:
    select = re.search(rf'<select name="{select_name}".*?</select>', html, re.S)
    assert select is not None
    return [
        re.sub(r"<[^>]+>", "", o).strip()
        for o in re.findall(r"<option[^>]*>.*?</option>", select.group(0), re.S)
    ]


def test_every_seeded_category_has_an_english_name():
    names = dict(LeadCategory.objects.values_list("code", "name_en"))
    assert len(names) == 18
    assert all(names.values()), [code for code, name in names.items() if not name]
    assert names["bullying_violence_bullying"] == "School bullying"


def test_str_follows_the_reader_and_falls_back_to_the_chinese():
    bullying = LeadCategory.objects.get(code="bullying_violence_bullying")
    with translation.override("en"):
        assert str(bullying) == "School bullying"
    with translation.override("zh-hans"):
        assert str(bullying) == "校园欺凌"
    LeadCategory.objects.filter(pk=bullying.pk).update(name_en="")
    bullying.refresh_from_db()
    with translation.override("en"):
        assert str(bullying) == "校园欺凌"


def test_the_public_portal_offers_english_types_to_an_english_reader(client):
    client.cookies["django_language"] = "en"
    english = _options(client.get("/report/").content.decode(), "category")
    assert "School bullying and school violence" in english
    assert "— School bullying" in english
    assert not [o for o in english if HAN.search(o)]
    client.cookies["django_language"] = "zh-hans"
    chinese = _options(client.get("/report/").content.decode(), "category")
    assert "校园欺凌和校园暴力" in chinese and "— 校园欺凌" in chinese


def test_ledger_detail_and_export_read_the_english_name(client, safety_officer, lead):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    ledger = client.get("/leads/").content.decode()
    assert "Disrupting school order, extortion, picking quarrels" in ledger
    assert "干扰教育教学秩序、敲诈勒索、寻衅滋事" not in ledger
    detail = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f"{lead.reference} · Disrupting school order" in detail
    statistics = client.get("/leads/statistics/").content.decode()
    assert "School bullying and school violence" in statistics
    assert "校园欺凌和校园暴力" not in statistics


def test_the_api_gives_both_names(client, safety_officer):
    login(client, safety_officer)
    rows = client.get("/api/v1/lead-categories/").json()
    other = next(row for row in rows if row["code"] == "other")
    assert (other["name"], other["name_en"]) == ("其他", "Other")


@override_settings(LANGUAGE_CODE="zh-hans")
def test_an_import_takes_the_english_name_as_well(client, district, safety_officer):
    login(client, safety_officer)
    row = {
        "类别*": "School bullying and school violence",
        "子类": "School violence",
        "涉及学校": "XB-001",
        "情况描述*": "操场上有学生被围殴",
    }
    response = client.post("/leads/import/", {"file": _upload(_workbook([row]))}, follow=True)
    assert response.redirect_chain == [("/leads/", 302)], response.content.decode()[:2000]
    assert Lead.objects.get().category.code == "bullying_violence_violence"
