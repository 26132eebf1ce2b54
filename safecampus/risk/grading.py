"""The monthly grade (月度风险等级) of every school, computed from evidence.

The model is explicit (docs/risk-grading.md): each factor is a count or share read from the
other apps' evidence selectors, times its weight (a rule with its source), capped per
factor; the grade's score is their sum and its level the highest band (``RiskLevelBand``)
the score reaches. Evidence is the month before the graded month (Asia/Shanghai), plus the
open state at computation time. Only factors that add points are kept, so a grade's
explanation lists exactly what counted. Everything is read with one query per kind of
evidence, whatever the number of schools.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from safecampus.core.localtime import CHINA_TZ
from safecampus.core.rules import rule
from safecampus.inspections import evidence as inspection_evidence
from safecampus.leads import evidence as lead_evidence
from safecampus.organizations.models import School
from safecampus.risk.choices import WarningLevel
from safecampus.risk.models import (
    RiskGrade,
    RiskItem,
    RiskLevelBand,
    SchoolRiskProfile,
    SeasonalRisk,
)
from safecampus.security import evidence as alarm_evidence

#: Lead categories that weigh most (the plan's gang and violence categories).
VIOLENT_LEAD_CATEGORIES = frozenset({"gang_disruption", "lawless_persons", "bullying_violence"})

#: Factor codes with their English msgids (shown translated); the order of the explanation.
FACTOR_LABELS: dict[str, str] = {
    "hazard_major": gettext_noop("Open major hazards"),
    "hazard_serious": gettext_noop("Open serious hazards"),
    "hazard_general": gettext_noop("Open general hazards"),
    "rectification_overdue": gettext_noop("Overdue rectification notices"),
    "leads_violent": gettext_noop("Leads of gangs, lawless persons, bullying or violence"),
    "leads_other": gettext_noop("Other leads"),
    "alarms_high": gettext_noop("High and critical alarms"),
    "alarms_unacknowledged": gettext_noop("Alarms not acknowledged"),
    "devices_offline": gettext_noop("Security devices offline (%)"),
    "inspections_missed": gettext_noop("Planned inspections not done in time"),
    "register_red": gettext_noop("Red risks in the school's register"),
    "register_orange": gettext_noop("Orange risks in the school's register"),
    "seasonal": gettext_noop("Seasonal risks of the month"),
}

#: Used when the bureau's band table is empty; the data migration seeds the same values.
DEFAULT_BANDS: tuple[tuple[str, int], ...] = (
    (WarningLevel.RED, 60),
    (WarningLevel.ORANGE, 35),
    (WarningLevel.YELLOW, 15),
    (WarningLevel.BLUE, 0),
)


@dataclass(frozen=True)
class Factor:
    code: str
    value: int | str
    points: int

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "value": self.value, "points": self.points}


@dataclass(frozen=True)
class SchoolFacts:
    school_id: int
    school_kind: str
    boarding: bool
    near_water: bool


@dataclass
class Evidence:
    """Every per-school count the grade reads, gathered once for all schools."""

    hazards: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    overdue: Mapping[int, int] = field(default_factory=dict)
    leads: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    alarms: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    unacknowledged: Mapping[int, int] = field(default_factory=dict)
    liveness: Mapping[int, tuple[int, int]] = field(default_factory=dict)
    missed: Mapping[int, int] = field(default_factory=dict)
    register: Mapping[int, Mapping[str, int]] = field(default_factory=dict)
    seasonal: Sequence[SeasonalRisk] = ()


def month_start(day: date) -> date:
    return day.replace(day=1)


def previous_month(month: date) -> date:
    return (month_start(month) - timedelta(days=1)).replace(day=1)


def local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)


def evidence_window(month: date) -> tuple[date, date, datetime, datetime]:
    """The month before ``month``: first and last day, and [start, end) in China time."""
    first = previous_month(month)
    last = month_start(month) - timedelta(days=1)
    return first, last, local_midnight(first), local_midnight(month_start(month))


def _capped(count: int, weight: int) -> int:
    return min(count * weight, rule("risk_factor_cap"))


def seasonal_applies(risk: SeasonalRisk, school: SchoolFacts) -> bool:
    if risk.school_kinds and school.school_kind not in risk.school_kinds:
        return False
    if risk.boarding_only and not school.boarding:
        return False
    return not (risk.near_water_only and not school.near_water)


def _count_factors(school: SchoolFacts, evidence: Evidence) -> Iterable[Factor]:
    sid = school.school_id
    hazards = evidence.hazards.get(sid, {})
    leads = evidence.leads.get(sid, {})
    violent = sum(n for code, n in leads.items() if code in VIOLENT_LEAD_CATEGORIES)
    register = evidence.register.get(sid, {})
    counts = (
        ("hazard_major", hazards.get("major", 0), "risk_points_hazard_major"),
        ("hazard_serious", hazards.get("serious", 0), "risk_points_hazard_serious"),
        ("hazard_general", hazards.get("general", 0), "risk_points_hazard_general"),
        (
            "rectification_overdue",
            evidence.overdue.get(sid, 0),
            "risk_points_rectification_overdue",
        ),
        ("leads_violent", violent, "risk_points_lead_violent"),
        ("leads_other", sum(leads.values()) - violent, "risk_points_lead_other"),
        ("alarms_high", evidence.alarms.get(sid, {}).get("high", 0), "risk_points_alarm_high"),
        (
            "alarms_unacknowledged",
            evidence.unacknowledged.get(sid, 0),
            "risk_points_alarm_unacknowledged",
        ),
        ("inspections_missed", evidence.missed.get(sid, 0), "risk_points_inspection_missed"),
        ("register_red", register.get(WarningLevel.RED, 0), "risk_points_register_red"),
        ("register_orange", register.get(WarningLevel.ORANGE, 0), "risk_points_register_orange"),
    )
    for code, count, weight in counts:
        if count:
            yield Factor(code, count, _capped(count, rule(weight)))


def compute_factors(school: SchoolFacts, evidence: Evidence) -> list[Factor]:
    """The factors that add points to ``school``'s grade, in the documented order."""
    factors = list(_count_factors(school, evidence))
    offline, enabled = evidence.liveness.get(school.school_id, (0, 0))
    if enabled and offline:
        share = round(100 * offline / enabled)
        points = min(
            round(rule("risk_points_devices_offline") * offline / enabled), rule("risk_factor_cap")
        )
        factors.append(Factor("devices_offline", share, points))
    seasonal = [risk for risk in evidence.seasonal if seasonal_applies(risk, school)]
    if seasonal:
        titles = "、".join(risk.title for risk in seasonal)
        points = min(sum(risk.points for risk in seasonal), rule("risk_seasonal_cap"))
        factors.append(Factor("seasonal", titles, points))
    order = list(FACTOR_LABELS)
    factors = [f for f in factors if f.points > 0]
    return sorted(factors, key=lambda f: order.index(f.code))


def bands() -> list[tuple[str, int]]:
    """(level, least score), highest first: the bureau's table, else the defaults."""
    rows = list(RiskLevelBand.objects.order_by("-min_score").values_list("level", "min_score"))
    return rows or list(DEFAULT_BANDS)


def level_for(score: int, table: Sequence[tuple[str, int]]) -> str:
    for level, least in table:
        if score >= least:
            return level
    return WarningLevel.BLUE


def _register_counts() -> dict[int, dict[str, int]]:
    from django.db.models import Count

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
                    batch_size=2000,
                    update_conflicts=True,
                    unique_fields=["school", "month"],
                    update_fields=fields,
                )
    return GradeRun(month, len(fresh) + len(kept), by_level)
