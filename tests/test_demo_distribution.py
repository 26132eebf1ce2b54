"""The demo district reads as real (#14): its risk grades, computed from the demo's evidence
like any month's, put few schools at the top level (11 of 60 sat at 一级（红色）), and its
open hazards are mostly general ones, with major hazards rare.

The 60-school district of ``make run`` is seeded as ``make demo`` seeds it, on a fixed day
(the demo's stories are told back from today), with one year of inspections. About a minute.
"""

from __future__ import annotations

import importlib
from collections import Counter
from datetime import date, datetime

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command

from safecampus.core.localtime import CHINA_TZ
from safecampus.inspections.choices import OPEN_HAZARD_STATUSES, HazardLevel
from safecampus.inspections.models import Hazard
from safecampus.inspections.services.shipped import seed_shipped
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import RiskGrade

pytestmark = pytest.mark.django_db

SCHOOLS = 60


@pytest.fixture
def demo_district(db):
    for module in (
        "safecampus.leads.migrations.0002_seed_categories",
        "safecampus.risk.migrations.0002_seed_bands_calendar",
    ):
        importlib.import_module(module).seed(apps, None)
    seed_shipped()
    # The day this was measured: December's seasonal risks weigh on every school.
    with time_machine.travel(datetime(2026, 12, 7, 10, 0, tzinfo=CHINA_TZ), tick=False):
        call_command("seed_demo", "--schools", str(SCHOOLS), "--quiet", "--no-devices")
        call_command("seed_demo_leads")
        call_command("seed_demo_inspections", "--no-answers")
        call_command("seed_demo_risk", "--months", "2")


def test_the_demo_grades_and_hazards_read_as_a_district_would_believe(demo_district):
    """Few schools at the top risk levels, every level below seen; open hazards mostly
    general, major ones rare."""
    for month in (date(2026, 11, 1), date(2026, 12, 1)):
        levels = Counter(RiskGrade.objects.filter(month=month).values_list("level", flat=True))
        assert sum(levels.values()) == SCHOOLS
        assert levels[WarningLevel.RED] <= SCHOOLS * 0.05, (month, levels)
        assert levels[WarningLevel.RED] + levels[WarningLevel.ORANGE] <= SCHOOLS * 0.15
        # The lowest level is the most common; the levels thin out going up.
        assert levels[WarningLevel.BLUE] >= SCHOOLS / 3, (month, levels)
        assert levels[WarningLevel.BLUE] > levels[WarningLevel.YELLOW] > levels[WarningLevel.ORANGE]
    december = Counter(
        RiskGrade.objects.filter(month=date(2026, 12, 1)).values_list("level", flat=True)
    )
    assert december[WarningLevel.ORANGE] >= 2 and december[WarningLevel.YELLOW] >= 6, december

    open_levels = Counter(
        Hazard.objects.filter(status__in=OPEN_HAZARD_STATUSES).values_list("level", flat=True)
    )
    every_level = Counter(Hazard.objects.values_list("level", flat=True))
    general, serious, major = (open_levels[level] for level in HazardLevel)
    assert general > serious > major, open_levels
    assert major <= 0.1 * sum(open_levels.values()), open_levels
    assert every_level[HazardLevel.MAJOR] <= 0.05 * sum(every_level.values()), every_level
