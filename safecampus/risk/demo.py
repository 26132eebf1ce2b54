"""Risk early-warning data for the demo district (after seed_demo and the other demo
seeders): school profiles, a few register items, twelve months of computed grades and
this month's issued warning notice. Idempotent: what exists is left alone."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from safecampus.core.localtime import CHINA_TZ, local_day
from safecampus.risk.choices import NoticeStatus, RiskCategory
from safecampus.risk.grading import month_start, previous_month
from safecampus.risk.models import RiskGrade, RiskItem, SchoolRiskProfile, WarningNotice
from safecampus.risk.services.grades import first_working_day
from safecampus.risk.services.grading import grade_month
from safecampus.risk.services.register import matrix_level, review_interval_days

#: (category, risk, likelihood, severity, owner, control measures)
DEMO_ITEMS = [
    (
        RiskCategory.DROWNING,
        "学校北侧藻江河段无护栏，学生放学途经",
        4,
        5,
        "分管安全副校长",
        "设置警示牌；放学时段安排教师护送；联合社区加装护栏。",
    ),
    (
        RiskCategory.TRAFFIC_BUS,
        "校门口主干道上下学时段车流量大",
        4,
        4,
        "总务主任",
        "交警设护学岗；错峰放学；家长接送区划线。",
    ),
    (
        RiskCategory.BULLYING_VIOLENCE,
        "初二年级个别学生结伙欺负低年级学生",
        3,
        4,
        "德育主任",
        "班主任每周谈心；学生欺凌治理委员会专题研判；法治副校长专题教育。",
    ),
    (
        RiskCategory.FIRE,
        "学生宿舍楼电动车违规充电",
        3,
        5,
        "宿管科长",
        "设置集中充电棚；每晚宿舍巡查；违规充电纳入宿舍考核。",
    ),
    (
        RiskCategory.MENTAL_HEALTH,
        "毕业年级学业压力大，心理危机个案增多",
        3,
        3,
        "心理健康教师",
        "心理普查与分级建档；家校联动；危机干预流程演练。",
    ),
]


@dataclass(frozen=True)
class RiskDemoStats:
    profiles: int
    items: int
    months: int
    notice: bool


def _pick(code: str, every: int) -> bool:
    return zlib.crc32(code.encode()) % every == 0


def _profiles() -> int:
    from safecampus.organizations.models import School

    created = 0
    for unit_id, code in School.objects.values_list("unit_id", "unit__code"):
        _, made = SchoolRiskProfile.objects.get_or_create(
            school_id=unit_id,
            defaults={
                "near_water": _pick(code, 5),
                "near_main_road": _pick(code + "road", 3),
                "flood_prone": _pick(code + "flood", 7),
            },
        )
        created += made
    return created


def _items(today: date) -> int:
    from safecampus.organizations.models import School

    if RiskItem.objects.exists():
        return 0
    schools = list(School.objects.order_by("unit__code").values_list("unit_id", flat=True)[:10])
    rows = []
    for index, school_id in enumerate(schools):
        category, title, likelihood, severity, owner, measures = DEMO_ITEMS[index % len(DEMO_ITEMS)]
        level = matrix_level(likelihood, severity)
        rows.append(
            RiskItem(
                school_id=school_id,
                category=category,
                title=title,
                likelihood=likelihood,
                severity=severity,
                level=level,
                owner_name=owner,
                control_measures=measures,
                review_due=today.fromordinal(today.toordinal() + review_interval_days(level)),
            )
        )
    RiskItem.objects.bulk_create(rows)
    return len(rows)


def _grade_months(today: date, months: int) -> int:
    month = month_start(today)
    wanted = []
    for _ in range(months):
        wanted.append(month)
        month = previous_month(month)
    done = 0
    for month in reversed(wanted):
        if RiskGrade.objects.filter(month=month).exists():
            continue
        day = first_working_day(month)
        at = datetime.combine(day, time(9, 0), tzinfo=CHINA_TZ)
        grade_month(month=month, now=min(at, timezone.now()))
        done += 1
    return done


def _notice(today: date) -> bool:
    from safecampus.risk.services.notices import notice_draft, notice_issue

    month = month_start(today)
    if WarningNotice.objects.filter(month=month).exists():
        return False
    officer = get_user_model().objects.filter(username="safety").first()
    if officer is None:
        return False
    notice = notice_draft(actor=officer, month=month)
    if notice.status == NoticeStatus.DRAFT:
        notice_issue(actor=officer, notice=notice)
    return True


def demo_risk_seed(*, months: int = 12) -> RiskDemoStats:
    today = local_day(timezone.now())
    with transaction.atomic():
        profiles = _profiles()
        items = _items(today)
    graded = _grade_months(today, months)
    notice = _notice(today)
    return RiskDemoStats(profiles, items, graded, notice)
