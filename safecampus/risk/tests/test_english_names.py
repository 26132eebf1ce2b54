"""Reference data in the reader's language (issue #14): the shipped warning levels and
seasonal calendar have English names, English pages and the API show them, Chinese pages
the Chinese, and the bureau enters the English of its own rows."""

from __future__ import annotations

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.utils import translation

from conftest import login
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import RiskGrade, RiskLevelBand, SeasonalRisk
from safecampus.risk.selectors.grades import band_rows, factor_rows
from safecampus.risk.services import calendar as calendar_services
from safecampus.risk.services import register as services
from safecampus.risk.services.notices import notice_draft
from safecampus.risk.tests.test_grading import GRADED_AT

pytestmark = pytest.mark.django_db
seed_module = importlib.import_module("safecampus.risk.migrations.0002_seed_bands_calendar")
HAN = re.compile(r"[\u3400-\u9fff]")
APRIL = date(2026, 4, 1)


def _chinese_reference() -> list[str]:
    """Every Chinese name and text of the shipped reference rows."""
    bands = list(RiskLevelBand.objects.values_list("label", flat=True))
    risks = SeasonalRisk.objects.values_list("title", "measures")
    return bands + [text for pair in risks for text in pair]


def _leaked(page: str) -> list[str]:
    """Runs of Chinese on a page that come from the reference data (names of schools and
    people, the user data on these pages, are none of them). The values of form fields are
    left out: the bureau edits the Chinese names beside the English ones."""
    references = _chinese_reference()
    text = re.sub(r'<input[^>]*type="text"[^>]*>', "", page)
    runs = set(re.findall(r"[\u3400-\u9fff]{2,}", text))
    return sorted(run for run in runs if any(run in text for text in references))


@pytest.fixture
def en(client):
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def seasonal_grade(district):
    """School A's April grade, counted for two seasonal risks (one title with a 、 inside)."""
    return RiskGrade.objects.create(
        school=district.school_a,
        month=APRIL,
        score=44,
        computed_level=WarningLevel.ORANGE,
        level=WarningLevel.ORANGE,
        factors=[
            {"code": "hazard_major", "value": 2, "points": 40},
            {"code": "seasonal", "value": "校园贷、套路贷防范、春季传染病防控", "points": 7},
        ],
        computed_at=GRADED_AT,
    )


# --- the shipped rows ---------------------------------------------------------------------


def test_every_shipped_row_has_its_english():
    bands = RiskLevelBand.objects.order_by("-min_score").values_list("level", "label_en")
    with translation.override("en"):
        assert list(bands) == [(str(level), str(level.label)) for level in WarningLevel]
    risks = list(SeasonalRisk.objects.all())
    assert len(risks) == len(seed_module.CALENDAR) == len(seed_module.CALENDAR_ENGLISH) == 18
    for risk in risks:
        assert risk.title_en and risk.measures_en, risk.title
        assert not HAN.search(risk.title_en + risk.measures_en), risk.title
    assert SeasonalRisk.objects.get(title="防溺水安全").title_en == "Drowning prevention"


def test_the_code_defaults_have_the_same_english():
    RiskLevelBand.objects.all().delete()
    with translation.override("en"):
        assert [band.label_en for band in services.band_table()] == [
            str(level.label) for level in WarningLevel
        ]
        assert [row["label"] for row in band_rows()] == [str(level.label) for level in WarningLevel]
    with translation.override("zh-hans"):
        assert band_rows()[0]["label"] == "一级（红色）"


def test_the_data_migration_fills_only_empty_english_of_shipped_text():
    RiskLevelBand.objects.update(label_en="")
    SeasonalRisk.objects.update(title_en="", measures_en="")
    SeasonalRisk.objects.filter(title="台风防御").update(measures="本校自定措施")
    SeasonalRisk.objects.filter(title="高温防暑降温").update(title="高温天气防范")
    RiskLevelBand.objects.filter(level="red").update(label_en="Red alert")
    seed_module.fill_english(apps, None)
    assert RiskLevelBand.objects.get(level="red").label_en == "Red alert"
    assert RiskLevelBand.objects.get(level="blue").label_en == "Level IV (blue)"
    typhoon = SeasonalRisk.objects.get(title="台风防御")
    assert (typhoon.title_en, typhoon.measures_en) == ("Typhoon defence", "")
    renamed = SeasonalRisk.objects.get(title="高温天气防范")
    assert (renamed.title_en, renamed.measures_en) == ("", "")
    assert SeasonalRisk.objects.exclude(title_en="").count() == 17


