"""The monthly grading run (月度风险等级): reads every school's evidence through the other
apps' selectors, scores it with the model in ``risk.grading`` and writes the month's grades.

Evidence is the month before the graded month (Asia/Shanghai), plus the open state at
computation time. Everything is read with one query per kind of evidence, whatever the
number of schools, and the grades are written in bulk.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from safecampus.inspections.selectors import evidence as inspection_evidence
from safecampus.leads.selectors import evidence as lead_evidence
from safecampus.organizations.models import School
from safecampus.risk.choices import WarningLevel
from safecampus.risk.grading import (
    Evidence,
    SchoolFacts,
    compute_factors,
    evidence_window,
    level_for,
    month_start,
)
from safecampus.risk.models import RiskGrade, RiskItem, SchoolRiskProfile, SeasonalRisk
from safecampus.risk.selectors.grades import bands
from safecampus.security.selectors import evidence as alarm_evidence


def _register_counts() -> dict[int, dict[str, int]]:
    rows = (
        RiskItem.objects.filter(is_active=True, school__isnull=False)
        .filter(level__in=[WarningLevel.RED, WarningLevel.ORANGE])
        .values("school_id", "level")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["school_id"], {})[row["level"]] = row["n"]
    return counts


def gather_evidence(month: date, now: datetime) -> Evidence:
    first, last, start, end = evidence_window(month)
    return Evidence(
        hazards=inspection_evidence.open_hazards(now=now),
        overdue=inspection_evidence.overdue_rectifications(now=now),
        leads=lead_evidence.lead_counts(start=start, end=end),
        alarms=alarm_evidence.alarm_counts(start=start, end=end),
        unacknowledged=alarm_evidence.unacknowledged_alerts(now=now),
        liveness=alarm_evidence.device_liveness(now=now),
        missed=inspection_evidence.missed_inspections(first=first, last=last),
        register=_register_counts(),
        seasonal=[
            risk
            for risk in SeasonalRisk.objects.filter(is_active=True)
            if month.month in (risk.months or [])
        ],
    )


def school_facts() -> list[SchoolFacts]:
    near_water = set(
        SchoolRiskProfile.objects.filter(near_water=True).values_list("school_id", flat=True)
    )
    rows = School.objects.filter(unit__is_active=True).values_list(
        "unit_id", "school_kind", "boarding"
    )
    return [SchoolFacts(sid, kind, boarding, sid in near_water) for sid, kind, boarding in rows]


@dataclass(frozen=True)
class GradeRun:
    month: date
    schools: int
    by_level: dict[str, int]


def grade_month(*, month: date, now: datetime | None = None) -> GradeRun:
    """Compute (or recompute) every active school's grade for ``month``.

    A grade the bureau adjusted keeps its adjusted level (and is counted at it in the run's
    ``by_level``); its score, computed level and factors are refreshed. Rows are written in
    bulk, in one transaction.
    """
    month = month_start(month)
    now = now or timezone.now()
    evidence = gather_evidence(month, now)
    table = bands()
    # The level in force of an adjusted grade is the bureau's: it is what the run counts.
    adjusted = dict(
        RiskGrade.objects.filter(month=month, adjusted_at__isnull=False).values_list(
            "school_id", "level"
        )
    )
    fresh: list[RiskGrade] = []
    kept: list[RiskGrade] = []
    by_level: dict[str, int] = dict.fromkeys(WarningLevel.values, 0)
    for school in school_facts():
        factors = compute_factors(school, evidence)
        score = sum(f.points for f in factors)
        level = level_for(score, table)
        grade = RiskGrade(
            school_id=school.school_id,
            month=month,
            score=score,
            computed_level=level,
            level=level,
            factors=[f.as_json() for f in factors],
            computed_at=now,
        )
        (kept if school.school_id in adjusted else fresh).append(grade)
        by_level[adjusted.get(school.school_id, level)] += 1
    common = ["score", "computed_level", "factors", "computed_at"]
    with transaction.atomic():
        for rows, fields in ((fresh, [*common, "level"]), (kept, common)):
            if rows:
                RiskGrade.objects.bulk_create(
                    rows,
                    # About a dozen columns a row: well under SQLite's 32,766 bound parameters.
                    batch_size=2000,
                    update_conflicts=True,
                    unique_fields=["school", "month"],
                    update_fields=fields,
                )
    return GradeRun(month, len(fresh) + len(kept), by_level)
