"""The monthly warning notice: draft, issue to every school, acknowledge, report, close,
ask for more, escalation of missed limits — with a frozen clock around Qingming 2026.

Issue on Friday 2026-04-03 10:00 (China time): Saturday to Monday 4–6 April are the
Qingming holiday, so "within 1 working day" ends on Tuesday 7 April at midnight, and the
default feedback date (10 working days) is Monday 20 April.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from safecampus.audit.models import AuditEvent
from safecampus.cases.choices import CaseEventKind
from safecampus.cases.errors import CaseError
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.cases.services import deadline_sweep
from safecampus.core.localtime import CHINA_TZ
from safecampus.notifications.models import Notification
from safecampus.risk.choices import (
    ACKNOWLEDGE_BUREAU_PURPOSE,
    ACKNOWLEDGE_PURPOSE,
    FEEDBACK_BUREAU_PURPOSE,
    FEEDBACK_PURPOSE,
    NoticeStatus,
    SchoolWarningStatus,
    WarningLevel,
)
from safecampus.risk.errors import RiskConflict, RiskError, RiskForbidden
from safecampus.risk.models import RiskGrade, SchoolWarning, SeasonalRisk, WarningNotice
from safecampus.risk.selectors.notices import notice_progress, warning_list
from safecampus.risk.services import notices as services

APRIL = date(2026, 4, 1)
ISSUE_AT = datetime(2026, 4, 3, 10, 0, tzinfo=CHINA_TZ)
RED_FACTORS = [
    {"code": "hazard_major", "value": 2, "points": 40},
    {"code": "rectification_overdue", "value": 1, "points": 10},
    {"code": "seasonal", "value": "防溺水", "points": 12},
]


def grade(school, level: str, factors=None, month: date = APRIL) -> RiskGrade:
    factors = factors or []
    return RiskGrade.objects.create(
        school=school,
        month=month,
        score=sum(f["points"] for f in factors),
        computed_level=level,
        level=level,
        factors=factors,
        computed_at=ISSUE_AT - timedelta(days=2),
    )


@pytest.fixture
def graded(district):
    grade(district.school_a, WarningLevel.RED, RED_FACTORS)
    grade(district.school_b, WarningLevel.BLUE)
    SeasonalRisk.objects.all().delete()  # the shipped calendar; these tests use their own
    SeasonalRisk.objects.create(
        title="防溺水",
        category="drowning",
        months=[4, 5, 6, 7, 8, 9],
        measures="开展防溺水专题教育，排查学校周边水域",
    )
    SeasonalRisk.objects.create(
        title="冬季防火", category="fire", months=[12, 1, 2], measures="检查取暖设备"
    )
    return district


@pytest.fixture
def people(safety_officer, bureau_leader, principal_a, officer_a, officer_b):
    return {
        "safety_officer": safety_officer,
        "leader": bureau_leader,
        "principal_a": principal_a,
        "officer_a": officer_a,
        "officer_b": officer_b,
    }


def issued(graded, people) -> WarningNotice:
    with time_machine.travel(ISSUE_AT, tick=False):
        notice = services.notice_draft(actor=people["safety_officer"], month=APRIL)
        return services.notice_issue(actor=people["safety_officer"], notice=notice)


def warning_of(notice, school) -> SchoolWarning:
    return SchoolWarning.objects.get(notice=notice, unit=school)


def test_draft_is_refused_without_grades(district, safety_officer):
    with pytest.raises(RiskError) as refused:
        services.notice_draft(actor=safety_officer, month=APRIL)
    assert refused.value.code == "no_grades"
    assert WarningNotice.objects.count() == 0


def test_draft_has_title_seasonal_risks_and_default_feedback_date(graded, safety_officer):
    with time_machine.travel(ISSUE_AT, tick=False):
        notice = services.notice_draft(actor=safety_officer, month=date(2026, 4, 17))
    assert notice.month == APRIL
    assert notice.title == "关于2026年4月全区学校安全风险预警的通知"
    assert notice.status == NoticeStatus.DRAFT
    assert notice.feedback_due == date(2026, 4, 20)
    assert [r.title for r in notice.seasonal_risks.all()] == ["防溺水"]
    assert notice.summary == (
        "4月是以下安全风险的易发期，各校要对照落实防范措施：\n"
        "1．防溺水：开展防溺水专题教育，排查学校周边水域"
    )


def test_draft_refuses_a_past_feedback_date_a_second_notice_and_schools(graded, people):
    with time_machine.travel(ISSUE_AT, tick=False):
        with pytest.raises(RiskError):
            services.notice_draft(
                actor=people["safety_officer"], month=APRIL, feedback_due=date(2026, 4, 2)
            )
        with pytest.raises(RiskForbidden):
            services.notice_draft(actor=people["principal_a"], month=APRIL)
        services.notice_draft(actor=people["safety_officer"], month=APRIL)
        with pytest.raises(RiskConflict):
            services.notice_draft(actor=people["safety_officer"], month=APRIL)
    assert WarningNotice.objects.count() == 1


def test_update_only_while_draft(graded, people):
    notice = issued(graded, people)
    with pytest.raises(RiskConflict):
        services.notice_update(actor=people["safety_officer"], notice=notice, title="改")
    assert WarningNotice.objects.get().title == "关于2026年4月全区学校安全风险预警的通知"


def test_issue_creates_one_warning_per_active_school_with_levels_and_deadlines(graded, people):
    notice = issued(graded, people)
    assert notice.status == NoticeStatus.ISSUED
    assert notice.issued_at == ISSUE_AT
    warnings = list(SchoolWarning.objects.filter(notice=notice).order_by("unit__code"))
    assert [(w.unit_id, w.level, w.status) for w in warnings] == [
        (graded.school_a.pk, WarningLevel.RED, SchoolWarningStatus.ISSUED),
        (graded.school_b.pk, WarningLevel.BLUE, SchoolWarningStatus.ISSUED),
    ]
    red, blue = warnings
    assert red.reference == f"YJ-2026-{red.pk:06d}"
    assert red.measures_required.splitlines() == [
        "1．立即落实重大隐患临时管控措施并限期整改，整改到位前不得解除管控。",
        "2．对逾期未完成的整改通知书逐项说明原因并限期完成，报教育局验收。",
        "3．对照本月季节性风险清单落实各项防范措施。",
    ]
    assert len(red.reasons.splitlines()) == 3
    assert red.reasons.splitlines()[0].endswith("：2")
    assert blue.reasons == "" and blue.measures_required == ""
    deadlines = Deadline.objects.for_case(red).order_by("purpose")
    assert [(d.purpose, d.due_at, d.escalate_to_id) for d in deadlines] == [
        (ACKNOWLEDGE_PURPOSE, datetime(2026, 4, 7, 23, 59, 59, 999999, CHINA_TZ), red.unit_id),
        (
            ACKNOWLEDGE_BUREAU_PURPOSE,
            datetime(2026, 4, 7, 23, 59, 59, 999999, CHINA_TZ),
            graded.bureau.pk,
        ),
        (FEEDBACK_PURPOSE, datetime(2026, 4, 20, 23, 59, 59, 999999, CHINA_TZ), red.unit_id),
        (
            FEEDBACK_BUREAU_PURPOSE,
            datetime(2026, 4, 20, 23, 59, 59, 999999, CHINA_TZ),
            graded.bureau.pk,
        ),
    ]
    kinds = list(CaseEvent.objects.for_case(red).values_list("kind", flat=True))
    assert kinds == [CaseEventKind.CREATED] + [CaseEventKind.DEADLINE_SET] * 4
    assert AuditEvent.objects.filter(action="risk.warningnotice.issued").count() == 1


def test_issue_notifies_each_school_and_the_leader(graded, people):
    notice = issued(graded, people)
    school = Notification.objects.filter(verb="risk.schoolwarning.issued")
    assert sorted(school.values_list("recipient__username", flat=True)) == [
        "officer_a",
        "officer_b",
        "principal_a",
    ]
    leader = Notification.objects.get(verb="risk.warningnotice.issued")
    assert leader.recipient == people["leader"]
    assert leader.url == f"/risk/notices/{notice.pk}/"
    with pytest.raises(RiskConflict):
        services.notice_issue(actor=people["safety_officer"], notice=notice)
    assert SchoolWarning.objects.count() == 2


def test_acknowledge_report_close(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    with time_machine.travel(datetime(2026, 4, 7, 9, 0, tzinfo=CHINA_TZ), tick=False):
        services.warning_acknowledge(actor=people["officer_a"], warning=warning)
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.ACKNOWLEDGED
    assert warning.acknowledged_by == people["officer_a"]
    with time_machine.travel(datetime(2026, 4, 10, 9, 0, tzinfo=CHINA_TZ), tick=False):
        services.warning_report(
            actor=people["principal_a"], warning=warning, feedback="已落实临时管控措施。"
        )
        progress = notice_progress(notice=notice)
    warning.refresh_from_db()
    assert (warning.status, warning.feedback) == (
        SchoolWarningStatus.REPORTED,
        "已落实临时管控措施。",
    )
    assert progress.schools == 2
    assert progress.acknowledged == 1
    assert progress.acknowledged_late == 0
    assert progress.overdue_acknowledgement == 1
    assert progress.reported == 1
    assert progress.overdue_feedback == 0
    services.warning_close(actor=people["safety_officer"], warning=warning)
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.CLOSED
    assert Deadline.objects.for_case(warning).open().count() == 0


def test_report_refused_before_acknowledgement_and_without_text(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    with pytest.raises(CaseError) as illegal:
        services.warning_report(actor=people["officer_a"], warning=warning, feedback="做了")
    assert illegal.value.code == "illegal_transition"
    services.warning_acknowledge(actor=people["officer_a"], warning=warning)
    with pytest.raises(RiskError) as empty:
        services.warning_report(actor=people["officer_a"], warning=warning, feedback="  ")
    assert empty.value.code == "feedback_required"
    warning.refresh_from_db()
    assert (warning.status, warning.feedback_at) == (SchoolWarningStatus.ACKNOWLEDGED, None)


def test_another_school_cannot_acknowledge(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    with pytest.raises(RiskForbidden):
        services.warning_acknowledge(actor=people["officer_b"], warning=warning)
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.ISSUED
    assert list(warning_list(user=people["officer_b"])) == [warning_of(notice, graded.school_b)]


def test_ask_for_more_sets_a_new_feedback_limit(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    services.warning_acknowledge(actor=people["officer_a"], warning=warning)
    services.warning_report(actor=people["officer_a"], warning=warning, feedback="已整改")
    with pytest.raises(CaseError):
        services.warning_reopen(actor=people["safety_officer"], warning=warning, note="")
    with time_machine.travel(datetime(2026, 4, 10, 9, 0, tzinfo=CHINA_TZ), tick=False):
        services.warning_reopen(
            actor=people["safety_officer"], warning=warning, note="请补充整改照片"
        )
    warning.refresh_from_db()
    assert warning.status == SchoolWarningStatus.ACKNOWLEDGED
    open_limits = Deadline.objects.for_case(warning).open().order_by("purpose")
    assert [(d.purpose, d.due_at) for d in open_limits] == [
        (FEEDBACK_PURPOSE, datetime(2026, 4, 15, 23, 59, 59, 999999, CHINA_TZ)),
        (FEEDBACK_BUREAU_PURPOSE, datetime(2026, 4, 15, 23, 59, 59, 999999, CHINA_TZ)),
    ]


def _escalations(warning) -> list[str]:
    return sorted(
        CaseEvent.objects.for_case(warning)
        .filter(kind=CaseEventKind.ESCALATED)
        .values_list("data__purpose", flat=True)
    )


def test_missed_acknowledgement_and_feedback_escalate_once_each(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    content_type = ContentType.objects.get_for_model(SchoolWarning)
    assert content_type is not None
    # Tuesday 7 April at 23:59 is still in time.
    deadline_sweep(now=datetime(2026, 4, 7, 23, 59, tzinfo=CHINA_TZ))
    assert _escalations(warning) == []
    Notification.objects.all().delete()
    wednesday = datetime(2026, 4, 8, 0, 1, tzinfo=CHINA_TZ)
    deadline_sweep(now=wednesday)
    deadline_sweep(now=wednesday + timedelta(hours=1))
    assert _escalations(warning) == [ACKNOWLEDGE_PURPOSE, ACKNOWLEDGE_BUREAU_PURPOSE]
    told = Notification.objects.filter(verb="cases.deadline.escalated", object_id=str(warning.pk))
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "bureau_leader",
        "officer_a",
        "principal_a",
        "safety_officer",
    ]
    # Late acknowledgement: the school signs on Thursday, then misses the feedback date.
    with time_machine.travel(datetime(2026, 4, 9, 9, 0, tzinfo=CHINA_TZ), tick=False):
        services.warning_acknowledge(actor=people["principal_a"], warning=warning)
    after = datetime(2026, 4, 21, 8, 0, tzinfo=CHINA_TZ)
    deadline_sweep(now=after)
    deadline_sweep(now=after + timedelta(hours=1))
    assert _escalations(warning) == [
        ACKNOWLEDGE_PURPOSE,
        ACKNOWLEDGE_BUREAU_PURPOSE,
        FEEDBACK_PURPOSE,
        FEEDBACK_BUREAU_PURPOSE,
    ]
    progress = notice_progress(notice=notice, now=after)
    assert progress.acknowledged == 1
    assert progress.acknowledged_late == 1
    assert progress.overdue_acknowledgement == 1  # school B never signed
    assert progress.overdue_feedback == 2


def test_bureau_edits_a_school_warning(graded, people):
    notice = issued(graded, people)
    warning = warning_of(notice, graded.school_a)
    services.warning_update(
        actor=people["safety_officer"], warning=warning, reasons="原因", measures_required="措施"
    )
    warning.refresh_from_db()
    assert (warning.reasons, warning.measures_required) == ("原因", "措施")
    with pytest.raises(RiskForbidden):
        services.warning_update(
            actor=people["principal_a"], warning=warning, reasons="", measures_required=""
        )
