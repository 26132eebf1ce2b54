"""The grade on constructed evidence, entered through the real models and services: each
factor moves the score by exactly its documented points (docs/risk-grading.md, the
``risk_points_*`` rules), the explanation lists exactly the factors that counted, the
per-factor cap, the bands, month boundaries in China time and the seasonal calendar."""

from __future__ import annotations

import importlib
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from safecampus.core.localtime import CHINA_TZ
from safecampus.inspections.choices import HazardCategory, InspectionStatus
from safecampus.inspections.models import Inspection, InspectionPlan
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.rectification import rectification_issue
from safecampus.inspections.tests.factories import make_checklist
from safecampus.leads.models import LeadCategory
from safecampus.leads.services import lead_report
from safecampus.organizations.models import School
from safecampus.risk import grading
from safecampus.risk.choices import RiskCategory, WarningLevel
from safecampus.risk.models import RiskGrade, RiskItem, SchoolRiskProfile, SeasonalRisk
from safecampus.risk.selectors.grades import bands
from safecampus.risk.services.grading import grade_month
from safecampus.security.choices import AlertStatus, EventType, Outcome, Priority
from safecampus.security.models import Alert, Device
from safecampus.security.services.devices import device_register

APRIL = date(2026, 4, 1)
#: Grading April on its first working day, 09:00 China time; the evidence month is March.
GRADED_AT = datetime(2026, 4, 1, 9, 0, tzinfo=CHINA_TZ)
IN_MARCH = datetime(2026, 3, 16, 10, 0, tzinfo=CHINA_TZ)


@pytest.fixture(autouse=True)
def clean_calendar(db):
    """The shipped seasonal calendar would add points to every school: each test builds its
    own. Lead categories are seeded again (a transactional test may have flushed them)."""
    SeasonalRisk.objects.all().delete()
    importlib.import_module("safecampus.leads.migrations.0002_seed_categories").seed(apps, None)


def grade_of(school, *, month=APRIL, now=GRADED_AT) -> RiskGrade:
    grade_month(month=month, now=now)
    return RiskGrade.objects.get(school=school, month=month)


def factors(grade: RiskGrade) -> dict[str, tuple[object, int]]:
    return {f["code"]: (f["value"], f["points"]) for f in grade.factors}


def hazard(actor, school, level: str, at=IN_MARCH):
    with time_machine.travel(at, tick=False):
        return hazard_register(
            actor=actor,
            school=school,
            category=HazardCategory.GATE,
            level=level,
            description=f"测试隐患 {level}",
        )


def lead(actor, school, code: str, at=IN_MARCH):
    with time_machine.travel(at, tick=False):
        return lead_report(
            actor=actor,
            category=LeadCategory.objects.get(code=code),
            description="校门口有社会人员逗留",
            school=school,
        )


def alert(school, *, priority=Priority.HIGH, status=AlertStatus.ACKNOWLEDGED, at=IN_MARCH, **kw):
    return Alert.objects.create(
        school=school,
        event_type=kw.pop("event_type", EventType.PANIC_BUTTON),
        priority=priority,
        status=status,
        first_seen_at=at,
        last_seen_at=at,
        **kw,
    )


def test_no_evidence_is_blue_with_nothing_listed(district):
    grade = grade_of(district.school_a)
    assert (grade.score, grade.level, grade.computed_level, grade.factors) == (
        0,
        WarningLevel.BLUE,
        WarningLevel.BLUE,
        [],
    )


@pytest.mark.parametrize(
    ("level", "code", "points"),
    [
        ("major", "hazard_major", 20),
        ("serious", "hazard_serious", 8),
        ("general", "hazard_general", 2),
    ],
)
def test_each_open_hazard_adds_its_level_points(district, safety_officer, level, code, points):
    hazard(safety_officer, district.school_a, level)
    hazard(safety_officer, district.school_a, level)
    grade = grade_of(district.school_a)
    assert factors(grade) == {code: (2, 2 * points)}
    assert grade.score == 2 * points
    assert grade_of(district.school_b).factors == []


def test_a_factor_is_capped(district, safety_officer):
    for _ in range(3):
        hazard(safety_officer, district.school_a, "major")
    grade = grade_of(district.school_a)
    assert factors(grade) == {"hazard_major": (3, 40)}


def test_overdue_rectification_adds_six_points(district, safety_officer):
    found = hazard(safety_officer, district.school_a, "general")
    with time_machine.travel(IN_MARCH, tick=False):
        rectification_issue(actor=safety_officer, hazards=[found], due_on=date(2026, 3, 20))
    grade = grade_of(district.school_a)
    assert factors(grade) == {"hazard_general": (1, 2), "rectification_overdue": (1, 6)}
    assert grade.score == 8
    # Not yet overdue on the 19th: only the hazard counts.
    early = grade_of(district.school_a, now=datetime(2026, 3, 19, 12, 0, tzinfo=CHINA_TZ))
    assert factors(early) == {"hazard_general": (1, 2)}


