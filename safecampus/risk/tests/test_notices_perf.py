"""Issuing writes the kernel's rows for all schools in bulk: the number of statements does
not grow with the number of schools (only each school's notification adds its own)."""

from __future__ import annotations

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import School, Unit
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import RiskGrade, SchoolWarning
from safecampus.risk.services import notices as services
from safecampus.risk.tests.test_notices import APRIL, ISSUE_AT

LEVELS = [WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW, WarningLevel.BLUE]


def _schools(district, count: int) -> None:
    units = Unit.objects.bulk_create(
        Unit(code=f"P-{i:04d}", name=f"学校{i}", kind=UnitKind.SCHOOL, parent=district.bureau)
        for i in range(count)
    )
    School.objects.bulk_create(School(unit=unit, school_kind="primary") for unit in units)
    RiskGrade.objects.bulk_create(
        RiskGrade(
            school=unit,
            month=APRIL,
            score=20,
            computed_level=LEVELS[i % 4],
            level=LEVELS[i % 4],
            factors=[{"code": "hazard_major", "value": 1, "points": 20}],
            computed_at=ISSUE_AT,
        )
        for i, unit in enumerate(units)
    )


def _issue_queries(safety_officer) -> int:
    with time_machine.travel(ISSUE_AT, tick=False):
        notice = services.notice_draft(actor=safety_officer, month=APRIL)
        with CaptureQueriesContext(connection) as captured:
            services.notice_issue(actor=safety_officer, notice=notice)
    return len(captured.captured_queries)


def test_issue_statements_do_not_grow_with_schools(district, safety_officer, bureau_leader):
    _schools(district, 400)
    queries = _issue_queries(safety_officer)
    assert SchoolWarning.objects.count() == 402
    assert queries < 100, queries  # batches of rows, not statements per school
