"""The shipped bands and the default Jiangsu seasonal calendar (data migration 0002)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from safecampus.risk.grading import DEFAULT_BANDS, SchoolFacts, seasonal_applies
from safecampus.risk.models import RiskLevelBand, SeasonalRisk

pytestmark = pytest.mark.django_db
seed_module = importlib.import_module("safecampus.risk.migrations.0002_seed_bands_calendar")


@pytest.fixture(autouse=True)
def seeded(db):
    """The migration's rows, again: a transactional test elsewhere may have flushed them."""
    seed_module.seed(apps, None)


def _school(kind: str = "primary", *, boarding: bool = False, near_water: bool = False):
    return SchoolFacts(1, kind, boarding, near_water)


def _applying(month: int, school: SchoolFacts) -> set[str]:
    return {
        risk.title
        for risk in SeasonalRisk.objects.filter(is_active=True)
        if month in risk.months and seasonal_applies(risk, school)
    }


def test_the_bands_match_the_grading_defaults():
    rows = list(RiskLevelBand.objects.order_by("-min_score").values_list("level", "min_score"))
    assert rows == [(str(level), least) for level, least in DEFAULT_BANDS]
    assert list(RiskLevelBand.objects.order_by("-min_score").values_list("label", "color")) == [
        ("一级（红色）", "#d7263d"),
        ("二级（橙色）", "#f46036"),
        ("三级（黄色）", "#e9c46a"),
        ("四级（蓝色）", "#2e86de"),
    ]


def test_the_calendar_covers_every_month():
    risks = list(SeasonalRisk.objects.all())
    assert len(risks) == 18
    for month in range(1, 13):
        assert any(month in risk.months for risk in risks), month
    for risk in risks:
        assert risk.measures and risk.months == sorted(set(risk.months), key=risk.months.index)
        assert 0 < risk.points <= 40


def test_drowning_runs_may_to_september():
    drowning = SeasonalRisk.objects.filter(category="drowning")
    assert {tuple(r.months) for r in drowning} == {(5, 6, 7, 8, 9)}
    assert sorted(r.near_water_only for r in drowning) == [False, True]


def test_the_calendar_applies_by_school_kind():
    primary = _applying(1, _school("primary"))
    assert "诺如病毒等肠道传染病防控" in primary
    assert "校园贷、套路贷防范" not in primary
    assert "寄宿制学校宿舍防火和防一氧化碳中毒" not in primary
    vocational = _applying(1, _school("vocational", boarding=True))
    assert {"校园贷、套路贷防范", "寄宿制学校宿舍防火和防一氧化碳中毒"} <= vocational
    assert "诺如病毒等肠道传染病防控" not in vocational
    assert "校园欺凌防治" not in _applying(9, _school("kindergarten"))
    assert "临水学校防溺水重点防控" not in _applying(7, _school())
    assert "临水学校防溺水重点防控" in _applying(7, _school(near_water=True))


def test_seeding_again_changes_nothing():
    SeasonalRisk.objects.filter(title="防溺水安全").update(points=9)
    before = SeasonalRisk.objects.count()
    seed_module.seed(apps, None)
    assert SeasonalRisk.objects.count() == before
    assert SeasonalRisk.objects.get(title="防溺水安全").points == 9
    assert RiskLevelBand.objects.count() == 4