def test_violent_and_other_leads(district, safety_officer):
    lead(safety_officer, district.school_a, "gang_disruption")
    lead(safety_officer, district.school_a, "bullying_violence")
    lead(safety_officer, district.school_a, "campus_loans")
    grade = grade_of(district.school_a)
    assert factors(grade) == {"leads_violent": (2, 16), "leads_other": (1, 3)}
    assert grade.score == 19
    assert grade.level == WarningLevel.YELLOW


def test_spam_leads_do_not_count(district, safety_officer):
    spam = lead(safety_officer, district.school_a, "other")
    spam.is_spam = True
    spam.save(update_fields=["is_spam"])
    assert grade_of(district.school_a).factors == []


def test_alarms_high_unacknowledged_and_false_alarms(district):
    alert(district.school_a)  # high, acknowledged, in March: 2 points
    alert(district.school_a, priority=Priority.CRITICAL, status=AlertStatus.DISPOSED)
    alert(district.school_a, priority=Priority.MEDIUM)  # not high: nothing
    alert(district.school_a, status=AlertStatus.DISPOSED, outcome=Outcome.FALSE_ALARM)
    # Open now, raised in February: unacknowledged counts, the February alarm does not.
    alert(
        district.school_a,
        priority=Priority.LOW,
        status=AlertStatus.OPEN,
        at=IN_MARCH - timedelta(days=30),
    )
    grade = grade_of(district.school_a)
    assert factors(grade) == {"alarms_high": (2, 4), "alarms_unacknowledged": (1, 3)}


def test_devices_offline_share(district):
    silent, _secret = device_register(
        actor=None, school=district.school_a, kind="camera", name="东门"
    )
    online, _secret = device_register(
        actor=None, school=district.school_a, kind="camera", name="西门"
    )
    # Registered before the grading time: a device added later was never offline then.
    Device.objects.filter(pk__in=[silent.pk, online.pk]).update(
        created_at=GRADED_AT - timedelta(days=30)
    )
    online.last_seen_at = GRADED_AT - timedelta(seconds=10)
    online.save(update_fields=["last_seen_at"])
    assert factors(grade_of(district.school_a)) == {"devices_offline": (50, 10)}
    online.last_seen_at = None
    online.save(update_fields=["last_seen_at"])
    assert factors(grade_of(district.school_a)) == {"devices_offline": (100, 20)}
    later, _secret = device_register(
        actor=None, school=district.school_b, kind="camera", name="南门"
    )
    assert grade_of(district.school_b).factors == []  # registered after the grading time
    assert later.pk


def test_missed_planned_inspections(district, safety_officer):
    version = make_checklist()
    plan = InspectionPlan.objects.create(
        name="门卫检查",
        template=version.template,
        performer="school",
        frequency="weekly",
        starts_on=date(2026, 1, 1),
    )

    def planned(due: date, status: str, submitted=None):
        return Inspection.objects.create(
            plan=plan,
            version=version,
            kind=version.template.kind,
            school=district.school_a,
            performer="school",
            due_on=due,
            period=f"{due:%Y-%m-%d}",
            status=status,
            submitted_at=submitted,
            score_percent=90 if submitted else None,
        )

    planned(date(2026, 3, 6), InspectionStatus.DUE)  # missed
    planned(date(2026, 3, 13), InspectionStatus.DRAFT)  # begun, not submitted: missed
    late = datetime(2026, 3, 22, 10, 0, tzinfo=CHINA_TZ)
    planned(date(2026, 3, 20), InspectionStatus.SUBMITTED, late)  # late: missed
    on_time = datetime(2026, 3, 27, 10, 0, tzinfo=CHINA_TZ)
    planned(date(2026, 3, 27), InspectionStatus.SUBMITTED, on_time)  # done
    planned(date(2026, 4, 3), InspectionStatus.DUE)  # April: not this grade's evidence
    planned(date(2026, 3, 9), InspectionStatus.CANCELLED)
    assert factors(grade_of(district.school_a)) == {"inspections_missed": (3, 12)}


def test_register_red_and_orange_risks(district):
    def item(level: str, **kw):
        return RiskItem.objects.create(
            school=district.school_a,
            category=RiskCategory.FIRE,
            title=f"{level} 风险",
            likelihood=4,
            severity=5,
            level=level,
            owner_name="张校长",
            control_measures="每日巡查",
            review_due=date(2026, 5, 1),
            **kw,
        )

    item(WarningLevel.RED)
    item(WarningLevel.ORANGE)
    item(WarningLevel.ORANGE, is_active=False)
    item(WarningLevel.YELLOW)
    assert factors(grade_of(district.school_a)) == {
        "register_red": (1, 15),
        "register_orange": (1, 8),
    }


