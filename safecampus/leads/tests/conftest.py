"""A lead about extortion outside school A, reported by the bureau safety officer."""

from __future__ import annotations

import importlib
from datetime import datetime

import pytest
from django.apps import apps

from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.models import LeadCategory
from safecampus.leads.services import lead_report, portal

#: A Tuesday with ordinary working days around it.
TUESDAY_MORNING = datetime(2026, 3, 10, 9, 30, tzinfo=CHINA_TZ)
REPORTER_NAME = "匿名家长王某某"
REPORTER_CONTACT = "13700001111"


@pytest.fixture(autouse=True)
def categories(db):
    """The plan's categories, as the data migration seeds them (a transactional test
    elsewhere in the run may have flushed the migrated rows)."""
    migration = importlib.import_module("safecampus.leads.migrations.0002_seed_categories")
    migration.seed(apps, None)


@pytest.fixture(autouse=True)
def fresh_portal_throttles():
    """The portal's counts live in process memory; each test starts with none."""
    portal.throttles_reset()
    yield
    portal.throttles_reset()


@pytest.fixture
def extortion(db):
    return LeadCategory.objects.get(code="gang_disruption")


@pytest.fixture
def report_lead(district, safety_officer, extortion):
    def make(**overrides):
        values = {
            "actor": safety_officer,
            "category": extortion,
            "description": "校门口有社会人员向学生索要钱财",
            "place": "实验小学东门",
            "school": district.school_a,
            "reporter_name": REPORTER_NAME,
            "reporter_contact": REPORTER_CONTACT,
        }
        return lead_report(**(values | overrides))

    return make


@pytest.fixture
def lead(report_lead):
    return report_lead()
