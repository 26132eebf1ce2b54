"""The demo generator: consistent rows, and idempotent."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from safecampus.cases.models import CaseEvent, Deadline
from safecampus.inspections.choices import HazardStatus, InspectionStatus, RectificationStatus
from safecampus.inspections.models import Hazard, Inspection, InspectionPlan, Rectification

pytestmark = [pytest.mark.django_db]


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (InspectionPlan, Inspection, Hazard, Rectification, CaseEvent, Deadline)
    }


def test_seed_twice_gives_the_same_rows(district, inspector):
    with time_machine.travel(datetime(2026, 6, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        call_command("seed_demo_inspections", "--years", "2", stdout=io.StringIO())
        first = _counts()
        call_command("seed_demo_inspections", "--years", "2", stdout=io.StringIO())
    assert _counts() == first
    assert first["InspectionPlan"] == 4
    assert first["Inspection"] > 50 and first["Hazard"] > 0 and first["Rectification"] > 0
    # Every notice has its two kernel deadlines at least and a creation event.
    assert first["Deadline"] >= 2 * first["Rectification"]
    assert CaseEvent.objects.filter(kind="created").count() == first["Rectification"]
    # Submitted inspections are scored; closed hazards belong to verified notices.
    assert not Inspection.objects.filter(
        status=InspectionStatus.SUBMITTED, score_percent__isnull=True
    ).exists()
    closed = Hazard.objects.filter(status=HazardStatus.CLOSED)
    assert set(closed.values_list("rectification__status", flat=True)) == {
        RectificationStatus.VERIFIED
    }
    assert Rectification.objects.filter(status=RectificationStatus.VERIFIED, on_time=True).exists()
    assert (
        Rectification.objects.filter(reference__startswith="ZG-").count() == first["Rectification"]
    )
    # The register reads like a real one: what was found, in many different words.
    descriptions = set(Hazard.objects.values_list("description", flat=True))
    assert len(descriptions) >= min(10, first["Hazard"])
    assert not any("检查时发现不符合要求" in d for d in descriptions)


def test_the_fallback_checklist_has_its_english(db):
    """When the shipped checklists are gone, the demo's own one reads in both languages."""
    from safecampus.inspections.demo import FALLBACK_ENGLISH, FALLBACK_ITEMS, _fallback_version

    version = _fallback_version("daily_patrol")
    assert (version.template.name, version.template.name_en) == (
        "演示检查表（门卫日常巡查）",
        "Demo checklist (Daily gate and patrol check)",
    )
    assert set(FALLBACK_ENGLISH) == {row[0] for row in FALLBACK_ITEMS}
    assert dict(version.items.values_list("code", "text_en")) == FALLBACK_ENGLISH
    assert version.sections.get().title_en == "Checks"
