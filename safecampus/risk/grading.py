"""The monthly risk grade's model (docs/risk-grading.md), as pure computation: the factors,
their weights and caps, the level a score reaches, the evidence window, and a grade put into
words for a school's warning.

Each factor is a count or share of evidence times its weight (a rule with its source),
capped per factor; the score is their sum and the level the highest band the score reaches.
Only factors that add points are kept, so a grade's explanation lists exactly what counted.
Nothing here queries or writes: ``services.grading`` gathers the evidence and writes the
grades, ``selectors.grades`` reads the bureau's level bands.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from safecampus.core.localtime import CHINA_TZ
from safecampus.core.rules import rule
from safecampus.risk.choices import WarningLevel

if TYPE_CHECKING:
    from safecampus.risk.models import SeasonalRisk

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


def level_for(score: int, table: Sequence[tuple[str, int]]) -> str:
    for level, least in table:
        if score >= least:
            return level
    return WarningLevel.BLUE


# --- a grade in words (a school's warning) ---------------------------------------------

#: Factors named in a school's warning (the highest-scoring first).
WARNING_TOP_FACTORS = 3

#: The measure each counted factor calls for: the notice's text (a 公文, so in Chinese whatever
#: the reader's language), editable per school later.
FACTOR_MEASURES: dict[str, str] = {
    "hazard_major": "立即落实重大隐患临时管控措施并限期整改，整改到位前不得解除管控",
    "hazard_serious": "对较大隐患制定整改方案，明确责任人和时限，整改期间落实防范措施",
    "hazard_general": "对一般隐患立查立改，建立整改台账并销号管理",
    "rectification_overdue": "对逾期未完成的整改通知书逐项说明原因并限期完成，报教育局验收",
    "leads_violent": "会同属地派出所排查涉黑涉恶、欺凌暴力线索，落实重点学生和重点时段管控",
    "leads_other": "逐条核查线索反映问题，按期反馈核查处置情况",
    "alarms_high": "分析高等级报警原因，完善处置预案并组织演练",
    "alarms_unacknowledged": "落实监控值守制度，确保报警第一时间确认和处置",
    "devices_offline": "组织技防设施检修，确保视频监控、一键报警等设备在线率达标",
    "inspections_missed": "按计划完成安全检查，补查遗漏项目并上报检查结果",
    "register_red": "对风险台账中的红色风险落实“一险一策”管控措施，校领导包保",
    "register_orange": "对风险台账中的橙色风险加密巡查频次，落实管控责任人",
    "seasonal": "对照本月季节性风险清单落实各项防范措施",
}


def _value_text(factor: dict[str, Any]) -> str:
    return str(factor.get("value", ""))


def warning_reasons(factors: Iterable[dict[str, Any]]) -> str:
    """The top factors of a grade as lines "label: value", in the site's language."""
    top = sorted(factors, key=lambda f: -int(f.get("points", 0)))[:WARNING_TOP_FACTORS]
    with translation.override(settings.LANGUAGE_CODE):
        return "\n".join(
            f"{_(FACTOR_LABELS.get(f['code'], f['code']))}：{_value_text(f)}" for f in top
        )


def warning_measures(factors: Iterable[dict[str, Any]]) -> str:
    """The measures the counted factors call for, numbered, in the model's order."""
    codes = [f["code"] for f in factors if f.get("code") in FACTOR_MEASURES]
    order = list(FACTOR_LABELS)
    codes.sort(key=lambda code: order.index(code) if code in order else len(order))
    return "\n".join(
        f"{index}．{FACTOR_MEASURES[code]}。" for index, code in enumerate(codes, start=1)
    )
