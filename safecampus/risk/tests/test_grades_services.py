"""Computing a month (audited, the leader told), adjusting a grade with a reason (a school
never lowers its own), and the monthly run on the first working day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import time_machine
from django.utils import translation

from safecampus.audit.models import AuditEvent
from safecampus.core.localtime import CHINA_TZ
from safecampus.notifications.models import Notification
from safecampus.risk.choices import WarningLevel
from safecampus.risk.errors import RiskError, RiskForbidden
from safecampus.risk.models import RiskGrade, RiskItem, SeasonalRisk
from safecampus.risk.services import grades as services
from safecampus.risk.tests.test_grading import GRADED_AT

APRIL = date(2026, 4, 1)


@pytest.fixture(autouse=True)
def no_calendar(db):
    SeasonalRisk.objects.all().delete()


def make_grade(school, level=WarningLevel.YELLOW, score=20, month=APRIL) -> RiskGrade:
    return RiskGrade.objects.create(
        school=school,
        month=month,
        score=score,
        computed_level=level,
        level=level,
        factors=[{"code": "hazard_general", "value": 10, "points": score}],
        computed_at=GRADED_AT,
    )


def test_compute_is_audited_and_tells_the_leader(district, safety_officer, bureau_leader):
    SeasonalRisk.objects.create(
        title="春季传染病", category="other", months=[4], measures="晨午检", points=15
    )
    for school in (district.school_a, district.school_b):  # 15 + 12 (the calendar's cap)
        RiskItem.objects.create(
            school=school,
            category="fire",
            title="宿舍电动车充电",
            likelihood=5,
            severity=5,
            level="red",
            owner_name="总务主任",
            control_measures="集中充电",
            review_due=date(2026, 5, 1),
        )
    with time_machine.travel(GRADED_AT, tick=False), translation.override("en"):
        run = services.grades_compute(actor=safety_officer, month=date(2026, 4, 20))
    assert (run.month, run.schools) == (APRIL, 2)
    assert run.by_level == {"red": 0, "orange": 0, "yellow": 2, "blue": 0}
    event = AuditEvent.objects.get(action="risk.riskgrade.computed")
    assert event.changes["month"] == "2026-04"
    assert event.actor_id == safety_officer.pk
    note = Notification.objects.get(recipient=bureau_leader)
    assert note.url == "/risk/?month=2026-04"
    assert note.body == "Red: 0, orange: 0, yellow: 2 schools."
    assert Notification.objects.filter(verb="risk.grades_computed").count() == 1


def test_no_notification_when_all_blue(district, safety_officer, bureau_leader):
    with time_machine.travel(GRADED_AT, tick=False):
        services.grades_compute(actor=safety_officer, month=APRIL)
    assert not Notification.objects.filter(verb="risk.grades_computed").exists()


def test_only_the_safety_officer_computes_and_not_the_future(
    district, safety_officer, officer_a, bureau_leader
):
    for person in (officer_a, bureau_leader):
        with pytest.raises(RiskForbidden):
            services.grades_compute(actor=person, month=APRIL)
    with time_machine.travel(GRADED_AT, tick=False), pytest.raises(RiskError) as caught:
        services.grades_compute(actor=safety_officer, month=date(2026, 5, 1))
    assert caught.value.code == "future_month"
    assert not RiskGrade.objects.exists()


def test_bureau_adjusts_with_a_reason(district, safety_officer):
    grade = make_grade(district.school_a)
    with pytest.raises(RiskError) as caught:
        services.grade_adjust(actor=safety_officer, grade=grade, level="blue", reason="  ")
    assert caught.value.code == "reason_required"
    grade = services.grade_adjust(
        actor=safety_officer, grade=grade, level=WarningLevel.BLUE, reason="隐患已整改完毕"
    )
    grade.refresh_from_db()
    assert (grade.level, grade.computed_level, grade.adjusted_by, grade.adjusted_reason) == (
        WarningLevel.BLUE,
        WarningLevel.YELLOW,
        safety_officer,
        "隐患已整改完毕",
    )
    event = AuditEvent.objects.get(action="risk.riskgrade.adjusted")
    assert event.changes == {"level": ["yellow", "blue"], "reason": "隐患已整改完毕"}
    assert event.unit_id == district.school_a.pk
    grade = services.grade_adjust_clear(actor=safety_officer, grade=grade)
    assert (grade.level, grade.adjusted_at, grade.adjusted_reason) == ("yellow", None, "")


def test_a_school_may_raise_but_never_lower_its_own_grade(district, principal_a, officer_a):
    grade = make_grade(district.school_a)
    with pytest.raises(RiskForbidden) as caught:
        services.grade_adjust(actor=principal_a, grade=grade, level="blue", reason="我们很安全")
    assert str(caught.value.message) == "A school cannot lower its own grade."
    with pytest.raises(RiskError):
        services.grade_adjust(actor=principal_a, grade=grade, level="yellow", reason="同级")
    with pytest.raises(RiskForbidden):
        services.grade_adjust(actor=officer_a, grade=grade, level="red", reason="提高")
    grade = services.grade_adjust(actor=principal_a, grade=grade, level="orange", reason="施工期")
    assert grade.level == "orange"
    with pytest.raises(RiskForbidden):
        services.grade_adjust_clear(actor=principal_a, grade=grade)
    grade.refresh_from_db()
    assert grade.level == "orange"


def test_a_principal_cannot_touch_another_school(district, principal_a):
    grade = make_grade(district.school_b)
    with pytest.raises(RiskForbidden):
        services.grade_adjust(actor=principal_a, grade=grade, level="red", reason="提高")


@pytest.mark.parametrize(
    ("month", "first"),
    [
        (date(2026, 2, 1), date(2026, 2, 2)),  # 1 February is a Sunday
        (date(2026, 10, 1), date(2026, 10, 8)),  # National Day holiday, 1–7 October
        (date(2026, 4, 1), date(2026, 4, 1)),  # a Wednesday
    ],
)
def test_first_working_day(month, first):
    assert services.first_working_day(month) == first


def test_the_monthly_run_only_on_the_first_working_day_and_once(district):
    sunday = datetime(2026, 2, 1, 6, 0, tzinfo=CHINA_TZ)
    monday = datetime(2026, 2, 2, 6, 0, tzinfo=CHINA_TZ)
    assert services.grades_compute_if_due(now=sunday) is None
    assert not RiskGrade.objects.exists()
    with time_machine.travel(monday, tick=False):
        run = services.grades_compute_if_due(now=monday)
    assert run is not None
    assert (run.month, run.schools) == (date(2026, 2, 1), 2)
    with time_machine.travel(monday, tick=False):
        assert services.grades_compute_if_due(now=monday) is None
    assert RiskGrade.objects.filter(month=date(2026, 2, 1)).count() == 2


def test_the_task_runs_the_service(district):
    from safecampus.risk.tasks import grades_compute_if_due_task

    monday = datetime(2026, 2, 2, 6, 0, tzinfo=CHINA_TZ)
    with time_machine.travel(monday, tick=False):
        grades_compute_if_due_task.call_local()
    assert RiskGrade.objects.filter(month=date(2026, 2, 1)).count() == 2