def test_str_and_empty_english_fall_back_to_the_chinese():
    band = RiskLevelBand.objects.get(level="orange")
    risk = SeasonalRisk.objects.get(title="台风防御")
    with translation.override("en"):
        assert (str(band), str(risk)) == ("Level II (orange)", "Typhoon defence")
        risk.title_en = ""
        assert str(risk) == "台风防御"
    with translation.override("zh-hans"):
        assert (str(band), str(risk)) == ("二级（橙色）", "台风防御")


# --- pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url,shown",
    [
        ("/risk/register/", "Level I (red)"),
        ("/risk/levels/", "Level IV (blue)"),
        ("/risk/calendar/", "Typhoon defence"),
    ],
)
def test_register_pages_in_english_show_no_chinese_reference_names(en, safety_officer, url, shown):
    page = login(en, safety_officer).get(url).content.decode()
    assert shown in page
    assert _leaked(page) == []


def test_the_levels_read_only_name_each_level_in_the_readers_language(client, bureau_leader):
    """Who cannot edit reads the levels by their badges: no Chinese name column in English."""
    login(client, bureau_leader)
    chinese = client.get("/risk/levels/").content.decode()
    assert "四级（蓝色）" in chinese and "Level IV (blue)" not in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/risk/levels/").content.decode()
    assert "Level IV (blue)" in english and "-label_en" not in english
    assert _leaked(english) == [] and "蓝色" not in english


def test_the_calendar_in_english_and_in_chinese(client, safety_officer):
    login(client, safety_officer)
    chinese = client.get("/risk/calendar/").content.decode()
    assert "防溺水安全" in chinese and "每周开展一次防溺水安全教育" in chinese
    assert "Drowning prevention" not in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/risk/calendar/").content.decode()
    assert "Drowning prevention" in english
    assert "Give a drowning-prevention lesson every week" in english
    assert "防溺水安全" not in english
    assert "、" not in english  # school kinds are listed without the Chinese enumeration comma


def test_the_grade_list_and_its_map_follow_the_language(client, safety_officer, seasonal_grade):
    login(client, safety_officer)
    chinese = client.get("/risk/", {"month": "2026-04"})
    assert [band["label"] for band, _n in chinese.context["counts"]][:2] == [
        "一级（红色）",
        "二级（橙色）",
    ]
    assert chinese.context["map_data"]["markers"][0]["level_label"] == "二级（橙色）"
    client.cookies["django_language"] = "en"
    english = client.get("/risk/", {"month": "2026-04"})
    assert [item["label"] for item in english.context["map_data"]["legend"]] == [
        "Level I (red)",
        "Level II (orange)",
        "Level III (yellow)",
        "Level IV (blue)",
    ]
    assert english.context["map_data"]["markers"][0]["level_label"] == "Level II (orange)"
    assert _leaked(english.content.decode()) == []


def test_a_schools_grade_names_its_seasonal_risks_in_english(
    client, officer_a, district, seasonal_grade
):
    url = f"/risk/schools/{district.school_a.pk}/"
    login(client, officer_a)
    chinese = client.get(url)
    seasonal = next(f for f in chinese.context["factors"] if f["code"] == "seasonal")
    assert seasonal["value"] == "校园贷、套路贷防范、春季传染病防控"
    assert chinese.context["grade_label"] == "二级（橙色）"
    client.cookies["django_language"] = "en"
    english = client.get(url)
    seasonal = next(f for f in english.context["factors"] if f["code"] == "seasonal")
    assert seasonal["value"] == "Campus loans and loan traps, Infectious diseases in spring"
    assert english.context["grade_label"] == "Level II (orange)"
    chart_areas = english.context["chart"]["series"][0]["markArea"]["data"]
    assert chart_areas[0][0]["name"] == "Level I (red)"
    assert _leaked(english.content.decode()) == []


def test_a_renamed_seasonal_risk_leaves_the_stored_value():
    factors = [{"code": "seasonal", "value": "已改名的风险、台风防御", "points": 4}]
    with translation.override("en"):
        assert factor_rows(factors)[0]["value"] == "已改名的风险、台风防御"
        assert factor_rows(factors[:0]) == []
    with translation.override("zh-hans"):
        assert factor_rows(factors)[0]["value"] == "已改名的风险、台风防御"


# --- the bureau enters the English --------------------------------------------------------