def test_bands_59_is_orange_60_is_red(district, safety_officer):
    table = bands()
    assert table == list(grading.DEFAULT_BANDS)
    assert [grading.level_for(n, table) for n in (0, 14, 15, 34, 35, 59, 60)] == [
        "blue",
        "blue",
        "yellow",
        "yellow",
        "orange",
        "orange",
        "red",
    ]
    hazard(safety_officer, district.school_a, "major")
    hazard(safety_officer, district.school_a, "major")  # 40
    hazard(safety_officer, district.school_a, "serious")  # 8
    lead(safety_officer, district.school_a, "gang_disruption")  # 8
    hazard(safety_officer, district.school_a, "general")  # 2
    grade = grade_of(district.school_a)
    assert (grade.score, grade.level) == (58, WarningLevel.ORANGE)
    hazard(safety_officer, district.school_a, "general")
    grade = grade_of(district.school_a)
    assert (grade.score, grade.level) == (60, WarningLevel.RED)
    assert [f["code"] for f in grade.factors] == [
        "hazard_major",
        "hazard_serious",
        "hazard_general",
        "leads_violent",
    ]


def test_month_boundaries_in_china_time(district, safety_officer):
    lead(
        safety_officer,
        district.school_a,
        "other",
        at=datetime(2026, 3, 31, 23, 30, tzinfo=CHINA_TZ),
    )
    lead(
        safety_officer,
        district.school_b,
        "other",
        at=datetime(2026, 4, 1, 0, 10, tzinfo=CHINA_TZ),
    )
    later = datetime(2026, 5, 6, 9, 0, tzinfo=CHINA_TZ)
    assert factors(grade_of(district.school_a, now=later)) == {"leads_other": (1, 3)}
    assert grade_of(district.school_b, now=later).factors == []
    may = date(2026, 5, 1)
    assert grade_of(district.school_a, month=may, now=later).factors == []
    assert factors(grade_of(district.school_b, month=may, now=later)) == {"leads_other": (1, 3)}


def test_evidence_window_is_the_previous_month_in_china_time():
    first, last, start, end = grading.evidence_window(date(2026, 1, 15))
    assert (first, last) == (date(2025, 12, 1), date(2025, 12, 31))
    assert start.isoformat() == "2025-12-01T00:00:00+08:00"
    assert end.isoformat() == "2026-01-01T00:00:00+08:00"


def test_seasonal_calendar_by_school_kind_boarding_and_water(district):
    def risk(title: str, **kw):
        values = {"category": RiskCategory.DROWNING, "months": [4, 5], "measures": "教育"}
        return SeasonalRisk.objects.create(title=title, **(values | kw))

    risk("小学春游交通", school_kinds=["primary"], points=4)
    risk("寄宿生安全", boarding_only=True, points=6)
    risk("防溺水", near_water_only=True, points=5)
    risk("冬季防火", months=[12, 1], points=9)
    risk("停用", is_active=False, points=9)
    assert factors(grade_of(district.school_a)) == {"seasonal": ("小学春游交通", 4)}
    assert grade_of(district.school_b).factors == []

    School.objects.filter(unit=district.school_b).update(boarding=True)
    SchoolRiskProfile.objects.create(school=district.school_b, near_water=True)
    assert factors(grade_of(district.school_b)) == {"seasonal": ("寄宿生安全、防溺水", 11)}
    # However many apply, the calendar adds at most its own cap.
    risk("寄宿生冬季用电", months=[4], boarding_only=True, points=8)
    assert factors(grade_of(district.school_b)) == {
        "seasonal": ("寄宿生安全、防溺水、寄宿生冬季用电", 12)
    }
    # March is not in any of these months.
    march = grade_of(district.school_b, month=date(2026, 3, 1), now=GRADED_AT)
    assert march.factors == []


def test_recomputation_keeps_an_adjusted_level_and_refreshes_the_rest(district, safety_officer):
    grade = grade_of(district.school_a)
    RiskGrade.objects.filter(pk=grade.pk).update(
        level=WarningLevel.ORANGE, adjusted_at=GRADED_AT, adjusted_reason="校园周边施工"
    )
    hazard(safety_officer, district.school_a, "serious")
    run = grade_month(month=APRIL, now=GRADED_AT)
    assert run.by_level == {"red": 0, "orange": 1, "yellow": 0, "blue": 1}
    grade = grade_of(district.school_a)
    assert (grade.score, grade.computed_level, grade.level) == (
        8,
        WarningLevel.BLUE,
        WarningLevel.ORANGE,
    )
    assert grade.adjusted_reason == "校园周边施工"
    assert RiskGrade.objects.filter(month=APRIL).count() == 2


def test_grading_reads_evidence_with_a_fixed_number_of_queries(
    district, safety_officer, django_assert_max_num_queries
):
    hazard(safety_officer, district.school_a, "general")
    grade_month(month=APRIL, now=GRADED_AT)
    with django_assert_max_num_queries(20):
        run = grade_month(month=APRIL, now=GRADED_AT)
    assert run.schools == 2
    assert run.by_level == {"red": 0, "orange": 0, "yellow": 0, "blue": 2}