def test_the_level_page_saves_the_english_labels(en, safety_officer):
    form = {}
    for band in services.band_table():
        form |= {
            f"{band.level}-label": band.label,
            f"{band.level}-label_en": band.label_en,
            f"{band.level}-min_score": band.min_score,
            f"{band.level}-color": band.color,
        }
    client = login(en, safety_officer)
    too_long = client.post("/risk/levels/", {**form, "red-label_en": "x" * 41})
    assert too_long.status_code == 400
    assert RiskLevelBand.objects.get(level="red").label_en == "Level I (red)"
    saved = client.post("/risk/levels/", {**form, "red-label_en": "Red warning"})
    assert saved.status_code == 302
    assert RiskLevelBand.objects.get(level="red").label_en == "Red warning"
    assert "Red warning" in client.get("/risk/register/").content.decode()


def test_the_english_label_is_kept_when_a_change_leaves_it_out(safety_officer):
    calendar_services.level_band_update(
        actor=safety_officer, level="red", label="一级", min_score=70, color="#d7263d"
    )
    assert RiskLevelBand.objects.get(level="red").label_en == "Level I (red)"
    band = calendar_services.level_band_update(
        actor=safety_officer, level="red", label="一级", min_score=70, color="#d7263d", label_en=""
    )
    assert band.label_en == ""


def test_the_calendar_form_saves_the_english(en, safety_officer):
    client = login(en, safety_officer)
    data = {
        "title": "开学季电梯安全",
        "title_en": "Lift safety at the start of term",
        "category": "campus_security",
        "months": ["2", "9"],
        "measures": "检查电梯维保记录",
        "measures_en": "Check the lifts' maintenance records.",
        "points": "3",
    }
    assert client.post("/risk/calendar/new/", data).status_code == 302
    risk = SeasonalRisk.objects.get(title="开学季电梯安全")
    assert (risk.title_en, risk.measures_en) == (data["title_en"], data["measures_en"])
    edit = client.get(f"/risk/calendar/{risk.pk}/edit/").content.decode()
    assert 'value="Lift safety at the start of term"' in edit
    changed = client.post(f"/risk/calendar/{risk.pk}/edit/", {**data, "title_en": ""})
    assert changed.status_code == 302
    risk.refresh_from_db()
    assert (risk.title_en, risk.measures_en) == ("", data["measures_en"])
    assert "开学季电梯安全" in client.get("/risk/calendar/").content.decode()


def test_the_seasonal_service_keeps_the_english_it_is_not_given(safety_officer):
    risk = SeasonalRisk.objects.get(title="台风防御")
    calendar_services.seasonal_risk_update(
        actor=safety_officer,
        risk=risk,
        title=risk.title,
        category=risk.category,
        months=[8, 9],
        measures=risk.measures,
        points=risk.points,
    )
    risk.refresh_from_db()
    assert (risk.months, risk.title_en) == ([8, 9], "Typhoon defence")


# --- API ----------------------------------------------------------------------------------


def test_the_api_gives_both_names(client, officer_a):
    login(client, officer_a)
    levels = client.get("/api/v1/risk-levels/").json()
    assert (levels[0]["label"], levels[0]["label_en"]) == ("一级（红色）", "Level I (red)")
    risks = {row["title"]: row for row in client.get("/api/v1/seasonal-risks/").json()}
    drowning = risks["防溺水安全"]
    assert drowning["title_en"] == "Drowning prevention"
    assert drowning["measures_en"].startswith("Give a drowning-prevention lesson")
    assert drowning["measures"].startswith("每周开展一次防溺水安全教育")


def test_a_notice_offers_and_lists_its_seasonal_risks_in_both_names(
    client, safety_officer, seasonal_grade
):
    """The notice itself is a Chinese official document; the calendar it picks from is not."""
    draft = notice_draft(actor=safety_officer, month=APRIL)
    login(client, safety_officer)
    chinese = client.get(f"/risk/notices/{draft.pk}/").content.decode()
    assert "春季传染病防控" in chinese and "Infectious diseases in spring" not in chinese
    client.cookies["django_language"] = "en"
    english = client.get(f"/risk/notices/{draft.pk}/").content.decode()
    assert "Infectious diseases in spring</label>" in english
    api = client.get(f"/api/v1/risk-notices/{draft.pk}/").json()
    chosen = dict(zip(api["seasonal_risks"], api["seasonal_risks_en"], strict=True))
    assert chosen["春季传染病防控"] == "Infectious diseases in spring"
